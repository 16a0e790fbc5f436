/* doctor/sample.h: memcsess doctor --sample: the pool watched for a while through the watch
 * engine (activity_run.c, as memcsess watch does; mutations only where memcached is safe with
 * them), its session events counted for the sampled checks (sample_checks.c). */
#ifndef MEMCSESS_DOCTOR_SAMPLE_H
#define MEMCSESS_DOCTOR_SAMPLE_H

#include <signal.h>
#include <stdint.h>
#include "activity.h"
#include "activity_top.h"
#include "mc/pool.h"

/* What was seen of one server. */
struct doc_sample_srv {
	int watched;		/* its watch was on at some time */
	int on;			/* and at the end */
	int mutations;		/* its stream held mutations: refused writes are visible */
	char text[232];		/* its last watch state; names the server */
	unsigned long count[ACT_KINDS];
	uint64_t waits, evicted_live, misplaced, refused, skipped;
};

struct doc_sample {
	size_t n;
	struct doc_sample_srv *srv;	/* n entries */
	double secs;			/* asked for */
	double ran;			/* seconds watched */
	int stopped;			/* ended early by the stop flag (Ctrl-C) */
	/* contention: lock waits that ended (acquired, gave up, lock evicted) or were going on
	 * at the end */
	uint64_t waits, gave_up;
	double longest_wait;
	struct act_top wait_sids;
	/* evictions of sessions that had TTL left (or never expire) */
	uint64_t evicted_live, evicted_never, evicted_locks;
	int64_t ttl_left_max, ttl_left_min;
	double ttl_left_sum;
	struct act_top evicted_sids;
	/* refused writes (only where mutations are watched) */
	uint64_t refused_too_large, refused_no_memory;
	struct act_top refused_sids;
	/* misplaced: reads and writes of sessions, and lock look-ups, on a server PHP with the
	 * pool's settings does not use */
	uint64_t misplaced, misplaced_locks, accesses;
	struct act_top misplaced_clients, misplaced_sids;
	uint64_t misplaced_unknown;	/* from connections opened before the sample */
	uint64_t skipped;
	unsigned long overflow;
	int finishing;			/* internal: the end's waits are being reported */
};

/* Watches p for secs seconds, or until *stop is set (then cleared and s->stopped set). Returns
 * new contents in s (doc_sample_release). */
void doc_sample_run(const struct pool *p, double secs, volatile sig_atomic_t *stop,
		    struct doc_sample *s);
void doc_sample_release(struct doc_sample *s);

#endif
