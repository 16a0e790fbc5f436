/* base64.c: base64 encoding and strict decoding (see base64.h). */
#include "codec/base64.h"
#include "util.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HAVE_SSSE3 1
#endif

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static char pairs[4096][2];	/* the two digits of every 12-bit value */

static int simd_level;	/* 0: none, 1: SSSE3, 2: AVX2 */
static pthread_once_t pairs_once = PTHREAD_ONCE_INIT;


static void make_pairs(void)
{
	for (unsigned v = 0; v < 4096; v++) {
		pairs[v][0] = alphabet[v >> 6];
		pairs[v][1] = alphabet[v & 63];
	}
#ifdef HAVE_SSSE3
	simd_level = simd_cpu_level();
#endif
}

#ifdef HAVE_SSSE3
/* The 16 digits of the first 12 bytes of v (Mula's pshufb encoder): each three bytes spread to
 * four 6-bit values, each value moved to its digit by the offset of its range. */
__attribute__((target("ssse3"))) static inline __m128i digits12(__m128i v)
{
	v = _mm_shuffle_epi8(v, _mm_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10));
	__m128i hi = _mm_mulhi_epu16(_mm_and_si128(v, _mm_set1_epi32(0x0fc0fc00)),
				     _mm_set1_epi32(0x04000040));
	__m128i lo = _mm_mullo_epi16(_mm_and_si128(v, _mm_set1_epi32(0x003f03f0)),
				     _mm_set1_epi32(0x01000010));
	__m128i six = _mm_or_si128(hi, lo);
	/* range: 0 for 26..51 ('a'), 1 to 10 for '0'..'9', 11 '+', 12 '/', 13 for 0..25 ('A') */
	__m128i range = _mm_subs_epu8(six, _mm_set1_epi8(51));
	range = _mm_or_si128(range, _mm_and_si128(_mm_cmpgt_epi8(_mm_set1_epi8(26), six),
						  _mm_set1_epi8(13)));
	const __m128i offset = _mm_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
		'0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '+' - 62, '/' - 63, 'A',
		0, 0);
	return _mm_add_epi8(six, _mm_shuffle_epi8(offset, range));
}

/* Encodes whole groups of 12 bytes while 16 can be read; returns the bytes taken (out gets
 * 4 per 3). */
__attribute__((target("ssse3"))) static size_t encode_ssse3(unsigned char *out,
							    const unsigned char *in, size_t len)
{
	size_t i = 0;
	for (; len - i >= 16; i += 12, out += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
		_mm_storeu_si128((__m128i *)(void *)out, digits12(v));
	}
	return i;
}

/* digits12 in both lanes of AVX2: 24 bytes to 32 digits. */
__attribute__((target("avx2"))) static inline __m256i digits24(__m256i v)
{
	v = _mm256_shuffle_epi8(v, _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11,
		10, 1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10));
	__m256i hi = _mm256_mulhi_epu16(_mm256_and_si256(v, _mm256_set1_epi32(0x0fc0fc00)),
					_mm256_set1_epi32(0x04000040));
	__m256i lo = _mm256_mullo_epi16(_mm256_and_si256(v, _mm256_set1_epi32(0x003f03f0)),
					_mm256_set1_epi32(0x01000010));
	__m256i six = _mm256_or_si256(hi, lo);
	__m256i range = _mm256_subs_epu8(six, _mm256_set1_epi8(51));
	range = _mm256_or_si256(range, _mm256_and_si256(
		_mm256_cmpgt_epi8(_mm256_set1_epi8(26), six), _mm256_set1_epi8(13)));
	const __m256i offset = _mm256_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
		'0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '+' - 62, '/' - 63, 'A',
		0, 0, 'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
		'0' - 52, '0' - 52, '0' - 52, '0' - 52, '+' - 62, '/' - 63, 'A', 0, 0);
	return _mm256_add_epi8(six, _mm256_shuffle_epi8(offset, range));
}

/* encode_ssse3 24 bytes a step (two 16-byte loads, 12 apart, one a lane), then 12. */
__attribute__((target("avx2"))) static size_t encode_avx2(unsigned char *out,
							  const unsigned char *in, size_t len)
{
	size_t i = 0;
	for (; len - i >= 28; i += 24, out += 32) {
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(in + i + 12));
		__m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(a), b, 1);
		_mm256_storeu_si256((__m256i *)(void *)out, digits24(v));
	}
	return i + encode_ssse3(out, in + i, len - i);
}
#endif

/* Encodes len bytes at in to out (room for 4 per 3 and one more), NUL-terminated; returns the
 * length written. 24 or 12 bytes a shuffle where the CPU has AVX2 or SSSE3; then twelve bits a
 * look-up: the pairs of digits for every 12-bit value. */
static size_t encode_to(unsigned char *out, const unsigned char *in, size_t len)
{
	pthread_once(&pairs_once, make_pairs);
	unsigned char *o = out;
	size_t i = 0;
#ifdef HAVE_SSSE3
	if (simd_level && len >= 16) {
		i = simd_level == 2 ? encode_avx2(o, in, len) : encode_ssse3(o, in, len);
		o += i / 3 * 4;
	}
#endif
	for (; len - i >= 3; i += 3, o += 4) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		memcpy(o, pairs[v >> 12], 2);
		memcpy(o + 2, pairs[v & 0xfff], 2);
	}
	if (len - i == 1) {
		o[0] = (unsigned char)alphabet[in[i] >> 2];
		o[1] = (unsigned char)alphabet[(in[i] & 3) << 4];
		o[2] = o[3] = '=';
		o += 4;
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];
		o[0] = (unsigned char)alphabet[v >> 10];
		o[1] = (unsigned char)alphabet[(v >> 4) & 63];
		o[2] = (unsigned char)alphabet[(v & 15) << 2];
		o[3] = '=';
		o += 4;
	}
	*o = '\0';
	return (size_t)(o - out);
}

void base64_use_simd(int level)
{
	pthread_once(&pairs_once, make_pairs);
#ifdef HAVE_SSSE3
	simd_level = simd_limit(level);
#else
	(void)level;
#endif
}

static size_t encoded_size(size_t len)
{
	return (len / 3 + (len % 3 != 0)) * 4;
}

char *base64_encode(const void *data, size_t len, size_t *outlen)
{
	unsigned char *out = xmalloc(encoded_size(len) + 1);
	size_t n = encode_to(out, data, len);
	if (outlen)
		*outlen = n;
	return (char *)out;
}

void base64_append(struct buf *out, const void *data, size_t len)
{
	buf_grow(out, encoded_size(len) + 1);
	out->len += encode_to((unsigned char *)out->ptr + out->len, data, len);
}

/* A base64 digit's value + 1; 0 for any other byte. */
static const unsigned char digit1[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8,
	['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
	['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23,
	['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
	['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37,
	['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44,
	['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50, ['y'] = 51,
	['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58,
	['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64
};

#if defined(__SSE2__)
/* 1 when the 16 bytes at s are all base64 digits (signed compares: bytes from 0x80 are
 * negative, below every range). */
static inline int digits16(const char *s)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
#define IN(lo, hi) _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)((lo) - 1))), \
				 _mm_cmplt_epi8(v, _mm_set1_epi8((char)((hi) + 1))))
	__m128i ok = _mm_or_si128(_mm_or_si128(IN('A', 'Z'), IN('a', 'z')),
				  _mm_or_si128(IN('0', '9'), _mm_or_si128(
					  _mm_cmpeq_epi8(v, _mm_set1_epi8('+')),
					  _mm_cmpeq_epi8(v, _mm_set1_epi8('/')))));
#undef IN
	return _mm_movemask_epi8(ok) == 0xffff;
}
#endif

int base64_charset(const char *s, size_t n)
{
	size_t pad = 0, i = 0;
	while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
		pad++;
	const unsigned char *p = (const unsigned char *)s;
#if defined(__SSE2__)
	for (; n - pad - i >= 16; i += 16)	/* every string of a session asks: 16 at a time */
		if (!digits16(s + i))
			return 0;
#endif
	for (; i < n - pad; i++)
		if (!digit1[p[i]])
			return 0;
	return 1;
}

void base64_head4(const char *s, unsigned char out[4])
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t v = (uint32_t)(digit1[p[0]] - 1) << 18 | (uint32_t)(digit1[p[1]] - 1) << 12 |
		     (uint32_t)(digit1[p[2]] - 1) << 6 | (uint32_t)(digit1[p[3]] - 1);
	out[0] = (unsigned char)(v >> 16);
	out[1] = (unsigned char)(v >> 8);
	out[2] = (unsigned char)v;
	out[3] = (unsigned char)((digit1[p[4]] - 1) << 2 | (digit1[p[5]] - 1) >> 4);
}

long base64_decode_to(const char *s, size_t n, unsigned char *o)
{
	size_t pad = n && s[n - 1] == '=' ? (n > 1 && s[n - 2] == '=' ? 2 : 1) : 0;
	const unsigned char *p = (const unsigned char *)s;
	unsigned bad = 0;
	size_t body = (n - pad) / 4 * 4;
	for (size_t i = 0; i < body && !bad; i += 4) {
		unsigned a = digit1[p[i]], b = digit1[p[i + 1]], c = digit1[p[i + 2]],
			 d = digit1[p[i + 3]];
		bad |= !a | !b | !c | !d;
		uint32_t v = (a - 1) << 18 | (b - 1) << 12 | (c - 1) << 6 | (d - 1);
		*o++ = (unsigned char)(v >> 16);
		*o++ = (unsigned char)(v >> 8);
		*o++ = (unsigned char)v;
	}
	uint32_t v = 0;
	for (size_t i = body; i < n; i++) {
		unsigned x = i < n - pad ? digit1[p[i]] : 1;
		bad |= !x;
		v = v << 6 | (x - 1);
	}
	if (bad || n % 4)
		return bad ? BASE64_BAD_CHAR : BASE64_BAD_LENGTH;
	if (n > body) {
		*o++ = (unsigned char)(v >> 16);
		*o++ = (unsigned char)(v >> 8);
		*o++ = (unsigned char)v;
	}
	return (long)(n / 4 * 3 - pad);
}

int base64_decode(const char *s, size_t n, struct buf *out)
{
	buf_reset(out);
	buf_grow(out, n / 4 * 3 + 3);
	long r = base64_decode_to(s, n, (unsigned char *)out->ptr);
	if (r < 0) {
		out->ptr[0] = '\0';
		return (int)r;
	}
	out->len = (size_t)r;
	out->ptr[out->len] = '\0';
	return 0;
}
