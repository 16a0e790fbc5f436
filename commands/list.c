/* list.c: memcsess list: one session a line. */
#include "commands.h"
#include "record.h"
#include "mc/scan.h"
#include "util.h"
#include "php/handlers.h"
#include "session_decode.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_JSON = 1, O_SORT, O_LIMIT, O_SID, O_REVERSE, O_FAST, O_LOCKS, O_DETECT };
static const struct cmd_opt list_opts[] = {
	{ "json", 'j', 0, O_JSON },
	{ "sort", 0, ARG_SORT, O_SORT },
	{ "limit", 'n', ARG_NUMBER, O_LIMIT },
	{ "sid", 0, ARG_SID, O_SID },
	{ "reverse", 'r', 0, O_REVERSE },
	{ "fast", 0, 0, O_FAST },
	{ "locks", 0, 0, O_LOCKS },
	{ "detect", 0, 0, O_DETECT },
	{ NULL, 0, 0, 0 },
};

enum sort_key { SORT_NONE, SORT_SID, SORT_SERVER, SORT_SIZE, SORT_TTL, SORT_IDLE };

/* What a sorted listing keeps of each session (values are not kept). */
struct row {
	char *sid;
	size_t server, home;
	int64_t size, ttl, idle;
	const char *handler;
	int locked;
	enum rec_kind kind;
	char crypt[96];		/* compression and encryption notes */
	char *json;		/* with --json: the record's line (owned), else NULL */
	size_t json_len;
};

/* One server's waiting lines, on cache lines of their own (its thread writes them). */
struct server_lines {
	CACHE_ALIGNED struct buf b;
};

struct list_state {
	struct cmd_ctx *ctx;
	int json;
	enum sort_key sort;
	int reverse;
	long limit;		/* -1: no limit */
	long printed;		/* atomic: the scan calls on_rec from every server's thread */
	struct row *rows;	/* sorted: every session's row, under out_lock */
	size_t n_rows, cap_rows;
	int detect;
	struct decode_opts opts;
	size_t crypt_errors;	/* atomic */
	struct server_lines *out;	/* unsorted: lines waiting, one buffer per walk thread */
	pthread_mutex_t out_lock;	/* standard output, and rows */
};

/* Lines are written in chunks of about this size, one server's at a time. */
#define OUT_CHUNK 65536

static void print_header(void)
{
	printf("%-32s %-21s %7s %9s %9s %-13s %s\n", "SID", "SERVER", "SIZE", "TTL", "IDLE",
	       "HANDLER", "NOTE");
}

static const char spaces[] = "                                ";	/* the widest column */

/* Appends n spaces (at most the widest column's width). */
static void add_pad(struct buf *out, size_t n)
{
	buf_add(out, spaces, n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1);
}

/* Appends s and a space, padded to |width| (negative: left-aligned), as printf's %-Ns / %Ns. */
static void add_col(struct buf *out, const char *s, size_t n, int width)
{
	size_t w = (size_t)(width < 0 ? -width : width);
	size_t pad = w > n ? w - n : 0;
	if (width > 0)
		add_pad(out, pad);
	buf_add(out, s, n);
	if (width < 0)
		add_pad(out, pad);
	buf_addc(out, ' ');
}

/* Writes v in decimal at the end of the room that ends at end; returns where it starts. */
static char *put_u64(char *end, uint64_t v)
{
	do
		*--end = (char)('0' + v % 10);
	while (v /= 10);
	return end;
}

/* Appends one row for people to out: the columns of print_header, without printf (a million
 * rows must not wait on it), and the note last, unpadded. */
static void format_row(const struct cmd_ctx *ctx, const struct row *w, struct buf *out)
{
	char ttl[32], idle[32], size[24], *size_at = size + sizeof(size);
	fmt_duration(w->ttl, ttl, sizeof(ttl));
	if (w->idle < 0)
		memcpy(idle, "-", 2);
	else
		fmt_duration(w->idle, idle, sizeof(idle));
	if (w->size < 0)
		*--size_at = '-';
	else
		size_at = put_u64(size_at, (uint64_t)w->size);
	size_t at = out->len;
	buf_add_escaped(out, w->sid, strlen(w->sid));	/* left-aligned: padded after */
	add_pad(out, out->len - at < 32 ? 32 - (out->len - at) : 0);
	buf_addc(out, ' ');
	const char *server = ctx->pool.servers[w->server].name;
	add_col(out, server, strlen(server), -21);
	add_col(out, size_at, (size_t)(size + sizeof(size) - size_at), 7);
	add_col(out, ttl, strlen(ttl), 9);
	add_col(out, idle, strlen(idle), 9);
	add_col(out, w->handler, strlen(w->handler), -13);
	if (w->kind == REC_LOCK)
		buf_adds(out, "lock key ");
	if (w->locked == 1)
		buf_adds(out, "locked ");
	if (w->home != w->server && w->kind == REC_SESSION)
		buf_printf(out, "misplaced: %s reads %s ", app_reader(ctx->app),
			   ctx->pool.servers[w->home].name);
	buf_adds(out, w->crypt);
	buf_addc(out, '\n');
}

/* Writes walk thread i's waiting lines. Returns 0, or 2 when standard output failed. */
static int flush_out(struct list_state *st, size_t i)
{
	struct buf *b = &st->out[i].b;
	int ret = 0;
	pthread_mutex_lock(&st->out_lock);
	if (b->len)
		fwrite(b->ptr, 1, b->len, stdout);
	if (cmd_output_failed())	/* here, while errno is this write's */
		ret = 2;
	pthread_mutex_unlock(&st->out_lock);
	buf_reset(b);
	return ret;
}

/* 1 when r is a session with a value: its handler and crypto notes come from a probe. */
static int needs_probe(const struct sess_rec *r)
{
	return r->value && r->kind == REC_SESSION;
}

/* The handler and the crypto notes of r ("fastlz", "decrypted laravel", "cannot decrypt: ...",
 * "2 decrypted inside") from d, what probing r found (see needs_probe). Returns 1 when
 * something could not be undone. */
static int row_crypto(struct row *w, const struct sess_rec *r, const struct decode_info *d)
{
	w->crypt[0] = '\0';
	if (!needs_probe(r)) {
		w->handler = record_handler(r);
		return 0;
	}
	w->handler = session_handler(d);
	struct buf b = BUF_INIT;
	if (d->compression != COMPRESS_NONE)
		buf_printf(&b, "%s ", compress_name(d->compression));
	if (d->key_index)
		buf_printf(&b, "decrypted %s", crypt_scheme_name(d->scheme));
	else if (d->status == DECODE_ENCRYPTED)
		buf_printf(&b, "encrypted %s", crypt_scheme_name(d->scheme));
	else if (d->status == DECODE_CRYPT_FAILED || d->status == DECODE_UNCOMPRESS_FAILED)
		buf_printf(&b, "cannot %s: %s", d->status == DECODE_CRYPT_FAILED ? "decrypt" :
			   "decompress", d->error);
	if (d->inner_failed)
		buf_printf(&b, "%scannot decrypt %zu of %zu inside", b.len ? "; " : "",
			   d->inner_failed, d->inner_found);
	else if (d->inner_decrypted)
		buf_printf(&b, "%s%zu decrypted inside", b.len ? "; " : "", d->inner_decrypted);
	if (b.len)
		snprintf(w->crypt, sizeof(w->crypt), "%s", b.ptr);
	buf_release(&b);
	return session_failed(d);
}

static void row_from_rec(struct row *w, const struct sess_rec *r, int copy)
{
	w->sid = copy ? xstrndup(r->sid, r->sid_len) : (char *)r->sid;
	w->server = r->server;
	w->home = r->home;
	/* with --fast no value is read: the item's whole size on the server stands in */
	w->size = r->have_meta ? (int64_t)r->value_len : r->item_size ? (int64_t)r->item_size : -1;
	w->ttl = r->ttl;
	w->idle = r->idle;
	w->locked = r->locked;
	w->kind = r->kind;
	w->json = NULL;
	w->json_len = 0;
}

/* Unsorted: queues r's line (the JSON record in line, or w's row) in the buffer of the walk
 * thread delivering it. Returns 1 once --limit lines are out, 2 when writing failed. */
static int emit(struct list_state *st, const struct sess_rec *r, struct row *w, struct buf *line)
{
	long n = __atomic_add_fetch(&st->printed, 1, __ATOMIC_RELAXED);
	if (st->limit >= 0 && n > st->limit) {
		buf_release(line);
		return 1;
	}
	struct buf *out = &st->out[r->worker].b;
	if (st->json) {
		buf_add(out, line->ptr, line->len);
		buf_addc(out, '\n');
		buf_release(line);
	} else {
		char sid[MC_MAX_KEY + 1];
		memcpy(sid, r->sid, r->sid_len);
		sid[r->sid_len] = '\0';
		w->sid = sid;
		format_row(st->ctx, w, out);
	}
	if (out->len >= OUT_CHUNK && flush_out(st, r->worker))
		return 2;
	return st->limit >= 0 && n >= st->limit;
}

/* Scan callback, in every server's thread: queue the line now, or keep a row for sorting. */
static int on_rec(const struct sess_rec *r, void *arg)
{
	struct list_state *st = arg;
	struct row w;
	struct decode_info d;
	struct buf line = BUF_INIT;
	if (!app_sid_ok(st->ctx->app, r->sid, r->sid_len))
		return 0;
	/* one probe a session: the JSON record's, or its own */
	if (st->json)
		record_write(&st->ctx->pool, r, 0, &st->opts, &d, &line, NULL);
	else if (needs_probe(r))
		session_probe(r, &st->opts, &d);
	row_from_rec(&w, r, 0);
	if (row_crypto(&w, r, &d)) {
		struct buf why = BUF_INIT;
		session_describe(&d, &why);
		__atomic_add_fetch(&st->crypt_errors, 1, __ATOMIC_RELAXED);
		cmd_error("server %s: key %.*s: %s", st->ctx->pool.servers[r->server].name,
			  (int)r->key_len, r->key, why.ptr ? why.ptr : w.crypt);
		buf_release(&why);
	}
	if (st->sort != SORT_NONE) {
		w.sid = xstrndup(r->sid, r->sid_len);
		w.json = line.ptr;	/* the row takes the line (NULL without --json) */
		w.json_len = line.len;
		pthread_mutex_lock(&st->out_lock);	/* every server's thread adds rows */
		if (st->n_rows == st->cap_rows) {
			st->cap_rows = st->cap_rows ? st->cap_rows * 2 : 1024;
			st->rows = xrealloc(st->rows, st->cap_rows * sizeof(*st->rows));
		}
		st->rows[st->n_rows++] = w;
		pthread_mutex_unlock(&st->out_lock);
		return 0;
	}
	return emit(st, r, &w, &line);
}

static enum sort_key sort_by;
static int sort_reverse;

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = 0;
	switch (sort_by) {
	case SORT_SERVER: c = cmp_i64((int64_t)x->server, (int64_t)y->server); break;
	case SORT_SIZE: c = cmp_i64(x->size, y->size); break;
	/* "never" sorts after every finite TTL */
	case SORT_TTL: c = cmp_i64(x->ttl < 0 ? INT64_MAX : x->ttl, y->ttl < 0 ? INT64_MAX : y->ttl); break;
	case SORT_IDLE: c = cmp_i64(x->idle, y->idle); break;
	default: break;
	}
	if (c == 0)
		c = strcmp(x->sid, y->sid);
	if (c == 0)	/* copies of one sid: in server order, whichever thread found them first */
		c = cmp_i64((int64_t)x->server, (int64_t)y->server);
	return sort_reverse ? -c : c;
}

static void print_sorted(struct list_state *st)
{
	sort_by = st->sort;
	sort_reverse = st->reverse;
	qsort(st->rows, st->n_rows, sizeof(*st->rows), row_cmp);
	size_t n = st->limit >= 0 && (size_t)st->limit < st->n_rows ? (size_t)st->limit : st->n_rows;
	if (!st->json)
		print_header();
	struct buf line = BUF_INIT;
	for (size_t i = 0; i < n && !cmd_output_failed(); i++) {
		buf_reset(&line);
		if (st->json) {
			buf_add(&line, st->rows[i].json, st->rows[i].json_len);
			buf_addc(&line, '\n');
		} else {
			format_row(st->ctx, &st->rows[i], &line);
		}
		fwrite(line.ptr, 1, line.len, stdout);
	}
	buf_release(&line);
	for (size_t i = 0; i < st->n_rows; i++) {
		free(st->rows[i].sid);
		free(st->rows[i].json);
	}
	free(st->rows);
}

static int parse_sort(const char *s, enum sort_key *k)
{
	int i = opt_arg_choice(ARG_SORT, s, strlen(s));	/* the words in SORT_SID's order */
	if (i >= 0) {
		*k = (enum sort_key)(SORT_SID + i);
		return 0;
	}
	cmd_error("--sort: expected sid, server, size, ttl or idle, got '%s'", s);
	return -1;
}

/* Applies list's options to st and so. */
static int list_options(const struct cmd_args *a, struct list_state *st, struct scan_opts *so)
{
	for (size_t i = 0; i < a->n_opts; i++) {
		const char *arg = a->opts[i].arg;
		switch (a->opts[i].key) {
		case O_JSON: st->json = 1; break;
		case O_SORT: if (parse_sort(arg, &st->sort) < 0) return EXIT_USAGE; break;
		case O_LIMIT: if (cmd_parse_count("limit", arg, &st->limit) < 0) return EXIT_USAGE; break;
		case O_SID: so->sid_glob = arg; break;
		case O_REVERSE: st->reverse = 1; break;
		case O_FAST: so->values = 0; so->meta = 0; so->locks = 0; break;
		case O_LOCKS: so->want_locks = 1; break;
		case O_DETECT: st->detect = 1; break;
		}
	}
	if (a->n_pos > 1) {
		cmd_error("list: at most one sid pattern, got %d", a->n_pos);
		return EXIT_USAGE;
	}
	if (a->n_pos == 1)
		so->sid_glob = a->pos[0];
	if (st->reverse && st->sort == SORT_NONE) {
		cmd_error("list: --reverse needs --sort (sessions are otherwise in the order found)");
		return EXIT_USAGE;
	}
	return 0;
}

/* list --detect: sessions per framework layout and key prefix. */
struct app_group {
	enum app_layout app;
	char prefix[MC_MAX_KEY + 1];
	size_t keys, compressed, encrypted[CRYPT_AUTO];
};

struct detect_state {
	struct app_group *g;
	size_t n, cap;
	int json;
};

/* The group of (app, prefix), added when new. */
static struct app_group *detect_group(struct detect_state *st, enum app_layout app,
					 const char *prefix, size_t n)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->g[i].app == app && strlen(st->g[i].prefix) == n &&
		    memcmp(st->g[i].prefix, prefix, n) == 0)
			return &st->g[i];
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 8;
		st->g = xrealloc(st->g, st->cap * sizeof(*st->g));
	}
	struct app_group *g = &st->g[st->n++];
	memset(g, 0, sizeof(*g));
	g->app = app;
	memcpy(g->prefix, prefix, n);
	return g;
}

/* Scan callback of --detect: counts the key under its layout. */
static int on_detect(const struct sess_rec *r, void *arg)
{
	struct detect_state *st = arg;
	size_t plen;
	if (r->key_len > 19 && memcmp(r->key, "memc.sess.key.lock.", 19) == 0)
		return 0;
	enum app_layout app = app_detect(r->key, r->key_len, &plen);
	struct app_group *g = detect_group(st, app, r->key, plen);
	g->keys++;
	if (app == APP_OTHER || !r->value)
		return 0;
	struct decode_info d;
	session_probe(r, NULL, &d);
	g->compressed += d.compression != COMPRESS_NONE;
	g->encrypted[d.scheme < CRYPT_AUTO ? d.scheme : CRYPT_NONE]++;
	return 0;
}

static int group_cmp(const void *a, const void *b)
{
	const struct app_group *x = a, *y = b;
	if (x->app != y->app)
		return x->app < y->app ? -1 : 1;
	return strcmp(x->prefix, y->prefix);
}

/* One line (or JSON object) per group. */
static void print_group(const struct app_group *g, int json, int values)
{
	size_t enc = g->encrypted[CRYPT_OPENSSL] + g->encrypted[CRYPT_LARAVEL];
	struct buf e = BUF_INIT, prefix = BUF_INIT;
	for (unsigned s = CRYPT_OPENSSL; s < CRYPT_AUTO; s++)
		if (g->encrypted[s])
			buf_printf(&e, "%s%s %zu", e.len ? ", " : "", crypt_scheme_name(s), g->encrypted[s]);
	buf_add_escaped(&prefix, g->prefix, strlen(g->prefix));
	if (json) {
		const char *p = utf8_valid(g->prefix, strlen(g->prefix)) ? g->prefix : prefix.ptr;
		json_t *o = json_pack("{s:s,s:s,s:I}", "app", app_name(g->app), "prefix", p,
				      "keys", (json_int_t)g->keys);
		if (values && g->app != APP_OTHER) {
			json_object_set_new(o, "compressed", json_integer((json_int_t)g->compressed));
			json_object_set_new(o, "encrypted", json_pack("{s:I,s:I}", "openssl",
				(json_int_t)g->encrypted[CRYPT_OPENSSL], "laravel",
				(json_int_t)g->encrypted[CRYPT_LARAVEL]));
		}
		char *s = json_dumps(o, JSON_COMPACT);
		puts(s);
		free(s);
		json_decref(o);
	} else if (values && g->app != APP_OTHER) {
		printf("%-8s %-24s %8zu %10zu  %s\n", app_name(g->app), prefix.ptr, g->keys,
		       g->compressed, enc ? e.ptr : "-");
	} else {
		printf("%-8s %-24s %8zu %10s  %s\n", app_name(g->app),
		       g->app == APP_OTHER ? "-" : prefix.ptr, g->keys, "-", "-");
	}
	buf_release(&e);
	buf_release(&prefix);
}

static int list_detect(struct cmd_ctx *ctx, int json, struct scan_opts *so)
{
	struct detect_state st = { .json = json };
	so->want_other = 1;
	so->want_locks = 1;
	so->locks = 0;
	so->sid_glob = NULL;
	struct scan_server *res = xcalloc(ctx->pool.n, sizeof(*res));
	scan_pool(&ctx->pool, so, on_detect, &st, res);
	qsort(st.g, st.n, sizeof(*st.g), group_cmp);
	if (!json)
		printf("%-8s %-24s %8s %10s  %s\n", "LAYOUT", "PREFIX", "KEYS", "COMPRESSED", "ENCRYPTED");
	for (size_t i = 0; i < st.n && !cmd_output_failed(); i++)
		print_group(&st.g[i], json, so->values);
	free(st.g);
	int ret = cmd_report_scan(ctx, res);
	scan_server_release(res, ctx->pool.n);
	free(res);
	return ret;
}

/* Walks the pool in every server's thread at once: sorted, into rows (sorted and written at the
 * end); unsorted, each thread writing its lines in chunks. Returns scan_pool's result, or 2 when
 * writing failed. */
static int list_scan(struct list_state *st, struct scan_opts *so, struct scan_server *res)
{
	const struct pool *p = &st->ctx->pool;
	int r;
	so->parallel = 1;
	pthread_mutex_init(&st->out_lock, NULL);
	if (st->sort != SORT_NONE) {
		r = scan_pool(p, so, on_rec, st, res);
		print_sorted(st);
		pthread_mutex_destroy(&st->out_lock);
		return r;
	}
	if (!st->json)
		print_header();
	size_t bufs = scan_threads(p);
	st->out = xcalloc_lines(bufs, sizeof(*st->out));
	r = scan_pool(p, so, on_rec, st, res);
	for (size_t i = 0; i < bufs; i++) {
		if (flush_out(st, i))
			r = 2;
		buf_release(&st->out[i].b);
	}
	pthread_mutex_destroy(&st->out_lock);
	free(st->out);
	return r;
}

static int list_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	struct list_state st = { .ctx = ctx, .limit = -1 };
	struct scan_opts so = { .values = 1, .meta = 1, .locks = 1, .cancel = ctx->cancel };
	int ret = list_options(a, &st, &so);
	if (ret)
		return ret;
	if (st.detect)
		return list_detect(ctx, st.json, &so);
	cmd_decode_opts(ctx, SESS_UNKNOWN, 1, &st.opts);
	if (ctx->app != APP_PHP)
		so.locks = 0;	/* only PHP's session handler locks */
	struct scan_server *res = xcalloc(ctx->pool.n, sizeof(*res));
	int r = list_scan(&st, &so, res);
	ret = cmd_report_scan(ctx, res);
	scan_server_release(res, ctx->pool.n);
	free(res);
	if (r == 2)
		return EXIT_IO;
	return ret == EXIT_OK && st.crypt_errors ? EXIT_PARTIAL : ret;
}

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.usage = "[--json] [--sort sid|server|size|ttl|idle] [--reverse] [--limit N] [--fast] "
		 "[--locks] [SID-GLOB]\n       memcsess list --detect [--json] [--fast]",
	.summary = "list the sessions in the pool, one a line",
	.needs = NEED_POOL | NEED_KEY,
	.opts = list_opts,
	.operands = ARG_SID,
	.run = list_run,
};
