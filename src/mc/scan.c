/* scan.c: the pool walk (see scan.h). A fixed set of threads (the pool's threads setting, else
 * one a core) shares the servers out; each thread works on up to ACTIVE of its servers at once,
 * reading without waiting on any one of them and sleeping in poll() until one has something.
 * A server's keys stream from metadump into memory or a spill file (spill.c), then their
 * values come back from pipelined mg batches. Threads, connections and buffers are bounded by
 * the thread count, not by the pool's size. */
#include "mc/meta.h"
#include "mc/scan_int.h"

#include <errno.h>
#include <fnmatch.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Reads from one server before the thread's other servers get their turn. */
#define STEP_READS 16
/* How often a wait looks at the cancel flag. */
#define CANCEL_CHECK_MS 100
#define METADUMP_CMD "lru_crawler metadump hash"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

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

static int cancelled(const struct scan_ctx *ctx)
{
	const struct scan_opts *o = ctx->o;
	return (o->cancel && *o->cancel) || __atomic_load_n(&ctx->stop, __ATOMIC_RELAXED);
}

/* Does the scan fetch anything after the walk (values, meta or locks)? */
static int fetching(const struct scan_opts *o)
{
	return o->values || o->meta || o->locks;
}

/* The server PHP reads r from (r classified). */
static size_t rec_home(const struct pool *p, const struct sess_rec *r)
{
	if (r->kind == REC_LOCK)	/* PHP hashes "lock.<sid>" for the lock key */
		return pool_home(p, r->sid - 5, r->sid_len + 5);
	return pool_home(p, r->sid, r->sid_len);
}

void rec_classify(struct srv *s, const struct md_item *it, struct sess_rec *r)
{
	const struct pool *p = s->ctx->pool;
	memset(r, 0, sizeof(*r));
	r->server = s->idx;
	r->worker = s->thr->t;
	r->key = it->key;
	r->key_len = it->key_len;
	scan_classify(p->prefix, p->prefix_len, r);
	r->exp = it->exp;
	r->ttl = it->exp < 0 ? -1 : (it->exp > s->now ? it->exp - s->now : 0);
	r->la = it->la;
	r->idle = it->la < 0 ? -1 : (s->now > it->la ? s->now - it->la : 0);
	r->cas = it->cas;
	r->item_size = it->size;
	r->flags = it->flags;
	r->locked = -1;
	r->lock_ttl = -1;
}

/* rec_classify and the home server. */
static void rec_from_item(struct srv *s, const struct md_item *it, struct sess_rec *r)
{
	rec_classify(s, it, r);
	r->home = rec_home(s->ctx->pool, r);
}

/* Hands one record to the callback (under the scan lock unless the callback is parallel). */
static int deliver(struct scan_ctx *ctx, const struct sess_rec *r)
{
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
			__atomic_store_n(&ctx->stop, ret, __ATOMIC_RELAXED);
	} else {
		ret = ctx->stop;
	}
	pthread_mutex_unlock(&ctx->lock);
	return ret;
}

/* Is this item wanted at all (kind and sid pattern)? Counts it; r is classified, its home
 * server left out. */
static int wanted(struct srv *s, const struct md_item *it, struct sess_rec *r)
{
	const struct scan_opts *o = s->ctx->o;
	rec_classify(s, it, r);
	if (r->kind == REC_SESSION) {
		s->tally.sessions++;
	} else if (r->kind == REC_LOCK) {
		s->tally.locks++;
		if (o->locks)
			lock_seen(s->ctx, r);
	} else {
		s->tally.other++;
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

/* Metadump callback: deliver directly, or keep the key for fetching its value. Returns 0, the
 * callback's stop value, -2 cancelled, or -3 with tally.error (the spill file failed). */
static int on_item(const struct md_item *it, void *arg)
{
	struct srv *s = arg;
	struct sess_rec r;
	if (cancelled(s->ctx))
		return -2;
	s->now = time(NULL);
	if (!wanted(s, it, &r))
		return 0;
	if (!fetching(s->ctx->o)) {
		r.home = rec_home(s->ctx->pool, &r);
		return deliver(s->ctx, &r);
	}
	char *cause = NULL;
	if (spill_write(&s->spill, it, &cause) < 0) {
		s->tally.error = xasprintf("server %s: keeping the keys the walk met: %s",
					  s->ctx->pool->servers[s->idx].name, cause);
		free(cause);
		return -3;
	}
	return 0;
}

/* The server is through: says how it ended (ret -1 or -2 fail it, with cause or "cancelled")
 * and lets go of what it held. */
static void srv_finish(struct srv *s, int ret, char *cause)
{
	const struct pool_server *ps = &s->ctx->pool->servers[s->idx];
	spill_close(&s->spill);
	free(s->b);
	s->b = NULL;
	if (ret == -1 || ret == -2) {
		s->tally.failed = 1;
		s->tally.error = cause ? cause : xasprintf("server %s: cancelled", ps->name);
	} else {
		free(cause);
	}
	if (s->mg_open && ret == 0)
		conn_park(&s->mg);
	else if (s->mg_open)
		conn_close(&s->mg);
	s->mg_open = 0;
	s->state = SRV_DONE;
}

/* Fills b with the next spilled keys and sends their mg requests (after their lock look-ups);
 * an empty b at the end of the keys. Returns 0 or -1 with *cause. */
static int send_next(struct srv *s, struct batch *b, char **cause)
{
	const struct scan_opts *o = s->ctx->o;
	int r = 1;
	b->n = b->pos = 0;
	while (b->n < BATCH && (r = spill_read(&s->spill, &b->item[b->n])) == 1)
		b->n++;
	if (r < 0) {
		*cause = xasprintf("temporary key file: read error");
		return -1;
	}
	if (b->n == 0)
		return 0;
	s->now = b->now = time(NULL);
	if (o->locks)
		check_locks(s, b);
	for (size_t i = 0; i < b->n; i++)
		meta_queue_get(&s->mg, b->item[i].key, b->item[i].key_len, o->values);
	s->deadline = now_ms() + s->ctx->pool->timeout_ms;
	return conn_flush(&s->mg, cause);
}

/* The values' connection is open: sends the first two batches, or ends the server when there
 * is nothing to fetch. */
static void fetch_ready(struct srv *s)
{
	char *cause = NULL;
	int ret = 0;
	s->connecting = 0;
	if (s->ctx->o->on_connect)
		s->ctx->o->on_connect(s->idx, s->mg.fd, s->ctx->arg);
	ret = spill_rewind(&s->spill, &cause);
	if (ret == 0) {
		s->b = xcalloc(2, sizeof(*s->b));
		s->rd = 0;
		ret = send_next(s, &s->b[0], &cause);
	}
	if (ret == 0 && s->b[0].n == BATCH)
		ret = send_next(s, &s->b[1], &cause);
	if (ret == 0 && s->b[0].n > 0) {
		s->state = SRV_FETCH;
		s->hot = 1;	/* replies may be in already (TLS) */
		return;
	}
	srv_finish(s, ret, cause);
}

/* Step two: starts opening the values' connection, or ends the server when its walk failed or
 * there is nothing to fetch. */
static void fetch_begin(struct srv *s)
{
	const struct pool *p = s->ctx->pool;
	char *cause = s->walk_cause;
	int ret = s->walk_ret;
	s->walk_cause = NULL;
	if (ret == 0 && fetching(s->ctx->o) && cancelled(s->ctx))
		ret = -2;
	if (ret != 0 || !fetching(s->ctx->o)) {
		srv_finish(s, ret, cause);
		return;
	}
	int r = conn_open_start(&s->mg, &p->servers[s->idx], p->timeout_ms, &cause);
	if (r < 0) {
		srv_finish(s, -1, cause);
		return;
	}
	s->mg_open = 1;
	if (r == 1) {
		fetch_ready(s);
		return;
	}
	s->state = SRV_FETCH;
	s->connecting = 1;
	s->hot = 0;
	s->deadline = now_ms() + p->timeout_ms;
}

/* The walk ended (ret as walk_ret): next, the values, or (when every walk must end first)
 * waiting for them. */
static void walk_done(struct srv *s, int ret, char *cause)
{
	if (s->md_open && ret == 0)
		conn_park(&s->md);
	else if (s->md_open)
		conn_close(&s->md);
	s->md_open = 0;
	s->walk_ret = ret;
	s->walk_cause = cause;
	if (s->ctx->phase == PH_WALK) {
		spill_pause(&s->spill);
		s->state = SRV_WALKED;
		return;
	}
	fetch_begin(s);
}

/* Asks for the keys (again, after a busy crawler). */
static void walk_send(struct srv *s)
{
	char *cause = NULL;
	s->retry_at = 0;
	s->connecting = 0;
	if (conn_command(&s->md, METADUMP_CMD, &cause) < 0) {
		walk_done(s, -1, cause);
		return;
	}
	s->state = SRV_WALK;
	s->first_line = 1;
	s->deadline = now_ms() + s->ctx->pool->timeout_ms;
}

/* Step one: connects and asks for the keys. */
static void walk_begin(struct srv *s)
{
	const struct pool *p = s->ctx->pool;
	char *cause = NULL;
	s->tally.method = ENUM_METADUMP_HASH;
	if (cancelled(s->ctx)) {
		walk_done(s, -2, NULL);
		return;
	}
	if (fetching(s->ctx->o))
		spill_open(&s->spill);
	int r = conn_open_start(&s->md, &p->servers[s->idx], p->timeout_ms, &cause);
	if (r < 0) {
		__atomic_store_n(&s->unreachable, 1, __ATOMIC_RELAXED);
		walk_done(s, -1, cause);
		return;
	}
	s->md_open = 1;
	if (r == 1) {
		walk_send(s);
		return;
	}
	s->state = SRV_WALK;
	s->connecting = 1;
	s->hot = 0;
	s->deadline = now_ms() + p->timeout_ms;
}

/* The server refused metadump hash: the older ways (metadump all, cachedump) and the reasons
 * (a login wanted), as metadump_stream has them, waiting on this server alone. Rare: servers
 * older than 1.5.19, or with key listing disabled. */
static void walk_old_ways(struct srv *s)
{
	char *cause = NULL;
	int ret = metadump_stream(&s->md, on_item, s, &s->tally.method, &cause);
	if (ret == -3) {
		cause = s->tally.error;
		s->tally.error = NULL;
		ret = -1;
	}
	walk_done(s, ret, cause);
}

/* One line of the metadump reply: 0 go on, 1 the walk ended or waits (state changed). */
static int walk_line(struct srv *s, const char *line, size_t len)
{
	struct md_item it;
	char *cause = NULL;
	int first = s->first_line;
	s->first_line = 0;
	enum md_line r = metadump_parse_line(line, len, &it, &cause);
	if (r == MD_ITEM) {
		int v = on_item(&it, s);
		if (v == 0)
			return 0;
		if (v == -3) {
			cause = s->tally.error;
			s->tally.error = NULL;
			v = -1;
		}
		walk_done(s, v, cause);
	} else if (r == MD_END) {
		walk_done(s, 0, NULL);
	} else if (first && strstr(cause, "'BUSY") && s->busy_tries++ < 50) {
		free(cause);	/* another crawl runs: ask again in a while */
		s->retry_at = now_ms() + 100;
	} else if (first && metadump_refused(line, len)) {
		free(cause);
		walk_old_ways(s);
	} else if (first) {
		free(cause);
		walk_done(s, -1, metadump_unexpected(&s->md, METADUMP_CMD, line, len));
	} else {
		char *inner = cause;
		cause = xasprintf("server %s: %s: %s", s->md.name, METADUMP_CMD, inner);
		free(inner);
		walk_done(s, -1, cause);
	}
	return 1;
}

/* Reads what the walk's connection has and handles its whole lines. */
static void walk_step(struct srv *s)
{
	const char *line;
	size_t len;
	char *cause = NULL;
	for (int k = 0; k < STEP_READS; k++) {
		int r = conn_pull(&s->md, &cause);
		if (r <= 0) {
			s->hot = 0;
			if (r < 0)
				walk_done(s, -1, cause);
			return;
		}
		s->deadline = now_ms() + s->ctx->pool->timeout_ms;
		while ((r = conn_readline_now(&s->md, &line, &len, &cause)) == 1)
			if (walk_line(s, line, len))
				return;
		if (r < 0) {
			walk_done(s, -1, cause);
			return;
		}
	}
	s->hot = 1;
}

/* Reads the reply to the next key of b and delivers its record: 0, the callback's stop value,
 * or -1 with *cause. */
static int read_reply(struct srv *s, struct batch *b, char **cause)
{
	const struct scan_opts *o = s->ctx->o;
	const struct md_item *it = &b->item[b->pos];
	struct mg_reply rep;
	struct sess_rec r;
	if (meta_read_get(&s->mg, it->key, &rep, NULL, cause) < 0)
		return -1;
	s->now = b->now;
	if (!rep.found) {
		s->tally.gone++;
		b->pos++;
		return 0;
	}
	rec_from_item(s, it, &r);
	r.have_meta = 1;
	r.flags = rep.flags;
	r.ttl = rep.ttl;
	r.exp = rep.ttl < 0 ? -1 : s->now + rep.ttl;
	if (rep.idle >= 0) {
		r.idle = rep.idle;
		r.la = s->now - rep.idle;
	}
	r.cas = rep.cas;
	r.value_len = rep.size;
	r.value = !o->values ? NULL : rep.value ? rep.value : "";
	if (o->locks) {
		r.locked = r.kind == REC_SESSION ? b->locked[b->pos] : -1;
		r.lock_ttl = b->lock_ttl[b->pos];
	}
	b->pos++;
	return deliver(s->ctx, &r);
}

/* Handles every reply buffered whole, sending the next batch when one is through: 0 go on,
 * 1 the server is through (or the callback stopped it), -1 with *cause. */
static int fetch_replies(struct srv *s, int *stop, char **cause)
{
	for (;;) {
		struct batch *b = &s->b[s->rd];
		if (b->pos == b->n) {
			if (send_next(s, b, cause) < 0)
				return -1;
			s->rd ^= 1;
			if (s->b[s->rd].n == 0)
				return 1;
			continue;
		}
		if (!meta_reply_ready(&s->mg))
			return 0;
		int r = read_reply(s, b, cause);
		if (r < 0)
			return -1;
		if (r > 0) {
			*stop = r;
			return 1;
		}
	}
}

/* Reads what the values' connection has and handles the replies. */
static void fetch_step(struct srv *s)
{
	char *cause = NULL;
	int stop = 0;
	for (int k = 0; k <= STEP_READS; k++) {
		int r = fetch_replies(s, &stop, &cause);
		if (r != 0) {
			srv_finish(s, r < 0 ? -1 : stop, cause);
			return;
		}
		if (k == STEP_READS)
			break;
		if ((r = conn_pull(&s->mg, &cause)) <= 0) {
			s->hot = 0;
			if (r < 0)
				srv_finish(s, -1, cause);
			return;
		}
		s->deadline = now_ms() + s->ctx->pool->timeout_ms;
	}
	s->hot = 1;
}

/* Starts server s on thread t: its walk, or (after every walk) its values. */
static void srv_start(struct thr *t, struct srv *s)
{
	s->thr = t;
	if (t->ctx->phase == PH_FETCH)
		fetch_begin(s);
	else
		walk_begin(s);
}

/* Is s waiting on its server? */
static int srv_waiting(const struct srv *s)
{
	return s->state == SRV_WALK || s->state == SRV_FETCH;
}

/* Starts the thread's next servers while it has room for them. */
static void top_up(struct thr *t)
{
	struct scan_ctx *ctx = t->ctx;
	while (t->nact < ACTIVE) {
		size_t i = t->t + t->next * ctx->nthreads;
		if (i >= ctx->pool->n)
			return;
		t->next++;
		srv_start(t, &ctx->srv[i]);
		if (srv_waiting(&ctx->srv[i]))
			t->act[t->nact++] = &ctx->srv[i];
	}
}

/* Ends a server that is still waiting: cancelled (ret -2), or past its deadline (-1). */
static void srv_abort(struct srv *s, int ret)
{
	struct conn *c = s->state == SRV_WALK ? &s->md : &s->mg;
	const char *what = s->connecting ? "connecting" : "waiting for a reply";
	char *cause = ret == -1 ? conn_timeout_cause(c, what) : NULL;
	if (ret == -1)
		__atomic_store_n(&s->unreachable, 1, __ATOMIC_RELAXED);
	if (s->state == SRV_WALK)
		walk_done(s, ret, cause);
	else
		srv_finish(s, ret, cause);
}

/* Fills t->pfd with what each active server waits for; returns the poll timeout in ms. */
static int poll_set(struct thr *t, double now)
{
	double wait = t->ctx->o->cancel ? CANCEL_CHECK_MS : 1e9;
	for (size_t i = 0; i < t->nact; i++) {
		struct srv *s = t->act[i];
		int busy = s->state == SRV_WALK && s->retry_at > 0;
		double until = (busy ? s->retry_at : s->deadline) - now;
		t->pfd[i].fd = busy ? -1 : s->state == SRV_WALK ? s->md.fd : s->mg.fd;
		t->pfd[i].events = s->connecting ? POLLOUT : POLLIN;
		t->pfd[i].revents = 0;
		if (s->hot)
			until = 0;
		if (until < wait)
			wait = until;
	}
	return wait <= 0 ? 0 : (int)(wait + 0.999);
}

/* The connection s waited for is made (or failed, or goes on to the next address). */
static void srv_connected(struct srv *s)
{
	int walk = s->state == SRV_WALK;
	char *cause = NULL;
	int r = conn_open_finish(walk ? &s->md : &s->mg, &cause);
	if (r == 0) {
		s->deadline = now_ms() + s->ctx->pool->timeout_ms;
		return;
	}
	if (r < 0)
		__atomic_store_n(&s->unreachable, 1, __ATOMIC_RELAXED);
	if (r < 0 && walk) {
		s->md_open = 0;
		walk_done(s, -1, cause);
	} else if (r < 0) {
		s->mg_open = 0;
		srv_finish(s, -1, cause);
	} else if (walk) {
		walk_send(s);
	} else {
		fetch_ready(s);
	}
}

/* Gives active server s its turn after a poll. */
static void srv_turn(struct srv *s, short revents, double now)
{
	if (s->state == SRV_WALK && s->retry_at > 0) {
		if (now >= s->retry_at)
			walk_send(s);
	} else if (s->connecting) {
		if (revents)
			srv_connected(s);
		else if (now >= s->deadline)
			srv_abort(s, -1);
	} else if (revents || s->hot) {
		if (s->state == SRV_WALK)
			walk_step(s);
		else
			fetch_step(s);
	} else if (now >= s->deadline) {
		srv_abort(s, -1);
	}
}

/* One round: waits for any active server and gives each its turn. */
static void round_once(struct thr *t)
{
	int ms = poll_set(t, now_ms());
	if (poll(t->pfd, t->nact, ms) < 0 && errno != EINTR)
		ms = 0;		/* cannot happen with valid descriptors; go on by deadlines */
	double now = now_ms();
	for (size_t i = 0; i < t->nact; i++) {
		struct srv *s = t->act[i];
		if (srv_waiting(s) && cancelled(t->ctx))
			srv_abort(s, -2);
		if (srv_waiting(s))
			srv_turn(s, t->pfd[i].revents, now);
	}
	size_t n = 0;
	for (size_t i = 0; i < t->nact; i++)
		if (srv_waiting(t->act[i]))
			t->act[n++] = t->act[i];
	t->nact = n;
}

/* A thread: its servers, ACTIVE at a time, until each is through. */
static void *thr_run(void *arg)
{
	struct thr *t = arg;
	for (top_up(t); t->nact > 0; top_up(t))
		round_once(t);
	return NULL;
}

/* Runs every thread of the scan through the phase, the first in this thread. */
static void run_phase(struct scan_ctx *ctx, struct thr *ts, enum phase ph)
{
	pthread_t tids[MAX_THREADS];
	int started[MAX_THREADS] = { 0 };
	ctx->phase = ph;
	for (size_t i = 0; i < ctx->nthreads; i++) {
		ts[i].next = 0;
		ts[i].nact = 0;
	}
	for (size_t i = 1; i < ctx->nthreads; i++)
		started[i] = pthread_create(&tids[i], NULL, thr_run, &ts[i]) == 0;
	thr_run(&ts[0]);
	for (size_t i = 1; i < ctx->nthreads; i++)
		if (!started[i])
			thr_run(&ts[i]);
	for (size_t i = 1; i < ctx->nthreads; i++)
		if (started[i])
			pthread_join(tids[i], NULL);
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

size_t scan_threads(const struct pool *p)
{
	long n = p->threads > 0 ? p->threads : sysconf(_SC_NPROCESSORS_ONLN);
	if (p->threads <= 0 && n < 2)
		n = 2;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	return (size_t)n < p->n ? (size_t)n : p->n;
}

static void threads_init(struct scan_ctx *ctx, struct thr *ts)
{
	for (size_t i = 0; i < ctx->nthreads; i++) {
		ts[i].ctx = ctx;
		ts[i].t = i;
		lock_conns_init(&ts[i]);
	}
}

static void threads_release(struct scan_ctx *ctx, struct thr *ts)
{
	for (size_t i = 0; i < ctx->nthreads; i++)
		lock_conns_release(&ts[i]);
}

int scan_pool(const struct pool *p, const struct scan_opts *o, scan_fn fn, void *arg,
	      struct scan_server *out)
{
	if (p->sasl)
		return refuse_sasl(p, out);
	struct scan_ctx ctx = { .pool = p, .o = o, .fn = fn, .arg = arg };
	struct thr ts[MAX_THREADS];
	memset(ts, 0, sizeof(ts));
	pthread_mutex_init(&ctx.lock, NULL);
	ctx.srv = xcalloc_lines(p->n, sizeof(*ctx.srv));
	ctx.nthreads = scan_threads(p);
	memset(out, 0, p->n * sizeof(*out));
	for (size_t i = 0; i < p->n; i++) {
		ctx.srv[i].ctx = &ctx;
		ctx.srv[i].idx = i;
		ctx.srv[i].spill.fd = -1;
	}
	threads_init(&ctx, ts);
	if (o->locks) {		/* a lock key may live on any server: walk them all first */
		run_phase(&ctx, ts, PH_WALK);
		ctx.locks_known = locks_from_walks(&ctx);
		run_phase(&ctx, ts, PH_FETCH);
	} else {
		run_phase(&ctx, ts, PH_BOTH);
	}
	threads_release(&ctx, ts);
	for (size_t i = 0; i < p->n; i++)
		out[i] = ctx.srv[i].tally;
	free(ctx.srv);
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
