/* cas_write.h: the writes of an in-place edit on one connection: a meta set that only lands
 * when the item is still the one read (CAS), and PHP's session lock taken and given back as
 * php-memcached does it. */
#ifndef MEMCSESS_CAS_WRITE_H
#define MEMCSESS_CAS_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include "mc/conn.h"

enum cas_result {
	CAS_STORED,	/* written */
	CAS_EXISTS,	/* the item changed since it was read (or, adding, it exists): not written */
	CAS_NOT_FOUND,	/* the item is gone: not written */
};

/* ms key len C<cas> F<flags> T<ttl> (cas 0: add, only when the key is absent: ME). ttl is
 * memcached's argument (0 never; store_ttl_arg). Returns a cas_result, or -1 with *cause. */
int cas_set(struct conn *c, const char *key, size_t key_len, const char *value, size_t len,
	    uint32_t flags, int64_t ttl, uint64_t cas, char **cause);
/* add <key> 0 <ttl> 1 / "1": php-memcached's session lock. Returns 1 taken, 0 held by
 * someone else, or -1 with *cause. */
int cas_lock(struct conn *c, const char *key, int64_t ttl, char **cause);
/* delete <key>: releases the lock. Returns 0 (deleted or gone) or -1 with *cause. */
int cas_unlock(struct conn *c, const char *key, char **cause);

#endif
