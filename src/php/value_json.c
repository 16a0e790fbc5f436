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
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
#include <immintrin.h>
#endif
#include <pthread.h>

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

/* jansson's escape for c: the short forms, else \u00XX in upper case. */
/* jansson's escape for c at o: the short forms, else \u00XX in upper case. Returns the end. */
static char *escape_at(char *o, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	*o++ = '\\';
	switch (c) {
	case '"': case '\\': *o++ = (char)c; return o;
	case '\b': *o++ = 'b'; return o;
	case '\f': *o++ = 'f'; return o;
	case '\n': *o++ = 'n'; return o;
	case '\r': *o++ = 'r'; return o;
	case '\t': *o++ = 't'; return o;
	default: break;
	}
	memcpy(o, "u00", 3);
	o[3] = hex[c >> 4];
	o[4] = hex[c & 15];
	return o + 5;
}

/* Appends n bytes of a string's inside, escaped; out has room for 6 * n more. Eight bytes are
 * copied at a time and the output moved on past the plain ones (json_special's lowest flag). */
static void escape_run(struct buf *out, const char *s, size_t n)
{
	char *o = out->ptr + out->len;
	size_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (n - i >= 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		memcpy(o, &w, 8);
		uint64_t m = json_special(w);
		if (!m) {
			o += 8;
			i += 8;
			continue;
		}
		size_t k = (size_t)(__builtin_ctzll(m) >> 3);
		char c = s[i + k];
		if (c == '"' || c == '\\') {	/* the usual ones (PHP's serialized strings) */
			o[k] = '\\';
			o[k + 1] = c;
			o += k + 2;
		} else {
			o = escape_at(o + k, (unsigned char)c);
		}
		i += k + 1;
	}
#endif
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			*o++ = (char)c;
		else
			o = escape_at(o, c);
	}
	*o = '\0';
	out->len = (size_t)(o - out->ptr);
}

/* After a block loop stopped at s[i]: writes that one byte escaped, or the UTF-8 sequence it
 * starts, at *o. Returns the bytes of s taken, 0 when they are not valid UTF-8. */
static inline size_t escape_one(const char *s, size_t n, char **o)
{
	unsigned char c = (unsigned char)s[0];
	char *p = *o;
	if (c >= 0x80) {
		size_t k = utf8_seq(s, n);
		memcpy(p, s, k);
		*o = p + k;
		return k;
	}
	if (c == '"' || c == '\\') {
		p[0] = '\\';
		p[1] = (char)c;
		*o = p + 2;
	} else if (c >= 0x20) {
		*p = (char)c;
		*o = p + 1;
	} else {
		*o = escape_at(p, c);
	}
	return 1;
}

#if defined(__SSE2__)
/* Copies the 16 bytes at s to o; returns how many of them lead up to the first that is not
 * plain ASCII for a JSON string (below 0x20, '"', '\\', or 0x80 and above: signed, those are
 * below 0x20 too), 16 when none is. */
static inline size_t plain16(const char *s, char *o)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	_mm_storeu_si128((__m128i *)(void *)o, v);
	unsigned mask = json_special16(v, 1);
	return mask ? (size_t)__builtin_ctz(mask) : 16;
}

/* Each ASCII byte as a JSON string holds it (jansson's escapes), padded to eight bytes, and its
 * length. */
static struct { char text[8]; size_t len; } ascii_json[128];

/* Writes the width ASCII bytes at s (then width more readable) to o with the bytes flagged in
 * m (not 0) escaped: a run, an escape from the table, a run... (NULs of private properties and
 * control bytes come one or two a block). Writes up to width bytes past its end; returns the
 * bytes it counts. */
static inline size_t escaped_bits(const char *s, size_t width, char *o, uint32_t m)
{
	char *p = o;
	size_t j = 0;
	do {
		size_t k = (size_t)__builtin_ctz(m);
		memcpy(p, s + j, width);	/* runs are copied block-wide */
		p += k - j;
		unsigned char c = (unsigned char)s[k];
		memcpy(p, ascii_json[c].text, 8);
		p += ascii_json[c].len;
		j = k + 1;
		m &= m - 1;
	} while (m);
	memcpy(p, s + j, width);
	return (size_t)(p - o) + width - j;
}

/* escaped_bits for the 16 bytes of v. */
static inline size_t escaped16(__m128i v, char *o, unsigned m)
{
	char s[32];	/* the block, then zeros */
	_mm_storeu_si128((__m128i *)(void *)s, v);
	_mm_storeu_si128((__m128i *)(void *)(s + 16), _mm_setzero_si128());
	return escaped_bits(s, 16, o, m);
}

/* Writes the 16 bytes at s to o as a JSON string's inside; returns the bytes written, or 0
 * when the block has a byte above 0x7f, which it leaves to the caller. */
static inline size_t block16(const char *s, char *o)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	if (_mm_movemask_epi8(v))
		return 0;
	unsigned m = json_special16(v, 1);
	if (!m) {
		_mm_storeu_si128((__m128i *)(void *)o, v);
		return 16;
	}
	return escaped16(v, o, m);
}

#if defined(__x86_64__) || defined(__i386__)
#define HAVE_SSSE3 1
/* For each mask of quotes in eight bytes: the pshufb control that spreads the eight bytes out
 * with a gap before each quote, and the backslashes for the gaps. */
static __m128i quote_shuffle[256], quote_slashes[256];
static unsigned char quote_spread[256];	/* 8 + the quotes: the bytes the eight become */
static int simd_level;	/* 0: SSE2, 1: SSSE3, 2: AVX2 */

static void make_quote_tables(void)
{
	for (unsigned m = 0; m < 256; m++) {
		unsigned char ctl[16], sl[16];
		memset(ctl, 0x80, sizeof(ctl));	/* 0x80: a zero byte */
		memset(sl, 0, sizeof(sl));
		unsigned k = 0;
		for (unsigned j = 0; j < 8; j++) {
			if (m >> j & 1)
				sl[k++] = '\\';
			ctl[k++] = (unsigned char)j;
		}
		memcpy(&quote_shuffle[m], ctl, 16);
		memcpy(&quote_slashes[m], sl, 16);
		quote_spread[m] = (unsigned char)k;
	}
	simd_level = simd_cpu_level();
}

/* Writes the 16 ASCII bytes of v to o with a backslash before each quote flagged in q, eight
 * bytes a shuffle; returns the bytes written. */
__attribute__((target("ssse3"))) static inline size_t quoted16(__m128i v, char *o, unsigned q)
{
	unsigned lo = q & 0xff, hi = q >> 8;
	__m128i a = _mm_or_si128(_mm_shuffle_epi8(v, quote_shuffle[lo]), quote_slashes[lo]);
	__m128i b = _mm_or_si128(_mm_shuffle_epi8(_mm_srli_si128(v, 8), quote_shuffle[hi]),
				 quote_slashes[hi]);
	size_t na = quote_spread[lo];	/* a table: popcount is a libgcc call without -mpopcnt */
	_mm_storeu_si128((__m128i *)(void *)o, a);
	_mm_storeu_si128((__m128i *)(void *)(o + na), b);
	return na + quote_spread[hi];
}

/* block16 with the shuffles for blocks of two or more quotes and nothing else to escape (PHP's
 * serialized text: s:3:"sku";). */
__attribute__((target("ssse3"))) static inline size_t block16_ssse3(const char *s, char *o)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	if (_mm_movemask_epi8(v))
		return 0;
	unsigned ctl = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
	unsigned q = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
	if (!(ctl | q)) {
		_mm_storeu_si128((__m128i *)(void *)o, v);
		return 16;
	}
	if (!ctl && (q & (q - 1)))
		return quoted16(v, o, q);
	return escaped16(v, o, ctl | q);
}

/* escape_run_utf8's loop with the SSSE3 block step inlined. */
__attribute__((target("ssse3"))) static int escape_run_ssse3(struct buf *out, const char *s,
							      size_t n)
{
	char *o = out->ptr + out->len;
	size_t i = 0;
	while (i < n) {
		if (n - i >= 16) {
			size_t k = block16_ssse3(s + i, o);
			if (k) {
				o += k;
				i += 16;
				continue;
			}
			k = plain16(s + i, o);	/* up to the byte block16_ssse3 left */
			o += k;
			i += k;
		}
		size_t k = escape_one(s + i, n - i, &o);
		if (!k)
			return -1;
		i += k;
	}
	*o = '\0';
	out->len = (size_t)(o - out->ptr);
	return 0;
}

/* The two 16-byte table rows lo and hi as the lanes of one register. */
__attribute__((target("avx2"))) static inline __m256i rows2(const __m128i *t, unsigned lo,
							    unsigned hi)
{
	return _mm256_inserti128_si256(_mm256_castsi128_si256(t[lo]), t[hi], 1);
}

/* quoted16 for the 32 ASCII bytes of v: the four eight-byte groups shuffled two a lane. */
__attribute__((target("avx2"))) static inline size_t quoted32(__m256i v, char *o, unsigned q)
{
	unsigned g0 = q & 0xff, g1 = q >> 8 & 0xff, g2 = q >> 16 & 0xff, g3 = q >> 24;
	__m256i a = _mm256_or_si256(_mm256_shuffle_epi8(v, rows2(quote_shuffle, g0, g2)),
				    rows2(quote_slashes, g0, g2));
	__m256i b = _mm256_or_si256(_mm256_shuffle_epi8(_mm256_srli_si256(v, 8),
							rows2(quote_shuffle, g1, g3)),
				    rows2(quote_slashes, g1, g3));
	size_t n0 = quote_spread[g0], n1 = n0 + quote_spread[g1], n2 = n1 + quote_spread[g2];
	_mm_storeu_si128((__m128i *)(void *)o, _mm256_castsi256_si128(a));
	_mm_storeu_si128((__m128i *)(void *)(o + n0), _mm256_castsi256_si128(b));
	_mm_storeu_si128((__m128i *)(void *)(o + n1), _mm256_extracti128_si256(a, 1));
	_mm_storeu_si128((__m128i *)(void *)(o + n2), _mm256_extracti128_si256(b, 1));
	return n2 + quote_spread[g3];
}

/* block16_ssse3 for 32 bytes. */
__attribute__((target("avx2"))) static inline size_t block32_avx2(const char *s, char *o)
{
	__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)s);
	if (_mm256_movemask_epi8(v))
		return 0;
	unsigned ctl = (unsigned)_mm256_movemask_epi8(_mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), v));
	/* ASCII bytes index the table by their low four bits: '"' at 2, '\\' at 12, and no
	 * ASCII byte elsewhere */
	const __m256i quotes = _mm256_setr_epi8(-1, -1, '"', -1, -1, -1, -1, -1, -1, -1, -1, -1,
		'\\', -1, -1, -1, -1, -1, '"', -1, -1, -1, -1, -1, -1, -1, -1, -1, '\\', -1, -1, -1);
	unsigned q = (unsigned)_mm256_movemask_epi8(
		_mm256_cmpeq_epi8(v, _mm256_shuffle_epi8(quotes, v)));
	if (!(ctl | q)) {
		_mm256_storeu_si256((__m256i *)(void *)o, v);
		return 32;
	}
	if (!ctl && (q & (q - 1)))
		return quoted32(v, o, q);
	char b[64];	/* the block, then zeros */
	_mm256_storeu_si256((__m256i *)(void *)b, v);
	_mm256_storeu_si256((__m256i *)(void *)(b + 32), _mm256_setzero_si256());
	return escaped_bits(b, 32, o, ctl | q);
}

/* escape_run_utf8's loop, 32 bytes a step with AVX2, then 16 with SSSE3. */
__attribute__((target("avx2"))) static int escape_run_avx2(struct buf *out, const char *s,
							    size_t n)
{
	char *o = out->ptr + out->len;
	size_t i = 0;
	while (i < n) {
		size_t k;
		if (n - i >= 32 && (k = block32_avx2(s + i, o)) != 0) {
			o += k;
			i += 32;
			continue;
		}
		if (n - i >= 16) {
			k = block16_ssse3(s + i, o);
			if (k) {
				o += k;
				i += 16;
				continue;
			}
			k = plain16(s + i, o);	/* up to the byte block16_ssse3 left */
			o += k;
			i += k;
		}
		k = escape_one(s + i, n - i, &o);
		if (!k)
			return -1;
		i += k;
	}
	*o = '\0';
	out->len = (size_t)(o - out->ptr);
	return 0;
}
#endif

static void make_ascii_json(void)
{
#ifdef HAVE_SSSE3
	make_quote_tables();
#endif
	for (unsigned c = 0; c < 128; c++) {
		char *e = escape_at(ascii_json[c].text, (unsigned char)c);
		ascii_json[c].len = (size_t)(e - ascii_json[c].text);
		if (c >= 0x20 && c != '"' && c != '\\') {
			ascii_json[c].text[0] = (char)c;
			ascii_json[c].len = 1;
		}
	}
}
#endif

/* Makes the tables of the block loops, once. */
static void tables_init(void)
{
#if defined(__SSE2__)
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, make_ascii_json);
#endif
}

/* escape_run, checking UTF-8 on the way: returns 0, or -1 at the first byte that does not
 * start a valid sequence (out->len is then left as it was). ASCII goes a block at a time; a
 * non-ASCII byte stops the block. out has room for 6 * n + 32 more. */
static int escape_run_utf8(struct buf *out, const char *s, size_t n)
{
#ifdef HAVE_SSSE3
	if (simd_level == 2)
		return escape_run_avx2(out, s, n);
	if (simd_level == 1)
		return escape_run_ssse3(out, s, n);
#endif
	char *o = out->ptr + out->len;
	size_t i = 0;
	while (i < n) {
#if defined(__SSE2__)
		if (n - i >= 16) {
			size_t k = block16(s + i, o);
			if (k) {
				o += k;
				i += 16;
				continue;
			}
			k = plain16(s + i, o);	/* up to the byte block16 left */
			o += k;
			i += k;
		}
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		if (n - i >= 8) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			memcpy(o, &w, 8);
			uint64_t m = json_special(w) | (w & 0x8080808080808080ull);
			if (!m) {
				o += 8;
				i += 8;
				continue;
			}
			size_t k = (size_t)(__builtin_ctzll(m) >> 3);
			o += k;
			i += k;
		}
#endif
		size_t k = escape_one(s + i, n - i, &o);
		if (!k)
			return -1;
		i += k;
	}
	*o = '\0';
	out->len = (size_t)(o - out->ptr);
	return 0;
}

void json_use_simd(int level)
{
	tables_init();
#ifdef HAVE_SSSE3
	simd_level = simd_limit(level);
#else
	(void)level;
#endif
}
int json_write_utf8(struct buf *out, const char *s, size_t n)
{
	const size_t slice = 65536;	/* as in json_write_string */
	size_t start = out->len;
	tables_init();
	buf_addc(out, '"');
	for (size_t i = 0; i < n; ) {
		size_t k = n - i < slice ? n - i : slice;
		buf_grow(out, 6 * k + 36);	/* a sequence may run 3 bytes past the slice, a block
					 * writes 32 past its end */
		while (k < n - i && k < slice + 3 && ((unsigned char)s[i + k] & 0xc0) == 0x80)
			k++;	/* a slice ends at a sequence's end */
		if (escape_run_utf8(out, s + i, k) < 0) {
			out->len = start;
			out->ptr[start] = '\0';
			return -1;
		}
		i += k;
	}
	buf_addc(out, '"');
	return 0;
}

void json_write_string(struct buf *out, const char *s, size_t n)
{
	const size_t slice = 65536;	/* room for every byte escaped, a slice at a time */
	buf_addc(out, '"');
	for (size_t i = 0; i < n; i += slice) {
		size_t k = n - i < slice ? n - i : slice;
		buf_grow(out, 6 * k + 1);
		escape_run(out, s + i, k);
	}
	buf_addc(out, '"');
}

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
