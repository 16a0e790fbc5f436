/* stats_raw.h: any "stats" reply ("stats", "stats settings", "stats items", "stats slabs") kept
 * whole as name/value pairs, for the checks that read statistics memcsess top does not show. */
#ifndef MEMCSESS_MC_STATS_RAW_H
#define MEMCSESS_MC_STATS_RAW_H

#include <stdint.h>
#include <stddef.h>
#include "mc/conn.h"

struct stats_kv {
	char *name;		/* owned, e.g. "items:5:evicted_time" */
	char *value;		/* owned */
};

struct stats_raw {
	struct stats_kv *kv;
	size_t n, cap;
};

/* Takes one reply line (without \r\n) through stats_reply_line. Returns 1 for a STAT line
 * (kept), 0 for END, -1 for anything else with *cause (new). */
int stats_raw_line(struct stats_raw *r, const char *line, size_t len, char **cause);
/* Sends "stats <group>" ("stats" when group is NULL) on c and keeps the reply in r (appended).
 * Returns 0, or -1 with *cause (new) naming the server. */
int stats_raw_fetch(struct conn *c, const char *group, struct stats_raw *r, char **cause);
/* The value of statistic name, or NULL. */
const char *stats_raw_get(const struct stats_raw *r, const char *name);
/* The value of statistic name as a number: 0, or -1 when absent or not a number. */
int stats_raw_u64(const struct stats_raw *r, const char *name, uint64_t *out);
void stats_raw_release(struct stats_raw *r);

#endif
