/* scan.c: the parallel pool walk (see scan.h). One thread per server; each holds a metadump
 * connection, an mg connection, and lazily a connection to each server for lock look-ups. */
#include "mc/scan.h"
#include "mc/meta.h"

#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH 128
/* Lock keys kept from the walk (see lock_seen); past this many, every lock is looked up. */
#define LOCKS_KEPT 65536
/* The spill file's stdio buffer. */
#define SPILL_BUF (256 * 1024)

struct scan_ctx {
	const struct pool *pool;
	const struct scan_opts *o;
	scan_fn fn;
	void *arg;
	pthread_mutex_t lock;
	int stop;		/* the callback's non-zero return */
	struct keyset locks;	/* sids whose lock key the walks saw */
	int locks_overflow;	/* more than LOCKS_KEPT of them */
	int locks_known;	/* every server walked whole: a sid not in locks has no lock */
};

/* Keys whose values are asked for together (one pipelined round). */
struct batch {
	struct md_item item[BATCH];
	int locked[BATCH];
	int64_t lock_ttl[BATCH];
	size_t n;
	time_t now;		/* when it was sent */
	int sent;		/* sent, replies not read yet */
};

struct worker {
	CACHE_ALIGNED struct scan_ctx *ctx;	/* each worker on cache lines of its own */
	size_t idx;
	struct scan_server tally;	/* copied out at the end (out's entries share cache lines) */
	struct conn mg;
	int mg_open;
	struct conn *lockc;	/* p->n connections for lock look-ups, opened on demand */
	int *lockc_state;	/* 0 closed, 1 open, -1 failed */
	struct batch b[2];	/* while the replies to one are read, the server works on the other */
	int cur;		/* the batch being filled */
	time_t now;
	FILE *spill;		/* keys waiting for their values, see spill_open */
	char *spill_buf;	/* its stdio buffer */
	struct spill_mark {	/* the item written or read before, see spill_write */
		char key[MC_MAX_KEY];
		size_t key_len;
		int64_t la;
	} spill_mark;
	int walk_ret;		/* the walk's outcome: 0, or -1/-2 with walk_cause */
	char *walk_cause;
};

void scan_classify(const char *prefix, size_t plen, struct sess_rec *r)
{
	r->kind = REC_OTHER;
	r->sid = r->key;
	r->sid_len = r->key_len;
	if (r->key_len <= plen || memcmp(r->key, prefix, plen) != 0)
		return;
	r->sid = r->key + plen;
	r->sid_len = r->key_len - plen;
	r->kind = REC_SESSION;
	if (r->sid_len > 5 && memcmp(r->sid, "lock.", 5) == 0) {
		r->kind = REC_LOCK;
		r->sid += 5;
		r->sid_len -= 5;
	}
}

static int cancelled(struct worker *w)
{
	const struct scan_opts *o = w->ctx->o;
	return (o->cancel && *o->cancel) || __atomic_load_n(&w->ctx->stop, __ATOMIC_RELAXED);
}

/* The server PHP reads r from (r classified). */
static size_t rec_home(const struct pool *p, const struct sess_rec *r)
{
	if (r->kind == REC_LOCK)	/* PHP hashes "lock.<sid>" for the lock key */
		return pool_home(p, r->sid - 5, r->sid_len + 5);
	return pool_home(p, r->sid, r->sid_len);
}

/* Fills r from a metadump item (times made relative to now), all but its home server. */
static void rec_classify(struct worker *w, const struct md_item *it, struct sess_rec *r)
{
	const struct pool *p = w->ctx->pool;
	memset(r, 0, sizeof(*r));
	r->server = w->idx;
	r->key = it->key;
	r->key_len = it->key_len;
	scan_classify(p->prefix, p->prefix_len, r);
	r->exp = it->exp;
	r->ttl = it->exp < 0 ? -1 : (it->exp > w->now ? it->exp - w->now : 0);
	r->la = it->la;
	r->idle = it->la < 0 ? -1 : (w->now > it->la ? w->now - it->la : 0);
	r->cas = it->cas;
	r->item_size = it->size;
	r->flags = it->flags;
	r->locked = -1;
	r->lock_ttl = -1;
}

/* rec_classify and the home server. */
static void rec_from_item(struct worker *w, const struct md_item *it, struct sess_rec *r)
{
	rec_classify(w, it, r);
	r->home = rec_home(w->ctx->pool, r);
}

/* Hands one record to the callback under the scan lock. */
static int deliver(struct worker *w, const struct sess_rec *r)
{
	struct scan_ctx *ctx = w->ctx;
	int ret = 0;
	if (ctx->o->parallel) {
		ret = __atomic_load_n(&ctx->stop, __ATOMIC_RELAXED);
		if (!ret && (ret = ctx->fn(r, ctx->arg)) != 0)
			__atomic_store_n(&ctx->stop, ret, __ATOMIC_RELAXED);
		return ret;
	}
	pthread_mutex_lock(&ctx->lock);
	if (!ctx->stop) {
		ret = ctx->fn(r, ctx->arg);
		if (ret)
			ctx->stop = ret;
	} else {
		ret = ctx->stop;
	}
	pthread_mutex_unlock(&ctx->lock);
	return ret;
}

/* Returns the open lock connection to server i, or NULL when it cannot be had. */
static struct conn *lock_conn(struct worker *w, size_t i)
{
	const struct pool *p = w->ctx->pool;
	if (w->lockc_state[i] == 0) {
		char *cause = NULL;
		w->lockc_state[i] = conn_open(&w->lockc[i], &p->servers[i], p->timeout_ms, &cause)
					    ? -1 : 1;
		free(cause);
		if (w->lockc_state[i] == 1 && w->ctx->o->on_connect)
			w->ctx->o->on_connect(i, w->lockc[i].fd, w->ctx->arg);
	}
	return w->lockc_state[i] == 1 ? &w->lockc[i] : NULL;
}

/* Builds the lock key of session sid into out. */
static void lock_key(const struct pool *p, const char *sid, size_t n, struct buf *out)
{
	buf_reset(out);
	buf_add(out, p->prefix, p->prefix_len);
	buf_adds(out, "lock.");
	buf_add(out, sid, n);
}

/* Looks up the lock key of every session in the batch (pipelined per server): when the walks
 * saw every key, only of the sessions whose lock key they saw, to confirm it is still there. */
static void check_locks(struct worker *w, struct batch *b)
{
	const struct pool *p = w->ctx->pool;
	struct buf k = BUF_INIT, tmp = BUF_INIT;
	size_t homes[BATCH];
	if (w->ctx->locks_known && w->ctx->locks.n == 0) {	/* the walks met no lock key */
		memset(b->locked, 0, b->n * sizeof(b->locked[0]));
		return;
	}
	for (size_t i = 0; i < b->n; i++) {
		struct sess_rec r;
		rec_classify(w, &b->item[i], &r);
		b->locked[i] = -1;
		homes[i] = (size_t)-1;
		if (r.kind != REC_SESSION)
			continue;
		if (w->ctx->locks_known && !keyset_has(&w->ctx->locks, r.sid, r.sid_len)) {
			b->locked[i] = 0;
			continue;
		}
		lock_key(p, r.sid, r.sid_len, &k);
		buf_reset(&tmp);
		buf_add(&tmp, "lock.", 5);
		buf_add(&tmp, r.sid, r.sid_len);
		homes[i] = pool_home(p, tmp.ptr, tmp.len);
		struct conn *c = lock_conn(w, homes[i]);
		if (c)
			meta_queue_get(c, k.ptr, k.len, 0);
		else
			homes[i] = (size_t)-1;
	}
	for (size_t s = 0; s < p->n; s++) {
		char *cause = NULL;
		if (w->lockc_state[s] == 1 && conn_flush(&w->lockc[s], &cause) < 0) {
			conn_close(&w->lockc[s]);
			w->lockc_state[s] = -1;
		}
		free(cause);
	}
	for (size_t i = 0; i < b->n; i++) {
		if (homes[i] == (size_t)-1 || w->lockc_state[homes[i]] != 1)
			continue;
		struct mg_reply rep;
		char *cause = NULL;
		if (meta_read_get(&w->lockc[homes[i]], "lock", &rep, NULL, &cause) < 0) {
			conn_close(&w->lockc[homes[i]]);
			w->lockc_state[homes[i]] = -1;
			free(cause);
			continue;
		}
		b->locked[i] = rep.found;
		b->lock_ttl[i] = rep.ttl;
	}
	buf_release(&k);
	buf_release(&tmp);
}

/* Sends the mg requests of batch b (after its lock look-ups); returns 0 or -1 with *cause. */
static int send_batch(struct worker *w, struct batch *b, char **cause)
{
	const struct scan_opts *o = w->ctx->o;
	w->now = b->now = time(NULL);
	if (o->locks)
		check_locks(w, b);
	for (size_t i = 0; i < b->n; i++)
		meta_queue_get(&w->mg, b->item[i].key, b->item[i].key_len, o->values);
	b->sent = 1;
	return conn_flush(&w->mg, cause);
}

/* Reads the replies to batch b and delivers its records; returns 0, the callback's value, or
 * -1 with *cause. */
static int read_batch(struct worker *w, struct batch *b, char **cause)
{
	const struct scan_opts *o = w->ctx->o;
	int ret = 0;
	w->now = b->now;
	for (size_t i = 0; i < b->n; i++) {
		struct mg_reply rep;
		struct sess_rec r;
		if (meta_read_get(&w->mg, b->item[i].key, &rep, NULL, cause) < 0)
			return -1;
		if (!rep.found) {
			w->tally.gone++;
			continue;
		}
		rec_from_item(w, &b->item[i], &r);
		r.have_meta = 1;
		r.flags = rep.flags;
		r.ttl = rep.ttl;
		r.exp = rep.ttl < 0 ? -1 : w->now + rep.ttl;
		if (rep.idle >= 0) {
			r.idle = rep.idle;
			r.la = w->now - rep.idle;
		}
		r.cas = rep.cas;
		r.value_len = rep.size;
		r.value = !o->values ? NULL : rep.value ? rep.value : "";
		if (o->locks) {
			r.locked = r.kind == REC_SESSION ? b->locked[i] : -1;
			r.lock_ttl = b->lock_ttl[i];
		}
		if (!ret)
			ret = deliver(w, &r);
	}
	b->n = 0;
	b->sent = 0;
	return ret;
}

/* The batch being filled is full, or the keys are at their end: sends it, then reads the
 * replies to the batch sent before it, so that the server answers one while the records of
 * the other are made. Returns as read_batch. */
static int turn_batch(struct worker *w, char **cause)
{
	struct batch *filled = &w->b[w->cur], *waiting = &w->b[w->cur ^ 1];
	if (filled->n > 0 && send_batch(w, filled, cause) < 0)
		return -1;
	w->cur ^= 1;
	return waiting->sent ? read_batch(w, waiting, cause) : 0;
}

/* Keeps the sid of a lock key the walk met, so that sessions without one need no look-up. */
static void lock_seen(struct scan_ctx *ctx, const struct sess_rec *r)
{
	pthread_mutex_lock(&ctx->lock);
	if (ctx->locks.n >= LOCKS_KEPT)
		ctx->locks_overflow = 1;
	else
		keyset_add(&ctx->locks, r->sid, r->sid_len);
	pthread_mutex_unlock(&ctx->lock);
}

/* Is this item wanted at all (kind and sid pattern)? Counts it; r is classified, its home
 * server left out. */
static int wanted(struct worker *w, const struct md_item *it, struct sess_rec *r)
{
	const struct scan_opts *o = w->ctx->o;
	rec_classify(w, it, r);
	if (r->kind == REC_SESSION) {
		w->tally.sessions++;
	} else if (r->kind == REC_LOCK) {
		w->tally.locks++;
		if (o->locks)
			lock_seen(w->ctx, r);
	} else {
		w->tally.other++;
	}
	if (r->kind == REC_LOCK && !o->want_locks)
		return 0;
	if (r->kind == REC_OTHER && !o->want_other)
		return 0;
	if (o->sid_glob) {
		char sid[MC_MAX_KEY + 1];
		memcpy(sid, r->sid, r->sid_len);
		sid[r->sid_len] = '\0';
		if (fnmatch(o->sid_glob, sid, 0) != 0)
			return 0;
	}
	return 1;
}

/* Opens an unlinked temporary file for the keys of one server. memcached's crawler holds item
 * locks while it waits for its reader, so fetching values while the dump runs can wait on it
 * for ever: the keys are read to the end first, into this file (about 60 bytes a key), and
 * their values fetched after. Memory stays flat however many keys there are. */
static FILE *spill_open(char **bufp, char **cause)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	char *path = xasprintf("%s/memcsess-keys-XXXXXX", dir);
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
	if (!f) {
		*cause = xasprintf("cannot create a temporary file in %s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	if (fd >= 0)
		unlink(path);
	free(path);
	if (f) {	/* a quarter of a megabyte a system call, not 4 KB (glibc sizes the
			 * buffer it allocates itself by the file's block size, whatever it is told) */
		*bufp = xmalloc(SPILL_BUF);
		setvbuf(f, *bufp, _IOFBF, SPILL_BUF);
	}
	return f;
}

/* The spill file keeps of each item what its mg reply will not give again: the key (its bytes
 * after those it shares with the key before it) and its last access (for a reply without it).
 * A record is the shared and the new length (a byte each), the change of last access as a
 * varint, then the new bytes: the sid and three or four bytes for a session key (the prefix is
 * shared), where the whole item took 80. Less to write and read again on a million keys. */
#define SPILL_HEAD (2 + 10)

/* Writes v at o, seven bits a byte, low first; returns the bytes written (at most 10). */
static size_t put_varint(unsigned char *o, uint64_t v)
{
	size_t n = 0;
	for (; v >= 0x80; v >>= 7)
		o[n++] = (unsigned char)(v | 0x80);
	o[n++] = (unsigned char)v;
	return n;
}

/* Reads a varint from f into *v: 0, or -1 at the end of the file or past ten bytes. */
static int get_varint(FILE *f, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned shift = 0; shift < 70; shift += 7) {
		int c = getc_unlocked(f);
		if (c == EOF)
			return -1;
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* A change of last access as an unsigned number, small either way (zigzag), and back. */
static uint64_t la_change(int64_t from, int64_t to)
{
	uint64_t d = (uint64_t)to - (uint64_t)from;
	return d << 1 ^ (0 - (d >> 63));
}

static int64_t la_changed(int64_t from, uint64_t z)
{
	return (int64_t)((uint64_t)from + (z >> 1 ^ (0 - (z & 1))));
}

/* Appends one item to the spill file (one fwrite); returns 0 or -1. */
static int spill_write(struct worker *w, const struct md_item *it)
{
	struct spill_mark *m = &w->spill_mark;
	unsigned char rec[SPILL_HEAD + MC_MAX_KEY];
	size_t shared = 0, max = m->key_len < it->key_len ? m->key_len : it->key_len;
	while (shared < max && m->key[shared] == it->key[shared])
		shared++;
	rec[0] = (unsigned char)shared;
	rec[1] = (unsigned char)(it->key_len - shared);
	size_t n = 2 + put_varint(rec + 2, la_change(m->la, it->la));
	memcpy(rec + n, it->key + shared, it->key_len - shared);
	n += it->key_len - shared;
	memcpy(m->key + shared, it->key + shared, it->key_len - shared);
	m->key_len = it->key_len;
	m->la = it->la;
	return fwrite_unlocked(rec, 1, n, w->spill) == n ? 0 : -1;	/* one thread per file */
}

/* Reads the next spilled item into it (exp, cas, flags and size unknown: the reply gives
 * them); returns 1, 0 at the end, -1 on error. */
static int spill_read(struct worker *w, struct md_item *it)
{
	struct spill_mark *m = &w->spill_mark;
	FILE *f = w->spill;
	int shared = getc_unlocked(f), fresh;
	uint64_t la;
	if (shared == EOF)
		return feof(f) && !ferror(f) ? 0 : -1;
	if ((fresh = getc_unlocked(f)) == EOF || (size_t)shared > m->key_len ||
	    shared + fresh > MC_MAX_KEY || get_varint(f, &la) ||
	    fread_unlocked(m->key + shared, 1, (size_t)fresh, f) != (size_t)fresh)
		return -1;	/* a cut or broken record */
	m->key_len = (size_t)(shared + fresh);
	m->la = la_changed(m->la, la);
	memcpy(it->key, m->key, m->key_len);
	it->key[m->key_len] = '\0';
	it->key_len = m->key_len;
	it->la = m->la;
	it->size = 0;
	it->exp = -1;
	it->cas = 0;
	it->flags = 0;
	it->has_flags = 0;
	it->cls = -1;
	it->fetched = -1;
	return 1;
}

/* Metadump callback: deliver directly, or keep the key for fetching its value. */
static int on_item(const struct md_item *it, void *arg)
{
	struct worker *w = arg;
	struct sess_rec r;
	if (cancelled(w))
		return -2;
	w->now = time(NULL);
	if (!wanted(w, it, &r))
		return 0;
	const struct scan_opts *o = w->ctx->o;
	if (!o->values && !o->meta && !o->locks) {
		r.home = rec_home(w->ctx->pool, &r);
		return deliver(w, &r);
	}
	if (spill_write(w, it) < 0) {
		w->tally.error = xasprintf("server %s: writing the temporary key file: %s",
					  w->ctx->pool->servers[w->idx].name, strerror(errno));
		return -3;
	}
	return 0;
}

/* Fetches the values of every spilled key in pipelined batches and delivers them. */
static int fetch_spilled(struct worker *w, char **cause)
{
	int r, ret = 0;
	struct batch *b = &w->b[w->cur];
	if (fflush(w->spill) != 0 || fseek(w->spill, 0, SEEK_SET) != 0) {
		*cause = xasprintf("temporary key file: %s", strerror(errno));
		return -1;
	}
	w->spill_mark = (struct spill_mark){ .key_len = 0 };	/* as when they were written */
	while (ret == 0 && (r = spill_read(w, &b->item[b->n])) == 1) {
		if (++b->n < BATCH)
			continue;
		if (cancelled(w))
			return -2;
		ret = turn_batch(w, cause);
		b = &w->b[w->cur];
	}
	if (ret == 0 && r < 0) {
		*cause = xasprintf("temporary key file: read error");
		return -1;
	}
	if (ret == 0)		/* the last batch, then the one before it */
		ret = turn_batch(w, cause);
	return ret ? ret : turn_batch(w, cause);
}

/* Does the scan fetch anything after the walk (values, meta or locks)? */
static int fetching(const struct scan_opts *o)
{
	return o->values || o->meta || o->locks;
}

/* Step one of a worker: walks the server's keys, delivering them, or keeping them in the spill
 * file for step two. */
static void *worker_walk(void *arg)
{
	struct worker *w = arg;
	const struct pool *p = w->ctx->pool;
	const struct pool_server *s = &p->servers[w->idx];
	struct conn md;
	char *cause = NULL;
	int ret = -1;
	w->spill_mark = (struct spill_mark){ .key_len = 0 };
	if ((!fetching(w->ctx->o) || (w->spill = spill_open(&w->spill_buf, &cause)) != NULL) &&
	    conn_open(&md, s, p->timeout_ms, &cause) == 0) {
		ret = metadump_stream(&md, on_item, w, &w->tally.method, &cause);
		if (ret == -3) {
			cause = w->tally.error;
			w->tally.error = NULL;
			ret = -1;
		}
		if (ret == 0)	/* the walk read to its end */
			conn_park(&md);
		else
			conn_close(&md);
	}
	w->walk_ret = ret;
	w->walk_cause = cause;
	return NULL;
}

/* Step two: fetches what the kept keys need, and says how the server's walk ended. */
static void *worker_fetch(void *arg)
{
	struct worker *w = arg;
	const struct pool *p = w->ctx->pool;
	const struct pool_server *s = &p->servers[w->idx];
	char *cause = w->walk_cause;
	int ret = w->walk_ret;
	if (ret == 0 && fetching(w->ctx->o)) {
		ret = conn_open(&w->mg, s, p->timeout_ms, &cause) == 0 ? 0 : -1;
		w->mg_open = ret == 0;
		if (ret == 0 && w->ctx->o->on_connect)
			w->ctx->o->on_connect(w->idx, w->mg.fd, w->ctx->arg);
		if (ret == 0)
			ret = fetch_spilled(w, &cause);
	}
	if (w->spill)
		fclose(w->spill);
	w->spill = NULL;
	free(w->spill_buf);
	w->spill_buf = NULL;
	if (ret == -1 || ret == -2) {
		w->tally.failed = 1;
		w->tally.error = cause ? cause : xasprintf("server %s: cancelled", s->name);
	} else {
		free(cause);
	}
	if (w->mg_open && ret == 0)
		conn_park(&w->mg);
	else if (w->mg_open)
		conn_close(&w->mg);
	return NULL;
}

/* Both steps: one server on its own. */
static void *worker_run(void *arg)
{
	worker_walk(arg);
	return worker_fetch(arg);
}

static void worker_release(struct worker *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w->lockc_state[i] == 1)	/* check_locks reads every reply */
			conn_park(&w->lockc[i]);
	free(w->lockc);
	free(w->lockc_state);
}

/* A SASL pool cannot be walked: every server fails at once, saying why. */
static int refuse_sasl(const struct pool *p, struct scan_server *out)
{
	memset(out, 0, p->n * sizeof(*out));
	for (size_t i = 0; i < p->n; i++) {
		out[i].failed = 1;
		out[i].error = xasprintf("server %s: --sasl: SASL, memcached -S, speaks only the "
					 "binary protocol: memcsess cannot list keys there; give "
					 "session ids (inspect SID, expire SID..., migrate --sids)",
					 p->servers[i].name);
	}
	return 0;
}

/* Runs body for every worker, one thread each (in this thread when one cannot be had). */
static void run_workers(struct worker *ws, size_t n, void *(*body)(void *))
{
	pthread_t *tids = xcalloc(n, sizeof(*tids));
	int *started = xcalloc(n, sizeof(*started));
	for (size_t i = 0; i < n; i++) {
		started[i] = pthread_create(&tids[i], NULL, body, &ws[i]) == 0;
		if (!started[i])
			body(&ws[i]);
	}
	for (size_t i = 0; i < n; i++)
		if (started[i])
			pthread_join(tids[i], NULL);
	free(tids);
	free(started);
}

/* After every walk: may a session whose lock key no walk saw be taken as not locked? Only
 * when every server was walked whole, through its hash table (metadump hash), and the lock
 * keys were few enough to keep. */
static int locks_from_walks(const struct worker *ws, size_t n)
{
	if (ws[0].ctx->locks_overflow)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (ws[i].walk_ret != 0 || ws[i].tally.method != ENUM_METADUMP_HASH)
			return 0;
	return 1;
}

int scan_pool(const struct pool *p, const struct scan_opts *o, scan_fn fn, void *arg,
	      struct scan_server *out)
{
	if (p->sasl)
		return refuse_sasl(p, out);
	struct scan_ctx ctx = { .pool = p, .o = o, .fn = fn, .arg = arg };
	pthread_mutex_init(&ctx.lock, NULL);
	struct worker *ws = xcalloc_lines(p->n, sizeof(*ws));
	memset(out, 0, p->n * sizeof(*out));
	for (size_t i = 0; i < p->n; i++) {
		ws[i].ctx = &ctx;
		ws[i].idx = i;
		ws[i].lockc = xcalloc(p->n, sizeof(struct conn));
		ws[i].lockc_state = xcalloc(p->n, sizeof(int));
	}
	if (o->locks) {		/* a session's lock key may live on any server: walk them all first */
		run_workers(ws, p->n, worker_walk);
		ctx.locks_known = locks_from_walks(ws, p->n);
		run_workers(ws, p->n, worker_fetch);
	} else {
		run_workers(ws, p->n, worker_run);
	}
	for (size_t i = 0; i < p->n; i++) {
		out[i] = ws[i].tally;
		worker_release(&ws[i], p->n);
	}
	free(ws);
	keyset_release(&ctx.locks);
	pthread_mutex_destroy(&ctx.lock);
	return ctx.stop;
}

void scan_server_release(struct scan_server *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].error);
		s[i].error = NULL;
	}
}
