/* value_json.h: a pv tree as JSON, the way json_encode() would show it. */
#ifndef MEMCSESS_PHP_VALUE_JSON_H
#define MEMCSESS_PHP_VALUE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include "php/value.h"
#include "util.h"

/* JSON as PHP's json_encode($_SESSION) would give it, except that objects keep every property
 * (plain names; when plain names repeat, a property private to another class than the object's
 * is "Other::name") plus a "__class" member. Returns a new jansson reference. */
struct json_t;
struct json_t *pv_to_json(const struct pv *v);
/* The same JSON as json_dumps(pv_to_json(v), JSON_COMPACT | JSON_ENCODE_ANY), byte for byte,
 * appended to out without building the jansson tree. */
void pv_write_json(struct buf *out, const struct pv *v);
/* The pieces of pv_write_json, for writers that build no tree (json_write_int is
 * json_escape.c's): a float (jansson's real, "NAN"/"INF"/"-INF" as strings); bytes as a
 * string, or {"__base64": ...} when they are not UTF-8. */
void json_write_float(struct buf *out, double d);
void json_write_text(struct buf *out, const char *s, size_t len);

#endif
