/* activity.h: memcached log lines from every server of a pool turned into session events:
 * reads, writes, locks and waits on them, evictions, refused writes, sessions on the wrong
 * server. State is kept per open lock and per client connection only, both capped. */
#ifndef MEMCSESS_ACTIVITY_H
#define MEMCSESS_ACTIVITY_H

#include <stddef.h>
#include <stdint.h>
#include "mc/pool.h"
#include "mc/watch.h"
#include "mc/watchline.h"

enum act_kind {
	ACT_READ, ACT_WRITE, ACT_NEW, ACT_LOCK, ACT_CONTENTION, ACT_LOCK_HELD, ACT_EVICTION,
	ACT_REFUSED, ACT_MISPLACED, ACT_SKIPPED, ACT_SERVER, ACT_KINDS
};

#define ACT_CLIENT_MAX (WL_ADDR_MAX + 8)

struct act_event {
	enum act_kind kind;
	double time;
	size_t server;
	char client[ACT_CLIENT_MAX];	/* "address:port"; "" unknown */
	const char *sid;		/* NUL-terminated; "" none; valid during the callback */
	int lock;			/* about the session's lock key (eviction, misplaced) */
	int inferred;			/* deduced from look-ups, not seen as such */
	const char *status;		/* read: found/missing/expired/flushed; refused: too_large/
					 * no_memory; contention: acquired/gave-up/waiting;
					 * lock-held: holding/released; misplaced: read/write/lock;
					 * server: watching/refused/lost/down; NULL none */
	int64_t size, ttl, idle;	/* -1 unknown; ttl of an eviction: -1 never expires */
	char holder[ACT_CLIENT_MAX];	/* contention: the lock holder; "" unknown */
	double since;			/* contention, lock-held: when the lock was taken; 0 unknown */
	double waited;			/* contention: seconds waited */
	unsigned retries;		/* contention: look-ups that found the lock taken */
	double held;			/* lock-held: seconds held */
	size_t home;			/* misplaced: the server PHP uses for it */
	uint64_t skipped;		/* skipped: lines memcached dropped */
	int fetched;			/* eviction: read at least once */
	const char *text;		/* server: what happened */
};

struct act_opts {
	const struct pool *pool;	/* must outlive the activity */
	double lock_slow;		/* seconds: a lock held longer gives lock-held */
	const char *glob;		/* only sids matching it (fnmatch); NULL all */
	void (*emit)(const struct act_event *e, void *arg);
	void *arg;
};

struct activity;

/* Returns new. */
struct activity *activity_new(const struct act_opts *o);
void activity_free(struct activity *a);
/* One log line of server i. */
void activity_line(struct activity *a, size_t server, const struct wl *l);
/* Server i's watch changed: status watching/refused/lost/down, text saying why; mutations:
 * whether its stream holds them. Emits a server event. */
void activity_server(struct activity *a, size_t server, double now, const char *status,
		     int mutations, const char *text);
/* One item of the watch (mc/watch.c): a log line, or a server's state change at now. */
void activity_item(struct activity *a, const struct watch_item *it, double now);
/* Time passes: reports locks held and waits longer than lock_slow (once each). */
void activity_tick(struct activity *a, double now);
/* The end: reports the waits still going on. */
void activity_finish(struct activity *a, double now);
/* Lock table entries that could not be kept (table full) so far. */
unsigned long activity_overflow(const struct activity *a);
/* "read", "lock-held"...; act_kind_parse returns -1 for an unknown name. */
const char *act_kind_name(enum act_kind k);
int act_kind_parse(const char *s, size_t n);

#endif
