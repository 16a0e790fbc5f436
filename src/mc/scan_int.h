/* scan_int.h: what scan.c and scan_locks.c share of the pool walk; nothing else includes it. */
#ifndef MEMCSESS_MC_SCAN_INT_H
#define MEMCSESS_MC_SCAN_INT_H

#include "mc/conn.h"
#include "mc/scan.h"
#include "mc/spill.h"
#include "util.h"

#include <poll.h>
#include <pthread.h>
#include <time.h>

/* Keys whose values are asked for in one pipelined batch (two in flight a server): fewer,
 * larger sends and wake-ups for both ends than 128 (see the git log for the figures). */
#define BATCH 512
/* Lock keys kept from the walk (see lock_seen); past this many, every lock is looked up. */
#define LOCKS_KEPT 65536
/* Servers one thread works on at once. */
#define ACTIVE 8
#define MAX_THREADS 64

/* What a thread does with each of its servers. */
enum phase { PH_BOTH, PH_WALK, PH_FETCH };

struct srv;

struct scan_ctx {
	const struct pool *pool;
	const struct scan_opts *o;
	scan_fn fn;
	void *arg;
	pthread_mutex_t lock;
	int stop;		/* the callback's non-zero return */
	struct keyset locks;	/* sids whose lock key the walks saw */
	int locks_overflow;	/* more than LOCKS_KEPT of them */
	int locks_known;	/* every server walked whole: a sid not in locks has no lock */
	struct srv *srv;	/* one per server */
	size_t nthreads;
	enum phase phase;
};

/* Keys whose values are asked for together (one pipelined round). */
struct batch {
	struct md_item item[BATCH];
	int locked[BATCH];
	int64_t lock_ttl[BATCH];
	size_t n;		/* keys in it; 0: nothing sent */
	size_t pos;		/* replies read */
	time_t now;		/* when it was sent */
};

/* One thread: its servers are ctx->srv[t], [t + nthreads], ... */
struct thr {
	struct scan_ctx *ctx;
	size_t t;
	size_t next;		/* how many of its servers it has started */
	struct srv *act[ACTIVE];	/* the servers it works on */
	size_t nact;
	struct pollfd pfd[ACTIVE];
	struct conn *lockc;	/* p->n connections for lock look-ups, opened on demand */
	int *lockc_state;	/* 0 closed, 1 open, -1 failed */
};

enum srv_state { SRV_IDLE, SRV_WALK, SRV_WALKED, SRV_FETCH, SRV_DONE };

struct srv {
	CACHE_ALIGNED struct scan_ctx *ctx;	/* each server on cache lines of its own */
	struct thr *thr;	/* the thread working on it */
	size_t idx;
	struct scan_server tally;	/* copied out at the end (out's entries share cache lines) */
	enum srv_state state;
	struct conn md, mg;	/* the walk's and the values' connections */
	int md_open, mg_open;
	struct spill spill;	/* keys waiting for their values */
	struct batch *b;	/* two while fetching: the server answers one while the other's
				 * records are made */
	int rd;			/* the batch whose replies come next */
	time_t now;
	double deadline;	/* monotonic ms by which the server must have sent something */
	double retry_at;	/* the crawler was busy: ask again then; 0 not waiting */
	int busy_tries;
	int first_line;		/* the next metadump line is the reply's first */
	int hot;		/* may have more to read without a poll */
	int connecting;		/* the connection it waits on is being made (POLLOUT) */
	int unreachable;	/* a connect failed or timed out, or it went silent (atomic):
				 * lock look-ups there would only wait */
	int walk_ret;		/* the walk's outcome: 0, >0 the callback's stop, or -1/-2 with
				 * walk_cause */
	char *walk_cause;
};

/* Fills r from a metadump item (times made relative to now), all but its home server. */
void rec_classify(struct srv *s, const struct md_item *it, struct sess_rec *r);

/* scan_locks.c: whether each session is locked. */
/* Keeps the sid of a lock key the walk met, so that sessions without one need no look-up. */
void lock_seen(struct scan_ctx *ctx, const struct sess_rec *r);
/* Fills b->locked and b->lock_ttl of the batch's sessions. */
void check_locks(struct srv *s, struct batch *b);
/* After every walk: may a session whose lock key no walk saw be taken as not locked? */
int locks_from_walks(const struct scan_ctx *ctx);
/* The thread's lock connections, one a server, opened on demand. */
void lock_conns_init(struct thr *t);
void lock_conns_release(struct thr *t);

#endif
