/* value_json.c: a pv tree as JSON, the way json_encode() would show it (see value_json.h). */
#include "php/value_json.h"
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

static int is_class_key(const struct pv *k)
{
	return k->type == PV_STRING && k->u.str.len == 7 && memcmp(k->u.str.ptr, "__class", 7) == 0;
}

/* 1 when e, a property of the object v, is private to another class (\0Other\0name). */
static int is_foreign_private(const struct pv *v, const struct pv_entry *e)
{
	return e->vis == PV_PRIVATE && e->decl_class &&
	       strcmp(e->decl_class, v->class_name ? v->class_name : "") != 0;
}

static int has_foreign_private(const struct pv *v)
{
	for (size_t i = 0; i < v->n_items; i++)
		if (is_foreign_private(v, &v->items[i]))
			return 1;
	return 0;
}

struct writer;
static size_t collect_keys(struct writer *w, const struct pv *v);
static json_t *object_json_named(struct json_ctx *c, json_t *o, const struct pv *v);

/* {"__class": C, then every property by plain name}; as with PHP's
 * ["__class" => C] + $props, a property named __class does not replace it. A private property
 * of another class whose plain name repeats is "Other::name" (see collect_keys). */
static json_t *object_json(struct json_ctx *c, const struct pv *v)
{
	json_t *o = json_object();
	json_object_set_new(o, "__class", class_json(v));
	if (has_foreign_private(v))
		return object_json_named(c, o, v);
	for (size_t i = 0; i < v->n_items; i++) {
		const struct pv *k = v->items[i].key;
		if (is_class_key(k))
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

/* A member name of an open container: bytes at off in writer.keys, for items[item]; first is
 * the span of the first member with the same name (itself when the name is new). */
struct span {
	size_t off, len, item, first;
};

struct writer {
	struct json_ctx *c;
	struct buf keys;	/* member names of the open containers */
	struct span *spans;
	size_t n_spans, cap_spans;
};

static void write_value(struct writer *w, struct buf *out, const struct pv *v);

/* The number of decimal digits of u. */
static size_t decimal_len(uint64_t u)
{
	static const uint64_t pow10[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
		100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
		10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
		100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
	};
	/* t = floor(bits * log10(2)) (1233 / 4096 is close enough below 2^64): a number of that
	 * many bits has t or t + 1 digits, t + 1 from 10^t on (0 is taken as 1: one digit) */
	unsigned t = (unsigned)(64 - __builtin_clzll(u | 1)) * 1233 >> 12;
	return t + ((u | 1) >= pow10[t]);
}

/* Writes the decimal digits of u to end its last one at end, two at a time. */
static void put_digits(char *end, uint64_t u)
{
	for (; u >= 100; u /= 100) {
		end -= 2;
		memcpy(end, decimal_pairs + 2 * (u % 100), 2);
	}
	if (u >= 10)
		memcpy(end - 2, decimal_pairs + 2 * u, 2);
	else
		end[-1] = (char)('0' + u);
}

void json_write_int(struct buf *out, int64_t i)
{
	uint64_t u = i < 0 ? -(uint64_t)i : (uint64_t)i;
	size_t n = decimal_len(u);
	buf_room(out, n + 1);
	char *o = out->ptr + out->len;
	if (i < 0)
		*o++ = '-';
	put_digits(o + n, u);
	o[n] = '\0';
	out->len = (size_t)(o + n - out->ptr);
}

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

/* Appends the bytes as a member name: as they are when UTF-8, else escaped \xNN. */
static void add_name_text(struct buf *keys, const char *s, size_t n)
{
	if (utf8_valid(s, n))
		buf_add(keys, s, n);
	else
		buf_add_escaped(keys, s, n);
}

/* Appends the member name set_member gives key to keys. */
static void add_key_text(struct buf *keys, const struct pv *key)
{
	if (key->type == PV_INT)
		json_write_int(keys, key->u.i);
	else
		add_name_text(keys, key->u.str.ptr, key->u.str.len);
}

static int same_key(const struct writer *w, const struct span *a, const struct span *b)
{
	return a->len == b->len && memcmp(w->keys.ptr + a->off, w->keys.ptr + b->off, a->len) == 0;
}

static int find_repeats(struct writer *w, size_t base, size_t m);

/* 1 when the properties a and b, of one plain name, are one property of PHP's (the same
 * mangled name: a later one replaces the earlier, as in unserialize()). */
static int same_property(const struct pv_entry *a, const struct pv_entry *b)
{
	if (a->vis != b->vis)
		return 0;
	return a->vis != PV_PRIVATE || strcmp(a->decl_class ? a->decl_class : "",
					      b->decl_class ? b->decl_class : "") == 0;
}

/* Among the spans [base, base + m) of the object v: names each private property of another
 * class "Other::name" when another property has its plain name, so that PHP's shadowed
 * properties all show. Names that still repeat (hostile data) are left to the last-one-wins
 * rule. */
static void name_shadowed(struct writer *w, const struct pv *v, size_t base, size_t m)
{
	if (!find_repeats(w, base, m))
		return;
	unsigned char *shared = xcalloc(m, 1);	/* by first span: two properties share the name */
	for (size_t k = base; k < base + m; k++) {
		size_t f = w->spans[k].first;
		if (f != k && !same_property(&v->items[w->spans[k].item], &v->items[w->spans[f].item]))
			shared[f - base] = 1;
	}
	struct buf name = BUF_INIT;
	for (size_t k = base; k < base + m; k++) {
		struct span *s = &w->spans[k];
		const struct pv_entry *e = &v->items[s->item];
		int rename = shared[s->first - base] && is_foreign_private(v, e);
		s->first = k;
		if (!rename)
			continue;
		buf_reset(&name);
		buf_adds(&name, e->decl_class);
		buf_add(&name, "::", 2);
		buf_add(&name, e->key->u.str.ptr, e->key->u.str.len);
		s->off = w->keys.len;
		add_name_text(&w->keys, name.ptr, name.len);
		s->len = w->keys.len - s->off;
	}
	buf_release(&name);
	free(shared);
}

/* Leaves out the spans of [base, base + m) named "__class"; returns how many are left. */
static size_t drop_class_keys(struct writer *w, size_t base, size_t m)
{
	size_t n = base;
	for (size_t k = base; k < base + m; k++) {
		const struct span *s = &w->spans[k];
		if (s->len == 7 && memcmp(w->keys.ptr + s->off, "__class", 7) == 0)
			continue;
		w->spans[n] = *s;
		w->spans[n].first = n;
		n++;
	}
	w->n_spans = n;
	return n - base;
}

/* Notes the member names of v as spans; returns how many. Of an object, private properties of
 * another class whose plain names repeat are named by name_shadowed, and then members named
 * "__class" are left out. */
static size_t collect_keys(struct writer *w, const struct pv *v)
{
	size_t base = w->n_spans;
	int object = v->type == PV_OBJECT, foreign = 0, class_key = 0;
	for (size_t i = 0; i < v->n_items; i++) {
		const struct pv *k = v->items[i].key;
		if (object) {
			foreign |= is_foreign_private(v, &v->items[i]);
			class_key |= is_class_key(k);
		}
		if (w->n_spans == w->cap_spans) {
			w->cap_spans = w->cap_spans ? w->cap_spans * 2 : 16;
			w->spans = xrealloc(w->spans, w->cap_spans * sizeof(*w->spans));
		}
		struct span *s = &w->spans[w->n_spans];
		s->off = w->keys.len;
		add_key_text(&w->keys, k);
		s->len = w->keys.len - s->off;
		s->item = i;
		s->first = w->n_spans++;
	}
	size_t m = w->n_spans - base;
	if (foreign)
		name_shadowed(w, v, base, m);
	if (class_key)
		m = drop_class_keys(w, base, m);
	return m;
}

/* object_json's members when some private property is another class's: by collect_keys. */
static json_t *object_json_named(struct json_ctx *c, json_t *o, const struct pv *v)
{
	struct writer w = { .c = c };
	size_t m = collect_keys(&w, v);
	for (size_t k = 0; k < m; k++) {
		const struct span *s = &w.spans[k];
		json_object_setn_new(o, w.keys.ptr ? w.keys.ptr + s->off : "", s->len,
				     to_json(c, v->items[s->item].value));
	}
	buf_release(&w.keys);
	free(w.spans);
	return o;
}

/* find_repeats for many members: a hash set of span numbers + 1. */
static int find_repeats_hashed(struct writer *w, size_t base, size_t m)
{
	size_t size = 64;
	while (size < 2 * m)
		size *= 2;
	size_t *set = xcalloc(size, sizeof(*set));
	int repeats = 0;
	for (size_t k = base; k < base + m; k++) {
		struct span *s = &w->spans[k];
		size_t h = (size_t)hash_bytes(w->keys.ptr + s->off, s->len) & (size - 1);
		while (set[h] && !same_key(w, &w->spans[set[h] - 1], s))
			h = (h + 1) & (size - 1);
		if (set[h]) {
			s->first = set[h] - 1;
			repeats = 1;
		} else {
			set[h] = k + 1;
		}
	}
	free(set);
	return repeats;
}

/* Points every span of [base, base + m) whose name repeats at the first with that name;
 * returns 1 when some name repeats. */
static int find_repeats(struct writer *w, size_t base, size_t m)
{
	if (m > 16)
		return find_repeats_hashed(w, base, m);
	int repeats = 0;
	for (size_t k = base + 1; k < base + m; k++) {
		for (size_t j = base; j < k; j++) {
			if (same_key(w, &w->spans[j], &w->spans[k])) {
				w->spans[k].first = j;
				repeats = 1;
				break;
			}
		}
	}
	return repeats;
}

static void write_key(struct writer *w, struct buf *out, size_t k, int comma)
{
	if (comma)
		buf_addc(out, ',');
	json_write_string(out, w->keys.ptr + w->spans[k].off, w->spans[k].len);
	buf_addc(out, ':');
}

static void write_members(struct writer *w, struct buf *out, const struct pv *v, size_t base,
			  size_t m, int comma)
{
	for (size_t k = base; k < base + m; k++) {
		write_key(w, out, k, comma || k > base);
		write_value(w, out, v->items[w->spans[k].item].value);
	}
}

/* Members whose names repeat: as json_object_set does, the last value at the first place. */
static void write_repeated(struct writer *w, struct buf *out, const struct pv *v, size_t base,
			   size_t m, int comma)
{
	struct buf *val = xcalloc(m, sizeof(*val));
	for (size_t k = base; k < base + m; k++) {
		struct buf *b = &val[w->spans[k].first - base];
		buf_reset(b);
		write_value(w, b, v->items[w->spans[k].item].value);
	}
	for (size_t k = base; k < base + m; k++) {
		if (w->spans[k].first != k)
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
	size_t keys_len = w->keys.len, base = w->n_spans;
	size_t m = collect_keys(w, v);
	if (find_repeats(w, base, m))
		write_repeated(w, out, v, base, m, comma);
	else
		write_members(w, out, v, base, m, comma);
	w->keys.len = keys_len;
	w->n_spans = base;
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
	buf_release(&w.keys);
	free(w.spans);
}
