/* pvjson.c: a pv tree as JSON, the way json_encode() would show it (see sessdec.h). */
#include "sessdec.h"
#include "base64.h"
#include "crypto.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* References can repeat a subtree many times (x1 = [x0, x0], x2 = [x1, x1], ...), so the
 * output is bounded: past these, values come out as null. */
#define JSON_MAX_NODES 1000000
#define JSON_MAX_DEPTH (2 * PV_MAX_DEPTH)
/* A power of two over twice JSON_MAX_DEPTH, for the set of containers being emitted. */
#define PATH_SET_SIZE (4 * JSON_MAX_DEPTH)

struct json_ctx {
	size_t nodes;		/* values emitted so far */
	int depth;
	const struct pv *path[PATH_SET_SIZE];	/* open-addressed set of open containers */
};

static size_t path_hash(const struct pv *v)
{
	uintptr_t x = (uintptr_t)v;
	x ^= x >> 17;
	x *= (uintptr_t)0x9e3779b97f4a7c15ULL;
	return (size_t)(x >> 7) & (PATH_SET_SIZE - 1);
}

static size_t path_find(const struct json_ctx *c, const struct pv *v)
{
	size_t i = path_hash(v);
	while (c->path[i] && c->path[i] != v)
		i = (i + 1) & (PATH_SET_SIZE - 1);
	return i;
}

/* Removes slot i, moving later entries of its probe run back (no tombstones). */
static void path_remove(struct json_ctx *c, size_t i)
{
	size_t j = i;
	c->path[i] = NULL;
	for (;;) {
		j = (j + 1) & (PATH_SET_SIZE - 1);
		if (!c->path[j])
			return;
		size_t home = path_hash(c->path[j]);
		/* Move j back to i when home is not cyclically inside (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			c->path[i] = c->path[j];
			c->path[j] = NULL;
			i = j;
		}
	}
}

static json_t *to_json(struct json_ctx *c, const struct pv *v);

/* Strings that are not UTF-8 cannot be JSON strings: {"__base64": "..."}. */
static json_t *string_json(const char *s, size_t len)
{
	if (utf8_valid(s, len))
		return json_stringn(s, len);
	size_t n;
	char *b64 = base64_encode(s, len, &n);
	json_t *o = json_object();
	json_object_set_new(o, "__base64", json_stringn(b64, n));
	free(b64);
	return o;
}

static json_t *float_json(double d)
{
	if (isnan(d))
		return json_string("NAN");
	if (isinf(d))
		return json_string(d > 0 ? "INF" : "-INF");
	return json_real(d);
}

static json_t *class_json(const struct pv *v)
{
	const char *cls = v->class_name ? v->class_name : "";
	return string_json(cls, strlen(cls));
}

/* Sets o[key]; int keys become decimal strings, keys that are not UTF-8 are escaped \xNN. */
static void set_member(json_t *o, const struct pv *key, json_t *val)
{
	if (key->type == PV_INT) {
		char num[32];
		snprintf(num, sizeof(num), "%" PRId64, key->u.i);
		json_object_set_new(o, num, val);
	} else if (utf8_valid(key->u.str.ptr, key->u.str.len)) {
		json_object_setn_new(o, key->u.str.ptr, key->u.str.len, val);
	} else {
		struct buf b = BUF_INIT;
		buf_add_escaped(&b, key->u.str.ptr, key->u.str.len);
		json_object_setn_new(o, b.ptr, b.len, val);
		buf_release(&b);
	}
}

/* 1 when the keys are exactly 0, 1, ..., n-1 in order (json_encode's list test). */
static int is_list(const struct pv *a)
{
	for (size_t i = 0; i < a->n_items; i++) {
		const struct pv *k = a->items[i].key;
		if (k->type != PV_INT || k->u.i != (int64_t)i)
			return 0;
	}
	return 1;
}

static json_t *array_json(struct json_ctx *c, const struct pv *v)
{
	if (is_list(v)) {
		json_t *a = json_array();
		for (size_t i = 0; i < v->n_items; i++)
			json_array_append_new(a, to_json(c, v->items[i].value));
		return a;
	}
	json_t *o = json_object();
	for (size_t i = 0; i < v->n_items; i++)
		set_member(o, v->items[i].key, to_json(c, v->items[i].value));
	return o;
}

/* {"__class": C, then every property by plain name}; as with PHP's
 * ["__class" => C] + $props, a property named __class does not replace it. */
static json_t *object_json(struct json_ctx *c, const struct pv *v)
{
	json_t *o = json_object();
	json_object_set_new(o, "__class", class_json(v));
	for (size_t i = 0; i < v->n_items; i++) {
		const struct pv *k = v->items[i].key;
		if (k->type == PV_STRING && k->u.str.len == 7 &&
		    memcmp(k->u.str.ptr, "__class", 7) == 0)
			continue;
		set_member(o, k, to_json(c, v->items[i].value));
	}
	return o;
}

/* PV_CUSTOM and PV_ENUM: {"__class": C, name: the payload or case}. */
static json_t *named_json(const struct pv *v, const char *name)
{
	json_t *o = json_object();
	json_object_set_new(o, "__class", class_json(v));
	json_object_set_new(o, name, string_json(v->u.str.ptr, v->u.str.len));
	return o;
}

static json_t *container_json(struct json_ctx *c, const struct pv *v)
{
	size_t slot = path_find(c, v);
	if (c->path[slot])
		return json_null();	/* a reference back into itself */
	c->path[slot] = v;
	c->depth++;
	json_t *j = v->type == PV_ARRAY ? array_json(c, v) : object_json(c, v);
	c->depth--;
	path_remove(c, path_find(c, v));
	return j;
}

static json_t *value_json(struct json_ctx *c, const struct pv *v);

/* A value the crypto layer decrypted: {"__decrypted": value, "__scheme": "openssl"}. */
static json_t *decrypted_json(const struct pv *v, json_t *j)
{
	json_t *o = json_object();
	json_object_set_new(o, "__decrypted", j);
	json_object_set_new(o, "__scheme", json_string(crypt_scheme_name(v->decrypted)));
	return o;
}

static json_t *to_json(struct json_ctx *c, const struct pv *v)
{
	v = pv_deref(v);
	if (!v || c->nodes >= JSON_MAX_NODES || c->depth >= JSON_MAX_DEPTH)
		return json_null();
	c->nodes++;
	json_t *j = value_json(c, v);
	return v->decrypted ? decrypted_json(v, j) : j;
}

static json_t *value_json(struct json_ctx *c, const struct pv *v)
{
	switch (v->type) {
	case PV_NULL: return json_null();
	case PV_BOOL: return json_boolean(v->u.b);
	case PV_INT: return json_integer(v->u.i);
	case PV_FLOAT: return float_json(v->u.d);
	case PV_STRING: return string_json(v->u.str.ptr, v->u.str.len);
	case PV_ARRAY: case PV_OBJECT: return container_json(c, v);
	case PV_CUSTOM: return named_json(v, "__serialized");
	case PV_ENUM: return named_json(v, "__case");
	case PV_REF: break;
	}
	return json_null();
}

struct json_t *pv_to_json(const struct pv *v)
{
	/* Reused: clearing the path set costs more than most sessions; it is empty between calls. */
	static _Thread_local struct json_ctx c;
	c.nodes = 0;
	c.depth = 0;
	return to_json(&c, v);
}
