/* store.h: changing items on a pool: sets, deletes, touches and reads, each sent to a given
 * server, pipelined where the protocol allows. The pool picks the backend: the text protocol's
 * meta commands (store_text.c), or for a SASL pool (pool.sasl) the binary protocol
 * (store_binary.c). Requests and their results are in store_req.h. */
#ifndef MEMCSESS_MC_STORE_H
#define MEMCSESS_MC_STORE_H

#include <stddef.h>
#include "mc/pool.h"
#include "mc/store_req.h"

struct store {
	const struct pool *pool;
	const struct store_ops *ops;	/* the backend for the pool's protocol */
	void *be;			/* its state; owned */
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

#endif
