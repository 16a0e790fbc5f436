/* store.h: changing items on a pool: pipelined meta sets, deletes, touches and reads, each sent
 * to a given server, one connection per server opened on demand and reopened after a failure.
 * A SASL pool (pool.sasl) is served over the binary protocol instead (binstore.c). */
#ifndef MEMCSESS_STORE_H
#define MEMCSESS_STORE_H

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
	uint32_t got_flags;
	int64_t got_ttl;	/* -1 never; TTL_UNKNOWN over the binary protocol */
	uint64_t got_cas;
};

struct store {
	const struct pool *pool;
	struct conn *conns;
	int *state;		/* per server: 0 closed, 1 open */
	memcached_st **bin;	/* SASL pool: per server, a libmemcached handle or NULL */
	struct item_limit *limit;	/* per server, asked before its first write */
};

void store_init(struct store *s, const struct pool *p);
void store_release(struct store *s);
/* Runs the requests, pipelined per server; every request gets a status. A server that fails
 * marks its remaining requests ST_ERROR and is reconnected on the next call. A write over its
 * server's item limit is not sent: it fails with its reason (see limit.h). */
void store_run(struct store *s, struct store_req *reqs, size_t n);
/* Why write r (ST_ADD, ST_SET) would be refused for its size (see limit.h), or NULL when it
 * fits or the limit cannot be known; asks the server first when needed. Returns new. */
char *store_over_limit(struct store *s, const struct store_req *r);
/* Frees the results of n requests (and resets them). */
void store_reqs_release(struct store_req *reqs, size_t n);
/* Marks every request of server i still ST_ERROR without a message as failed with cause. */
void store_reqs_fail(struct store_req *reqs, size_t n, size_t i, const char *cause);
/* The TTL memcached must be given for absolute expiry exp at time now: 0 for never, the
 * absolute time past 30 days (memcached reads larger values as unix times). -1: already past. */
int64_t store_ttl_arg(int64_t exp, int64_t now);

/* binstore.c: the same requests over the binary protocol with SASL, one at a time. */
void binstore_run(struct store *s, struct store_req *reqs, size_t n);
/* Closes server i's handle. */
void binstore_close(struct store *s, size_t i);
/* Asks server i for its item limit over its handle (opened when needed); a server not
 * reached leaves it unknown until the next time. */
void binstore_limit(struct store *s, size_t i);
/* A libmemcached handle for server sv alone (binary protocol, SASL login with its username and
 * password, the pool's timeouts). Returns new, or NULL with *cause. */
memcached_st *binstore_open(const struct pool *p, const struct pool_server *sv, char **cause);
/* Why server sv failed with rc ("authentication failed ...", "timeout after ..."); new. */
char *binstore_cause(memcached_st *mc, const struct pool *p, const struct pool_server *sv,
		     memcached_return_t rc);

#endif
