/* unserialize.h: a parser for PHP's serialize() format. */
#ifndef MEMCSESS_PHP_UNSERIALIZE_H
#define MEMCSESS_PHP_UNSERIALIZE_H

#include <stddef.h>
#include <stdint.h>
#include "php/value.h"

/* Parses one serialize() value starting at buf[*pos]; advances *pos past it.
 * Returns new, or NULL with err set. Reference slots are numbered as unserialize() does. */
struct phpser;
struct phpser *phpser_new(const char *buf, size_t len);
/* A parser that only checks: phpser_value then accepts and fails exactly as it would, at the
 * same offsets, but builds nothing; a value it returns is a stand-in owned by p, not to free. */
struct phpser *phpser_new_check(const char *buf, size_t len);
struct pv *phpser_value(struct phpser *p, size_t *pos, struct decode_error *err);
void phpser_free(struct phpser *p);

/* 1 when s (len > 0 bytes) is an integer as PHP's ZEND_HANDLE_NUMERIC sees it ("12", "-3", not
 * "012" or "-0"): unserialize() makes such array keys ints. */
int php_numeric_key(const char *s, size_t len, int64_t *out);

#endif
