/* direct_json.c: pieces of the no-tree JSON writers (see direct_json.h). */
#include "php/direct_json.h"
#include "php/json_escape.h"
#include "php/value_json.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ---- strings ---- */

#define ONES 0x0101010101010101ull
#define HIGH_BITS 0x8080808080808080ull

/* Nonzero when a byte of w needs an escape or, with ascii, is not ASCII. Each byte is tested
 * on its own, wherever it sits in w (borrows only carry upward from a byte that counts). */
static inline uint64_t needs_care(uint64_t w, int ascii)
{
	if (!ascii)
		return json_special(w);
	/* w's own high bits cover the bytes >= 0x80, so below them no "& ~x" is needed */
	uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');
	return (w | (w - ONES * 0x20) | (q - ONES) | (b - ONES)) & HIGH_BITS;
}

/* Copies the n < 8 bytes of s to o when none needs care: 1, or 0 with nothing written.
 * Two loads cover them (overlapping; spaces pad three bytes or fewer). */
static inline int copy_short(char *o, const char *s, size_t n, int ascii)
{
	if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		if (needs_care((uint64_t)a << 32 | b, ascii))
			return 0;
		memcpy(o, &a, 4);
		memcpy(o + n - 4, &b, 4);
		return 1;
	}
	if (n == 0)
		return 1;
	unsigned char a = (unsigned char)s[0], b = (unsigned char)s[n / 2],
		      c = (unsigned char)s[n - 1];
	if (needs_care(0x2020202020000000ull | (uint64_t)a | (uint64_t)b << 8 |
		       (uint64_t)c << 16, ascii))
		return 0;
	o[0] = (char)a;
	o[n / 2] = (char)b;
	o[n - 1] = (char)c;
	return 1;
}

#if defined(__SSE2__)
/* copy_plain for n >= 16: sixteen bytes a step, the last sixteen overlapping. */
static size_t copy_long(char *o, const char *s, size_t n, int ascii)
{
	size_t i = 0;
	for (; n - i >= 16; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		_mm_storeu_si128((__m128i *)(void *)(o + i), v);
		unsigned m = json_special16(v, ascii);
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
	if (i == n)
		return n;
	/* the last sixteen bytes: those before i are plain, so the first flag is past them */
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16));
	_mm_storeu_si128((__m128i *)(void *)(o + n - 16), v);
	unsigned m = json_special16(v, ascii);
	return m ? n - 16 + (size_t)__builtin_ctz(m) : n;
}
#endif

/* Copies the bytes of s to o (room for n) up to the first that needs care; returns how many
 * (n when none does). Inline: most strings are short. */
static inline __attribute__((always_inline)) size_t copy_plain(char *o, const char *s, size_t n,
								 int ascii)
{
	size_t i = 0;
	uint64_t w, x;
	if (n < 8) {
		if (copy_short(o, s, n, ascii))
			return n;
	} else if (n <= 16) {	/* two loads, overlapping */
		memcpy(&w, s, 8);
		memcpy(&x, s + n - 8, 8);
		if (!needs_care(w, ascii) && !needs_care(x, ascii)) {
			memcpy(o, &w, 8);
			memcpy(o + n - 8, &x, 8);
			return n;
		}
	} else {
#if defined(__SSE2__)
		return copy_long(o, s, n, ascii);
#else
		for (; n - i >= 8; i += 8) {
			memcpy(&w, s + i, 8);
			if (needs_care(w, ascii))
				break;
			memcpy(o + i, &w, 8);
		}
#endif
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\' || (c >= 0x80 && ascii))
			break;
		o[i] = (char)c;
	}
	return i;
}

/* fast_put_utf8 from s[i], the first byte that is not plain ASCII (o: the opening quote). Apart,
 * so that the common case calls nothing. */
static __attribute__((noinline)) int put_utf8_rest(struct buf *out, char *o, const char *s, size_t n, size_t i)
{
	int escape = (unsigned char)s[i] < 0x80;
	if (!escape && !utf8_valid(s + i, n - i)) {	/* s[0..i) is ASCII */
		*o = '\0';
		return -1;
	}
	if (escape || copy_plain(o + 1 + i, s + i, n - i, 0) < n - i)
		return json_write_utf8(out, s, n);	/* something to escape */
	o[n + 1] = '"';
	o[n + 2] = '\0';
	out->len += n + 2;
	return 0;
}

/* Copies the n <= 16 bytes of s to o when all are plain ASCII: 1, else 0 (o then holds junk). */
static inline int copy_small(char *o, const char *s, size_t n)
{
	if (n < 8)
		return copy_short(o, s, n, 1);
	uint64_t w, x;
	memcpy(&w, s, 8);
	memcpy(&x, s + n - 8, 8);
	if (needs_care(w, 1) | needs_care(x, 1))
		return 0;
	memcpy(o, &w, 8);
	memcpy(o + n - 8, &x, 8);
	return 1;
}

/* fast_put_utf8 for any string and buffer. Strings with nothing to escape are copied in one
 * pass, and UTF-8 is checked only from the first byte that is not ASCII. */
static __attribute__((noinline)) int put_utf8_any(struct buf *out, const char *s, size_t n)
{
	buf_room(out, n + 2);
	char *o = out->ptr + out->len;
	*o = '"';
	size_t i = copy_plain(o + 1, s, n, 1);
	if (i < n)
		return put_utf8_rest(out, o, s, n, i);
	o[n + 1] = '"';
	o[n + 2] = '\0';
	out->len += n + 2;
	return 0;
}

/* Short plain strings (most names and values) with room for them: here, where the only calls
 * are tail calls, so nothing is saved on the stack; the rest in put_utf8_any. */
int fast_put_utf8(struct buf *out, const char *s, size_t n)
{
	if (n > 16 || n + 2 >= out->cap - out->len)
		return put_utf8_any(out, s, n);
	char *o = out->ptr + out->len;
	if (!copy_small(o + 1, s, n))
		return put_utf8_any(out, s, n);
	o[0] = '"';
	o[n + 1] = '"';
	o[n + 2] = '\0';
	out->len += n + 2;
	return 0;
}

void fast_put_text(struct buf *out, const char *s, size_t n)
{
	if (fast_put_utf8(out, s, n) < 0)
		json_write_text(out, s, n);
}

void fast_open_class(struct buf *out, const char *cls, size_t n)
{
	buf_add(out, "{\"__class\":", 11);
	fast_put_text(out, cls, n);
}

void fast_put_named(struct buf *out, const char *cls, size_t cls_len, const char *name,
		    const char *s, size_t n)
{
	fast_open_class(out, cls, cls_len);
	buf_addc(out, ',');
	json_write_string(out, name, strlen(name));
	buf_addc(out, ':');
	fast_put_text(out, s, n);
	buf_addc(out, '}');
}

int fast_envelope(enum crypt_scheme scheme, const char *cipher, const char *s, size_t n)
{
	if (!crypt_inner_possible(s, n, scheme))
		return 0;	/* most: no allocation, no envelope to release */
	struct crypt_envelope env;
	char *cause = NULL;
	int r = crypt_parse(s, n, scheme, cipher, 0, &env, &cause);
	crypt_envelope_release(&env);
	free(cause);
	return r != 0;
}

void fast_decline(struct buf *out, size_t mark)
{
	out->len = mark;
	if (out->ptr)
		out->ptr[mark] = '\0';
}

/* ---- member names and their repeats ---- */

void *fast_grow(void *items, const void *small, size_t *cap, size_t size)
{
	*cap *= 2;
	if (items != small)
		return xrealloc(items, *cap * size);
	void *p = xmalloc(*cap * size);
	memcpy(p, small, *cap / 2 * size);
	return p;
}

void fast_keys_init(struct fast_keys *k)
{
	k->spans = k->small;
	k->n = 0;
	k->cap = FAST_SMALL_KEYS;
}

void fast_keys_release(struct fast_keys *k)
{
	if (k->spans != k->small)
		free(k->spans);
}

/* fast_put_key for any name and buffer. */
static __attribute__((noinline)) int put_key_any(struct fast_keys *k, struct buf *out, int is_int,
						 int64_t i, const char *s, size_t n)
{
	size_t off = out->len;
	if (is_int) {
		buf_addc(out, '"');
		json_write_int(out, i);
		buf_addc(out, '"');
		fast_note_key(k, out, off);
		return 0;
	}
	/* fast_put_utf8 and fast_note_key in one: room for the name, its quotes and ':' asked once */
	buf_room(out, n + 3);
	char *o = out->ptr + off;
	*o = '"';
	size_t c = copy_plain(o + 1, s, n, 1);
	if (c < n) {
		if (put_utf8_rest(out, o, s, n, c) < 0)
			return -1;
		fast_note_key(k, out, off);
		return 0;
	}
	if (k->n == k->cap)
		k->spans = fast_grow(k->spans, k->small, &k->cap, sizeof(*k->spans));
	k->spans[k->n++] = (struct fast_span){ off, n + 2 };
	o[n + 1] = '"';
	o[n + 2] = ':';
	o[n + 3] = '\0';
	out->len = off + n + 3;
	return 0;
}

/* Ends a name of n bytes copied to out at off + 1: its quotes, ':' and its span. */
static inline int close_name(struct fast_keys *k, struct buf *out, size_t off, size_t n)
{
	char *o = out->ptr + off;
	o[0] = '"';
	o[n + 1] = '"';
	o[n + 2] = ':';
	o[n + 3] = '\0';
	k->spans[k->n++] = (struct fast_span){ off, n + 2 };
	out->len = off + n + 3;
	return 0;
}

/* Short plain names with room for them and their span (most): as fast_put_utf8. */
int fast_put_key(struct fast_keys *k, struct buf *out, int is_int, int64_t i, const char *s,
		 size_t n)
{
	size_t off = out->len;
	if (is_int || n > 16 || n + 3 >= out->cap - off || k->n == k->cap)
		return put_key_any(k, out, is_int, i, s, n);
	char *o = out->ptr + off;
	if (!copy_small(o + 1, s, n))
		return put_key_any(k, out, is_int, i, s, n);
	return close_name(k, out, off, n);
}


/* fast_put_member for any name and buffer: sep, then put_key_any (out put back on -1). */
static __attribute__((noinline)) int put_member_any(struct fast_keys *k, struct buf *out, char sep,
						    const char *s, size_t n)
{
	buf_addc(out, sep);
	if (put_key_any(k, out, 0, 0, s, n) == 0)
		return 0;
	fast_decline(out, out->len - 1);
	return -1;
}

/* Short plain names with room for them, sep and their span (most): as fast_put_key. */
int fast_put_member(struct fast_keys *k, struct buf *out, char sep, const char *s, size_t n)
{
	size_t off = out->len + 1;
	if (n > 16 || n + 4 >= out->cap - out->len || k->n == k->cap)
		return put_member_any(k, out, sep, s, n);
	char *o = out->ptr + off;
	if (!copy_small(o + 1, s, n))
		return put_member_any(k, out, sep, s, n);
	o[-1] = sep;
	return close_name(k, out, off, n);
}

static int same_span(const struct buf *out, const struct fast_span *a, const struct fast_span *b)
{
	return a->len == b->len && memcmp(out->ptr + a->off, out->ptr + b->off, a->len) == 0;
}

/* One of 64 bits for a name: from its length and first byte (quotes included, n >= 2). */
static inline uint64_t name_bit(const char *p, size_t n)
{
	uint32_t x = (uint32_t)n ^ (uint32_t)(unsigned char)p[1] << 8;
	return 1ull << ((x * 0x9e3779b1u) >> 26);
}

/* 1 when a name repeats among spans[base..end), two of which share their name_bit. */
static __attribute__((noinline)) int repeats(const struct fast_span *spans,
					     const struct buf *out, size_t base, size_t end)
{
	size_t m = end - base;
	if (m <= 16) {
		for (size_t a = base + 1; a < end; a++)
			for (size_t b = base; b < a; b++)
				if (same_span(out, &spans[b], &spans[a]))
					return 1;
		return 0;
	}
	size_t size = 64, found = 0;
	while (size < 2 * m)
		size *= 2;
	size_t *set = xcalloc(size, sizeof(*set));
	for (size_t a = base; a < end && !found; a++) {
		size_t h = (size_t)hash_bytes(out->ptr + spans[a].off, spans[a].len) & (size - 1);
		while (set[h] && !(found = same_span(out, &spans[set[h] - 1], &spans[a])))
			h = (h + 1) & (size - 1);
		set[h] = a + 1;
	}
	free(set);
	return found != 0;
}

/* Most objects have no two names that share length and first byte: they are seen here, where
 * the only call is a tail call, so nothing is saved on the stack. */
int fast_keys_close(struct fast_keys *k, const struct buf *out, size_t base)
{
	size_t i = base, end = k->n;
	k->n = base;
	if (end - base < 2)
		return 0;
	const struct fast_span *spans = k->spans;
	const char *p = out->ptr;
	uint64_t seen = 0, bit;
	for (; i < end && !(seen & (bit = name_bit(p + spans[i].off, spans[i].len))); i++)
		seen |= bit;
	if (i == end)
		return 0;
	return repeats(spans, out, base, end);
}
