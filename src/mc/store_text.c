/* store_text.c: the text-protocol store backend (see store_text.h). */
#include "mc/store_text.h"
#include "mc/conn.h"
#include "mc/meta.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct text_store {
	const struct pool *pool;
	struct conn *conns;
	int *state;		/* per server: 0 closed, 1 open */
	struct item_limit *limit;	/* per server, asked before its first write */
};

static void *text_open(const struct pool *p)
{
	struct text_store *t = xcalloc(1, sizeof(*t));
	t->pool = p;
	t->conns = xcalloc(p->n, sizeof(*t->conns));
	t->state = xcalloc(p->n, sizeof(*t->state));
	t->limit = xcalloc(p->n, sizeof(*t->limit));
	return t;
}

static void text_close(void *be)
{
	struct text_store *t = be;
	for (size_t i = 0; i < t->pool->n; i++)	/* text_run reads every reply */
		if (t->state[i])
			conn_park(&t->conns[i]);
	free(t->conns);
	free(t->state);
	free(t->limit);
	free(t);
}

/* Queues one request on its connection; a write with opaque >= 0 goes quiet (q), named by it. */
static void queue_req(struct conn *c, const struct store_req *r, int64_t now, long opaque)
{
	char tail[128], quiet[32] = "";
	int b64;
	switch (r->op) {
	case ST_ADD:
	case ST_SET:
		b64 = meta_queue_key(c, "ms", r->key, r->key_len);
		if (opaque >= 0)
			snprintf(quiet, sizeof(quiet), " q O%ld", opaque);
		snprintf(tail, sizeof(tail), " %zu F%u T%lld M%c%s%s\r\n", r->value_len, r->flags,
			 (long long)store_ttl_arg(r->exp, now), r->op == ST_ADD ? 'E' : 'S',
			 b64 ? " b" : "", quiet);
		conn_queue(c, tail, strlen(tail));
		conn_queue(c, r->value, r->value_len);
		conn_queue(c, "\r\n", 2);
		conn_mark(c);
		return;
	case ST_DELETE:
		b64 = meta_queue_key(c, "md", r->key, r->key_len);
		if (r->cas)
			snprintf(tail, sizeof(tail), " C%llu%s\r\n", (unsigned long long)r->cas,
				 b64 ? " b" : "");
		else
			snprintf(tail, sizeof(tail), "%s\r\n", b64 ? " b" : "");
		break;
	case ST_TOUCH:
		b64 = meta_queue_key(c, "mg", r->key, r->key_len);
		snprintf(tail, sizeof(tail), " T%lld%s\r\n", (long long)store_ttl_arg(r->exp, now),
			 b64 ? " b" : "");
		break;
	case ST_GET:
	case ST_CHECK:
		meta_queue_get(c, r->key, r->key_len, r->op == ST_GET);
		conn_mark(c);
		return;
	}
	conn_queue(c, tail, strlen(tail));
	conn_mark(c);
}

/* The status a reply line starts with; -1 when it is none of them. */
static int reply_status(const char *line, size_t len, enum store_status *st)
{
	if (len < 2 || (len > 2 && line[2] != ' '))
		return -1;
	if (memcmp(line, "HD", 2) == 0)
		*st = ST_DONE;
	else if (memcmp(line, "NS", 2) == 0)
		*st = ST_NOT_STORED;
	else if (memcmp(line, "NF", 2) == 0 || memcmp(line, "EN", 2) == 0)
		*st = ST_NOT_FOUND;
	else if (memcmp(line, "EX", 2) == 0)
		*st = ST_EXISTS;
	else
		return -1;
	return 0;
}

/* The refusal of r's write, with the server's words. Returns new. */
static char *refused(const char *server, const struct store_req *r, const char *line, size_t len)
{
	int n = (int)(len > 120 ? 120 : len);
	if (r->op == ST_ADD || r->op == ST_SET)
		return xasprintf("server %s: key %.*s: value of %zu bytes refused: %.*s", server,
				 (int)r->key_len, r->key, r->value_len, n, line);
	return xasprintf("server %s: key %.*s: %.*s", server, (int)r->key_len, r->key, n, line);
}

/* Reads the reply to r; returns 0, or -1 with *cause when the connection is unusable. */
static int read_reply(struct conn *c, struct store_req *r, char **cause)
{
	if (r->op == ST_GET || r->op == ST_CHECK) {
		struct mg_reply rep;
		if (meta_read_get(c, r->key, &rep, &r->got, cause) < 0)
			return -1;
		r->status = rep.found ? ST_DONE : ST_NOT_FOUND;
		r->got_flags = rep.flags;
		r->got_ttl = rep.ttl;
		r->got_cas = rep.cas;
		r->got_size = rep.size;
		return 0;
	}
	const char *line;
	size_t len;
	if (conn_readline(c, &line, &len, cause) < 0)
		return -1;
	if (reply_status(line, len, &r->status) == 0)
		return 0;
	if (len > 13 && memcmp(line, "SERVER_ERROR ", 13) == 0) {
		/* refused this item only (too large, out of memory): the connection goes on */
		r->status = ST_ERROR;
		r->error = refused(c->name, r, line, len);
	} else {
		*cause = xasprintf("server %s: key %.*s: unexpected reply '%.*s'", c->name,
				   (int)r->key_len, r->key, (int)(len > 120 ? 120 : len), line);
		conn_explain_auth(c, cause);
		return -1;
	}
	return 0;
}

/* Marks every request of server i as failed with cause, and closes its connection. */
static void fail_server(struct text_store *s, struct store_req *reqs, size_t n, size_t i,
			const char *cause)
{
	store_reqs_fail(reqs, n, i, cause);
	if (s->state[i])
		conn_close(&s->conns[i]);
	s->state[i] = 0;
}

/* Opens server i when needed; returns 0, or -1 with *cause. */
static int ensure_conn(struct text_store *s, size_t i, char **cause)
{
	if (s->state[i])
		return 0;
	if (conn_open(&s->conns[i], &s->pool->servers[i], s->pool->timeout_ms, cause) < 0)
		return -1;
	s->state[i] = 1;
	return 0;
}

/* A SERVER_ERROR in reply to quiet writes: it names no request, only that one of server's
 * requests after the one answered last (after; -1 none) was refused. */
struct refusal {
	size_t server;
	long after;
	char *line;		/* owned */
};

struct quiet {
	struct refusal *r;
	size_t n, cap;
	const char **why;	/* per request: the refusal it may be (in r[].line), or NULL */
};

static int is_write(const struct store_req *r)
{
	return r->op == ST_ADD || r->op == ST_SET;
}

/* Is every request a write (sent quiet: only what is not stored is answered)? */
static int all_writes(const struct store_req *reqs, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (!is_write(&reqs[k]))
			return 0;
	return n > 0;
}

/* The opaque (O<n>) of a reply line, or -1. */
static long reply_opaque(const char *line, size_t len)
{
	for (size_t p = 2; p + 2 < len; p++) {
		if (line[p] != ' ' || line[p + 1] != 'O')
			continue;
		size_t e = p + 2;
		while (e < len && line[e] != ' ')
			e++;
		int64_t v;
		return parse_i64(line + p + 2, e - p - 2, &v) == 0 && v >= 0 ? (long)v : -1;
	}
	return -1;
}

/* Reads server i's replies to quiet writes, up to the MN that ends them. Returns 0, or -1 with
 * *cause when the connection is unusable. */
static int read_quiet(struct conn *c, struct store_req *reqs, size_t n, size_t i,
		      struct quiet *q, char **cause)
{
	long after = -1;
	for (;;) {
		const char *line;
		size_t len;
		if (conn_readline(c, &line, &len, cause) < 0)
			return -1;
		if (len == 2 && memcmp(line, "MN", 2) == 0)
			return 0;
		if (len > 13 && memcmp(line, "SERVER_ERROR ", 13) == 0) {
			if (q->n == q->cap) {
				q->cap = q->cap ? 2 * q->cap : 4;
				q->r = xrealloc(q->r, q->cap * sizeof(*q->r));
			}
			q->r[q->n++] = (struct refusal){ i, after, xstrndup(line, len) };
			continue;
		}
		long k = reply_opaque(line, len);
		if (k < 0 || (size_t)k >= n || reqs[k].server != i ||
		    reply_status(line, len, &reqs[k].status) < 0) {
			*cause = xasprintf("server %s: unexpected reply '%.*s' to a write", c->name,
					   (int)(len > 120 ? 120 : len), line);
			conn_explain_auth(c, cause);
			return -1;
		}
		after = k;
	}
}

/* The requests a refusal may be: those of its server after the one answered before it, up to
 * the next one answered. */
static void mark_maybe(struct store_req *reqs, size_t n, const struct refusal *r, struct quiet *q)
{
	for (size_t k = (size_t)(r->after + 1); k < n; k++) {
		if (reqs[k].server != r->server)
			continue;
		if (reqs[k].status != ST_ERROR)
			break;
		if (!q->why[k])
			q->why[k] = r->line;
	}
}

/* Does the look-up g find exactly what write w stored (bytes and flags)? */
static int holds_write(const struct store_req *g, const struct store_req *w)
{
	return g->status == ST_DONE && g->got.len == w->value_len && g->got_flags == w->flags &&
	       memcmp(g->got.ptr ? g->got.ptr : "", w->value, w->value_len) == 0;
}

static void text_run(void *be, struct store_req *reqs, size_t n);

/* After quiet writes: what was not answered was stored, except where a refusal may be; those
 * are looked up, and the ones not holding what was written carry the refusal. */
static void settle_quiet(struct text_store *s, struct store_req *reqs, size_t n, char **cause,
			 struct quiet *q)
{
	q->why = xcalloc(n, sizeof(*q->why));
	for (size_t j = 0; j < q->n; j++)
		if (!cause[q->r[j].server])
			mark_maybe(reqs, n, &q->r[j], q);
	struct store_req *g = xcalloc(n, sizeof(*g));
	size_t *gi = xcalloc(n, sizeof(*gi)), m = 0;
	for (size_t k = 0; k < n; k++) {
		if (reqs[k].server >= s->pool->n || cause[reqs[k].server] ||
		    reqs[k].status != ST_ERROR || reqs[k].error)
			continue;
		if (!q->why[k]) {
			reqs[k].status = ST_DONE;
			continue;
		}
		g[m] = (struct store_req){ .op = ST_GET, .server = reqs[k].server,
					   .key = reqs[k].key, .key_len = reqs[k].key_len };
		gi[m++] = k;
	}
	if (m)
		text_run(s, g, m);
	for (size_t j = 0; j < m; j++) {
		struct store_req *r = &reqs[gi[j]];
		if (holds_write(&g[j], r))
			r->status = ST_DONE;
		else if (g[j].status == ST_DONE || g[j].status == ST_NOT_FOUND)	/* an older item stays */
			r->error = refused(s->pool->servers[r->server].name, r, q->why[gi[j]],
					   strlen(q->why[gi[j]]));
		else
			r->error = xstrdup(g[j].error ? g[j].error : "refused, and could not be looked up");
	}
	store_reqs_release(g, m);
	free(g);
	free(gi);
	free(q->why);
	for (size_t j = 0; j < q->n; j++)
		free(q->r[j].line);
	free(q->r);
}

/* Asks server i for its item limit when not known yet (see limit.h). Returns 0, or -1 with
 * *cause when the server cannot be reached. */
static int ask_limit(struct text_store *s, size_t i, char **cause)
{
	if (s->limit[i].state != 0)
		return 0;
	if (ensure_conn(s, i, cause) < 0 || limit_fetch(&s->conns[i], &s->limit[i], cause) < 0)
		return -1;
	return 0;
}

static const struct item_limit *text_limit(void *be, size_t i)
{
	struct text_store *s = be;
	char *cause = NULL;
	if (ask_limit(s, i, &cause) < 0) {
		free(cause);
		if (s->state[i])
			conn_close(&s->conns[i]);
		s->state[i] = 0;
	}
	return &s->limit[i];
}

/* Writes over their server's item limit get their reason as error and are not sent. */
static void check_limits(struct text_store *s, struct store_req *reqs, size_t n, char **cause)
{
	for (size_t k = 0; k < n; k++) {
		struct store_req *r = &reqs[k];
		size_t i = r->server;
		if (!is_write(r) || i >= s->pool->n || cause[i] || ask_limit(s, i, &cause[i]) < 0)
			continue;
		r->error = limit_check(&s->limit[i], s->pool->servers[i].name, r->key, r->key_len,
				       r->flags, r->value_len);
	}
}

/* Queues every request on its server (quiet writes: each named by its index, and mn after
 * them) and sends them; a server that fails gets its cause. used[i]: server i had requests. */
static void send_reqs(struct text_store *s, struct store_req *reqs, size_t n, int quiet,
		      char **cause, unsigned char *used)
{
	size_t ns = s->pool->n;
	int64_t now = time(NULL);
	for (size_t k = 0; k < n; k++) {
		reqs[k].status = ST_ERROR;
		size_t i = reqs[k].server;
		if (i >= ns || cause[i] || reqs[k].error)
			continue;
		if (ensure_conn(s, i, &cause[i]) == 0)
			queue_req(&s->conns[i], &reqs[k], now, quiet ? (long)k : -1);
		used[i] = 1;
	}
	for (size_t i = 0; i < ns; i++) {
		if (quiet && used[i] && s->state[i] && !cause[i])
			conn_queue(&s->conns[i], "mn\r\n", 4);	/* flush ends it */
		if (s->state[i] && !cause[i] && conn_flush(&s->conns[i], &cause[i]) < 0)
			fail_server(s, reqs, n, i, cause[i]);
	}
}

/* Writes go quiet: memcached answers only what it did not store, and mn ends each server's
 * batch; other requests are answered one by one, in order. */
static void text_run(void *be, struct store_req *reqs, size_t n)
{
	struct text_store *s = be;
	size_t ns = s->pool->n;
	int quiet = all_writes(reqs, n);
	struct quiet q = { NULL, 0, 0, NULL };
	char **cause = xcalloc(ns, sizeof(char *));
	unsigned char *used = xcalloc(ns, 1);
	check_limits(s, reqs, n, cause);
	send_reqs(s, reqs, n, quiet, cause, used);
	for (size_t i = 0; quiet && i < ns; i++)
		if (used[i] && s->state[i] && !cause[i])
			read_quiet(&s->conns[i], reqs, n, i, &q, &cause[i]);
	free(used);
	for (size_t k = 0; !quiet && k < n; k++) {
		size_t i = reqs[k].server;
		if (i >= ns || cause[i] || reqs[k].error)
			continue;
		if (read_reply(&s->conns[i], &reqs[k], &cause[i]) < 0)
			reqs[k].status = ST_ERROR;
	}
	if (quiet)
		settle_quiet(s, reqs, n, cause, &q);
	for (size_t i = 0; i < ns; i++) {
		if (cause[i])
			fail_server(s, reqs, n, i, cause[i]);
		free(cause[i]);
	}
	free(cause);
}

const struct store_ops store_text_ops = {
	.open = text_open, .close = text_close, .run = text_run, .limit = text_limit,
};
