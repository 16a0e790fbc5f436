/* actions.h: changing one session on the server it is stored on, through meta commands. */
#ifndef MEMCSESS_ACTIONS_H
#define MEMCSESS_ACTIONS_H

#include <stddef.h>
#include <stdint.h>
#include "mc/pool.h"

/* Deletes the item key (the full key, prefix included) from server i (md). PHP then starts an
 * empty session for its sid. Returns 1 deleted, 0 not found, -1 with *cause (new). */
int sess_delete(const struct pool *p, size_t server, const char *key, size_t len, char **cause);
/* Sets the item's TTL to ttl seconds from now (mg with T; 0 never expires). Returns 1 done,
 * 0 not found, -1 with *cause (new). */
int sess_touch(const struct pool *p, size_t server, const char *key, size_t len, int64_t ttl,
	       char **cause);

#endif
