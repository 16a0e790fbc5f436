/* activity_feed.h: memcsess watch's events kept for a screen: per server, the count of each
 * kind per second over the last minute, and the last notable events (evictions with TTL left,
 * contention, held locks, refused writes, misplaced clients, losses). Runs on a thread of its
 * own; the screen takes snapshots and never waits on the network. */
#ifndef MEMCSESS_ACTIVITY_FEED_H
#define MEMCSESS_ACTIVITY_FEED_H

#include <stddef.h>
#include "activity.h"
#include "mc/pool.h"

#define FEED_HIST 60		/* one-second buckets kept per server and kind */
#define FEED_RECENT 256		/* notable events kept */

struct feed_srv {
	int watching;
	char state[232];		/* the last server event's text */
	double hist[ACT_KINDS][FEED_HIST];	/* events a second, oldest first; the last one is the
						 * second going on */
	unsigned long total[ACT_KINDS];
	unsigned long waits;		/* contention: waits that ended (acquired or gave up) */
	unsigned long evicted_live;	/* sessions (not locks) evicted with TTL left */
	unsigned long lost;		/* log lines memcached dropped (skipped events' sum) */
};

struct feed_event {
	enum act_kind kind;
	double time;
	size_t server;
	int lock;
	char sid[WL_KEY_MAX + 1];
	char client[ACT_CLIENT_MAX];
	char detail[128];
};

struct feed_opts {
	int timeout_ms;
	double lock_slow;
	int mutations;			/* watch's --mutations (watch_opts.mutations) */
	/* NULL, or 1 for events to leave out (the exporter's own walk's reads); called from the
	 * feed's thread */
	int (*skip)(const struct act_event *e, void *arg);
	void *skip_arg;
	void (*wake)(void *arg);	/* called from the feed's thread when there is news */
	void *wake_arg;
};

struct feed;

/* Starts watching every server of p (p must outlive the feed). Returns new. */
struct feed *feed_start(const struct pool *p, const struct feed_opts *o);
/* Copies every server's state (p->n) and the notable events, newest first (up to
 * FEED_RECENT); returns how many events. *gen gets a number that changes with any news. */
size_t feed_snapshot(struct feed *f, struct feed_srv *srv, struct feed_event *recent,
		     unsigned long *gen);
/* Stops the thread and the watch, and frees f. */
void feed_free(struct feed *f);

#endif
