/* value_json.c: a pv tree as JSON, the way json_encode() would show it (see value_json.h). */
#include "php/value_json.h"
#include "php/member_names.h"
#include "php/json_escape.h"
#include "php/value.h"
#include "codec/base64.h"
#include "codec/crypto.h"
#include "util.h"

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

/* 1 when some property of the object v is private to another class. */
static int has_foreign_private(const struct pv *v)
{
	for (size_t i = 0; i < v->n_items; i++)
		if (member_names_foreign_private(v, &v->items[i]))
			return 1;
	return 0;
}

/* object_json's members when some private property is another class's (member_names.c names
 * them). */
static json_t *object_json_named(struct json_ctx *c, json_t *o, const struct pv *v)
{
	struct member_names nm = { .keys = BUF_INIT };
	size_t m = member_names_collect(&nm, v);
	for (size_t k = 0; k < m; k++) {
		const struct member_span *s = &nm.spans[k];
		json_object_setn_new(o, nm.keys.ptr ? nm.keys.ptr + s->off : "", s->len,
				     to_json(c, v->items[s->item].value));
	}
	member_names_release(&nm);
	return o;
}

/* {"__class": C, then every property by plain name}; as with PHP's
 * ["__class" => C] + $props, a property named __class does not replace it. A private property
 * of another class whose plain name repeats is "Other::name" (see member_names.h). */
static json_t *object_json(struct json_ctx *c, const struct pv *v)
{
	json_t *o = json_object();
	json_object_set_new(o, "__class", class_json(v));
	if (has_foreign_private(v))
		return object_json_named(c, o, v);
	for (size_t i = 0; i < v->n_items; i++) {
		const struct pv *k = v->items[i].key;
		if (member_names_class_key(k))
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

/* Opens container v; returns 0 when it is already open (a reference back into itself). */
static int path_enter(struct json_ctx *c, const struct pv *v)
{
	size_t slot = path_find(c, v);
	if (c->path[slot])
		return 0;
	c->path[slot] = v;
	c->depth++;
	return 1;
}

static void path_leave(struct json_ctx *c, const struct pv *v)
{
	c->depth--;
	path_remove(c, path_find(c, v));
}

static json_t *container_json(struct json_ctx *c, const struct pv *v)
{
	if (!path_enter(c, v))
		return json_null();
	json_t *j = v->type == PV_ARRAY ? array_json(c, v) : object_json(c, v);
	path_leave(c, v);
	return j;
}

static json_t *value_json(struct json_ctx *c, const struct pv *v);

/* The member that wraps a value the crypto layer decrypted ("__decrypted") or found encrypted
 * and left closed ("__encrypted"), with its scheme in *scheme; NULL for any other value. */
static const char *crypt_wrapper(const struct pv *v, const char **scheme)
{
	if (!v->decrypted && !v->encrypted)
		return NULL;
	*scheme = crypt_scheme_name(v->decrypted ? v->decrypted : v->encrypted);
	return v->decrypted ? "__decrypted" : "__encrypted";
}

/* {"__decrypted": value, "__scheme": "openssl"}, or "__encrypted" (see crypt_wrapper). */
static json_t *crypt_json(const char *member, const char *scheme, json_t *j)
{
	json_t *o = json_object();
	json_object_set_new(o, member, j);
	json_object_set_new(o, "__scheme", json_string(scheme));
	return o;
}

/* The value to show for v, counted; NULL when it comes out as null (no value, or past the
 * limits). */
static const struct pv *value_enter(struct json_ctx *c, const struct pv *v)
{
	v = pv_deref(v);
	if (!v || c->nodes >= JSON_MAX_NODES || c->depth >= JSON_MAX_DEPTH)
		return NULL;
	c->nodes++;
	return v;
}

static json_t *to_json(struct json_ctx *c, const struct pv *v)
{
	v = value_enter(c, v);
	if (!v)
		return json_null();
	json_t *j = value_json(c, v);
	const char *scheme = NULL, *member = crypt_wrapper(v, &scheme);
	return member ? crypt_json(member, scheme, j) : j;
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

/* This thread's context, reset: clearing the path set costs more than most sessions, and it
 * is empty between calls. */
static struct json_ctx *ctx_reset(void)
{
	static _Thread_local struct json_ctx c;
	c.nodes = 0;
	c.depth = 0;
	return &c;
}

struct json_t *pv_to_json(const struct pv *v)
{
	return to_json(ctx_reset(), v);
}

/* ---- the same JSON written straight into a buffer, as jansson's compact dump writes it ---- */

struct writer {
	struct json_ctx *c;
	struct member_names names;	/* of the open containers */
};

static void write_value(struct writer *w, struct buf *out, const struct pv *v);

/* jansson's real: %.17g, ".0" when there is neither '.' nor 'e', and the exponent without '+'
 * or leading zeros. */
static void write_real(struct buf *out, double d)
{
	char tmp[48];
	size_t g = fmt_g17(d, tmp, 1);
	if (g) {	/* fixed style: no exponent */
		buf_add(out, tmp, g);
		return;
	}
	int n = snprintf(tmp, sizeof(tmp) - 3, "%.17g", d);
	if (!strchr(tmp, '.') && !strchr(tmp, 'e')) {
		memcpy(tmp + n, ".0", 3);
		n += 2;
	}
	char *start = strchr(tmp, 'e');
	if (start) {
		char *end = ++start + 1;
		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		memmove(start, end, (size_t)(tmp + n + 1 - end));
		n -= (int)(end - start);
	}
	buf_add(out, tmp, (size_t)n);
}

void json_write_float(struct buf *out, double d)
{
	if (isnan(d))
		buf_adds(out, "\"NAN\"");
	else if (isinf(d))
		buf_adds(out, d > 0 ? "\"INF\"" : "\"-INF\"");
	else
		write_real(out, d);
}

void json_write_text(struct buf *out, const char *s, size_t len)
{
	if (json_write_utf8(out, s, len) == 0)
		return;
	size_t n;
	char *b64 = base64_encode(s, len, &n);
	buf_adds(out, "{\"__base64\":");
	json_write_string(out, b64, n);
	buf_addc(out, '}');
	free(b64);
}

/* Opens an object with its "__class" member. */
static void write_class(struct buf *out, const struct pv *v)
{
	const char *cls = v->class_name ? v->class_name : "";
	buf_adds(out, "{\"__class\":");
	json_write_text(out, cls, strlen(cls));
}

static void write_named(struct buf *out, const struct pv *v, const char *name)
{
	write_class(out, v);
	buf_addc(out, ',');
	json_write_string(out, name, strlen(name));
	buf_addc(out, ':');
	json_write_text(out, v->u.str.ptr, v->u.str.len);
	buf_addc(out, '}');
}

static void write_list(struct writer *w, struct buf *out, const struct pv *v)
{
	buf_addc(out, '[');
	for (size_t i = 0; i < v->n_items; i++) {
		if (i)
			buf_addc(out, ',');
		write_value(w, out, v->items[i].value);
	}
	buf_addc(out, ']');
}

static void write_key(struct writer *w, struct buf *out, size_t k, int comma)
{
	if (comma)
		buf_addc(out, ',');
	json_write_string(out, w->names.keys.ptr + w->names.spans[k].off, w->names.spans[k].len);
	buf_addc(out, ':');
}

static void write_members(struct writer *w, struct buf *out, const struct pv *v, size_t base,
			  size_t m, int comma)
{
	for (size_t k = base; k < base + m; k++) {
		write_key(w, out, k, comma || k > base);
		write_value(w, out, v->items[w->names.spans[k].item].value);
	}
}

/* Members whose names repeat: as json_object_set does, the last value at the first place. */
static void write_repeated(struct writer *w, struct buf *out, const struct pv *v, size_t base,
			   size_t m, int comma)
{
	struct buf *val = xcalloc(m, sizeof(*val));
	for (size_t k = base; k < base + m; k++) {
		struct buf *b = &val[w->names.spans[k].first - base];
		buf_reset(b);
		write_value(w, b, v->items[w->names.spans[k].item].value);
	}
	for (size_t k = base; k < base + m; k++) {
		if (w->names.spans[k].first != k)
			continue;
		write_key(w, out, k, comma);
		buf_add(out, val[k - base].ptr, val[k - base].len);
		comma = 1;
	}
	for (size_t k = 0; k < m; k++)
		buf_release(&val[k]);
	free(val);
}

/* The members of an array that is no list, or of an object, after an opening brace. */
static void write_assoc(struct writer *w, struct buf *out, const struct pv *v, int comma)
{
	size_t keys_len = w->names.keys.len, base = w->names.n_spans;
	size_t m = member_names_collect(&w->names, v);
	if (member_names_repeats(&w->names, base, m))
		write_repeated(w, out, v, base, m, comma);
	else
		write_members(w, out, v, base, m, comma);
	w->names.keys.len = keys_len;
	w->names.n_spans = base;
}

static void write_container(struct writer *w, struct buf *out, const struct pv *v)
{
	if (!path_enter(w->c, v)) {
		buf_add(out, "null", 4);
		return;
	}
	if (v->type == PV_OBJECT) {
		write_class(out, v);
		write_assoc(w, out, v, 1);
		buf_addc(out, '}');
	} else if (is_list(v)) {
		write_list(w, out, v);
	} else {
		buf_addc(out, '{');
		write_assoc(w, out, v, 0);
		buf_addc(out, '}');
	}
	path_leave(w->c, v);
}

static void write_plain(struct writer *w, struct buf *out, const struct pv *v)
{
	switch (v->type) {
	case PV_BOOL: buf_adds(out, v->u.b ? "true" : "false"); return;
	case PV_INT: json_write_int(out, v->u.i); return;
	case PV_FLOAT: json_write_float(out, v->u.d); return;
	case PV_STRING: json_write_text(out, v->u.str.ptr, v->u.str.len); return;
	case PV_ARRAY: case PV_OBJECT: write_container(w, out, v); return;
	case PV_CUSTOM: write_named(out, v, "__serialized"); return;
	case PV_ENUM: write_named(out, v, "__case"); return;
	case PV_NULL: case PV_REF: break;
	}
	buf_add(out, "null", 4);
}

static void write_value(struct writer *w, struct buf *out, const struct pv *v)
{
	v = value_enter(w->c, v);
	if (!v) {
		buf_add(out, "null", 4);
		return;
	}
	const char *scheme = NULL, *member = crypt_wrapper(v, &scheme);
	if (member)
		buf_printf(out, "{\"%s\":", member);
	write_plain(w, out, v);
	if (member) {
		buf_adds(out, ",\"__scheme\":");
		json_write_string(out, scheme, strlen(scheme));
		buf_addc(out, '}');
	}
}

void pv_write_json(struct buf *out, const struct pv *v)
{
	struct writer w = { .c = ctx_reset() };
	write_value(&w, out, v);
	member_names_release(&w.names);
}
