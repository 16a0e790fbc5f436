/* store_req.h: what store.c and its two backends share: a request to one server and its
 * result, the table of operations a backend fills in (store_text.c, store_binary.c), and the
 * helpers both use on requests. */
#ifndef MEMCSESS_MC_STORE_REQ_H
#define MEMCSESS_MC_STORE_REQ_H

#include <stdint.h>
#include <stddef.h>
#include "mc/limit.h"
#include "mc/pool.h"
#include "util.h"

enum store_op {
	ST_ADD,		/* store only when absent (ms ME) */
	ST_SET,		/* store, replacing (ms MS) */
	ST_DELETE,	/* md, with cas when non-zero */
	ST_TOUCH,	/* new TTL (mg T) */
	ST_GET,		/* read value, flags, ttl, cas (mg v t f c); binary: no ttl */
	ST_CHECK,	/* read flags, size, ttl, cas, not the value (mg t f s c); binary: as
			 * ST_GET (the value comes too) */
};

enum store_status {
	ST_DONE,	/* stored, deleted, touched, or found */
	ST_NOT_STORED,	/* add: the key exists */
	ST_NOT_FOUND,
	ST_EXISTS,	/* delete with cas: the item changed */
	ST_ERROR,	/* the server failed: see error */
};

struct store_req {
	enum store_op op;
	size_t server;		/* index in the pool */
	const char *key;
	size_t key_len;
	const char *value;	/* ST_ADD, ST_SET */
	size_t value_len;
	uint32_t flags;		/* ST_ADD, ST_SET */
	int64_t exp;		/* ST_ADD, ST_SET, ST_TOUCH: absolute expiry, -1 never */
	uint64_t cas;		/* ST_DELETE: 0 for unconditional */
	/* results */
	enum store_status status;
	char *error;		/* ST_ERROR: owned, freed by store_reqs_release */
	struct buf got;		/* ST_GET: the value */
	size_t got_size;	/* ST_GET, ST_CHECK: the value's length */
	uint32_t got_flags;
	int64_t got_ttl;	/* -1 never; TTL_UNKNOWN over the binary protocol */
	uint64_t got_cas;
};

/* A backend: how store.c serves a pool, over one protocol. be is the backend's own state. */
struct store_ops {
	/* Sets up for pool p (p must outlive it); servers are opened on demand. Returns new. */
	void *(*open)(const struct pool *p);
	/* Closes every server (keeping connections whose every reply was read, see conn_park)
	 * and frees be. */
	void (*close)(void *be);
	/* Runs the requests (see store_run in store.h). */
	void (*run)(void *be, struct store_req *reqs, size_t n);
	/* Server i's item limit (see limit.h), asked first when not known yet; a server not
	 * reached leaves it unknown until the next time. Points into be. */
	const struct item_limit *(*limit)(void *be, size_t i);
};

/* Frees the results of n requests (and resets them). */
void store_reqs_release(struct store_req *reqs, size_t n);
/* Marks every request of server i still ST_ERROR without a message as failed with cause. */
void store_reqs_fail(struct store_req *reqs, size_t n, size_t i, const char *cause);
/* The TTL memcached must be given for absolute expiry exp at time now: 0 for never, the
 * absolute time past 30 days (memcached reads larger values as unix times). -1: already past. */
int64_t store_ttl_arg(int64_t exp, int64_t now);

#endif
