/* json_escape.h: bytes as a JSON string, escaped the way jansson writes one; integers as it
 * writes them. */
#ifndef MEMCSESS_PHP_JSON_ESCAPE_H
#define MEMCSESS_PHP_JSON_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include "util.h"

/* Appends the valid UTF-8 bytes as a JSON string the way jansson writes one. */
void json_write_string(struct buf *out, const char *s, size_t n);
/* json_write_string when the bytes are UTF-8 (returns 0); else -1 and out as it was. */
int json_write_utf8(struct buf *out, const char *s, size_t n);
/* Limits the SIMD block loops of json_write_utf8 to level, as far as the CPU has it: 0 SSE2
 * (or none), 1 SSSE3, 2 AVX2 (the default), so tests can compare them all. */
void json_use_simd(int level);
/* Appends the decimal integer, as jansson writes one. */
void json_write_int(struct buf *out, int64_t i);

#endif
