/* watch_int.h: what watch.c (the reader and the queue) shares with watch_connect.c (the
 * threads that open the watch connections): the state of a watch and of each server. */
#ifndef MEMCSESS_MC_WATCH_INT_H
#define MEMCSESS_MC_WATCH_INT_H

#include "mc/conn.h"
#include "mc/watch.h"
#include "util.h"

#include <pthread.h>
#include <unistd.h>

#define CONNECTORS 4		/* threads opening connections at once, at most */

struct watch;

enum srv_phase {
	SRV_WAIT,		/* until due: then a connector opens it */
	SRV_CONNECTING,		/* a connector has it: nothing else touches it */
	SRV_STREAMING,		/* the reader has it */
	SRV_DONE,		/* refused for good */
};

/* What one attempt to open a watch gave, left by the connector for the reader. */
struct attempt {
	int ok;
	int permanent;
	int mutations;
	enum watch_state state;
	char text[232];
};

struct wsrv {
	struct watch *w;
	size_t i;
	struct pool_server s;	/* a copy without the pool's kept connections: a watch connection
				 * is the watch's own */
	enum srv_phase phase;
	double due;		/* SRV_WAIT: when to try again (monotonic seconds) */
	double backoff;		/* the wait after the next failed attempt */
	struct conn c;
	int open;		/* c is open */
	int mutations;		/* its stream holds mutations */
	struct buf left;	/* the start of a line whose end has not come yet */
	int ready;		/* read it without waiting for poll */
	int gathered;		/* the last read followed a gathering wait */
	double gather_until;	/* > 0: lines gather until then */
	struct attempt res;
	enum watch_state last;	/* last state reported, to report changes only */
	char last_text[232];
};

/* A connector thread's slot. */
struct connector {
	struct watch *w;
	pthread_t th;
	enum { CT_NONE, CT_RUNNING, CT_EXITED } state;
};

struct watch {
	struct watch_opts o;
	size_t n;
	struct wsrv *srv;
	/* the queue: one producer (the reader) writes at tail, past the len items the consumer
	 * has yet to take and give back; mu guards head, len, stop, bad */
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	struct watch_item *q;
	size_t head, len;
	size_t tail, room;	/* the reader's own: where it writes, free slots it knows of, */
	size_t pend, sort_from;	/* items written past tail, where the lines being sorted start */
	int stop;
	unsigned long bad;
	int wake[2];		/* a byte written here breaks the reader's wait */
	int ep;			/* the reader's epoll: every stream and wake[0] */
	int ep_errno;		/* why there is none (ep -1) */
	pthread_t reader;
	int reader_started;
	char *rbuf;		/* the reader's: a line begun, then what was read */
	/* connections to open (jobs) and opened (done); jmu guards them and the connectors */
	pthread_mutex_t jmu;
	size_t *jobs, jhead, jlen, inflight;
	size_t *done, dlen;
	struct connector conn_th[CONNECTORS];
	int running;
	int jstop;		/* watch_free: connectors end */
};

/* Breaks the reader's wait (a connector calls it when an attempt is done). */
static inline void wake_reader(struct watch *w)
{
	ssize_t wr = w->wake[1] >= 0 ? write(w->wake[1], "x", 1) : -1;
	(void)wr;	/* a full pipe wakes the reader just as well */
}

#endif
