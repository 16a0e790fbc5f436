/* stats.h: a memcached server's "stats" reply parsed into a sample, rates from two samples,
 * and counting the sessions on one server. */
#ifndef MEMCSESS_MC_STATS_H
#define MEMCSESS_MC_STATS_H

#include <stdint.h>
#include <stddef.h>
#include "mc/conn.h"
#include "mc/stats_reply.h"

/* What memcsess top shows of one "stats" reply. Counters only grow until the server restarts. */
struct stats_sample {
	double at;		/* when it was taken (stats_now()); set by the caller */
	char version[32];
	int64_t pid;
	int64_t uptime;		/* seconds */
	int64_t curr_connections;
	uint64_t cmd_get, cmd_set, get_hits, get_misses;
	uint64_t expired;	/* get_expired + reclaimed + crawler_reclaimed */
	uint64_t evictions;
	uint64_t bytes_read, bytes_written;	/* by the server: read = in, written = out */
	uint64_t bytes, limit_maxbytes;		/* memory used and its limit */
	uint64_t curr_items;
	unsigned seen;		/* number of STAT lines taken in */
};

/* Per-second rates between two samples of the same server; -1 means unknown. */
struct stats_rates {
	double get_s, set_s, hit_s, miss_s, evict_s, expired_s, in_s, out_s;
	double hit_interval;	/* hits / (hits + misses) over the interval, 0..1; -1 no gets */
	double hit_overall;	/* since the server started; -1 no gets ever */
};

/* Monotonic seconds, for stats_sample.at and deadlines. */
double stats_now(void);
/* Clears s before a reply is parsed into it. */
void stats_sample_clear(struct stats_sample *s);
/* Takes one statistic into s and counts it in s->seen (one s does not keep is only counted).
 * Returns STATS_STAT, or STATS_ERROR with *cause (new) when its value is not a number, naming
 * the byte offset of the value in the line "STAT <name> <value>". */
enum stats_line stats_parse_stat(struct stats_sample *s, const struct stats_pair *pair,
				 char **cause);
/* Parses one reply line (without \r\n) into s. Returns a stats_line; on STATS_ERROR and
 * STATS_AUTH *cause (new) names the line's problem and the byte offset where it is. */
enum stats_line stats_parse_line(struct stats_sample *s, const char *line, size_t len,
				 char **cause);
/* Takes one line of a "stats" reply read on c into s: STATS_STAT, STATS_END, or STATS_ERROR /
 * STATS_AUTH with *cause naming the server (for a reader that does not wait, as top's). */
enum stats_line stats_take(const struct conn *c, struct stats_sample *s, const char *line,
			   size_t len, char **cause);
/* Sends "stats" on c and reads the reply into s (s->at is left to the caller). Returns
 * STATS_END (0) on success, or STATS_ERROR / STATS_AUTH with *cause naming the server. */
int stats_fetch(struct conn *c, struct stats_sample *s, char **cause);
/* Rates from a (older) to b (newer). Returns 0, or -1 when they cannot be compared (the server
 * restarted, a counter went back, no time passed): then only hit_overall is set. */
int stats_rates(const struct stats_sample *a, const struct stats_sample *b,
		struct stats_rates *r);
/* Counts the keys with prefix that are sessions (not lock keys) on the server of c, with a
 * key dump: an expensive walk over every key. A non-zero *cancel stops it (then -1).
 * Returns 0, or -1 with *cause. */
int stats_count_sessions(struct conn *c, const char *prefix, size_t prefix_len,
			 const int *cancel, uint64_t *n, char **cause);

#endif
