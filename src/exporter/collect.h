/* collect.h: what memcsess exporter serves: walks of the pool on a background thread, one at a
 * time every walk_interval seconds, and the watch's event counters (activity_feed.c). A scrape
 * reads the last walk and the counters as they are; it never walks. Memory stays bounded:
 * fixed counters per server, whatever the pool holds. */
#ifndef MEMCSESS_EXPORTER_COLLECT_H
#define MEMCSESS_EXPORTER_COLLECT_H

#include <stdint.h>
#include "app.h"
#include "mc/pool.h"
#include "session_decode.h"
#include "util.h"

struct collect_opts {
	const struct pool *pool;	/* must outlive the collector */
	enum app_layout app;		/* only sids of its shape are sessions (as list) */
	struct decode_opts decode;	/* for the handler (as list); its keys must outlive it */
	double walk_interval;		/* seconds from the start of a walk to the next one's */
	int64_t lock_age;		/* seconds: a lock idle this long is stuck */
	int watch;			/* 1: count the watch's events (no SASL pool) */
	int mutations;			/* watch's --mutations */
	double lock_slow;		/* the watch engine's threshold for held locks */
};

struct collector;

/* Starts the walk thread and the watch. Returns new. */
struct collector *collect_start(const struct collect_opts *o);
/* Appends the exposition text of the last walk and the counters now to out. */
void collect_write(struct collector *c, struct buf *out);
/* Stops the walk (a walk under way is cancelled) and the watch, and frees c. */
void collect_free(struct collector *c);

#endif
