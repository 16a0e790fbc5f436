/* activity_feed.c: the watch engine's loop (activity_run.c) on a thread, its events kept in
 * bounded rings for a screen. */
#include "activity_feed.h"
#include "activity_run.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct feed {
	const struct pool *pool;
	struct feed_opts o;
	struct act_run *run;
	pthread_t th;
	int started;
	pthread_mutex_t mu;
	int stop;
	unsigned long gen, woke;	/* news so far; news the screen was woken for */
	struct feed_srv *srv;
	long second;		/* the wall-clock second of the last bucket */
	struct feed_event ring[FEED_RECENT];
	size_t ring_next, ring_n;
};

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

/* Keeps e among the last notable events (under the lock). */
static void keep_recent(struct feed *f, const struct act_event *e)
{
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

/* activity.c's callback, on the feed's thread: count, and keep the notable ones. */
static void on_event(const struct act_event *e, void *arg)
{
	struct feed *f = arg;
	if (f->o.skip && f->o.skip(e, f->o.skip_arg))
		return;
	pthread_mutex_lock(&f->mu);
	advance(f, act_run_now());
	struct feed_srv *s = &f->srv[e->server];
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
	if (notable(e))
		keep_recent(f, e);
	pthread_mutex_unlock(&f->mu);
}

/* After each batch of the loop: the buckets move on, the screen is woken for news, and the
 * loop ends once feed_free asks. */
static int on_pass(void *arg, double now)
{
	struct feed *f = arg;
	pthread_mutex_lock(&f->mu);
	advance(f, now);
	int stop = f->stop, news = f->gen != f->woke;
	f->woke = f->gen;
	pthread_mutex_unlock(&f->mu);
	if (news && !stop && f->o.wake)
		f->o.wake(f->o.wake_arg);
	return stop;
}

static void *run(void *arg)
{
	struct feed *f = arg;
	act_run_loop(f->run, 0, on_pass, f);
	return NULL;
}

struct feed *feed_start(const struct pool *p, const struct feed_opts *o)
{
	struct feed *f = xcalloc(1, sizeof(*f));
	f->pool = p;
	f->o = *o;
	f->srv = xcalloc(p->n, sizeof(*f->srv));
	f->second = (long)act_run_now();
	pthread_mutex_init(&f->mu, NULL);
	struct act_run_opts ro = { .timeout_ms = o->timeout_ms, .mutations = o->mutations,
				   .lock_slow = o->lock_slow, .emit = on_event, .arg = f };
	f->run = act_run_start(p, &ro);
	f->started = pthread_create(&f->th, NULL, run, f) == 0;
	return f;
}

size_t feed_snapshot(struct feed *f, struct feed_srv *srv, struct feed_event *recent,
		     unsigned long *gen)
{
	pthread_mutex_lock(&f->mu);
	advance(f, act_run_now());
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
	act_run_free(f->run);
	pthread_mutex_destroy(&f->mu);
	free(f->srv);
	free(f);
}
