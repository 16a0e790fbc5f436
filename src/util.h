/* util.h: small shared helpers: growable byte buffer, allocation, text checks. */
#ifndef MEMCSESS_UTIL_H
#define MEMCSESS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdarg.h>
#include <string.h>

/* Allocation that never returns NULL: on failure it calls the fatal hook and aborts. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
/* State that threads write, one element each, is kept a cache line apart (no false sharing):
 * the struct's first member is CACHE_ALIGNED, which makes its size a multiple of the line, and
 * the array comes from xcalloc_lines, which starts it on a line. */
#define CACHE_LINE 64
#define CACHE_ALIGNED _Alignas(CACHE_LINE)
void *xcalloc_lines(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Called before abort() on allocation failure (the TUI restores the terminal here). */
extern void (*util_fatal_hook)(void);

/* A growable byte buffer; always NUL-terminated after its len bytes. */
struct buf {
	char *ptr;
	size_t len;
	size_t cap;
};
#define BUF_INIT { NULL, 0, 0 }
void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
/* buf_grow, inline when there is room already (the JSON writers ask for every token). */
static inline void buf_room(struct buf *b, size_t extra)
{
	if (extra >= b->cap - b->len)
		buf_grow(b, extra);
}
/* buf_add and buf_addc are inline for the common case: room enough (the writers of JSON
 * call them for every few bytes). */
void buf_add_slow(struct buf *b, const void *data, size_t n);
static inline void buf_add(struct buf *b, const void *data, size_t n)
{
	if (n < b->cap - b->len) {	/* cap > len always once allocated */
		memcpy(b->ptr + b->len, data, n);
		b->len += n;
		b->ptr[b->len] = '\0';
	} else {
		buf_add_slow(b, data, n);
	}
}
static inline void buf_addc(struct buf *b, char c)
{
	if (b->cap - b->len > 1) {
		b->ptr[b->len++] = c;
		b->ptr[b->len] = '\0';
	} else {
		buf_add_slow(b, &c, 1);
	}
}
/* Inline too: the length of a literal is then known when compiling. */
static inline void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Takes the buffer's memory out; the buffer is left empty. Returns new. */
char *buf_detach(struct buf *b, size_t *len);

/* Returns new formatted string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Flags (high bit of each byte) the bytes of w below 0x20, '"' and '\\'; the lowest flag is
 * exact (borrows only carry upward from a true one). */
static inline uint64_t json_special(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
	return (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high;
}

#if defined(__SSE2__)
/* json_special for the 16 bytes of v, as bits, lowest first: bytes below 0x20, '"' and '\\';
 * with ascii, every byte from 0x80 up too (signed, those are below 0x20; unsigned,
 * min(v, 0x1f) == v is v < 0x20). */
static inline unsigned json_special16(__m128i v, int ascii)
{
	__m128i low = ascii ? _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)) :
		      _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
	__m128i m = _mm_or_si128(low, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
						   _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
	return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* How many of the n bytes at s, counted eight at a time, are bytes a JSON string holds as
 * they are (no '"', '\\' or byte below 0x20): the length of that run, or less (a multiple of
 * eight where the machine is not little-endian). */
static inline size_t json_plain_prefix(const char *s, size_t n)
{
	size_t i = 0;
	for (; n - i >= 8; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		uint64_t m = json_special(w);
		if (!m)
			continue;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		return i + (size_t)(__builtin_ctzll(m) >> 3);
#else
		return i;
#endif
	}
	return i;
}

/* memchr, inline over the first 32 bytes (where the names of a session end: class names,
 * variable names, keys), eight bytes a step; libc's after them. */
static inline const char *find_byte(const char *s, char c, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	size_t i = 0;
	for (; n - i >= 8 && i < 32; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		w ^= ones * (unsigned char)c;
		uint64_t m = (w - ones) & ~w & high;	/* the lowest flag is exact */
		if (m)
			return s + i + (__builtin_ctzll(m) >> 3);
	}
	if (n - i >= 8)
		return memchr(s + i, c, n - i);
	for (; i < n; i++)
		if (s[i] == c)
			return s + i;
	return NULL;
#else
	return memchr(s, c, n);
#endif
}

/* The SIMD the CPU has for the block loops that choose at run time (base64, JSON strings):
 * 0 none beyond the build's, 1 SSSE3, 2 AVX2; 0 off x86. */
int simd_cpu_level(void);
/* level, as far as the CPU has it (the switches tests use to compare every level). */
static inline int simd_limit(int level)
{
	int cpu = simd_cpu_level();
	return level < cpu ? level : cpu;
}

/* d as printf's "%.17g" writes it, for |d| in [1e-4, 1e15) (exactly: the digits correctly
 * rounded, half to even), and with point ".0" after a number without a point (as jansson writes
 * reals); returns the length, or 0 for any other d (then use printf). */
size_t fmt_g17(double d, char out[32], int point);
/* "00" to "99" one after another: two decimal digits a look-up (fmt_g17, json_write_int). */
extern const char decimal_pairs[201];
/* FNV-1a of the n bytes, for hash sets. */
uint64_t hash_bytes(const char *s, size_t n);
/* An open-addressing set of strings (keys, sids: no NUL inside). Zeroed is empty. */
struct keyset {
	char **slots;
	size_t cap, n;
};
/* Adds the n bytes at k; returns 1 when they were new, 0 when already present. */
int keyset_add(struct keyset *s, const char *k, size_t n);
/* 1 when the n bytes at k are in s. */
int keyset_has(const struct keyset *s, const char *k, size_t n);
void keyset_release(struct keyset *s);
/* Length of the UTF-8 sequence at str (n > 0 bytes left), or 0 when invalid. */
size_t utf8_seq(const char *str, size_t n);
/* 1 when the n bytes are valid UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const char *s, size_t n);

/* Appends s, escaping every byte outside printable ASCII as \xNN (and \\, \"). */
void buf_add_escaped(struct buf *b, const char *s, size_t n);

/* Parse a whole decimal number of exactly n bytes (no sign for the unsigned one, no spaces).
 * Return 0, or -1 when malformed or out of range. */
int parse_i64(const char *s, size_t n, int64_t *out);
int parse_u64(const char *s, size_t n, uint64_t *out);

/* A TTL (or idle time) nobody can know: the binary protocol has no way to read one. */
#define TTL_UNKNOWN INT64_MIN

/* Parses a duration: "90", "90s", "1.5s", "250ms", "15m", "2h", "7d". Returns 0 or -1. */
int parse_duration(const char *s, double *seconds);
/* Formats seconds compactly for people: "45s", "23m56s", "5h02m", "3d04h"; -1 gives "never",
 * TTL_UNKNOWN "unknown". */
void fmt_duration(int64_t s, char *out, size_t n);
/* Formats an absolute unix time as "YYYY-MM-DD HH:MM:SS UTC". */
void fmt_time(int64_t t, char *out, size_t n);

#endif
