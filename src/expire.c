/* expire.c: deleting or touching every copy of sessions, pipelined (see expire.h). */
#include "expire.h"
#include "mc/store.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 256	/* copies per round trip */

void expire_init(struct expire *x, const struct pool *p)
{
	memset(x, 0, sizeof(*x));
	x->pool = p;
	x->exp = -1;
}

void expire_release(struct expire *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->c[i].key);
	free(x->c);
	x->c = NULL;
	x->n = x->cap = 0;
}

static void add_copy(struct expire *x, const char *key, size_t len, size_t sid_off, size_t server)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 256;
		x->c = xrealloc(x->c, x->cap * sizeof(*x->c));
	}
	struct expire_copy *c = &x->c[x->n++];
	c->key = xstrndup(key, len);
	c->key_len = len;
	c->sid_off = sid_off;
	c->server = server;
	c->state = EXPIRE_PENDING;
}

void expire_add_found(struct expire *x, const char *key, size_t len, size_t sid_off,
		      size_t server)
{
	add_copy(x, key, len, sid_off, server);
}

int expire_add_sid(struct expire *x, const char *sid, char **cause)
{
	const struct pool *p = x->pool;
	size_t n = strlen(sid);
	if (n == 0 || p->prefix_len + n + 5 > 250) {
		*cause = xasprintf("'%s' is not a usable session id", sid);
		return -1;
	}
	char *key = xasprintf("%s%s", p->prefix, sid);
	add_copy(x, key, strlen(key), p->prefix_len, pool_home(p, sid, n));
	free(key);
	x->by_sid = 1;
	return 0;
}

static void note(const struct expire *x, enum expire_note kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(const struct expire *x, enum expire_note kind, const char *fmt, ...)
{
	if (!x->note)
		return;
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	x->note(x->note_arg, kind, b.ptr);
	buf_release(&b);
}

/* Sets r up to act (op) on the PHP lock key of copy c, built into lk (initialised here). */
static void lock_req(const struct pool *p, const struct expire_copy *c, enum store_op op,
		     struct buf *lk, struct store_req *r)
{
	buf_init(lk);
	buf_add(lk, c->key, c->sid_off);
	buf_adds(lk, "lock.");
	buf_add(lk, c->key + c->sid_off, c->key_len - c->sid_off);
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->server = pool_home(p, lk->ptr + c->sid_off, lk->len - c->sid_off);
	r->key = lk->ptr;
	r->key_len = lk->len;
}

/* Counts the outcome of request r, for copy c or (is_lock) its lock key. */
static void take_outcome(struct expire *x, struct expire_copy *c, const struct store_req *r,
			 int is_lock)
{
	if (r->status == ST_DONE) {
		if (is_lock)
			x->locks_deleted++;
		else
			x->expired++;
	} else if (r->status == ST_NOT_FOUND) {
		x->gone += !is_lock;
	} else {
		x->failed++;
		note(x, EXPIRE_ERROR, "%s %s: %s", is_lock ? "lock of session" : "session",
		     c->key + c->sid_off, r->error ? r->error : "failed");
	}
	if (!is_lock)
		c->state = r->status == ST_DONE ? EXPIRE_DONE :
			   r->status == ST_NOT_FOUND ? EXPIRE_GONE : EXPIRE_FAILED;
}

/* Acts on copies [from, to): delete or touch, and their lock keys with locks. */
static void act_batch(struct expire *x, struct store *st, size_t from, size_t to)
{
	struct store_req r[2 * BATCH];
	struct buf lk[BATCH];
	size_t n = 0, nl = 0, m = to - from;
	for (size_t i = from; i < to; i++) {
		const struct expire_copy *c = &x->c[i];
		memset(&r[n], 0, sizeof(r[n]));
		r[n].op = x->touch ? ST_TOUCH : ST_DELETE;
		r[n].server = c->server;
		r[n].key = c->key;
		r[n].key_len = c->key_len;
		r[n++].exp = x->exp;
	}
	for (size_t i = from; x->locks && !x->touch && i < to; i++)
		lock_req(x->pool, &x->c[i], ST_DELETE, &lk[nl++], &r[n++]);
	store_run(st, r, n);
	for (size_t k = 0; k < n; k++)
		take_outcome(x, &x->c[from + (k < m ? k : k - m)], &r[k], k >= m);
	store_reqs_release(r, n);
	for (size_t i = 0; i < nl; i++)
		buf_release(&lk[i]);
}

/* Dry run: says what would be done to copies [from, to). Sessions named by sid are looked up
 * first (those a scan found are there), and with locks their lock keys. */
static void dry_batch(struct expire *x, struct store *st, size_t from, size_t to)
{
	struct store_req g[2 * BATCH];
	struct buf lk[BATCH];
	size_t n = to - from, nl = x->by_sid && x->locks && !x->touch ? n : 0;
	for (size_t i = 0; x->by_sid && i < n; i++) {
		memset(&g[i], 0, sizeof(g[i]));
		g[i].op = ST_GET;
		g[i].server = x->c[from + i].server;
		g[i].key = x->c[from + i].key;
		g[i].key_len = x->c[from + i].key_len;
	}
	for (size_t i = 0; i < nl; i++)
		lock_req(x->pool, &x->c[from + i], ST_GET, &lk[i], &g[n + i]);
	if (x->by_sid)
		store_run(st, g, n + nl);
	for (size_t i = 0; i < n; i++) {
		struct expire_copy *c = &x->c[from + i];
		const char *sid = c->key + c->sid_off, *server = x->pool->servers[c->server].name;
		enum store_status s = x->by_sid ? g[i].status : ST_DONE;
		int lock = !nl ? x->locks && !x->touch : g[n + i].status == ST_DONE;
		if (s == ST_DONE)
			note(x, EXPIRE_WOULD, "would %s %s on %s%s", x->touch ? "touch" : "expire", sid,
			     server, !lock ? "" : nl ? " (and its lock key)" :
			     " (and its lock key, if any)");
		else if (s == ST_NOT_FOUND && lock)
			note(x, EXPIRE_WOULD, "would delete the lock key of %s (the session is already "
			     "gone)", sid);
		c->state = s == ST_DONE ? EXPIRE_DONE : s == ST_NOT_FOUND ? EXPIRE_GONE :
			   EXPIRE_FAILED;
		if (s == ST_NOT_FOUND)
			x->gone++;
		else if (s == ST_ERROR) {
			x->failed++;
			note(x, EXPIRE_ERROR, "session %s: %s", sid, g[i].error ? g[i].error : "failed");
		}
	}
	if (x->by_sid)
		store_reqs_release(g, n + nl);
	for (size_t i = 0; i < nl; i++)
		buf_release(&lk[i]);
}

/* Runs the look-ups g (m of them; gi: the copy each is for): the copies found are selected
 * too; a server that cannot be asked is a failure. */
static void take_copies(struct expire *x, struct store *st, struct store_req *g, size_t m,
			const size_t *gi)
{
	store_run(st, g, m);
	for (size_t k = 0; k < m; k++) {
		size_t sid_off = x->c[gi[k]].sid_off;
		if (g[k].status == ST_DONE) {
			add_copy(x, g[k].key, g[k].key_len, sid_off, g[k].server);
		} else if (g[k].status == ST_ERROR) {
			x->failed++;
			note(x, EXPIRE_ERROR, "session %s: looking for other copies: %s",
			     x->c[gi[k]].key + sid_off, g[k].error ? g[k].error : "failed");
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
	const struct pool *p = x->pool;
	struct store_req g[BATCH];
	size_t gi[BATCH], m = 0, named = x->n;
	for (size_t i = 0; i < named; i++) {
		for (size_t s = 0; s < p->n; s++) {
			if (s == x->c[i].server)
				continue;
			g[m] = (struct store_req){ .op = ST_GET, .server = s, .key = x->c[i].key,
						   .key_len = x->c[i].key_len };
			gi[m++] = i;
			if (m == BATCH) {
				take_copies(x, st, g, m, gi);
				m = 0;
			}
		}
	}
	if (m)
		take_copies(x, st, g, m, gi);
}

void expire_run(struct expire *x)
{
	struct store st;
	/* memcached reads a TTL past 30 days as a unix time: store_run turns exp into either. */
	x->exp = x->touch && x->ttl > 0 ? (int64_t)time(NULL) + x->ttl : -1;
	store_init(&st, x->pool);
	if (x->by_sid)
		add_copies(x, &st);
	for (size_t i = 0; i < x->n; i += BATCH) {
		size_t to = i + BATCH < x->n ? i + BATCH : x->n;
		if (x->dry_run)
			dry_batch(x, &st, i, to);
		else
			act_batch(x, &st, i, to);
	}
	store_release(&st);
}

char *expire_summary(const struct expire *x)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "expire: %zu matched, %zu %s, %zu already gone, %zu failed", x->n, x->expired,
		   x->touch ? "touched" : "expired", x->gone, x->failed);
	if (x->locks)
		buf_printf(&b, ", %zu locks deleted", x->locks_deleted);
	buf_adds(&b, x->dry_run ? " (dry run: nothing done)" : "");
	return buf_detach(&b, NULL);
}
