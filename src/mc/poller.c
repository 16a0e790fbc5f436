/* poller.c: background stats sampling (see poller.h). Each server has a thread that keeps one
 * connection open and sends "stats" at every tick of a shared clock (t0 + k * interval), so
 * a stalled server delays only its own thread, bounded by the pool's timeout. A separate
 * thread counts sessions with key dumps, one server after the other, far less often. Every
 * network wait can be broken off: the descriptor in use is registered, and poller_free shuts
 * it down. */
#include "mc/poller.h"
#include "mc/conn.h"
#include "mc/stats_binary.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct srv {
	struct poller *pl;
	size_t idx;
	pthread_t tid;
	int started;
	struct conn c;		/* the stats connection; thread-private */
	int open;
	memcached_st *bin;	/* SASL pool: the binary-protocol handle; thread-private */
	struct stats_sample prev;	/* thread-private */
	int have_prev;
	/* under pl->lock: */
	int busy_fd;		/* descriptor to shut down on stop; -1 none */
	struct srv_snap snap;
	double ring[POLL_HIST];
	size_t ring_head, ring_n;
};

struct poller {
	const struct pool *p;
	struct poller_opts o;
	double t0;
	struct srv *srv;
	pthread_t counter;
	int counter_started;
	int pending;		/* a wake is outstanding (atomic) */
	int stop;		/* atomic; written under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* under lock: */
	int count_fd;
	int counting, count_req, count_paused;
	double next_count;	/* 0: no automatic count planned */
};

/* Tells the caller there is news, once until its next snapshot. */
static void notify(struct poller *pl)
{
	if (pl->o.wake && !__atomic_exchange_n(&pl->pending, 1, __ATOMIC_ACQ_REL))
		pl->o.wake(pl->o.wake_arg);
}

static int stopping(struct poller *pl)
{
	return __atomic_load_n(&pl->stop, __ATOMIC_ACQUIRE);
}

/* Waits until the monotonic time deadline (or a wake-up of the condition); returns 1 when
 * the poller is stopping. Called with the lock held. */
static int wait_locked(struct poller *pl, double deadline)
{
	if (stopping(pl))
		return 1;
	if (deadline <= 0) {
		pthread_cond_wait(&pl->cond, &pl->lock);
	} else {
		struct timespec ts;
		ts.tv_sec = (time_t)deadline;
		ts.tv_nsec = (long)((deadline - floor(deadline)) * 1e9);
		pthread_cond_timedwait(&pl->cond, &pl->lock, &ts);
	}
	return stopping(pl);
}

/* Sleeps until deadline; returns 1 when the poller is stopping. */
static int sleep_until(struct poller *pl, double deadline)
{
	int stop = 0;
	pthread_mutex_lock(&pl->lock);
	while (!stop && stats_now() < deadline)
		stop = wait_locked(pl, deadline);
	pthread_mutex_unlock(&pl->lock);
	return stop || stopping(pl);
}

/* Registers fd as the one to shut down on stop (-1 clears); returns -1 when already stopping. */
static int set_busy(struct poller *pl, int *slot, int fd)
{
	pthread_mutex_lock(&pl->lock);
	int stop = stopping(pl);
	*slot = stop ? -1 : fd;
	pthread_mutex_unlock(&pl->lock);
	return stop && fd >= 0 ? -1 : 0;
}

/* Opens the stats connection of s when it is not open. */
static int srv_connect(struct srv *s, char **cause)
{
	const struct pool *p = s->pl->p;
	if (s->open)
		return 0;
	if (conn_open(&s->c, &p->servers[s->idx], p->timeout_ms, cause) < 0)
		return -1;
	s->open = 1;
	if (set_busy(s->pl, &s->busy_fd, s->c.fd) < 0) {
		*cause = xasprintf("server %s: stopped", p->servers[s->idx].name);
		return -1;
	}
	return 0;
}

static void srv_disconnect(struct srv *s)
{
	if (!s->open)
		return;
	set_busy(s->pl, &s->busy_fd, -1);
	conn_close(&s->c);
	s->open = 0;
}

/* What a failed sample means for the server's state. */
static enum srv_state failure_state(int r, const char *cause)
{
	/* refused without a login (STATS_AUTH), or conn_open's login failed */
	if (r == STATS_AUTH || (cause && strstr(cause, "authentication")))
		return SRV_AUTH;
	/* conn.c words every expired wait as "timeout after N ms" */
	if (cause && strstr(cause, ": timeout after "))
		return SRV_TIMEOUT;
	return SRV_DOWN;
}

static void ring_push(struct srv *s, double v)
{
	s->ring[(s->ring_head + s->ring_n) % POLL_HIST] = v;
	if (s->ring_n < POLL_HIST)
		s->ring_n++;
	else
		s->ring_head = (s->ring_head + 1) % POLL_HIST;
}

/* Records a good sample (under the lock). */
static void record_good(struct srv *s, const struct stats_sample *cur)
{
	struct srv_snap *n = &s->snap;
	n->state = SRV_UP;
	n->error[0] = '\0';
	n->have_rates = stats_rates(s->have_prev ? &s->prev : cur, cur, &n->rates) == 0;
	ring_push(s, n->have_rates ? n->rates.get_s : -1);
	n->cur = *cur;
	n->have = 1;
	n->good++;
}

/* Takes one sample of server s and publishes it. */
static void srv_sample(struct srv *s)
{
	char *cause = NULL;
	struct stats_sample cur;
	stats_sample_clear(&cur);
	const struct pool *p = s->pl->p;
	int r = p->sasl ? stats_fetch_binary(p, s->idx, &s->bin, &cur, &cause) :
		srv_connect(s, &cause) < 0 ? STATS_ERROR : stats_fetch(&s->c, &cur, &cause);
	cur.at = stats_now();
	if (r != 0)
		srv_disconnect(s);
	if (stopping(s->pl)) {
		free(cause);
		return;
	}
	pthread_mutex_lock(&s->pl->lock);
	s->snap.attempts++;
	if (r == 0) {
		record_good(s, &cur);
	} else {
		s->snap.state = failure_state(r, cause);
		snprintf(s->snap.error, sizeof(s->snap.error), "%s", cause ? cause : "failed");
		s->snap.have_rates = 0;
		ring_push(s, -1);
	}
	pthread_mutex_unlock(&s->pl->lock);
	if (r == 0) {
		s->prev = cur;
		s->have_prev = 1;
	} else {
		s->have_prev = 0;
	}
	free(cause);
	notify(s->pl);
}

/* The body of a server's thread: a sample at every tick of the shared clock. */
static void *srv_run(void *arg)
{
	struct srv *s = arg;
	struct poller *pl = s->pl;
	do {
		srv_sample(s);
		double k = floor((stats_now() - pl->t0) / pl->o.interval) + 1;
		if (sleep_until(pl, pl->t0 + k * pl->o.interval))
			break;
	} while (!stopping(pl));
	srv_disconnect(s);
	if (s->bin)
		memcached_free(s->bin);
	return NULL;
}

/* Counts the sessions of server i and publishes the count (or why it failed). */
static void count_one(struct poller *pl, size_t i)
{
	const struct pool *p = pl->p;
	struct conn c;
	char *cause = NULL;
	uint64_t n = 0;
	int r = -1;
	if (p->sasl)
		cause = xasprintf("server %s: SASL, memcached -S, speaks only the binary protocol: "
				  "memcsess cannot list keys there", p->servers[i].name);
	else
		r = conn_open(&c, &p->servers[i], p->timeout_ms, &cause);
	if (r == 0) {
		r = set_busy(pl, &pl->count_fd, c.fd);
		if (r == 0)
			r = stats_count_sessions(&c, p->prefix, p->prefix_len, &pl->stop, &n, &cause);
		set_busy(pl, &pl->count_fd, -1);
		conn_close(&c);
	}
	pthread_mutex_lock(&pl->lock);
	struct srv_snap *snap = &pl->srv[i].snap;
	if (r == 0) {
		snap->sessions = (int64_t)n;
		snap->counted_at = stats_now();
		snap->count_error[0] = '\0';
	} else {
		snprintf(snap->count_error, sizeof(snap->count_error), "%s",
			 cause ? cause : "count failed");
	}
	pthread_mutex_unlock(&pl->lock);
	free(cause);
	notify(pl);
}

/* Is a count pass due? Called with the lock held. */
static int count_due(struct poller *pl)
{
	if (pl->count_paused)
		return 0;
	return pl->count_req || (pl->next_count > 0 && stats_now() >= pl->next_count);
}

/* The body of the counting thread. A pass is followed by a pause of at least nine times its
 * length, so on a big pool key dumps take at most a tenth of the time. */
static void *count_run(void *arg)
{
	struct poller *pl = arg;
	pthread_mutex_lock(&pl->lock);
	for (;;) {
		while (!count_due(pl) && !stopping(pl))
			wait_locked(pl, pl->count_paused ? 0 : pl->next_count);
		if (stopping(pl))
			break;
		pl->count_req = 0;
		pl->counting = 1;
		pthread_mutex_unlock(&pl->lock);
		double start = stats_now();
		for (size_t i = 0; i < pl->p->n && !stopping(pl); i++)
			count_one(pl, i);
		double end = stats_now();
		pthread_mutex_lock(&pl->lock);
		pl->counting = 0;
		pl->next_count = 0;
		if (pl->o.count_every > 0)
			pl->next_count = fmax(start + pl->o.count_every, end + 9 * (end - start));
		pthread_mutex_unlock(&pl->lock);
		notify(pl);
		pthread_mutex_lock(&pl->lock);
	}
	pthread_mutex_unlock(&pl->lock);
	return NULL;
}

static void init_sync(struct poller *pl)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&pl->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&pl->lock, NULL);
}

struct poller *poller_start(const struct pool *p, const struct poller_opts *o)
{
	struct poller *pl = xcalloc(1, sizeof(*pl));
	pl->p = p;
	pl->o = *o;
	if (!(pl->o.interval > 0))
		pl->o.interval = 1;
	pl->count_fd = -1;
	pl->count_req = 1;
	init_sync(pl);
	pl->srv = xcalloc(p->n, sizeof(*pl->srv));
	pl->t0 = stats_now();
	for (size_t i = 0; i < p->n; i++) {
		struct srv *s = &pl->srv[i];
		s->pl = pl;
		s->idx = i;
		s->busy_fd = -1;
		s->snap.sessions = -1;
		s->started = pthread_create(&s->tid, NULL, srv_run, s) == 0;
		if (!s->started)
			snprintf(s->snap.error, sizeof(s->snap.error), "server %s: cannot start a "
				 "thread", p->servers[i].name);
	}
	pl->counter_started = pthread_create(&pl->counter, NULL, count_run, pl) == 0;
	return pl;
}

void poller_snapshot(struct poller *pl, struct srv_snap *out)
{
	__atomic_store_n(&pl->pending, 0, __ATOMIC_RELEASE);
	pthread_mutex_lock(&pl->lock);
	for (size_t i = 0; i < pl->p->n; i++) {
		struct srv *s = &pl->srv[i];
		out[i] = s->snap;
		out[i].hist_n = s->ring_n;
		for (size_t k = 0; k < s->ring_n; k++)
			out[i].hist[k] = s->ring[(s->ring_head + k) % POLL_HIST];
	}
	pthread_mutex_unlock(&pl->lock);
}

int poller_counting(struct poller *pl, double *next_in)
{
	pthread_mutex_lock(&pl->lock);
	int busy = pl->counting;
	*next_in = pl->next_count > 0 ? fmax(0, pl->next_count - stats_now()) : -1;
	pthread_mutex_unlock(&pl->lock);
	return busy;
}

void poller_count_now(struct poller *pl)
{
	pthread_mutex_lock(&pl->lock);
	if (!pl->counting)
		pl->count_req = 1;
	pthread_cond_broadcast(&pl->cond);
	pthread_mutex_unlock(&pl->lock);
}

void poller_pause_count(struct poller *pl, int paused)
{
	pthread_mutex_lock(&pl->lock);
	pl->count_paused = paused;
	pthread_cond_broadcast(&pl->cond);
	pthread_mutex_unlock(&pl->lock);
}

void poller_set_sessions(struct poller *pl, size_t i, uint64_t n)
{
	pthread_mutex_lock(&pl->lock);
	pl->srv[i].snap.sessions = (int64_t)n;
	pl->srv[i].snap.counted_at = stats_now();
	pl->srv[i].snap.count_error[0] = '\0';
	pthread_mutex_unlock(&pl->lock);
	notify(pl);
}

void poller_free(struct poller *pl)
{
	pthread_mutex_lock(&pl->lock);
	__atomic_store_n(&pl->stop, 1, __ATOMIC_RELEASE);
	for (size_t i = 0; i < pl->p->n; i++)
		if (pl->srv[i].busy_fd >= 0)
			shutdown(pl->srv[i].busy_fd, SHUT_RDWR);
	if (pl->count_fd >= 0)
		shutdown(pl->count_fd, SHUT_RDWR);
	pthread_cond_broadcast(&pl->cond);
	pthread_mutex_unlock(&pl->lock);
	for (size_t i = 0; i < pl->p->n; i++)
		if (pl->srv[i].started)
			pthread_join(pl->srv[i].tid, NULL);
	if (pl->counter_started)
		pthread_join(pl->counter, NULL);
	pthread_cond_destroy(&pl->cond);
	pthread_mutex_destroy(&pl->lock);
	free(pl->srv);
	free(pl);
}
