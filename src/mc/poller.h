/* poller.h: every server's stats sampled in the background, for a display that must never wait
 * on the network: one thread multiplexes every server's stats connection, a few open
 * connections (and read SASL servers), one counts sessions far less often; as many threads
 * for 2 servers as for 500. */
#ifndef MEMCSESS_MC_POLLER_H
#define MEMCSESS_MC_POLLER_H

#include <stdint.h>
#include "mc/pool.h"
#include "mc/stats.h"

#define POLL_HIST 120		/* get/s history kept per server */

enum srv_state {
	SRV_WAIT,		/* no answer yet */
	SRV_UP,
	SRV_DOWN,		/* refused, reset, closed, unresolvable */
	SRV_TIMEOUT,		/* no answer within the pool's timeout */
	SRV_AUTH,		/* the server wants authentication */
};

/* One server as last seen: a copy, owned by whoever asked for it. */
struct srv_snap {
	enum srv_state state;
	char error[240];	/* why it is not UP; "" when it is */
	int have;		/* cur holds a sample (the last good one) */
	struct stats_sample cur;
	int have_rates;		/* rates are from the last two good samples */
	struct stats_rates rates;
	double hist[POLL_HIST];	/* get/s, oldest first; -1 unknown */
	size_t hist_n;
	int64_t sessions;	/* -1 not counted yet */
	double counted_at;	/* stats_now() of the count; 0 never */
	char count_error[240];	/* why the last count failed; "" when it did not */
	unsigned attempts;	/* samples tried */
	unsigned good;		/* samples that succeeded */
};

struct poller_opts {
	double interval;	/* seconds between samples */
	double count_every;	/* seconds between session counts; 0: only at start and on demand */
	void (*wake)(void *arg);	/* called from a worker when there is news (coalesced) */
	void *wake_arg;
};

struct poller;

/* Starts sampling every server of p (p must outlive the poller). Returns new. */
struct poller *poller_start(const struct pool *p, const struct poller_opts *o);
/* Copies every server's state into out (p->n entries). Returns 1 when something changed since
 * the last snapshot (a sample, a count), else 0. */
int poller_snapshot(struct poller *pl, struct srv_snap *out);
/* 1 while a session count pass is running; *next_in gets seconds until the next one (-1 none). */
int poller_counting(struct poller *pl, double *next_in);
/* Starts a session count pass now (unless one is running). */
void poller_count_now(struct poller *pl);
/* While paused, no session count starts (a session scan walks the same servers). */
void poller_pause_count(struct poller *pl, int paused);
/* Takes a session count found by someone else's walk of server i. */
void poller_set_sessions(struct poller *pl, size_t i, uint64_t n);
/* Stops every thread (breaking off their network waits) and frees pl. */
void poller_free(struct poller *pl);

#endif
