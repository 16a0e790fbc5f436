/* base64.c: base64 encoding and strict decoding (see base64.h). */
#include "base64.h"
#include "util.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <tmmintrin.h>
#define HAVE_SSSE3 1
#endif

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static char pairs[4096][2];	/* the two digits of every 12-bit value */

static int have_ssse3;
static pthread_once_t pairs_once = PTHREAD_ONCE_INIT;

static void make_pairs(void)
{
	for (unsigned v = 0; v < 4096; v++) {
		pairs[v][0] = alphabet[v >> 6];
		pairs[v][1] = alphabet[v & 63];
	}
#ifdef HAVE_SSSE3
	have_ssse3 = __builtin_cpu_supports("ssse3");
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
#endif

/* Encodes len bytes at in to out (room for 4 per 3 and one more), NUL-terminated; returns the
 * length written. Twelve bytes a shuffle where the CPU has SSSE3; then twelve bits a
 * look-up: the pairs of digits for every 12-bit value. */
static size_t encode_to(unsigned char *out, const unsigned char *in, size_t len)
{
	pthread_once(&pairs_once, make_pairs);
	unsigned char *o = out;
	size_t i = 0;
#ifdef HAVE_SSSE3
	if (have_ssse3 && len >= 16) {
		i = encode_ssse3(o, in, len);
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

void base64_use_simd(int on)
{
	pthread_once(&pairs_once, make_pairs);
#ifdef HAVE_SSSE3
	have_ssse3 = on && __builtin_cpu_supports("ssse3");
#else
	(void)on;
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

int base64_charset(const char *s, size_t n)
{
	size_t pad = 0;
	while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
		pad++;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n - pad; i++)
		if (!digit1[p[i]])
			return 0;
	return 1;
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
