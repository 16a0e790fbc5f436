/* igbinary.h: decoding igbinary_serialize() output into a pv tree. */
#ifndef MEMCSESS_PHP_IGBINARY_H
#define MEMCSESS_PHP_IGBINARY_H

#include <stddef.h>
#include "php/value.h"

/* Decodes a whole igbinary buffer (header included). Returns new, or NULL with err set. */
struct pv *igbinary_decode(const char *buf, size_t len, struct decode_error *err);
/* Whether igbinary_decode would succeed (same err), building nothing; *type gets the value's
 * type. Returns 0 or -1. */
int igbinary_check(const char *buf, size_t len, enum pv_type *type, struct decode_error *err);

#endif
