/* float_text.h: PHP's float text, as unserialize() reads it (serialize's "d:" and the no-tree
 * writer's, direct.c). */
#ifndef MEMCSESS_PHP_FLOAT_TEXT_H
#define MEMCSESS_PHP_FLOAT_TEXT_H

#include <stddef.h>

/* Length of the float token at b[pos] (b has end bytes) in var_unserializer.re's grammar,
 * [+-]? (digits | digits? "." digits | digits "." digits?) ([eE] [+-]? digits)?, or 0. */
size_t php_float_token(const char *b, size_t end, size_t pos);
/* strtod of the n bytes at s in the C locale, whatever LC_NUMERIC the program runs under. */
double php_strtod(const char *s, size_t n);

#endif
