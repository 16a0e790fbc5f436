/* inspector_fetch.h: one fetch of a session (and its lock) for the inspector, on a thread of its
 * own, so that a slow or dead server never holds up the TUI's loop. */
#ifndef MEMCSESS_INSPECTOR_FETCH_H
#define MEMCSESS_INSPECTOR_FETCH_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include "mc/meta.h"
#include "mc/pool.h"
#include "util.h"

/* One fetch of a session (and its lock) from the network. */
struct fetch {
	const struct pool *pool;
	char *sid;
	size_t server;
	void (*wake)(void *);
	void *wake_arg;
	pthread_t tid;
	int started;
	int done;		/* atomic */
	int r;			/* 1 found, 0 not found, -1 failed (cause) */
	struct mg_reply rep;
	struct buf value;
	char *cause;
	int locked;		/* 1, 0, -1 unknown */
	int64_t lock_ttl;
	time_t at;
};

/* Starts fetching sid from server of pool (which must outlive the fetch); wake(wake_arg) is
 * called, from the fetch's thread, when it is done. Returns new (fetch_free). */
struct fetch *fetch_start(const struct pool *pool, const char *sid, size_t server,
			  void (*wake)(void *), void *wake_arg);
/* Waits for the fetch's thread to end, then frees it. */
void fetch_free(struct fetch *f);
/* 1 when the fetch is done and its results can be read. */
int fetch_done(const struct fetch *f);

#endif
