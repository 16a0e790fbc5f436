/* conn_binary.h: a binary-protocol handle to one server of a SASL pool (memcached -S speaks
 * only the binary protocol): a libmemcached handle for that server alone, logged in with SASL,
 * and the words for its failures. The binary counterpart of conn.h, under store_binary.c and
 * stats_binary.c. */
#ifndef MEMCSESS_MC_CONN_BINARY_H
#define MEMCSESS_MC_CONN_BINARY_H

#include <libmemcached/memcached.h>
#include "mc/pool.h"

/* A libmemcached handle for server sv alone (binary protocol, SASL login with its username and
 * password, the pool's timeouts). Returns new (memcached_free), or NULL with *cause. */
memcached_st *conn_binary_open(const struct pool *p, const struct pool_server *sv, char **cause);
/* Why server sv failed with rc ("authentication failed ...", "timeout after ..."); new. */
char *conn_binary_cause(memcached_st *mc, const struct pool *p, const struct pool_server *sv,
			memcached_return_t rc);
/* libmemcached's name for rc, in lower case (it shouts); returns new. */
char *conn_binary_strerror(memcached_st *mc, memcached_return_t rc);

#endif
