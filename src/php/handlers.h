/* sessdec.h: decoding PHP session values (all serialize handlers) into a pv tree. */
#ifndef MEMCSESS_SESSDEC_H
#define MEMCSESS_SESSDEC_H

#include <stddef.h>
#include <stdint.h>
#include "php/value.h"
#include "util.h"

/* Deepest nesting any decoder accepts; deeper input is a decode error, not a crash. */
#define PV_MAX_DEPTH 1024

enum sess_handler {
	SESS_UNKNOWN = 0,	/* as input: detect from the bytes */
	SESS_EMPTY,		/* zero-length value (PHP's placeholder for a new id) */
	SESS_PHP,		/* name|serialized... */
	SESS_PHP_BINARY,	/* <len byte>name serialized... */
	SESS_PHP_SERIALIZE,	/* serialize($_SESSION) */
	SESS_IGBINARY,		/* igbinary_serialize($_SESSION) */
};

struct decode_error {
	size_t offset;		/* byte offset in the input where decoding failed */
	char msg[160];		/* lowercase, no trailing period, e.g. "string length past end of data" */
};

/* Parses one serialize() value starting at buf[*pos]; advances *pos past it.
 * Returns new, or NULL with err set. Reference slots are numbered as unserialize() does. */
struct phpser;
struct phpser *phpser_new(const char *buf, size_t len);
/* A parser that only checks: phpser_value then accepts and fails exactly as it would, at the
 * same offsets, but builds nothing; a value it returns is a stand-in owned by p, not to free. */
struct phpser *phpser_new_check(const char *buf, size_t len);
struct pv *phpser_value(struct phpser *p, size_t *pos, struct decode_error *err);
void phpser_free(struct phpser *p);

/* Decodes a whole igbinary buffer (header included). Returns new, or NULL with err set. */
struct pv *igbinary_decode(const char *buf, size_t len, struct decode_error *err);
/* Whether igbinary_decode would succeed (same err), building nothing; *type gets the value's
 * type. Returns 0 or -1. */
int igbinary_check(const char *buf, size_t len, enum pv_type *type, struct decode_error *err);

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

/* JSON as PHP's json_encode($_SESSION) would give it, except that objects keep every property
 * (plain names; when plain names repeat, a property private to another class than the object's
 * is "Other::name") plus a "__class" member. Returns a new jansson reference. (pvjson.c) */
struct json_t;
struct json_t *pv_to_json(const struct pv *v);
/* The same JSON as json_dumps(pv_to_json(v), JSON_COMPACT | JSON_ENCODE_ANY), byte for byte,
 * appended to out without building the jansson tree. (pvjson.c) */
void pv_write_json(struct buf *out, const struct pv *v);
/* Appends the valid UTF-8 bytes as a JSON string the way jansson writes one. (pvjson.c) */
void json_write_string(struct buf *out, const char *s, size_t n);
/* json_write_string when the bytes are UTF-8 (returns 0); else -1 and out as it was. */
int json_write_utf8(struct buf *out, const char *s, size_t n);
/* The pieces of pv_write_json, for writers that build no tree (pvjson.c): an integer; a float
 * (jansson's real, "NAN"/"INF"/"-INF" as strings); bytes as a string, or {"__base64": ...}
 * when they are not UTF-8. */
void json_write_int(struct buf *out, int64_t i);
void json_write_float(struct buf *out, double d);
void json_write_text(struct buf *out, const char *s, size_t len);
/* 1 when s (len > 0 bytes) is an integer as PHP's ZEND_HANDLE_NUMERIC sees it ("12", "-3", not
 * "012" or "-0"): unserialize() makes such array keys ints. (phpser.c) */
int php_numeric_key(const char *s, size_t len, int64_t *out);
/* Length of the float token at b[pos] (b has end bytes) in var_unserializer.re's grammar,
 * [+-]? (digits | digits? "." digits | digits "." digits?) ([eE] [+-]? digits)?, or 0. */
size_t php_float_token(const char *b, size_t end, size_t pos);
/* strtod of the n bytes at s in the C locale, whatever LC_NUMERIC the program runs under. */
double php_strtod(const char *s, size_t n);

/* The readable indented tree for people, appended to out. The root (a session's variable
 * array) is shown as one line per variable. (pvtree.c) */
void pv_format_tree(const struct pv *root, struct buf *out);
/* Appends what the crypto layer did to v: " (decrypted: openssl)", " (encrypted: laravel)" for
 * an envelope it could not open (no key, or none fits), or nothing. (pvtree.c) */
void pv_add_crypt_mark(struct buf *out, const struct pv *v);

#endif
