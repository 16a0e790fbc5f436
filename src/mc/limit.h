/* limit.h: the largest item a memcached server stores, and whether a write fits under it.
 *
 * memcached refuses an item whose size in memory is over its item_size_max (memcached -I), and
 * when it refuses a write it also drops the item already under that key ("avoid stale data"):
 * for ms in both modes (add and set), for the binary protocol's set. Writing a session that does
 * not fit would therefore lose the one already there. The size in memory of an item on a 64-bit
 * memcached 1.6 is its 48-byte header, the key and a NUL, 4 bytes of flags when they are not
 * zero, the value and its \r\n, and 8 bytes of CAS unless the server runs without (-C). */
#ifndef MEMCSESS_MC_LIMIT_H
#define MEMCSESS_MC_LIMIT_H

#include <libmemcached/memcached.h>
#include <stddef.h>
#include <stdint.h>
#include "mc/conn.h"

struct item_limit {
	int state;		/* 0 not asked yet, 1 known, -1 the server did not say */
	uint64_t item_size_max;
	int cas;		/* cas_enabled */
	uint64_t pointer_size;	/* 64 on the servers whose item header is known */
};

/* The size in memory of an item with this key, flags and value (see above). */
uint64_t limit_item_size(size_t key_len, uint32_t flags, size_t value_len, int cas);
/* Takes one statistic (from "stats" or "stats settings") into l. */
void limit_take(struct item_limit *l, const char *name, size_t nn, const char *v, size_t vn);
/* Sets the state once every statistic was taken: known (1) only when item_size_max, cas_enabled
 * and pointer_size were all said, by a 64-bit server; else unknown (-1). */
void limit_settle(struct item_limit *l);
/* Asks server c for its limit ("stats" and "stats settings"). A server that answers ERROR or
 * leaves something out gets state -1 (unknown). Returns 0, or -1 with *cause when the connection
 * is unusable. */
int limit_fetch(struct conn *c, struct item_limit *l, char **cause);
/* The same over the binary protocol (a SASL server); when the server could not be asked, the
 * state stays 0 (asked again next time). */
void limit_fetch_binary(memcached_st *mc, struct item_limit *l);
/* Why a write of this key, flags and value to server cannot be stored, or NULL when it fits (or
 * the limit is unknown). Returns new. */
char *limit_check(const struct item_limit *l, const char *server, const char *key,
		  size_t key_len, uint32_t flags, size_t value_len);

#endif
