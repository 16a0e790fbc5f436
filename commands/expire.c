/* expire.c: memcsess expire: log sessions out (delete them) or give them a new TTL, by sid or
 * by what they hold, from the servers PHP reads them from. */
#include "commands.h"
#include "mc/scan.h"
#include "session_decode.h"
#include "mc/store.h"
#include "util.h"
#include "php/handlers.h"
#include "php/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { O_WHERE = 1, O_IDLE_OVER, O_TTL_UNDER, O_SID, O_ALL, O_TTL, O_DRY_RUN, O_YES, O_LOCKS };
static const struct cmd_opt expire_opts[] = {
	{ "where", 'w', ARG_TEXT, O_WHERE },
	{ "idle-over", 0, ARG_DURATION, O_IDLE_OVER },
	{ "ttl-under", 0, ARG_DURATION, O_TTL_UNDER },
	{ "sid", 0, ARG_SID, O_SID },
	{ "all", 0, 0, O_ALL },
	{ "ttl", 0, ARG_DURATION, O_TTL },
	{ "dry-run", 'n', 0, O_DRY_RUN },
	{ "yes", 'y', 0, O_YES },
	{ "locks", 0, 0, O_LOCKS },
	{ NULL, 0, 0, 0 },
};

#define MAX_WHERE 16
#define CONFIRM_OVER 5

struct target {
	char *key;		/* owned */
	size_t key_len, sid_off;
	size_t server;
};

struct expire {
	struct cmd_ctx *ctx;
	const char *where_path[MAX_WHERE], *where_value[MAX_WHERE];
	char *where_buf[MAX_WHERE];
	size_t n_where;
	double idle_over, ttl_under, new_ttl;
	int has_idle, has_ttl_under, touch, all, dry_run, yes, locks;
	int by_sid;		/* targets named on the command line, not found by a scan */
	const char *sid_glob;
	struct decode_opts dec;	/* how --where reads values: decompress, decrypt, decode */
	struct target *t;
	size_t n, cap;
	size_t expired, gone, failed, locks_deleted;
};

static void add_target(struct expire *x, const char *key, size_t len, size_t sid_off, size_t server)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 256;
		x->t = xrealloc(x->t, x->cap * sizeof(*x->t));
	}
	x->t[x->n].key = xstrndup(key, len);
	x->t[x->n].key_len = len;
	x->t[x->n].sid_off = sid_off;
	x->t[x->n++].server = server;
}

/* Do the decoded data of r satisfy every --where? */
static int where_matches(const struct expire *x, const struct sess_rec *r)
{
	struct decode_info info;
	struct pv *v = session_decode(r, &x->dec, &info);
	int ok = v != NULL;
	for (size_t i = 0; ok && i < x->n_where; i++)
		ok = pv_equals_text(pv_lookup(v, x->where_path[i]), x->where_value[i]);
	pv_free(v);
	return ok;
}

/* Scan callback: remember each session every filter accepts. */
static int on_rec(const struct sess_rec *r, void *arg)
{
	struct expire *x = arg;
	if (r->kind != REC_SESSION)
		return 0;
	if (x->has_idle && (r->idle < 0 || (double)r->idle <= x->idle_over))
		return 0;
	if (x->has_ttl_under && (r->ttl < 0 || (double)r->ttl >= x->ttl_under))
		return 0;
	if (x->n_where && (!r->value || !where_matches(x, r)))
		return 0;
	add_target(x, r->key, r->key_len, (size_t)(r->sid - r->key), r->server);
	return 0;
}

/* Asks on the terminal before acting on many sessions; returns 1 to go on. */
static int confirm(const struct expire *x)
{
	if (x->yes || x->dry_run || x->n <= CONFIRM_OVER || !isatty(0) || !isatty(2))
		return 1;
	fprintf(stderr, "%s %zu sessions%s? [y/N] ", x->touch ? "set a new TTL on" : "expire (delete)",
		x->n, x->locks ? " and their locks" : "");
	char line[32];
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

/* Sets r up to act (op) on the PHP lock key of target t, built into lk (initialised here). */
static void lock_req(const struct pool *p, const struct target *t, enum store_op op,
		     struct buf *lk, struct store_req *r)
{
	buf_init(lk);
	buf_add(lk, t->key, t->sid_off);
	buf_adds(lk, "lock.");
	buf_add(lk, t->key + t->sid_off, t->key_len - t->sid_off);
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->server = pool_home(p, lk->ptr + t->sid_off, lk->len - t->sid_off);
	r->key = lk->ptr;
	r->key_len = lk->len;
}

/* Acts on targets [from, to): delete or touch, and their lock keys with --locks. */
static void act_batch(struct expire *x, struct store *st, size_t from, size_t to)
{
	const struct pool *p = &x->ctx->pool;
	struct store_req r[512];
	struct buf lk[256];
	size_t n = 0, nl = 0;
	int64_t exp = x->touch ? (int64_t)time(NULL) + (int64_t)x->new_ttl : -1;
	for (size_t i = from; i < to; i++) {
		const struct target *t = &x->t[i];
		memset(&r[n], 0, sizeof(r[n]));
		r[n].op = x->touch ? ST_TOUCH : ST_DELETE;
		r[n].server = t->server;
		r[n].key = t->key;
		r[n].key_len = t->key_len;
		r[n++].exp = exp;
	}
	for (size_t i = from; x->locks && !x->touch && i < to; i++)
		lock_req(p, &x->t[i], ST_DELETE, &lk[nl++], &r[n++]);
	store_run(st, r, n);
	for (size_t k = 0; k < n; k++) {
		int is_lock = k >= to - from;
		const char *what = is_lock ? "lock of session" : "session";
		const char *sid = r[k].key + x->t[from + (is_lock ? k - (to - from) : k)].sid_off;
		if (r[k].status == ST_DONE)
			is_lock ? x->locks_deleted++ : x->expired++;
		else if (r[k].status == ST_NOT_FOUND)
			x->gone += !is_lock;
		else {
			x->failed++;
			cmd_error("%s %s: %s", what, sid + (is_lock ? 5 : 0),
				  r[k].error ? r[k].error : "failed");
		}
	}
	store_reqs_release(r, n);
	for (size_t i = 0; i < nl; i++)
		buf_release(&lk[i]);
}

/* Dry run: prints what would be done to targets [from, to). Sessions named by sid are looked
 * up first (those a scan found are there), and with --locks their lock keys. */
static void dry_batch(struct expire *x, struct store *st, size_t from, size_t to)
{
	const struct pool *p = &x->ctx->pool;
	struct store_req g[512];
	struct buf lk[256];
	size_t n = to - from, nl = x->by_sid && x->locks && !x->touch ? n : 0;
	for (size_t i = 0; x->by_sid && i < n; i++) {
		memset(&g[i], 0, sizeof(g[i]));
		g[i].op = ST_GET;
		g[i].server = x->t[from + i].server;
		g[i].key = x->t[from + i].key;
		g[i].key_len = x->t[from + i].key_len;
	}
	for (size_t i = 0; i < nl; i++)
		lock_req(p, &x->t[from + i], ST_GET, &lk[i], &g[n + i]);
	if (x->by_sid)
		store_run(st, g, n + nl);
	for (size_t i = 0; i < n; i++) {
		const struct target *t = &x->t[from + i];
		const char *sid = t->key + t->sid_off, *server = p->servers[t->server].name;
		enum store_status s = x->by_sid ? g[i].status : ST_DONE;
		int lock = !nl ? x->locks && !x->touch : g[n + i].status == ST_DONE;
		if (s == ST_DONE)
			printf("would %s %s on %s%s\n", x->touch ? "touch" : "expire", sid, server,
			       !lock ? "" : nl ? " (and its lock key)" : " (and its lock key, if any)");
		else if (s == ST_NOT_FOUND && lock)
			printf("would delete the lock key of %s (the session is already gone)\n", sid);
		if (s == ST_NOT_FOUND)
			x->gone++;
		else if (s == ST_ERROR) {
			x->failed++;
			cmd_error("session %s: %s", sid, g[i].error ? g[i].error : "failed");
		}
	}
	if (x->by_sid)
		store_reqs_release(g, n + nl);
	for (size_t i = 0; i < nl; i++)
		buf_release(&lk[i]);
}

/* Runs the look-ups g (m of them; gi: the target each is for): the copies found become targets
 * too; a server that cannot be asked is a failure. */
static void take_copies(struct expire *x, struct store *st, struct store_req *g, size_t m,
			const size_t *gi)
{
	store_run(st, g, m);
	for (size_t k = 0; k < m; k++) {
		const struct target *t = &x->t[gi[k]];
		if (g[k].status == ST_DONE) {
			add_target(x, g[k].key, g[k].key_len, t->sid_off, g[k].server);
		} else if (g[k].status == ST_ERROR) {
			x->failed++;
			cmd_error("session %s: looking for other copies: %s", t->key + t->sid_off,
				  g[k].error ? g[k].error : "failed");
		}
	}
	store_reqs_release(g, m);
}

/* Sessions named by sid may have copies on other servers than PHP's: its replicas
 * (memcached.sess_number_of_replicas; PHP with sess_randomize_replica_read reads any copy, and
 * writes it back to all) or strays. Every server is asked, and each copy found is acted on
 * too, so that the session is gone (or touched) everywhere. */
static void add_copies(struct expire *x, struct store *st)
{
	const struct pool *p = &x->ctx->pool;
	struct store_req g[256];
	size_t gi[256], m = 0, named = x->n;
	for (size_t i = 0; i < named; i++) {
		for (size_t s = 0; s < p->n; s++) {
			if (s == x->t[i].server)
				continue;
			g[m] = (struct store_req){ .op = ST_GET, .server = s, .key = x->t[i].key,
						   .key_len = x->t[i].key_len };
			gi[m++] = i;
			if (m == 256) {
				take_copies(x, st, g, m, gi);
				m = 0;
			}
		}
	}
	if (m)
		take_copies(x, st, g, m, gi);
}

/* Runs the action on every target, in batches. */
static void act(struct expire *x)
{
	struct store st;
	store_init(&st, &x->ctx->pool);
	if (x->by_sid)
		add_copies(x, &st);
	for (size_t i = 0; i < x->n; i += 256) {
		size_t to = i + 256 < x->n ? i + 256 : x->n;
		if (x->dry_run)
			dry_batch(x, &st, i, to);
		else
			act_batch(x, &st, i, to);
	}
	store_release(&st);
}

/* Parses a duration option value; returns 0 or EXIT_USAGE. */
static int duration_opt(const char *name, const char *arg, double *out)
{
	if (parse_duration(arg, out) == 0)
		return 0;
	cmd_error("--%s: expected a duration such as 30, 90s, 15m, 2h or 7d, got '%s'", name, arg);
	return EXIT_USAGE;
}

static int add_where(struct expire *x, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || x->n_where == MAX_WHERE) {
		cmd_error("--where: expected FIELD=VALUE (at most %d), got '%s'", MAX_WHERE, arg);
		return EXIT_USAGE;
	}
	char *path = xstrndup(arg, (size_t)(eq - arg));
	x->where_buf[x->n_where] = path;
	x->where_path[x->n_where] = path;
	x->where_value[x->n_where++] = eq + 1;
	return 0;
}

static int expire_options(struct expire *x, const struct cmd_args *a)
{
	int ret = 0;
	for (size_t i = 0; i < a->n_opts && !ret; i++) {
		const char *arg = a->opts[i].arg;
		switch (a->opts[i].key) {
		case O_WHERE: ret = add_where(x, arg); break;
		case O_IDLE_OVER: x->has_idle = 1; ret = duration_opt("idle-over", arg, &x->idle_over); break;
		case O_TTL_UNDER: x->has_ttl_under = 1; ret = duration_opt("ttl-under", arg, &x->ttl_under); break;
		case O_SID: x->sid_glob = arg; break;
		case O_ALL: x->all = 1; break;
		case O_TTL: x->touch = 1; ret = duration_opt("ttl", arg, &x->new_ttl); break;
		case O_DRY_RUN: x->dry_run = 1; break;
		case O_YES: x->yes = 1; break;
		case O_LOCKS: x->locks = 1; break;
		}
	}
	if (ret)
		return ret;
	int filters = x->n_where || x->has_idle || x->has_ttl_under || x->sid_glob || x->all;
	if (a->n_pos && filters) {
		cmd_error("expire: give session ids or filters (--where, --idle-over, --ttl-under, "
			  "--sid, --all), not both");
		return EXIT_USAGE;
	}
	if (!a->n_pos && !filters) {
		cmd_error("expire: nothing selected: give session ids, a filter, or --all");
		return EXIT_USAGE;
	}
	if (x->touch && x->new_ttl < 1) {
		cmd_error("--ttl: a new TTL must be at least 1s (to delete, leave --ttl out)");
		return EXIT_USAGE;
	}
	return 0;
}

/* Finds the sessions the filters select; returns 0 or an exit code. */
static int select_by_scan(struct expire *x)
{
	struct scan_opts so = { .values = x->n_where > 0, .meta = x->n_where > 0,
				.sid_glob = x->sid_glob, .cancel = x->ctx->cancel };
	struct scan_server *res = xcalloc(x->ctx->pool.n, sizeof(*res));
	scan_pool(&x->ctx->pool, &so, on_rec, x, res);
	int ret = cmd_report_scan(x->ctx, res);
	scan_server_release(res, x->ctx->pool.n);
	free(res);
	return ret;
}

/* The sessions named on the command line, on the servers PHP reads them from. */
static int select_by_sid(struct expire *x, const struct cmd_args *a)
{
	const struct pool *p = &x->ctx->pool;
	for (int i = 0; i < a->n_pos; i++) {
		const char *sid = a->pos[i];
		size_t n = strlen(sid);
		if (n == 0 || p->prefix_len + n + 5 > 250) {
			cmd_error("expire: '%s' is not a usable session id", sid);
			return EXIT_USAGE;
		}
		char *key = xasprintf("%s%s", p->prefix, sid);
		add_target(x, key, strlen(key), p->prefix_len, pool_home(p, sid, n));
		free(key);
	}
	return 0;
}

static int expire_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	struct expire x;
	memset(&x, 0, sizeof(x));
	x.ctx = ctx;
	cmd_decode_opts(ctx, SESS_UNKNOWN, 1, &x.dec);
	int ret = expire_options(&x, a);
	if (!ret)
		ret = (x.by_sid = a->n_pos > 0) ? select_by_sid(&x, a) : select_by_scan(&x);
	if (ret != EXIT_USAGE && ret != EXIT_POOL) {
		if (confirm(&x)) {
			act(&x);
			fprintf(stderr, "expire: %zu matched, %zu %s, %zu already gone, %zu failed",
				x.n, x.expired, x.touch ? "touched" : "expired", x.gone, x.failed);
			if (x.locks)
				fprintf(stderr, ", %zu locks deleted", x.locks_deleted);
			fprintf(stderr, "%s\n", x.dry_run ? " (dry run: nothing done)" : "");
			if (x.failed)
				ret = EXIT_PARTIAL;
		} else {
			fprintf(stderr, "expire: nothing done\n");
			ret = EXIT_PARTIAL;
		}
	}
	for (size_t i = 0; i < x.n; i++)
		free(x.t[i].key);
	free(x.t);
	for (size_t i = 0; i < x.n_where; i++)
		free(x.where_buf[i]);
	return ret;
}

const struct cmd_entry cmd_expire_entry = {
	.name = "expire",
	.usage = "[--dry-run] [--yes] [--ttl DURATION] [--locks] (SID... | --where FIELD=VALUE | "
		 "--idle-over DURATION | --ttl-under DURATION | --sid GLOB | --all)",
	.summary = "log sessions out (delete them) or set a new TTL, by sid or by what they hold",
	.needs = NEED_POOL | NEED_KEY,
	.opts = expire_opts,
	.operands = ARG_SID,
	.run = expire_run,
};
