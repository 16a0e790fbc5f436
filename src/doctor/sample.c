/* doctor/sample.c: the pool watched for doctor --sample (see sample.h). */
#include "doctor/sample.h"
#include "activity_run.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOCK_SLOW 1.0	/* seconds: a wait reported while going on after this long */

static void on_wait(struct doc_sample *s, const struct act_event *e)
{
	if (e->waited > s->longest_wait)
		s->longest_wait = e->waited;
	/* a wait going on is reported at the tick and again when it ends: counted once */
	if (strcmp(e->status, "waiting") == 0 && !s->finishing)
		return;
	s->waits++;
	s->srv[e->server].waits++;
	s->gave_up += strcmp(e->status, "gave-up") == 0;
	act_top_add(&s->wait_sids, e->sid);
}

static void on_eviction(struct doc_sample *s, const struct act_event *e)
{
	if (e->lock) {
		s->evicted_locks++;
		return;
	}
	if (e->ttl == 0)	/* expired anyway */
		return;
	s->evicted_live++;
	s->srv[e->server].evicted_live++;
	if (e->ttl < 0) {
		s->evicted_never++;
	} else {
		if (s->evicted_live == s->evicted_never + 1 || e->ttl < s->ttl_left_min)
			s->ttl_left_min = e->ttl;
		if (e->ttl > s->ttl_left_max)
			s->ttl_left_max = e->ttl;
		s->ttl_left_sum += (double)e->ttl;
	}
	act_top_add(&s->evicted_sids, e->sid);
}

static void on_misplaced(struct doc_sample *s, const struct act_event *e)
{
	s->srv[e->server].misplaced++;
	if (e->lock) {
		s->misplaced_locks++;
	} else {
		s->misplaced++;
		act_top_add(&s->misplaced_sids, e->sid);
	}
	if (e->client[0])
		act_top_add(&s->misplaced_clients, e->client);
	else
		s->misplaced_unknown++;
}

static void on_event(const struct act_event *e, void *arg)
{
	struct doc_sample *s = arg;
	s->srv[e->server].count[e->kind]++;
	switch (e->kind) {
	case ACT_READ: case ACT_WRITE: case ACT_NEW:
		s->accesses++;
		break;
	case ACT_CONTENTION:
		on_wait(s, e);
		break;
	case ACT_EVICTION:
		on_eviction(s, e);
		break;
	case ACT_REFUSED:
		s->srv[e->server].refused++;
		if (e->status && strcmp(e->status, "too_large") == 0)
			s->refused_too_large++;
		else
			s->refused_no_memory++;
		act_top_add(&s->refused_sids, e->sid);
		break;
	case ACT_MISPLACED:
		on_misplaced(s, e);
		break;
	case ACT_SKIPPED:
		s->skipped += e->skipped;
		s->srv[e->server].skipped += e->skipped;
		break;
	case ACT_SERVER:
		if (e->status && strcmp(e->status, "watching") == 0)
			s->srv[e->server].watched = 1;
		break;
	default:
		break;
	}
}

static int stop_pass(void *arg, double now)
{
	(void)now;
	volatile sig_atomic_t *stop = arg;
	return stop && *stop;
}

void doc_sample_run(const struct pool *p, double secs, volatile sig_atomic_t *stop,
		    struct doc_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->n = p->n;
	s->srv = xcalloc(p->n, sizeof(*s->srv));
	s->secs = secs;
	struct act_run_opts ro = { .timeout_ms = p->timeout_ms, .mutations = 0,
				   .lock_slow = LOCK_SLOW, .emit = on_event, .arg = s };
	struct act_run *r = act_run_start(p, &ro);
	if (!stop_pass((void *)stop, 0))
		s->ran = act_run_loop(r, secs, stop_pass, (void *)stop);
	if (stop && *stop) {
		s->stopped = 1;
		*stop = 0;
	}
	s->finishing = 1;
	act_run_stop(r);
	for (size_t i = 0; i < p->n; i++) {
		const struct act_srv_state *st = act_run_server(r, i);
		s->srv[i].on = st->on;
		s->srv[i].mutations = st->mutations;
		snprintf(s->srv[i].text, sizeof(s->srv[i].text), "%s", st->text);
	}
	s->overflow = act_run_overflow(r);
	act_run_free(r);
}

void doc_sample_release(struct doc_sample *s)
{
	free(s->srv);
	memset(s, 0, sizeof(*s));
}
