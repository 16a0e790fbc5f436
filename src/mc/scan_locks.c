/* scan_locks.c: whether each session the walk fetches is locked (see scan_int.h). PHP keeps a
 * session's lock at "<prefix>lock.<sid>", placed by hashing "lock.<sid>": on any server of the
 * pool. The walks keep every lock key they meet; a session whose lock key's server was walked
 * whole, and whose lock key no walk met, is not locked. Other lock keys are looked up. */
#include "mc/meta.h"
#include "mc/scan_int.h"

#include <stdlib.h>
#include <string.h>

/* Returns the thread's open lock connection to server i, or NULL when it cannot be had. */
static struct conn *lock_conn(struct srv *s, size_t i)
{
	const struct pool *p = s->ctx->pool;
	struct thr *t = s->thr;
	if (t->lockc_state[i] == 0 && __atomic_load_n(&s->ctx->srv[i].unreachable, __ATOMIC_RELAXED))
		t->lockc_state[i] = -1;
	if (t->lockc_state[i] == 0) {
		char *cause = NULL;
		t->lockc_state[i] = conn_open(&t->lockc[i], &p->servers[i], p->timeout_ms, &cause)
					    ? -1 : 1;
		free(cause);
		if (t->lockc_state[i] == 1 && s->ctx->o->on_connect)
			s->ctx->o->on_connect(i, t->lockc[i].fd, s->ctx->arg);
	}
	return t->lockc_state[i] == 1 ? &t->lockc[i] : NULL;
}

/* Builds the lock key of session sid into out. */
static void lock_key(const struct pool *p, const char *sid, size_t n, struct buf *out)
{
	buf_reset(out);
	buf_add(out, p->prefix, p->prefix_len);
	buf_adds(out, "lock.");
	buf_add(out, sid, n);
}

/* Is it known whether the lock key of sid, which lives on server home, is there? When the walk
 * of home met every key, and every lock key it met is kept. */
static int lock_known(const struct scan_ctx *ctx, size_t home)
{
	return !ctx->locks_overflow && ctx->srv[home].walk_ret == 0 &&
	       ctx->srv[home].tally.method == ENUM_METADUMP_HASH;
}

/* Queues the look-up of the lock key of each session of b on its home server; homes[i] says
 * where, or (size_t)-1 when b->locked[i] is known without one. */
static void queue_locks(struct srv *s, struct batch *b, size_t *homes)
{
	const struct scan_ctx *ctx = s->ctx;
	const struct pool *p = ctx->pool;
	struct buf k = BUF_INIT, tmp = BUF_INIT;
	for (size_t i = 0; i < b->n; i++) {
		struct sess_rec r;
		rec_classify(s, &b->item[i], &r);
		b->locked[i] = -1;
		homes[i] = (size_t)-1;
		if (r.kind != REC_SESSION)
			continue;
		int seen = keyset_has(&ctx->locks, r.sid, r.sid_len);
		if (ctx->locks_known && !seen) {
			b->locked[i] = 0;
			continue;
		}
		buf_reset(&tmp);
		buf_add(&tmp, "lock.", 5);
		buf_add(&tmp, r.sid, r.sid_len);
		homes[i] = pool_home(p, tmp.ptr, tmp.len);
		if (!seen && lock_known(ctx, homes[i])) {	/* a server that failed elsewhere */
			b->locked[i] = 0;
			homes[i] = (size_t)-1;
			continue;
		}
		lock_key(p, r.sid, r.sid_len, &k);
		struct conn *c = lock_conn(s, homes[i]);
		if (c)
			meta_queue_get(c, k.ptr, k.len, 0);
		else
			homes[i] = (size_t)-1;
	}
	buf_release(&k);
	buf_release(&tmp);
}

/* Looks up the lock key of every session in the batch (pipelined per server): when the walks
 * saw every key, only of the sessions whose lock key they saw, to confirm it is still there.
 * These connections are few and their replies small: they are waited for. */
void check_locks(struct srv *s, struct batch *b)
{
	struct thr *t = s->thr;
	size_t homes[BATCH];
	if (s->ctx->locks_known && s->ctx->locks.n == 0) {	/* the walks met no lock key */
		memset(b->locked, 0, b->n * sizeof(b->locked[0]));
		return;
	}
	queue_locks(s, b, homes);
	for (size_t i = 0; i < s->ctx->pool->n; i++) {
		char *cause = NULL;
		if (t->lockc_state[i] == 1 && conn_flush(&t->lockc[i], &cause) < 0) {
			conn_close(&t->lockc[i]);
			t->lockc_state[i] = -1;
		}
		free(cause);
	}
	for (size_t i = 0; i < b->n; i++) {
		if (homes[i] == (size_t)-1 || t->lockc_state[homes[i]] != 1)
			continue;
		struct mg_reply rep;
		char *cause = NULL;
		if (meta_read_get(&t->lockc[homes[i]], "lock", &rep, NULL, &cause) < 0) {
			conn_close(&t->lockc[homes[i]]);
			t->lockc_state[homes[i]] = -1;
			free(cause);
			continue;
		}
		b->locked[i] = rep.found;
		b->lock_ttl[i] = rep.ttl;
	}
}

/* Keeps the sid of a lock key the walk met, so that sessions without one need no look-up. */
void lock_seen(struct scan_ctx *ctx, const struct sess_rec *r)
{
	pthread_mutex_lock(&ctx->lock);
	if (ctx->locks.n >= LOCKS_KEPT)
		ctx->locks_overflow = 1;
	else
		keyset_add(&ctx->locks, r->sid, r->sid_len);
	pthread_mutex_unlock(&ctx->lock);
}

/* After every walk: may a session whose lock key no walk saw be taken as not locked? Only
 * when every server was walked whole (see lock_known). */
int locks_from_walks(const struct scan_ctx *ctx)
{
	for (size_t i = 0; i < ctx->pool->n; i++)
		if (!lock_known(ctx, i))
			return 0;
	return 1;
}

void lock_conns_init(struct thr *t)
{
	t->lockc = xcalloc(t->ctx->pool->n, sizeof(struct conn));
	t->lockc_state = xcalloc(t->ctx->pool->n, sizeof(int));
}

void lock_conns_release(struct thr *t)
{
	for (size_t k = 0; k < t->ctx->pool->n; k++)
		if (t->lockc_state[k] == 1)	/* check_locks reads every reply */
			conn_park(&t->lockc[k]);
	free(t->lockc);
	free(t->lockc_state);
}
