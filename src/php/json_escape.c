/* json_escape.c: bytes as a JSON string, escaped as jansson escapes them, and integers (see
 * json_escape.h).
 *
 * json_write_utf8 checks UTF-8 on the way and takes plain ASCII a block at a time: 16 bytes
 * with SSE2 or SSSE3, 32 then 16 with AVX2 (the level json_use_simd picks), eight in a word
 * without SSE2. Every level's loop is made from one template, ESCAPE_BLOCKS, with that
 * level's block steps. */
#include "php/json_escape.h"
#include "util.h"

#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
#include <immintrin.h>
#endif
#include <pthread.h>

/* ---- one byte ---- */

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

/* ---- json_write_string: valid UTF-8, eight bytes a step ---- */

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

/* ---- json_write_utf8: blocks of plain ASCII ---- */

/* Defines name(out, s, n): escape_run_utf8's loop with the block steps of one level. Every
 * level's loop is made from this one. The steps, each on a block at s that it writes to o:
 * wide (2 * width bytes) and narrow (width bytes) write the block as a JSON string's inside
 * and return the bytes written, or return 0 when one of its bytes is above 0x7f (left to the
 * loop); plain copies the block and returns how many of its bytes lead up to the first that
 * is not plain ASCII for a JSON string. The loop takes blocks while they go, else the plain
 * bytes up to the one that stopped them, then that byte escaped or the UTF-8 sequence it
 * starts. name returns 0, or -1 at bytes that are not UTF-8; out has room for 6 * n + 32
 * more. */
#define ESCAPE_BLOCKS(name, wide, narrow, plain, width)					\
static int name(struct buf *out, const char *s, size_t n)				\
{											\
	char *o = out->ptr + out->len;							\
	size_t i = 0;									\
	while (i < n) {									\
		size_t k;								\
		if (n - i >= 2 * (width) && (k = wide(s + i, o)) != 0) {		\
			o += k;								\
			i += 2 * (width);						\
			continue;							\
		}									\
		if (n - i >= (width)) {							\
			k = narrow(s + i, o);						\
			if (k) {							\
				o += k;							\
				i += (width);						\
				continue;						\
			}								\
			k = plain(s + i, o);	/* up to the byte narrow left */	\
			o += k;								\
			i += k;								\
		}									\
		k = escape_one(s + i, n - i, &o);					\
		if (!k)									\
			return -1;							\
		i += k;									\
	}										\
	*o = '\0';									\
	out->len = (size_t)(o - out->ptr);						\
	return 0;									\
}

/* The wide step of the levels that have none: it takes no block. */
static inline size_t no_block(const char *s, char *o)
{
	(void)s;
	(void)o;
	return 0;
}

#if !defined(__SSE2__)
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Flags the bytes of w that are not plain ASCII for a JSON string. */
static inline uint64_t word_special(uint64_t w)
{
	return json_special(w) | (w & 0x8080808080808080ull);
}

/* The block step of eight bytes in a word. */
static inline size_t block8(const char *s, char *o)
{
	uint64_t w;
	memcpy(&w, s, 8);
	if (word_special(w))
		return 0;
	memcpy(o, &w, 8);
	return 8;
}

/* Copies the eight bytes at s to o; returns how many lead up to the first that is not plain
 * ASCII for a JSON string, 8 when none is. */
static inline size_t plain8(const char *s, char *o)
{
	uint64_t w;
	memcpy(&w, s, 8);
	memcpy(o, &w, 8);
	uint64_t m = word_special(w);
	return m ? (size_t)(__builtin_ctzll(m) >> 3) : 8;
}
#else
/* Big-endian: no block step (the lowest flag is not the first byte); escape_one takes every
 * byte. */
static inline size_t block8(const char *s, char *o)
{
	(void)s;
	(void)o;
	return 0;
}

static inline size_t plain8(const char *s, char *o)
{
	(void)s;
	(void)o;
	return 0;
}
#endif
#endif

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

/* The SSSE3 level: 16 bytes a step, quotes spread by shuffles. */
__attribute__((target("ssse3")))
ESCAPE_BLOCKS(escape_run_ssse3, no_block, block16_ssse3, plain16, 16)

/* The AVX2 level: 32 bytes a step, then 16 with SSSE3. */
__attribute__((target("avx2")))
ESCAPE_BLOCKS(escape_run_avx2, block32_avx2, block16_ssse3, plain16, 16)
#endif

/* Fills ascii_json and, on x86, the quote tables and the CPU's level (by tables_init). */
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

/* The base level: SSE2, 16 bytes a step; or eight bytes in a word. */
#if defined(__SSE2__)
ESCAPE_BLOCKS(escape_run_base, no_block, block16, plain16, 16)
#else
ESCAPE_BLOCKS(escape_run_base, no_block, block8, plain8, 8)
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
 * start a valid sequence (out->len is then left as it was). ASCII goes a block at a time, at
 * the level json_use_simd chose; a non-ASCII byte stops the block. out has room for
 * 6 * n + 32 more. */
static int escape_run_utf8(struct buf *out, const char *s, size_t n)
{
#ifdef HAVE_SSSE3
	if (simd_level == 2)
		return escape_run_avx2(out, s, n);
	if (simd_level == 1)
		return escape_run_ssse3(out, s, n);
#endif
	return escape_run_base(out, s, n);
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
