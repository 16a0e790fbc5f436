/* activity_feed.c: the watch (mc/watch.c) and its events (activity.c) on a thread, kept in
 * bounded rings for a screen. */
#include "activity_feed.h"
#include "mc/watch.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TAKE 256

struct feed {
	const struct pool *pool;
	struct feed_opts o;
	struct watch *watch;
	struct activity *act;
	pthread_t th;
	int started;
	pthread_mutex_t mu;
	int stop;
	unsigned long gen;
	struct feed_srv *srv;
	long second;		/* the wall-clock second of the last bucket */
	struct feed_event ring[FEED_RECENT];
	size_t ring_next, ring_n;
};

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Moves every server's buckets on to the current second (under the lock). */
static void advance(struct feed *f, double now)
{
	long sec = (long)now;
	long steps = sec - f->second;
	if (steps <= 0)
		return;
	if (steps > FEED_HIST)
		steps = FEED_HIST;
	for (size_t i = 0; i < f->pool->n; i++)
		for (int k = 0; k < ACT_KINDS; k++) {
			double *h = f->srv[i].hist[k];
			memmove(h, h + steps, (size_t)(FEED_HIST - steps) * sizeof(*h));
			memset(h + FEED_HIST - steps, 0, (size_t)steps * sizeof(*h));
		}
	f->second = sec;
	f->gen++;
}

/* Is e worth listing among the last events? */
static int notable(const struct act_event *e)
{
	switch (e->kind) {
	case ACT_EVICTION: return !e->lock && e->ttl != 0;
	case ACT_CONTENTION: case ACT_LOCK_HELD: case ACT_REFUSED: case ACT_MISPLACED:
	case ACT_SKIPPED: case ACT_SERVER:
		return 1;
	default: return 0;
	}
}

static void describe(const struct feed *f, const struct act_event *e, char *out, size_t cap)
{
	char a[32], b[32];
	switch (e->kind) {
	case ACT_EVICTION:
		fmt_duration(e->ttl, a, sizeof(a));
		fmt_duration(e->idle, b, sizeof(b));
		snprintf(out, cap, "TTL left %s, idle %s", a, b);
		break;
	case ACT_CONTENTION:
		snprintf(out, cap, "%s: held by %s, waited %.1fs, %u tries%s", e->status,
			 e->holder[0] ? e->holder : "unknown", e->waited, e->retries,
			 e->inferred ? " (inferred)" : "");
		break;
	case ACT_LOCK_HELD:
		snprintf(out, cap, "%s for %.1fs", e->status, e->held);
		break;
	case ACT_REFUSED:
		snprintf(out, cap, "%s, %lld bytes", e->status, (long long)e->size);
		break;
	case ACT_MISPLACED:
		snprintf(out, cap, "%s%s; PHP uses %s", e->status,
			 e->lock && strcmp(e->status, "lock") != 0 ? " (lock)" : "",
			 f->pool->servers[e->home].name);
		break;
	case ACT_SKIPPED:
		snprintf(out, cap, "%llu lines dropped", (unsigned long long)e->skipped);
		break;
	case ACT_SERVER:
		snprintf(out, cap, "%s", e->text ? e->text : "");
		break;
	default:
		out[0] = '\0';
	}
}

/* activity.c's callback: count, and keep the notable ones (under the lock). */
static void on_event(const struct act_event *e, void *arg)
{
	struct feed *f = arg;
	struct feed_srv *s = &f->srv[e->server];
	if (f->o.skip && f->o.skip(e, f->o.skip_arg))
		return;
	s->hist[e->kind][FEED_HIST - 1]++;
	s->total[e->kind]++;
	if (e->kind == ACT_CONTENTION && e->status && strcmp(e->status, "waiting") != 0)
		s->waits++;
	if (e->kind == ACT_EVICTION && !e->lock && e->ttl != 0)
		s->evicted_live++;
	if (e->kind == ACT_SKIPPED)
		s->lost += (unsigned long)e->skipped;
	if (e->kind == ACT_SERVER) {
		s->watching = e->status && strcmp(e->status, "watching") == 0;
		snprintf(s->state, sizeof(s->state), "%s", e->text ? e->text : "");
	}
	f->gen++;
	if (!notable(e))
		return;
	struct feed_event *r = &f->ring[f->ring_next];
	f->ring_next = (f->ring_next + 1) % FEED_RECENT;
	if (f->ring_n < FEED_RECENT)
		f->ring_n++;
	r->kind = e->kind;
	r->time = e->time;
	r->server = e->server;
	r->lock = e->lock;
	snprintf(r->sid, sizeof(r->sid), "%s", e->sid);
	snprintf(r->client, sizeof(r->client), "%s", e->client);
	describe(f, e, r->detail, sizeof(r->detail));
}

static void *run(void *arg)
{
	struct feed *f = arg;
	struct watch_item *items = xmalloc(TAKE * sizeof(*items));
	double next_tick = 0;
	for (;;) {
		size_t n = watch_take(f->watch, items, TAKE, 200);
		pthread_mutex_lock(&f->mu);
		double now = wall();
		advance(f, now);
		for (size_t i = 0; i < n; i++)
			activity_item(f->act, &items[i], now);
		if (now >= next_tick) {
			activity_tick(f->act, now);
			next_tick = now + 0.25;
		}
		int stop = f->stop;
		pthread_mutex_unlock(&f->mu);
		if (stop)
			break;
		if (n && f->o.wake)
			f->o.wake(f->o.wake_arg);
	}
	free(items);
	return NULL;
}

struct feed *feed_start(const struct pool *p, const struct feed_opts *o)
{
	struct feed *f = xcalloc(1, sizeof(*f));
	f->pool = p;
	f->o = *o;
	f->srv = xcalloc(p->n, sizeof(*f->srv));
	f->second = (long)wall();
	pthread_mutex_init(&f->mu, NULL);
	struct act_opts ao = { .pool = p, .lock_slow = o->lock_slow, .emit = on_event, .arg = f };
	f->act = activity_new(&ao);
	struct watch_opts wo = { .timeout_ms = o->timeout_ms, .mutations = o->mutations,
				 .backoff_max = 5 };
	f->watch = watch_start(p, &wo);
	f->started = pthread_create(&f->th, NULL, run, f) == 0;
	return f;
}

size_t feed_snapshot(struct feed *f, struct feed_srv *srv, struct feed_event *recent,
		     unsigned long *gen)
{
	pthread_mutex_lock(&f->mu);
	advance(f, wall());
	memcpy(srv, f->srv, f->pool->n * sizeof(*srv));
	size_t n = f->ring_n;
	for (size_t k = 0; k < n; k++)
		recent[k] = f->ring[(f->ring_next + FEED_RECENT - 1 - k) % FEED_RECENT];
	*gen = f->gen;
	pthread_mutex_unlock(&f->mu);
	return n;
}

void feed_free(struct feed *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->mu);
	f->stop = 1;
	pthread_mutex_unlock(&f->mu);
	if (f->started)
		pthread_join(f->th, NULL);
	watch_free(f->watch);
	activity_free(f->act);
	pthread_mutex_destroy(&f->mu);
	free(f->srv);
	free(f);
}
