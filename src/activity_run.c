/* activity_run.c: the watch engine's loop (see activity_run.h). */
#include "activity_run.h"
#include "mc/watch.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define TAKE 512
#define TICK 0.25		/* seconds between two activity_tick */

struct act_run {
	const struct pool *pool;
	struct activity *act;
	struct watch *watch;
	struct act_srv_state *srv;
};

double act_run_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct act_run *act_run_start(const struct pool *p, const struct act_run_opts *o)
{
	struct act_run *r = xcalloc(1, sizeof(*r));
	r->pool = p;
	r->srv = xcalloc(p->n, sizeof(*r->srv));
	struct act_opts ao = { .pool = p, .lock_slow = o->lock_slow, .glob = o->glob,
			       .emit = o->emit, .arg = o->arg };
	r->act = activity_new(&ao);
	struct watch_opts wo = { .timeout_ms = o->timeout_ms, .mutations = o->mutations,
				 .backoff_max = 5 };
	r->watch = watch_start(p, &wo);
	return r;
}

/* Hands one item to the engine; returns 1 when every server is refused for good. */
static int take_item(struct act_run *r, const struct watch_item *it, double now)
{
	activity_item(r->act, it, now);
	if (!it->is_state)
		return 0;
	struct act_srv_state *s = &r->srv[it->server];
	s->reported = 1;
	s->on = it->st.state == WATCH_ON;
	s->permanent = it->st.permanent;
	s->mutations = it->st.mutations;
	snprintf(s->text, sizeof(s->text), "%s", it->st.text);
	for (size_t i = 0; i < r->pool->n; i++)
		if (!r->srv[i].permanent)
			return 0;
	return 1;
}

double act_run_loop(struct act_run *r, double duration, int (*pass)(void *arg, double now),
		    void *arg)
{
	double start = act_run_now(), next_tick = start + TICK, now = start;
	int all_refused = 0;
	while (!all_refused) {
		if (duration > 0 && now - start >= duration)
			break;
		int wait = 100;
		if (duration > 0 && (start + duration - now) * 1000 < wait)
			wait = (int)((start + duration - now) * 1000) + 1;
		const struct watch_item *items;
		size_t n = watch_take(r->watch, &items, TAKE, wait);
		now = act_run_now();
		for (size_t i = 0; i < n && !all_refused; i++)
			all_refused = take_item(r, &items[i], now);
		watch_return(r->watch, n);
		if (now >= next_tick) {
			activity_tick(r->act, now);
			next_tick = now + TICK;
		}
		if (pass && pass(arg, now))
			break;
	}
	return now - start;
}

void act_run_stop(struct act_run *r)
{
	watch_free(r->watch);
	r->watch = NULL;
	activity_finish(r->act, act_run_now());
}

const struct act_srv_state *act_run_server(const struct act_run *r, size_t i)
{
	return &r->srv[i];
}

unsigned long act_run_overflow(const struct act_run *r)
{
	return activity_overflow(r->act);
}

void act_run_free(struct act_run *r)
{
	if (!r)
		return;
	watch_free(r->watch);
	activity_free(r->act);
	free(r->srv);
	free(r);
}
