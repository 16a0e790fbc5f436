/* handlers.h: decoding PHP session values (all serialize handlers) into a pv tree. */
#ifndef MEMCSESS_PHP_HANDLERS_H
#define MEMCSESS_PHP_HANDLERS_H

#include <stddef.h>
#include "php/value.h"

enum sess_handler {
	SESS_UNKNOWN = 0,	/* as input: detect from the bytes */
	SESS_EMPTY,		/* zero-length value (PHP's placeholder for a new id) */
	SESS_PHP,		/* name|serialized... */
	SESS_PHP_BINARY,	/* <len byte>name serialized... */
	SESS_PHP_SERIALIZE,	/* serialize($_SESSION) */
	SESS_IGBINARY,		/* igbinary_serialize($_SESSION) */
};

/* 1 when the bytes start with igbinary's header (format 1 or 2): sess_decode with
 * SESS_UNKNOWN takes them as igbinary, and nothing else. */
int sess_is_igbinary(const char *buf, size_t len);
/* Guesses the handler that wrote the bytes: the one sess_decode would use (or, when nothing
 * decodes, name in its error), found without building a tree. */
enum sess_handler sess_detect(const char *buf, size_t len);
/* Whether sess_decode would succeed, with the same *used and err, without building a tree.
 * Returns 0 or -1. */
int sess_check(const char *buf, size_t len, enum sess_handler handler, enum sess_handler *used,
	       struct decode_error *err);
/* Decodes a session value. handler SESS_UNKNOWN detects; *used (may be NULL) gets the handler used.
 * Returns a new PV_ARRAY of session variables (name => value), or NULL with err set. */
struct pv *sess_decode(const char *buf, size_t len, enum sess_handler handler,
		       enum sess_handler *used, struct decode_error *err);
const char *sess_handler_name(enum sess_handler h);
/* Parses "php", "php_binary", "php_serialize", "igbinary"; returns 0, or -1 when unknown. */
int sess_handler_parse(const char *name, enum sess_handler *h);

#endif
