/* stats_binary.h: a SASL server's "stats" (memcached -S speaks only the binary protocol), read
 * through libmemcached into the same sample as the text reply (stats.h). */
#ifndef MEMCSESS_MC_STATS_BINARY_H
#define MEMCSESS_MC_STATS_BINARY_H

#include <stddef.h>
#include <libmemcached/memcached.h>
#include "mc/pool.h"
#include "mc/stats.h"

/* stats_fetch over the binary protocol, for server i of a SASL pool, on the handle *mc (opened
 * when NULL, freed and set to NULL on failure). Returns STATS_END (0) on success, or
 * STATS_ERROR / STATS_AUTH with *cause naming the server. */
int stats_fetch_binary(const struct pool *p, size_t i, memcached_st **mc, struct stats_sample *s,
		       char **cause);

#endif
