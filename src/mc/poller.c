/* poller.c: background stats sampling (see poller.h). One sampler thread serves every server:
 * at each tick of a shared clock (t0 + k * interval) it sends "stats" on every open connection
 * and reads the replies as they come, all sockets non-blocking in one epoll set (a wait costs
 * what is ready, not what is open), so a stalled
 * server delays only its own sample, given up after the pool's timeout. What cannot be done
 * without waiting goes to POLLER_WORKERS worker threads: opening a connection (resolving,
 * connecting, TLS handshake, -Y login) and a SASL server's stats (libmemcached's binary
 * protocol, blocking, bounded by the pool's timeout). A separate thread counts sessions with
 * key dumps, one server after the other, far less often. poller_free wakes the sampler through
 * a pipe and shuts down the counter's socket; only a worker inside a connect or a SASL read
 * finishes it first (bounded by the timeout). Threads: 2 + POLLER_WORKERS, whatever the pool. */
#include "mc/poller.h"
#include "mc/conn.h"
#include "mc/stats_binary.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define POLLER_WORKERS 4	/* threads for what waits: opening connections, SASL stats */
#define SETTLE 0.25		/* seconds after a tick before a partial round is told */
#define GATHER_NS 2000000L	/* while replies are awaited, a pause between waits: replies
				 * that come meanwhile are read in one turn, not a turn each */

enum job_state { JOB_NONE, JOB_QUEUED, JOB_DONE };

struct srv {
	size_t idx;
	/* the sampler's, or the worker's while busy: */
	struct conn c;		/* the stats connection */
	int open;
	memcached_st *bin;	/* SASL pool: the binary-protocol handle */
	int job_r;		/* a finished job's result: 0, STATS_ERROR, STATS_AUTH */
	char *job_cause;	/* its cause (new), or NULL */
	struct stats_sample job_sample;	/* a SASL job's sample */
	/* the sampler's: */
	int busy;		/* a job is queued or running */
	int asked;		/* "stats" sent, the reply not complete */
	double deadline;	/* when the reply is given up */
	struct stats_sample cur, prev;
	int have_prev;
	/* under pl->lock: */
	enum job_state job;
	struct srv_snap snap;
	double ring[POLL_HIST];
	size_t ring_head, ring_n;
};

struct poller {
	const struct pool *p;
	struct poller_opts o;
	double t0;
	struct srv *srv;
	pthread_t sampler, counter, workers[POLLER_WORKERS];
	int sampler_started, counter_started;
	size_t n_workers;
	int wake_fd[2];		/* the sampler's wake-up pipe: a job done, or stop */
	int pending;		/* a wake is outstanding (atomic) */
	unsigned gen, seen_gen;	/* under lock: changes made, and seen by the last snapshot */
	int stop;		/* atomic; written under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* the counter's */
	pthread_cond_t work;	/* the workers' */
	/* the sampler's: */
	double round_at;	/* the last tick */
	int news;		/* samples published since the last wake */
	int ep;			/* the epoll set: the wake-up pipe and every open connection */
	struct epoll_event *ev;
	size_t *done;
	/* under lock: */
	size_t *queue, q_head, q_n;	/* servers whose job waits for a worker */
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

/* Wakes the sampler (from a worker or poller_free). */
static void wake_sampler(struct poller *pl)
{
	char b = 0;
	if (write(pl->wake_fd[1], &b, 1) < 0) {
		/* full pipe: the sampler is awake anyway */
	}
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

/* Registers fd as the one to shut down on stop (-1 clears); returns -1 when already stopping. */
static int set_busy(struct poller *pl, int *slot, int fd)
{
	pthread_mutex_lock(&pl->lock);
	int stop = stopping(pl);
	*slot = stop ? -1 : fd;
	pthread_mutex_unlock(&pl->lock);
	return stop && fd >= 0 ? -1 : 0;
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

/* Publishes the outcome of one sample of s: r 0 with cur, else r and cause. */
static void publish(struct poller *pl, struct srv *s, int r, const struct stats_sample *cur,
		    const char *cause)
{
	pthread_mutex_lock(&pl->lock);
	s->snap.attempts++;
	pl->gen++;
	if (r == 0) {
		record_good(s, cur);
	} else {
		s->snap.state = failure_state(r, cause);
		snprintf(s->snap.error, sizeof(s->snap.error), "%s", cause ? cause : "failed");
		s->snap.have_rates = 0;
		ring_push(s, -1);
	}
	pthread_mutex_unlock(&pl->lock);
	if (r == 0)
		s->prev = *cur;
	s->have_prev = r == 0;
	pl->news = 1;
}

static void srv_disconnect(struct srv *s)
{
	if (s->open)
		conn_close(&s->c);
	s->open = 0;
	s->asked = 0;
}

/* A sample of s failed: closes its connection (the next tick opens a new one), says why. */
static void srv_fail(struct poller *pl, struct srv *s, int r, char *cause)
{
	srv_disconnect(s);
	publish(pl, s, r, NULL, cause);
	free(cause);
}

/* Sends "stats" on the open connection of s, without waiting. */
static void srv_ask(struct poller *pl, struct srv *s)
{
	char *cause = NULL;
	stats_sample_clear(&s->cur);
	s->c.timeout_ms = 0;	/* a few bytes on an idle socket: never waits; if it did, fail */
	int r = conn_command(&s->c, "stats", &cause);
	s->c.timeout_ms = pl->p->timeout_ms;
	if (r < 0) {
		srv_fail(pl, s, STATS_ERROR, cause);
		return;
	}
	s->asked = 1;
	s->deadline = stats_now() + pl->p->timeout_ms / 1000.0;
}

/* The job of s, on a worker: opens its connection, or reads a SASL server's stats. */
static void job_run(struct poller *pl, struct srv *s)
{
	const struct pool *p = pl->p;
	s->job_cause = NULL;
	if (p->sasl) {
		stats_sample_clear(&s->job_sample);
		s->job_r = stats_fetch_binary(p, s->idx, &s->bin, &s->job_sample, &s->job_cause);
		s->job_sample.at = stats_now();
		return;
	}
	s->open = conn_open(&s->c, &p->servers[s->idx], p->timeout_ms, &s->job_cause) == 0;
	s->job_r = s->open ? 0 : STATS_ERROR;
}

/* The body of a worker thread: jobs from the queue until stop. */
static void *worker_run(void *arg)
{
	struct poller *pl = arg;
	pthread_mutex_lock(&pl->lock);
	for (;;) {
		while (pl->q_n == 0 && !stopping(pl))
			pthread_cond_wait(&pl->work, &pl->lock);
		if (stopping(pl))
			break;
		struct srv *s = &pl->srv[pl->queue[pl->q_head]];
		pl->q_head = (pl->q_head + 1) % pl->p->n;
		pl->q_n--;
		pthread_mutex_unlock(&pl->lock);
		job_run(pl, s);
		pthread_mutex_lock(&pl->lock);
		s->job = JOB_DONE;
		wake_sampler(pl);
	}
	pthread_mutex_unlock(&pl->lock);
	return NULL;
}

/* Queues the job of s (under the lock). */
static void job_queue_locked(struct poller *pl, struct srv *s)
{
	s->busy = 1;
	s->job = JOB_QUEUED;
	pl->queue[(pl->q_head + pl->q_n) % pl->p->n] = s->idx;
	pl->q_n++;
}

/* A tick: asks every open server for stats; the others go to the workers (opening, or SASL).
 * A server still busy with the last tick (a reply, a connect) skips this one. */
static void tick(struct poller *pl)
{
	int queued = 0;
	pl->round_at = stats_now();
	pthread_mutex_lock(&pl->lock);
	for (size_t i = 0; i < pl->p->n; i++) {
		struct srv *s = &pl->srv[i];
		if (s->busy || s->asked || s->open)
			continue;
		job_queue_locked(pl, s);
		queued = 1;
	}
	if (queued)
		pthread_cond_broadcast(&pl->work);
	pthread_mutex_unlock(&pl->lock);
	for (size_t i = 0; i < pl->p->n; i++) {
		struct srv *s = &pl->srv[i];
		if (!s->busy && s->open && !s->asked)
			srv_ask(pl, s);
	}
}

/* Adds the new connection of s to the epoll set (closing it removes it). */
static int srv_watch(struct poller *pl, struct srv *s)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = s->idx };
	if (epoll_ctl(pl->ep, EPOLL_CTL_ADD, s->c.fd, &e) == 0)
		return 0;
	srv_fail(pl, s, STATS_ERROR, xasprintf("server %s: epoll: %s", s->c.name,
					       strerror(errno)));
	return -1;
}

/* Takes in the jobs the workers finished: a SASL sample is published, a connection opened
 * is asked for stats at once, a failure is published. */
static void jobs_take(struct poller *pl)
{
	size_t k = 0;
	pthread_mutex_lock(&pl->lock);
	for (size_t i = 0; i < pl->p->n; i++) {
		if (pl->srv[i].job == JOB_DONE) {
			pl->srv[i].job = JOB_NONE;
			pl->done[k++] = i;
		}
	}
	pthread_mutex_unlock(&pl->lock);
	for (size_t j = 0; j < k; j++) {
		struct srv *s = &pl->srv[pl->done[j]];
		s->busy = 0;
		if (pl->p->sasl)
			publish(pl, s, s->job_r, &s->job_sample, s->job_cause);
		else if (s->job_r == 0 && srv_watch(pl, s) == 0)
			srv_ask(pl, s);
		else
			publish(pl, s, s->job_r, NULL, s->job_cause);
		free(s->job_cause);
		s->job_cause = NULL;
	}
}

/* Reads what the server of s has sent and takes every whole line of its reply. */
static void srv_read(struct poller *pl, struct srv *s)
{
	char *cause = NULL;
	for (;;) {
		int r = conn_pull(&s->c, &cause);
		if (r < 0) {
			srv_fail(pl, s, STATS_ERROR, cause);
			return;
		}
		const char *line;
		size_t len;
		int k;
		while ((k = conn_readline_now(&s->c, &line, &len, &cause)) > 0) {
			enum stats_line e = stats_take(&s->c, &s->cur, line, len, &cause);
			if (e == STATS_END) {
				s->asked = 0;
				s->cur.at = stats_now();
				publish(pl, s, 0, &s->cur, NULL);
				return;
			}
			if (e < 0) {
				srv_fail(pl, s, e, cause);
				return;
			}
		}
		if (k < 0) {
			srv_fail(pl, s, STATS_ERROR, cause);
			return;
		}
		if (r == 0 || !conn_pending(&s->c))
			return;
	}
}

/* Gives up the replies whose time is over, worded as conn.c words an expired wait. */
static void expire(struct poller *pl, double now)
{
	for (size_t i = 0; i < pl->p->n; i++) {
		struct srv *s = &pl->srv[i];
		if (s->asked && now >= s->deadline)
			srv_fail(pl, s, STATS_ERROR, xasprintf("server %s: timeout after %d ms while "
				 "waiting for a reply", s->c.name, pl->p->timeout_ms));
	}
}

/* Is the round of the last tick over: no reply awaited, no job running? */
static int round_over(struct poller *pl)
{
	for (size_t i = 0; i < pl->p->n; i++)
		if (pl->srv[i].asked || pl->srv[i].busy)
			return 0;
	return 1;
}

/* Tells the news once the round is over, or SETTLE after its tick (a slow server then shows
 * up on its own, later). Returns when to look again (0: nothing to wait for). */
static double tell(struct poller *pl, double now)
{
	if (!pl->news)
		return 0;
	if (now < pl->round_at + SETTLE && !round_over(pl))
		return pl->round_at + SETTLE;
	pl->news = 0;
	notify(pl);
	return 0;
}

/* Milliseconds to sleep until the first of: the next tick, a deadline, the settle time. */
static int sleep_ms(struct poller *pl, double now, double until)
{
	for (size_t i = 0; i < pl->p->n; i++)
		if (pl->srv[i].asked && pl->srv[i].deadline < until)
			until = pl->srv[i].deadline;
	return until <= now ? 0 : (int)ceil((until - now) * 1000);
}

/* What came on the connection of s: a reply's lines when one is awaited. Else TLS's own
 * records (session tickets: read, dropped), or the server closed an idle connection (went
 * away, restarted) or said what nobody asked: it is closed, and the next tick opens a new one,
 * whose outcome is what shows. */
static void srv_ready(struct poller *pl, struct srv *s)
{
	if (s->asked)
		srv_read(pl, s);
	else if (!s->c.ssl || conn_lost(&s->c) || conn_pending(&s->c))
		srv_disconnect(s);
}

/* One wait: on the wake-up pipe and every open connection, then reads what came. */
static void wait_events(struct poller *pl, double until)
{
	int r = epoll_wait(pl->ep, pl->ev, (int)pl->p->n + 1, sleep_ms(pl, stats_now(), until));
	for (int k = 0; k < r; k++) {
		uint64_t i = pl->ev[k].data.u64;
		char b[64];
		if (i == UINT64_MAX)
			while (read(pl->wake_fd[0], b, sizeof(b)) > 0)
				;
		else if (pl->srv[i].open)
			srv_ready(pl, &pl->srv[i]);
	}
	struct timespec gather = { 0, GATHER_NS };
	if (r > 0 && !stopping(pl) && !round_over(pl))
		nanosleep(&gather, NULL);
}

/* The body of the sampler thread. */
static void *sampler_run(void *arg)
{
	struct poller *pl = arg;
	double next_tick = pl->t0;
	while (!stopping(pl)) {
		double now = stats_now();
		if (now >= next_tick) {
			tick(pl);
			next_tick = pl->t0 + (floor((now - pl->t0) / pl->o.interval) + 1) *
				    pl->o.interval;
		}
		jobs_take(pl);
		now = stats_now();
		expire(pl, now);
		double settle = tell(pl, now);
		wait_events(pl, settle > 0 && settle < next_tick ? settle : next_tick);
	}
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
	pl->gen++;
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
		pl->gen++;
		pthread_mutex_unlock(&pl->lock);
		double start = stats_now();
		for (size_t i = 0; i < pl->p->n && !stopping(pl); i++)
			count_one(pl, i);
		double end = stats_now();
		pthread_mutex_lock(&pl->lock);
		pl->counting = 0;
		pl->gen++;
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
	pthread_cond_init(&pl->work, NULL);
	pthread_mutex_init(&pl->lock, NULL);
}

/* A new epoll set watching the wake-up pipe wake (-1: none). Returns -1 on failure. */
static int epoll_open(int wake)
{
	int ep = wake >= 0 ? epoll_create1(EPOLL_CLOEXEC) : -1;
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = UINT64_MAX };
	if (ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, wake, &e) < 0) {
		close(ep);
		ep = -1;
	}
	return ep;
}

/* Starts the sampler, the workers and the counter. */
static void threads_start(struct poller *pl)
{
	size_t want = pl->p->n < POLLER_WORKERS ? pl->p->n : POLLER_WORKERS;
	for (size_t k = 0; k < want; k++)
		if (pthread_create(&pl->workers[pl->n_workers], NULL, worker_run, pl) == 0)
			pl->n_workers++;
	if (pl->n_workers > 0 && pl->ep >= 0)
		pl->sampler_started = pthread_create(&pl->sampler, NULL, sampler_run, pl) == 0;
	for (size_t i = 0; i < pl->p->n && !pl->sampler_started; i++) {
		struct srv_snap *n = &pl->srv[i].snap;
		n->state = SRV_DOWN;
		n->attempts = 1;	/* a failed sample: top --once does not wait for one */
		snprintf(n->error, sizeof(n->error), "server %s: cannot start a thread",
			 pl->p->servers[i].name);
	}
	pl->counter_started = pthread_create(&pl->counter, NULL, count_run, pl) == 0;
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
	if (pipe2(pl->wake_fd, O_NONBLOCK | O_CLOEXEC) < 0)
		pl->wake_fd[0] = pl->wake_fd[1] = -1;
	pl->srv = xcalloc(p->n, sizeof(*pl->srv));
	pl->queue = xcalloc(p->n, sizeof(*pl->queue));
	pl->done = xcalloc(p->n, sizeof(*pl->done));
	pl->ev = xcalloc(p->n + 1, sizeof(*pl->ev));
	pl->ep = epoll_open(pl->wake_fd[0]);
	pl->t0 = stats_now();
	for (size_t i = 0; i < p->n; i++) {
		pl->srv[i].idx = i;
		pl->srv[i].c.fd = -1;
		pl->srv[i].snap.sessions = -1;
	}
	threads_start(pl);
	return pl;
}

int poller_snapshot(struct poller *pl, struct srv_snap *out)
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
	int changed = pl->gen != pl->seen_gen;
	pl->seen_gen = pl->gen;
	pthread_mutex_unlock(&pl->lock);
	return changed;
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
	pl->gen++;
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
	if (pl->count_fd >= 0)
		shutdown(pl->count_fd, SHUT_RDWR);
	pthread_cond_broadcast(&pl->cond);
	pthread_cond_broadcast(&pl->work);
	pthread_mutex_unlock(&pl->lock);
	if (pl->wake_fd[1] >= 0)
		wake_sampler(pl);
	if (pl->sampler_started)
		pthread_join(pl->sampler, NULL);
	for (size_t k = 0; k < pl->n_workers; k++)
		pthread_join(pl->workers[k], NULL);
	if (pl->counter_started)
		pthread_join(pl->counter, NULL);
	for (size_t i = 0; i < pl->p->n; i++) {
		srv_disconnect(&pl->srv[i]);
		if (pl->srv[i].bin)
			memcached_free(pl->srv[i].bin);
		free(pl->srv[i].job_cause);
	}
	for (int k = 0; k < 2; k++)
		if (pl->wake_fd[k] >= 0)
			close(pl->wake_fd[k]);
	if (pl->ep >= 0)
		close(pl->ep);
	pthread_cond_destroy(&pl->cond);
	pthread_cond_destroy(&pl->work);
	pthread_mutex_destroy(&pl->lock);
	free(pl->queue);
	free(pl->done);
	free(pl->ev);
	free(pl->srv);
	free(pl);
}
