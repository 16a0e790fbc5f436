/* collect.c: the exporter's walks (mc/scan.c, as list reads the pool) and watch counters
 * (activity_feed.c) turned into metric families (exporter/metrics.c). */
#include "exporter/collect.h"
#include "activity_feed.h"
#include "exporter/metrics.h"
#include "mc/scan.h"

#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define HANDLERS_MAX 8
#define OWN_MAX 8		/* the walk's own connections remembered per server */		/* session_handler's names are fewer */

static const double size_bounds[] = { 256, 1024, 4096, 16384, 65536, 262144, 1048576 };
#define N_SIZE (sizeof(size_bounds) / sizeof(size_bounds[0]))
static const double ttl_bounds[] = { 60, 300, 900, 1800, 3600, 7200, 14400, 86400 };
#define N_TTL (sizeof(ttl_bounds) / sizeof(ttl_bounds[0]))

/* One server's share of a walk. Written by that server's scan thread only. */
struct srv_walk {
	int up;
	uint64_t sessions, bytes, locks, stuck, misplaced;
	const char *handler[HANDLERS_MAX];	/* static strings (session_handler) */
	uint64_t by_handler[HANDLERS_MAX];
	size_t n_handler;
	uint64_t size_b[N_SIZE + 1], ttl_b[N_TTL + 1];
	double size_sum, ttl_sum;
};

struct collector {
	struct collect_opts o;
	struct feed *feed;
	struct feed_srv *snap;		/* feed_snapshot's copy, kept between scrapes */
	struct feed_event *recent;
	pthread_t th;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	volatile sig_atomic_t stop;	/* the walk's cancel flag too */
	pthread_mutex_t own_mu;		/* guards own, own_next */
	char (*own)[OWN_MAX][ACT_CLIENT_MAX];	/* per server: the walks' last connections */
	size_t *own_next;
	struct srv_walk *last, *work;	/* the last finished walk (under mu); the one going on */
	unsigned long walks;
	double last_end, last_duration;	/* wall clock; seconds */
};

static double clock_now(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t bucket(const double *bounds, size_t n, double v)
{
	size_t i = 0;
	while (i < n && v > bounds[i])
		i++;
	return i;
}

static void count_handler(struct srv_walk *s, const char *h)
{
	size_t i;
	for (i = 0; i < s->n_handler; i++)
		if (strcmp(s->handler[i], h) == 0)
			break;
	if (i == s->n_handler) {
		if (i == HANDLERS_MAX)
			i--;	/* never with session_handler's names; bounded all the same */
		else
			s->handler[s->n_handler++] = h;
	}
	s->by_handler[i]++;
}

static void count_session(struct collector *c, struct srv_walk *s, const struct sess_rec *r)
{
	struct decode_info d;
	s->sessions++;
	int64_t size = r->have_meta ? (int64_t)r->value_len : (int64_t)r->item_size;
	s->bytes += (uint64_t)size;
	s->size_b[bucket(size_bounds, N_SIZE, (double)size)]++;
	s->size_sum += (double)size;
	if (r->ttl >= 0) {	/* sessions that never expire are left out */
		s->ttl_b[bucket(ttl_bounds, N_TTL, (double)r->ttl)]++;
		s->ttl_sum += (double)r->ttl;
	}
	if (r->home != r->server)
		s->misplaced++;
	if (r->value) {	/* the handler as list finds it */
		session_probe(r, &c->o.decode, &d);
		count_handler(s, session_handler(&d));
	} else {
		count_handler(s, "unknown");
	}
}

/* Scan callback, in the thread of r's server. */
static int on_rec(const struct sess_rec *r, void *arg)
{
	struct collector *c = arg;
	struct srv_walk *s = &c->work[r->server];
	if (r->kind == REC_LOCK) {
		s->locks++;
		s->stuck += r->ttl < 0 || (r->idle >= 0 && r->idle >= c->o.lock_age);
		return 0;
	}
	if (r->kind == REC_SESSION && app_sid_ok(c->o.app, r->sid, r->sid_len))
		count_session(c, s, r);
	return 0;
}

/* scan's on_connect: remembers the walk's connection as the watch names its client. */
static void on_connect(size_t server, int fd, void *arg)
{
	struct collector *c = arg;
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char host[WL_ADDR_MAX], port[16];
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0 ||
	    getnameinfo((struct sockaddr *)&sa, len, host, sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;	/* a unix socket: its clients have no address to tell apart */
	pthread_mutex_lock(&c->own_mu);
	char *o = c->own[server][c->own_next[server]++ % OWN_MAX];
	snprintf(o, ACT_CLIENT_MAX, sa.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
	pthread_mutex_unlock(&c->own_mu);
}

/* The feed's skip: the walk's own requests are no client's. */
static int own_event(const struct act_event *e, void *arg)
{
	struct collector *c = arg;
	int own = 0;
	if (!e->client[0])
		return 0;
	pthread_mutex_lock(&c->own_mu);
	for (size_t k = 0; k < OWN_MAX && !own; k++)
		own = strcmp(c->own[e->server][k], e->client) == 0;
	pthread_mutex_unlock(&c->own_mu);
	return own;
}

/* Before the first walk: waits until the watch reports on every server (bounded), so that it
 * sees the walk's connections open and can leave their requests out. */
static void wait_watch(struct collector *c)
{
	const struct pool *p = c->o.pool;
	struct timespec ts = { 0, 50 * 1000000L };
	unsigned long gen;
	for (int t = 0; c->feed && t < (p->timeout_ms + 1000) / 50 && !c->stop; t++) {
		pthread_mutex_lock(&c->mu);
		feed_snapshot(c->feed, c->snap, c->recent, &gen);
		size_t told = 0;
		for (size_t i = 0; i < p->n; i++)
			told += c->snap[i].state[0] != '\0';
		pthread_mutex_unlock(&c->mu);
		if (told == p->n)
			return;
		nanosleep(&ts, NULL);
	}
}

/* One walk of the pool; published unless stopped meanwhile. */
static void walk(struct collector *c)
{
	const struct pool *p = c->o.pool;
	struct scan_opts so = { .values = 1, .meta = 1, .want_locks = c->o.app == APP_PHP,
				.cancel = &c->stop, .parallel = 1,
				.on_connect = on_connect };
	struct scan_server *res = xcalloc(p->n, sizeof(*res));
	memset(c->work, 0, p->n * sizeof(*c->work));
	double t0 = clock_now(CLOCK_MONOTONIC);
	scan_pool(p, &so, on_rec, c, res);
	for (size_t i = 0; i < p->n; i++)
		c->work[i].up = !res[i].failed;
	scan_server_release(res, p->n);
	free(res);
	pthread_mutex_lock(&c->mu);
	if (!c->stop) {
		struct srv_walk *t = c->last;
		c->last = c->work;
		c->work = t;
		c->walks++;
		c->last_end = clock_now(CLOCK_REALTIME);
		c->last_duration = clock_now(CLOCK_MONOTONIC) - t0;
	}
	pthread_mutex_unlock(&c->mu);
}

static void *run(void *arg)
{
	struct collector *c = arg;
	wait_watch(c);
	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		pthread_mutex_unlock(&c->mu);
		double start = clock_now(CLOCK_REALTIME);
		walk(c);
		double next = start + c->o.walk_interval;
		struct timespec ts = { .tv_sec = (time_t)next,
				       .tv_nsec = (long)((next - (double)(time_t)next) * 1e9) };
		pthread_mutex_lock(&c->mu);
		while (!c->stop && pthread_cond_timedwait(&c->cv, &c->mu, &ts) == 0)
			;
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

struct collector *collect_start(const struct collect_opts *o)
{
	struct collector *c = xcalloc(1, sizeof(*c));
	size_t n = o->pool->n;
	c->o = *o;
	c->last = xcalloc(n, sizeof(*c->last));
	c->work = xcalloc(n, sizeof(*c->work));
	c->snap = xcalloc(n, sizeof(*c->snap));
	c->recent = xcalloc(FEED_RECENT, sizeof(*c->recent));
	c->own = xcalloc(n, sizeof(*c->own));
	c->own_next = xcalloc(n, sizeof(*c->own_next));
	pthread_mutex_init(&c->own_mu, NULL);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (o->watch) {
		struct feed_opts fo = { .timeout_ms = o->pool->timeout_ms, .lock_slow = o->lock_slow,
					.mutations = o->mutations, .skip = own_event,
					.skip_arg = c };
		c->feed = feed_start(o->pool, &fo);
	}
	c->started = pthread_create(&c->th, NULL, run, c) == 0;
	return c;
}

/* The families of the last walk, server by server (a server down: memcsess_up 0 alone). */
static void add_walk(struct collector *c, struct metrics *m, double now)
{
	const struct pool *p = c->o.pool;
	size_t up = metrics_family(m, "memcsess_up", METRIC_GAUGE,
		"1 when the last walk read the server completely, 0 when not");
	size_t ses = metrics_family(m, "memcsess_sessions", METRIC_GAUGE,
		"sessions stored on the server (last walk)");
	size_t byt = metrics_family(m, "memcsess_session_bytes", METRIC_GAUGE,
		"bytes of the session values stored on the server (last walk)");
	size_t byh = metrics_family(m, "memcsess_sessions_by_handler", METRIC_GAUGE,
		"sessions by the serialize handler that wrote them (last walk)");
	size_t hs = metrics_family(m, "memcsess_session_size_bytes", METRIC_HISTOGRAM,
		"session value sizes (last walk)");
	size_t ht = metrics_family(m, "memcsess_session_ttl_seconds", METRIC_HISTOGRAM,
		"seconds left before sessions expire; those that never do are left out (last walk)");
	size_t lk = metrics_family(m, "memcsess_lock_keys", METRIC_GAUGE,
		"session lock keys stored on the server (last walk)");
	size_t st = metrics_family(m, "memcsess_stuck_locks", METRIC_GAUGE,
		"lock keys that never expire or are older than --lock-age (last walk)");
	size_t mis = metrics_family(m, "memcsess_misplaced_sessions", METRIC_GAUGE,
		"sessions stored on another server than the one PHP reads them from (last walk)");
	size_t age = metrics_family(m, "memcsess_last_walk_age_seconds", METRIC_GAUGE,
		"seconds since the last walk of the pool ended");
	size_t dur = metrics_family(m, "memcsess_last_walk_duration_seconds", METRIC_GAUGE,
		"how long the last walk of the pool took");
	if (!c->walks)
		return;
	metrics_add(m, age, NULL, now > c->last_end ? now - c->last_end : 0);
	metrics_add(m, dur, NULL, c->last_duration);
	for (size_t i = 0; i < p->n; i++) {
		const struct srv_walk *s = &c->last[i];
		const char *l[] = { "server", p->servers[i].name, NULL, NULL, NULL };
		metrics_add(m, up, l, s->up);
		if (!s->up)
			continue;
		metrics_add(m, ses, l, (double)s->sessions);
		metrics_add(m, byt, l, (double)s->bytes);
		for (size_t h = 0; h < s->n_handler; h++) {
			const char *lh[] = { "server", p->servers[i].name, "handler", s->handler[h],
					     NULL };
			metrics_add(m, byh, lh, (double)s->by_handler[h]);
		}
		struct metric_hist hsz = { size_bounds, N_SIZE, s->size_b, s->size_sum };
		struct metric_hist httl = { ttl_bounds, N_TTL, s->ttl_b, s->ttl_sum };
		metrics_add_hist(m, hs, l, &hsz);
		metrics_add_hist(m, ht, l, &httl);
		metrics_add(m, lk, l, (double)s->locks);
		metrics_add(m, st, l, (double)s->stuck);
		metrics_add(m, mis, l, (double)s->misplaced);
	}
}

/* The watch's counters, for the servers up at the last walk. */
static void add_watch(struct collector *c, struct metrics *m)
{
	static const struct { const char *name, *help; int kind; } ctr[] = {
		{ "memcsess_session_reads_total", "session reads seen in the watch", ACT_READ },
		{ "memcsess_session_writes_total", "writes to existing sessions seen in the watch "
		  "(new sessions are memcsess_new_sessions_total)", ACT_WRITE },
		{ "memcsess_new_sessions_total", "sessions written for the first time", ACT_NEW },
		{ "memcsess_lock_waits_total", "lock contention: waits for a session lock another "
		  "request held, ended (acquired or given up)", -1 },
		{ "memcsess_session_evictions_total", "sessions evicted with TTL left", -2 },
		{ "memcsess_refused_writes_total", "session writes the server refused (too large, "
		  "out of memory)", ACT_REFUSED },
		{ "memcsess_misplaced_requests_total", "client requests for sessions on another "
		  "server than PHP's", ACT_MISPLACED },
		{ "memcsess_watch_lines_lost_total", "log lines memcached dropped because the watch "
		  "fell behind", -3 },
	};
	const struct pool *p = c->o.pool;
	size_t fam[sizeof(ctr) / sizeof(ctr[0])];
	for (size_t k = 0; k < sizeof(ctr) / sizeof(ctr[0]); k++)
		fam[k] = metrics_family(m, ctr[k].name, METRIC_COUNTER, ctr[k].help);
	size_t wup = metrics_family(m, "memcsess_watch_up", METRIC_GAUGE,
		"1 while the server's log stream is watched");
	if (!c->feed || !c->walks)
		return;
	unsigned long gen;
	feed_snapshot(c->feed, c->snap, c->recent, &gen);
	for (size_t i = 0; i < p->n; i++) {
		if (!c->last[i].up)
			continue;
		const struct feed_srv *s = &c->snap[i];
		const char *l[] = { "server", p->servers[i].name, NULL };
		for (size_t k = 0; k < sizeof(ctr) / sizeof(ctr[0]); k++) {
			int kind = ctr[k].kind;
			double v = kind == -1 ? (double)s->waits : kind == -2 ?
				   (double)s->evicted_live : kind == -3 ? (double)s->lost :
				   (double)s->total[kind];
			metrics_add(m, fam[k], l, v);
		}
		metrics_add(m, wup, l, s->watching);
	}
}

void collect_write(struct collector *c, struct buf *out)
{
	struct metrics *m = metrics_new();
	pthread_mutex_lock(&c->mu);
	add_walk(c, m, clock_now(CLOCK_REALTIME));
	add_watch(c, m);
	pthread_mutex_unlock(&c->mu);
	metrics_write(m, out);
	metrics_free(m);
}

void collect_free(struct collector *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	if (c->started)
		pthread_join(c->th, NULL);
	feed_free(c->feed);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->own_mu);
	free(c->own);
	free(c->own_next);
	free(c->snap);
	free(c->recent);
	free(c->last);
	free(c->work);
	free(c);
}
