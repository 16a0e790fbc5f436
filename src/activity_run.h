/* activity_run.h: the watch engine (mc/watch.c, turned into events by activity.c) run on the
 * calling thread for a while, with each server's watch state kept: the one loop memcsess watch
 * and doctor --sample share. */
#ifndef MEMCSESS_ACTIVITY_RUN_H
#define MEMCSESS_ACTIVITY_RUN_H

#include <stddef.h>
#include "activity.h"
#include "mc/pool.h"

/* A server's watch, as its last state change said. */
struct act_srv_state {
	int reported;		/* a state was reported at all */
	int on;			/* watching now */
	int permanent;		/* refused for good (-W, SASL, a wrong login) */
	int mutations;		/* its stream holds mutations (refused writes are visible) */
	char text[232];		/* what the last state change said; names the server */
};

struct act_run_opts {
	int timeout_ms;		/* connect and hand-shake bound */
	int mutations;		/* as in watch_opts: 0 asks for them only where safe */
	double lock_slow;
	const char *glob;
	void (*emit)(const struct act_event *e, void *arg);
	void *arg;
};

struct act_run;

/* Starts watching every server of p (p must outlive the run). Returns new. */
struct act_run *act_run_start(const struct pool *p, const struct act_run_opts *o);
/* Turns the watch into events until duration seconds have passed (0: no limit), every server
 * is refused for good, or pass(arg, now) returns nonzero; pass is called after every batch (at
 * least every 100 ms). Returns the seconds it ran. */
double act_run_loop(struct act_run *r, double duration, int (*pass)(void *arg, double now),
		    void *arg);
/* Stops the watch and reports the lock waits still going on (as "waiting" contention). */
void act_run_stop(struct act_run *r);
const struct act_srv_state *act_run_server(const struct act_run *r, size_t i);
/* Lock table entries that could not be kept, so far. */
unsigned long act_run_overflow(const struct act_run *r);
/* The wall clock, in seconds. */
double act_run_now(void);
void act_run_free(struct act_run *r);

#endif
