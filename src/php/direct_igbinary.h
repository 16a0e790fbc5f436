/* direct_igbinary.h: an igbinary session's JSON straight from its bytes, with no tree (the
 * igbinary half of direct.h). */
#ifndef MEMCSESS_PHP_DIRECT_IGBINARY_H
#define MEMCSESS_PHP_DIRECT_IGBINARY_H

#include <stddef.h>
#include "codec/crypto.h"
#include "util.h"

/* The JSON of an igbinary session (header included) as pv_write_json(igbinary_decode(...))
 * writes it, appended to out; 0, or -1 when declined (out as it was). */
int igbinary_fast_json(const char *buf, size_t len, enum crypt_scheme scheme, const char *cipher,
		       struct buf *out);

#endif
