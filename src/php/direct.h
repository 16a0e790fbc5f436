/* direct.h: a session's JSON written straight from its serialize() or igbinary bytes, with
 * no tree.
 *
 * Most sessions are plain: php, php_serialize or igbinary handler, scalars, strings, arrays and
 * objects, no references, no repeated keys, no encrypted strings. For those this writes exactly
 * the bytes pv_write_json(sess_decode(...)) would, many times faster. Anything else (references,
 * repeated member names, strings that may be encrypted, bytes it does not accept, php_binary)
 * it declines, and the caller takes the tree path, which decides and reports. */
#ifndef MEMCSESS_PHP_DIRECT_H
#define MEMCSESS_PHP_DIRECT_H

#include <stddef.h>
#include "codec/crypto.h"
#include "php/handlers.h"
#include "util.h"

/* Appends the JSON of the session in buf (handler SESS_UNKNOWN: detected as sess_decode does)
 * to out and sets *used. scheme and cipher are what inner strings are checked against
 * (CRYPT_NONE: none). Returns 0, or -1 when it declines: out is then as it was. */
int sess_fast_json(const char *buf, size_t len, enum sess_handler handler,
		   enum crypt_scheme scheme, const char *cipher, enum sess_handler *used,
		   struct buf *out);

#endif
