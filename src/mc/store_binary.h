/* store_binary.h: the store backend of a SASL pool (store_req.h): memcached -S speaks only the
 * binary protocol, served through libmemcached, one handle per server (that server alone), one
 * request at a time. The binary protocol cannot read a TTL: ST_GET gives TTL_UNKNOWN. */
#ifndef MEMCSESS_MC_STORE_BINARY_H
#define MEMCSESS_MC_STORE_BINARY_H

#include "mc/store_req.h"

extern const struct store_ops store_binary_ops;

#endif
