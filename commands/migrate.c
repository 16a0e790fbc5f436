/* migrate.c: memcsess migrate: move sessions to the servers PHP will read them from in another
 * pool (or the same pool, rebalanced), confirming each copy before deleting its source. */
#include "commands.h"
#include "mc/copy.h"
#include "dumpline.h"
#include "mc/scan.h"
#include "mc/stats.h"
#include "mc/store.h"
#include "signals.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { O_FROM = 1, O_TO, O_MOVE, O_OVERWRITE, O_DRY_RUN, O_FAIL_FAST, O_JSON, O_SID, O_SIDS,
       O_TTL, O_SASL_FROM, O_SASL_TO, O_REPLICAS, O_TLS_FROM, O_TLS_TO };
static const struct cmd_opt migrate_opts[] = {
	{ "from", 0, ARG_SERVERS, O_FROM },
	{ "to", 0, ARG_SERVERS, O_TO },
	{ "move", 0, 0, O_MOVE },
	{ "overwrite", 0, 0, O_OVERWRITE },
	{ "dry-run", 'n', 0, O_DRY_RUN },
	{ "fail-fast", 0, 0, O_FAIL_FAST },
	{ "json", 'j', 0, O_JSON },
	{ "sid", 0, ARG_SID, O_SID },
	{ "sids", 0, ARG_FILE, O_SIDS },
	{ "ttl", 0, ARG_DURATION, O_TTL },
	{ "replicas", 0, ARG_NUMBER, O_REPLICAS },
	{ "sasl-from", 0, 0, O_SASL_FROM },
	{ "sasl-to", 0, 0, O_SASL_TO },
	{ "tls-from", 0, 0, O_TLS_FROM },
	{ "tls-to", 0, 0, O_TLS_TO },
	{ NULL, 0, 0, 0 },
};

struct migrate {
	struct cmd_ctx *ctx;
	const char *from, *to, *sid_glob, *input;
	const char *sids;	/* --sids FILE|-: known session ids, one a line */
	int move, overwrite, dry_run, fail_fast, json;
	long replicas;		/* --replicas: PHP's memcached.sess_number_of_replicas */
	int sasl_from, sasl_to;	/* --sasl (both), --sasl-from, --sasl-to */
	int tls_from, tls_to;	/* --tls (both), unless --tls-from or --tls-to says which */
	double unknown_ttl;	/* TTL of copies whose remaining TTL cannot be read (SASL source) */
	int ttl_given, ttl_noted;
	size_t not_found;	/* --sids: not on the server PHP reads them from */
	struct pool src, dst;
	int have_src, have_dst;
	struct copier cp;
	size_t bad_lines;
	int stopped;		/* --fail-fast or interrupt */
	double started, last_progress;
	int progress;		/* stderr is a terminal */
	uint64_t total;		/* about how many items the source holds; 0 unknown */
	const struct dump_reader *rd;	/* dump lines from a regular file: */
	uint64_t in_size;	/* its bytes still to read when the run began */
};

/* Set by Ctrl-C or SIGTERM while sessions are copied. */
static volatile sig_atomic_t interrupted;

/* Prints one session that needs attention. */
static void on_report(const char *sid, size_t n, enum copy_event ev, const char *what, void *arg)
{
	(void)ev;
	struct migrate *m = arg;
	if (m->progress)
		fputs("\r\033[K", stderr);
	cmd_error("session %.*s: %s", (int)n, sid, what);
}

/* Redraws the progress line on stderr, at most 5 times a second. */
static void show_progress(struct migrate *m, int final)
{
	double t = stats_now();
	if (!m->progress || (!final && t - m->last_progress < 0.2))
		return;
	m->last_progress = t;
	const struct copy_stats *s = &m->cp.st;
	uint64_t taken = m->rd ? dump_reader_offset(m->rd) : 0;
	if (taken)
		m->total = (uint64_t)((double)s->read * (double)m->in_size / (double)taken);
	double rate = s->read / (t - m->started > 0.001 ? t - m->started : 0.001);
	char eta[32] = "";
	if (m->total > s->read && rate > 0 && t - m->started > 1)
		fmt_duration((int64_t)((double)(m->total - s->read) / rate), eta, sizeof(eta));
	fprintf(stderr, "\r\033[Kmigrate: %zu", s->read);
	if (m->total)
		fprintf(stderr, " of ~%llu (%.0f%%)", (unsigned long long)m->total,
			100.0 * (double)s->read / (double)(m->total > s->read ? m->total : s->read));
	fprintf(stderr, " read, %zu copied, %zu failed, %.0f sessions/s%s%s%s", s->copied + s->already,
		s->failed, rate, eta[0] ? ", ETA " : "", eta, final ? "\n" : "");
}

/* Hands one session to the copier, unless it is a stray copy PHP does not read (with
 * --replicas, most are replicas, written anew from their session: only counted). */
static void add_session(struct migrate *m, const struct copy_item *it, int stray)
{
	if (stray) {
		m->cp.st.read++;
		m->cp.st.stray++;
		if (m->replicas)
			return;
		char *why = xasprintf("stray copy (%s reads this sid from another server); not migrated",
				      app_reader(m->ctx->app));
		on_report(it->sid, it->sid_len, CE_STRAY, why, m);
		free(why);
		return;
	}
	copier_add(&m->cp, it);
	if (m->cp.failed_now && m->fail_fast)
		m->stopped = 1;
	show_progress(m, 0);
}

/* Scan callback: a session read from the --from pool. */
static int on_rec(const struct sess_rec *r, void *arg)
{
	struct migrate *m = arg;
	struct copy_item it = {
		.key = r->key, .key_len = r->key_len, .sid = r->sid, .sid_len = r->sid_len,
		.value = r->value, .value_len = r->value_len, .flags = r->flags, .exp = r->exp,
		.cas = r->cas, .src_name = m->src.servers[r->server].name, .locked = r->locked == 1,
	};
	add_session(m, &it, r->home != r->server);
	return m->stopped || interrupted ? 1 : 0;
}

/* When the dump lines come from a regular file, the progress line estimates the sessions
 * in it from the bytes read so far. */
static void input_size(struct migrate *m, const struct dump_reader *rd)
{
	struct stat st;
	off_t at = ftello(rd->f);
	if (!m->progress || fstat(fileno(rd->f), &st) < 0 || !S_ISREG(st.st_mode) || at < 0 ||
	    st.st_size <= at)
		return;
	m->in_size = (uint64_t)(st.st_size - at);
	m->rd = rd;
}

/* Reads dump lines from the input and migrates each. Returns 0, or an exit code. */
static int from_lines(struct migrate *m)
{
	struct dump_reader rd = { .name = "standard input", .f = stdin };
	if (strcmp(m->input, "-") != 0) {
		rd.name = m->input;
		rd.f = fopen(m->input, "r");
		if (!rd.f) {
			cmd_error("migrate: cannot open %s: %s", m->input, strerror(errno));
			return EXIT_USAGE;
		}
	}
	input_size(m, &rd);
	struct dump_entry e;
	dump_entry_init(&e);
	int r = 1, ret = 0;
	char *cause = NULL;
	while (!m->stopped && !interrupted && (r = dump_reader_next(&rd, &e, &cause)) != 0) {
		if (r < 0) {
			cmd_error("%s", cause);
			free(cause);
			cause = NULL;
			m->bad_lines++;
			m->stopped = m->fail_fast;
			if (r == -2)
				break;
			continue;
		}
		size_t pl = m->dst.prefix_len;
		if (e.key.len <= pl || memcmp(e.key.ptr, m->dst.prefix, pl) != 0) {
			cmd_error("%s: line %zu: key does not start with the prefix '%s'", rd.name,
				  rd.line, m->dst.prefix);
			m->bad_lines++;
			m->stopped = m->fail_fast;
			continue;
		}
		struct copy_item it = {
			.key = e.key.ptr, .key_len = e.key.len, .sid = e.key.ptr + pl,
			.sid_len = e.key.len - pl, .value = e.value.ptr ? e.value.ptr : "",
			.value_len = e.value.len, .flags = e.flags, .exp = e.exp, .cas = e.cas,
			.src_name = e.server[0] ? e.server : NULL, .locked = e.locked,
		};
		add_session(m, &it, e.misplaced);
	}
	dump_entry_release(&e);
	if (m->rd && r == 0)
		m->total = m->cp.st.read;	/* the whole file: no longer an estimate */
	m->rd = NULL;
	dump_reader_release(&rd);
	if (rd.f != stdin)
		fclose(rd.f);
	return ret;
}

/* The absolute expiry of a copy whose source has ttl seconds left. A SASL source cannot tell
 * (binary protocol): the copy gets --ttl, else PHP's session.gc_maxlifetime default. */
static int64_t copy_expiry(struct migrate *m, int64_t ttl, int64_t now)
{
	if (ttl != TTL_UNKNOWN)
		return ttl < 0 ? -1 : now + ttl;
	if (!m->ttl_noted++)
		fprintf(stderr, "migrate: the SASL source cannot tell how long sessions have left "
			"(binary protocol): copies get a TTL of %.0fs (%s)\n", m->unknown_ttl,
			m->ttl_given ? "--ttl" : "PHP's session.gc_maxlifetime default; --ttl sets another");
	return now + (int64_t)m->unknown_ttl;
}

/* Queues the read of one key on the server PHP reads it from (the part after the prefix hashed). */
static void queue_get(const struct pool *p, struct store_req *g, const struct buf *key)
{
	memset(g, 0, sizeof(*g));
	g->op = ST_GET;
	g->server = pool_home(p, key->ptr + p->prefix_len, key->len - p->prefix_len);
	g->key = key->ptr;
	g->key_len = key->len;
}

/* Reads n known sessions (their keys) and their PHP lock keys from the servers PHP reads them
 * from in the --from pool, and hands each session found to the copier. */
static void copy_sids(struct migrate *m, const struct buf *keys, size_t n)
{
	struct store_req g[2 * COPY_BATCH];
	struct buf locks[COPY_BATCH];
	size_t pl = m->src.prefix_len, lock_of[COPY_BATCH], nl = n;
	int64_t now = time(NULL);
	for (size_t k = 0; k < n; k++) {
		queue_get(&m->src, &g[k], &keys[k]);
		buf_init(&locks[k]);
		buf_printf(&locks[k], "%slock.%s", m->src.prefix, keys[k].ptr + pl);
		lock_of[k] = locks[k].len <= MC_MAX_KEY ? nl : 0;	/* too long: PHP cannot lock it */
		if (lock_of[k])
			queue_get(&m->src, &g[nl++], &locks[k]);
	}
	store_run(&m->cp.src_store, g, nl);
	for (size_t k = 0; k < n && !m->stopped; k++) {
		const char *sid = keys[k].ptr + pl, *server = m->src.servers[g[k].server].name;
		if (g[k].status == ST_NOT_FOUND) {
			m->not_found++;
			cmd_error("session %s: not found on %s (where %s reads it)", sid, server,
				  app_reader(m->ctx->app));
		} else if (g[k].status == ST_ERROR) {
			m->cp.st.failed++;
			m->stopped = m->fail_fast;
			cmd_error("session %s: %s", sid, g[k].error ? g[k].error : "read failed");
		} else {
			struct copy_item it = {
				.key = keys[k].ptr, .key_len = keys[k].len, .sid = sid,
				.sid_len = keys[k].len - pl, .value = g[k].got.ptr ? g[k].got.ptr : "",
				.value_len = g[k].got.len, .flags = g[k].got_flags,
				.exp = copy_expiry(m, g[k].got_ttl, now), .cas = g[k].got_cas,
				.src_name = server,
				.locked = lock_of[k] && g[lock_of[k]].status == ST_DONE,
			};
			add_session(m, &it, 0);
		}
	}
	store_reqs_release(g, nl);
	for (size_t k = 0; k < n; k++)
		buf_release(&locks[k]);
}

/* Adds the sid on one line of --sids to the batch; returns 0, or -1 for a bad line. */
static int add_sid_line(struct migrate *m, char *line, struct buf *key)
{
	line += strspn(line, " \t");
	size_t n = strcspn(line, "\r\n");
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	line[n] = '\0';
	if (m->src.prefix_len + n > MC_MAX_KEY || memchr(line, ' ', n)) {
		cmd_error("--sids %s: '%s' is not a usable session id", m->sids, line);
		m->bad_lines++;
		m->stopped = m->fail_fast;
		return -1;
	}
	buf_reset(key);
	buf_printf(key, "%s%s", m->src.prefix, line);
	return 0;
}

/* Migrates the sessions named in --sids. Returns 0, or an exit code. */
static int from_sids(struct migrate *m)
{
	FILE *f = strcmp(m->sids, "-") == 0 ? stdin : fopen(m->sids, "r");
	if (!f) {
		cmd_error("migrate: cannot open %s: %s", m->sids, strerror(errno));
		return EXIT_USAGE;
	}
	struct buf keys[COPY_BATCH];
	size_t n = 0, cap = 0;
	char *line = NULL;
	for (size_t k = 0; k < COPY_BATCH; k++)
		buf_init(&keys[k]);
	while (!m->stopped && !interrupted && getline(&line, &cap, f) >= 0) {
		if (line[strspn(line, " \t\r\n")] == '\0' || add_sid_line(m, line, &keys[n]) < 0)
			continue;
		if (++n == COPY_BATCH) {
			copy_sids(m, keys, n);
			n = 0;
		}
	}
	if (n && !m->stopped && !interrupted)
		copy_sids(m, keys, n);
	free(line);
	for (size_t k = 0; k < COPY_BATCH; k++)
		buf_release(&keys[k]);
	if (f != stdin)
		fclose(f);
	return 0;
}

/* About how many items the pool holds (its servers' curr_items), for the progress line. */
static uint64_t pool_items(const struct pool *p)
{
	uint64_t n = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct conn c;
		struct stats_sample st;
		char *cause = NULL;
		int got = conn_open(&c, &p->servers[i], p->timeout_ms, &cause) == 0 &&
			  stats_fetch(&c, &st, &cause) == STATS_END;
		n += got ? st.curr_items : 0;
		free(cause);
		if (got)
			conn_park(&c);
		else
			conn_close(&c);
	}
	return n;
}

/* Scans the --from pool and migrates every session. Returns 0 or an exit code. */
static int from_pool(struct migrate *m)
{
	struct scan_opts so = { .values = 1, .meta = 1, .locks = 1, .sid_glob = m->sid_glob,
				.cancel = &interrupted };
	struct scan_server *res = xcalloc(m->src.n, sizeof(*res));
	if (m->progress && !m->src.sasl)
		m->total = pool_items(&m->src);
	scan_pool(&m->src, &so, on_rec, m, res);
	struct cmd_ctx tmp = *m->ctx;
	tmp.pool = m->src;
	int ret = cmd_report_scan(&tmp, res);
	scan_server_release(res, m->src.n);
	free(res);
	return ret;
}

static void print_summary(struct migrate *m)
{
	const struct copy_stats *s = &m->cp.st;
	if (m->dry_run) {
		for (size_t i = 0; i < m->dst.n; i++)
			fprintf(stderr, "migrate: would %s %zu sessions to %s\n",
				m->move ? "move" : "copy", s->per_target[i], m->dst.servers[i].name);
	}
	fprintf(stderr, "migrate: %zu read, %zu %s, %zu already there, %zu unchanged, "
		"%zu conflicts, %zu failed, %zu expired, %zu stray, %zu locked, %zu bad lines",
		s->read, s->copied, m->dry_run ? "to copy" : "copied", s->already, s->unchanged,
		s->conflicts, s->failed, s->expired, s->stray, s->locked, m->bad_lines);
	if (m->sids)
		fprintf(stderr, ", %zu not found", m->not_found);
	if (m->move && !m->dry_run)
		fprintf(stderr, "; %zu sources deleted, %zu changed (kept), %zu already gone, "
			"%zu not deleted", s->moved, s->source_changed, s->source_gone,
			s->source_failed);
	fprintf(stderr, "%s\n", interrupted ? " (interrupted)" : m->stopped ?
		" (stopped at the first failure: --fail-fast)" : "");
	if (!m->json)
		return;
	json_t *o = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b,s:b,s:b}",
		"read", (json_int_t)s->read, "copied", (json_int_t)s->copied,
		"already", (json_int_t)s->already, "unchanged", (json_int_t)s->unchanged,
		"conflicts", (json_int_t)s->conflicts, "failed", (json_int_t)s->failed,
		"expired", (json_int_t)s->expired, "stray", (json_int_t)s->stray,
		"locked", (json_int_t)s->locked, "bad_lines", (json_int_t)m->bad_lines,
		"dry_run", m->dry_run, "interrupted", interrupted != 0,
		"stopped", m->stopped && !interrupted);
	if (m->sids)
		json_object_set_new(o, "not_found", json_integer((json_int_t)m->not_found));
	if (m->move && !m->dry_run)
		json_object_set_new(o, "moved", json_pack("{s:I,s:I,s:I,s:I}",
			"deleted", (json_int_t)s->moved, "changed", (json_int_t)s->source_changed,
			"gone", (json_int_t)s->source_gone, "failed", (json_int_t)s->source_failed));
	if (m->dry_run) {
		json_t *t = json_object();
		for (size_t i = 0; i < m->dst.n; i++)
			json_object_set_new(t, m->dst.servers[i].name, json_integer((json_int_t)s->per_target[i]));
		json_object_set_new(o, "per_target", t);
	}
	json_dumpf(o, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(o);
}

static int migrate_check(struct migrate *m, const struct cmd_args *a);

static int migrate_options(struct migrate *m, const struct cmd_args *a)
{
	m->sasl_from = m->sasl_to = m->ctx->sasl;
	int tls_from = 0, tls_to = 0;
	m->unknown_ttl = 1440;
	for (size_t i = 0; i < a->n_opts; i++) {
		const char *arg = a->opts[i].arg;
		switch (a->opts[i].key) {
		case O_FROM: m->from = arg; break;
		case O_TO: m->to = arg; break;
		case O_MOVE: m->move = 1; break;
		case O_OVERWRITE: m->overwrite = 1; break;
		case O_DRY_RUN: m->dry_run = 1; break;
		case O_FAIL_FAST: m->fail_fast = 1; break;
		case O_JSON: m->json = 1; break;
		case O_SID: m->sid_glob = arg; break;
		case O_SIDS: m->sids = arg; break;
		case O_SASL_FROM: m->sasl_from = 1; break;
		case O_SASL_TO: m->sasl_to = 1; break;
		case O_TLS_FROM: tls_from = 1; break;
		case O_TLS_TO: tls_to = 1; break;
		case O_REPLICAS:
			if (cmd_parse_count("replicas", arg, &m->replicas) < 0)
				return EXIT_USAGE;
			break;
		case O_TTL:
			m->ttl_given = 1;
			if (parse_duration(arg, &m->unknown_ttl) < 0 || m->unknown_ttl < 1) {
				cmd_error("--ttl: expected a duration of at least 1s, such as 1440, 24m "
					  "or 2h, got '%s'", arg);
				return EXIT_USAGE;
			}
			break;
		}
	}
	/* --tls-from or --tls-to name the TLS side(s); without them --tls means both */
	m->tls_from = tls_from || tls_to ? tls_from : m->ctx->tls;
	m->tls_to = tls_from || tls_to ? tls_to : m->ctx->tls;
	return migrate_check(m, a);
}

/* Checks that the options go together; sets the input. Returns 0 or EXIT_USAGE. */
static int migrate_check(struct migrate *m, const struct cmd_args *a)
{
	if (!m->to) {
		cmd_error("migrate: --to POOL is required");
		return EXIT_USAGE;
	}
	if (a->n_pos > 1) {
		cmd_error("migrate: at most one input file, got %d", a->n_pos);
		return EXIT_USAGE;
	}
	if (m->sids && (!m->from || a->n_pos || m->sid_glob)) {
		cmd_error("migrate: --sids reads the sessions from --from POOL (no input file, no --sid)");
		return EXIT_USAGE;
	}
	if (m->ttl_given && !m->sasl_from) {
		cmd_error("migrate: --ttl is for a SASL source (--sasl, --sasl-from), whose TTLs "
			  "cannot be read; other sources keep theirs");
		return EXIT_USAGE;
	}
	m->input = a->n_pos ? a->pos[0] : (m->from || m->sids ? NULL : "-");
	if (m->move && !m->from) {
		cmd_error("migrate: --move needs --from POOL (where the source copies are deleted)");
		return EXIT_USAGE;
	}
	if (m->input && m->sid_glob) {
		cmd_error("migrate: --sid applies to --from scans; filter the dump instead");
		return EXIT_USAGE;
	}
	return 0;
}

/* Sets up one pool with the context's prefix, distribution, timeout and login (with sasl, over
 * the binary protocol). */
static int open_pool(struct migrate *m, struct pool *p, const char *spec, const char *what,
		     int sasl, int tls)
{
	char *cause = NULL;
	if (pool_init(p, spec, m->ctx->dist, m->ctx->prefix, m->ctx->timeout_ms, &cause) < 0) {
		cmd_error("migrate: %s: %s", what, cause);
		free(cause);
		return EXIT_USAGE;
	}
	p->threads = m->ctx->threads;
	int ret = cmd_pool_auth(m->ctx, p, sasl, tls);
	if (ret)
		pool_release(p);
	return ret;
}

/* The exit code for what happened. */
static int outcome(const struct migrate *m, int ret)
{
	const struct copy_stats *s = &m->cp.st;
	if (ret)
		return ret;
	if (interrupted)
		return EXIT_INTERRUPTED;
	if (s->failed || s->conflicts || s->source_failed || m->bad_lines || m->stopped ||
	    m->not_found)
		return EXIT_PARTIAL;
	return EXIT_OK;
}

static int migrate_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	struct migrate m;
	memset(&m, 0, sizeof(m));
	m.ctx = ctx;
	int ret = migrate_options(&m, a);
	if (!ret && m.from && (ret = open_pool(&m, &m.src, m.from, "--from", m.sasl_from, m.tls_from)) == 0)
		m.have_src = 1;
	if (!ret && (ret = open_pool(&m, &m.dst, m.to, "--to", m.sasl_to, m.tls_to)) == 0)
		m.have_dst = 1;
	if (ret)
		goto out;
	copier_init(&m.cp, &m.dst, m.have_src ? &m.src : NULL);
	m.cp.overwrite = m.overwrite;
	m.cp.move = m.move;
	m.cp.replicas = (size_t)m.replicas;
	m.cp.dry_run = m.dry_run;
	m.cp.report = on_report;
	m.cp.report_arg = &m;
	m.progress = isatty(2);
	m.started = stats_now();
	struct signals sigs;
	signals_take(&sigs, SIGNALS_INT | SIGNALS_TERM, &interrupted);
	ret = m.sids ? from_sids(&m) : m.input ? from_lines(&m) : from_pool(&m);
	copier_flush(&m.cp);
	signals_give_back(&sigs);
	show_progress(&m, 1);
	print_summary(&m);
	ret = outcome(&m, ret);
	copier_release(&m.cp);
out:
	if (m.have_src)
		pool_release(&m.src);
	if (m.have_dst)
		pool_release(&m.dst);
	return ret;
}

const struct cmd_entry cmd_migrate_entry = {
	.name = "migrate",
	.usage = "--to POOL [--from POOL] [--move] [--overwrite] [--dry-run] [--fail-fast] "
		 "[--json] [--sid GLOB | --sids FILE|-] [--sasl-from] [--sasl-to] [--tls-from] [--tls-to] [--ttl DURATION] "
		 "[--replicas N] [FILE|-]",
	.summary = "copy or move sessions to the servers PHP will read them from in a pool",
	.needs = 0,
	.opts = migrate_opts,
	.operands = ARG_FILE,
	.run = migrate_run,
};
