/* store_text.h: the store backend of the text protocol (store_req.h): pipelined meta commands
 * (ms, md, mg, mn), one connection per server opened on demand and reopened after a failure.
 * Writes go quiet: memcached answers only what it did not store. */
#ifndef MEMCSESS_MC_STORE_TEXT_H
#define MEMCSESS_MC_STORE_TEXT_H

#include "mc/store_req.h"

extern const struct store_ops store_text_ops;

#endif
