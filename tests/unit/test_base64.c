/* test_base64.c: base64_decode against a plain reference decoder on every short input over a
 * small alphabet, round trips of base64_encode, and base64_encode against libcrypto's. */
#include "codec/base64.h"
#include "unit.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int ref_digit(unsigned char c)
{
	const char *all = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(all, c) : NULL;
	return p ? (int)(p - all) : -1;
}

/* The rules written out plainly: up to two '=' at the end, digits before them, then a length
 * that is a multiple of 4. Returns the decoder's code; bytes in out. */
static int ref_decode(const char *s, size_t n, struct buf *out)
{
	size_t pad = 0;
	buf_reset(out);
	while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < n - pad; i++)
		if (ref_digit((unsigned char)s[i]) < 0)
			return BASE64_BAD_CHAR;
	if (n % 4)
		return BASE64_BAD_LENGTH;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = 0;
		for (size_t j = 0; j < 4; j++)
			v = v << 6 | (uint32_t)(s[i + j] == '=' ? 0 : ref_digit((unsigned char)s[i + j]));
		char b[3] = { (char)(v >> 16), (char)(v >> 8), (char)v };
		buf_add(out, b, 3);
	}
	out->len -= pad;
	return 0;
}

static int same(const char *s, size_t n)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	int ra = base64_decode(s, n, &a), rb = ref_decode(s, n, &b);
	int ok = ra == rb && (ra != 0 || (a.len == b.len && (!a.len || memcmp(a.ptr, b.ptr, a.len) == 0)));
	buf_release(&a);
	buf_release(&b);
	return ok;
}

/* Every string of up to 6 characters over an alphabet with digits, '=', and bad bytes. */
static void check_all_short(void)
{
	static const char alphabet[] = "Az09+/=-\0";
	const size_t k = sizeof(alphabet) - 1;
	char s[6];
	int bad = 0, tried = 0;
	for (size_t n = 0; n <= 6; n++) {
		size_t total = 1;
		for (size_t i = 0; i < n; i++)
			total *= k;
		for (size_t x = 0; x < total; x++, tried++) {
			size_t y = x;
			for (size_t i = 0; i < n; i++, y /= k)
				s[i] = alphabet[y % k];
			bad += !same(s, n);
		}
	}
	unit_check(bad == 0, "decoder is the reference on %d short strings (%d differ)", tried, bad);
}

static void check_round_trips(void)
{
	uint64_t x = 0x2545f4914f6cdd1dull;
	int bad = 0;
	unsigned char data[300];
	for (size_t len = 0; len < sizeof(data); len++) {
		for (size_t i = 0; i < len; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			data[i] = (unsigned char)x;
		}
		size_t n;
		char *enc = base64_encode(data, len, &n);
		struct buf out = BUF_INIT;
		bad += base64_decode(enc, n, &out) != 0 || out.len != len ||
		       (len && memcmp(out.ptr, data, len) != 0) || !same(enc, n);
		if (n > 1) {
			enc[(size_t)(x % n)] = '#';
			bad += base64_decode(enc, n, &out) != BASE64_BAD_CHAR || !same(enc, n);
		}
		buf_release(&out);
		free(enc);
	}
	unit_check(bad == 0, "round trips of 0 to 299 random bytes, and each with a bad byte");
}

/* base64_encode and base64_append write what EVP_EncodeBlock writes, at every length to 299
 * and at 100 KB. */
static void check_against_libcrypto(int simd)
{
	base64_use_simd(simd);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	enum { BIG = 100000 };
	static unsigned char data[BIG + 8], want[4 * BIG / 3 + 8];	/* from data + 0..6 */
	for (size_t i = 0; i < sizeof(data); i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		data[i] = (unsigned char)x;
	}
	int bad = 0;
	struct buf b = BUF_INIT;
	for (size_t len = 0; len <= BIG; len = len < 300 ? len + 1 : BIG) {
		size_t n, wn = (size_t)EVP_EncodeBlock(want, data + len % 7, (int)len);
		char *got = base64_encode(data + len % 7, len, &n);
		buf_reset(&b);
		buf_adds(&b, "x");
		base64_append(&b, data + len % 7, len);
		bad += n != wn || memcmp(got, want, n + 1) != 0 || b.len != n + 1 ||
		       memcmp(b.ptr + 1, want, n + 1) != 0;
		free(got);
		if (len == BIG)
			break;
	}
	buf_release(&b);
	unit_check(bad == 0, "base64_encode and base64_append are EVP_EncodeBlock at 0..299 bytes "
		   "and at 100 KB, SIMD level %d", simd);
}

/* Every byte value at every place of 0..100 bytes, against EVP_EncodeBlock. */
static void check_every_byte(void)
{
	unsigned char data[101], want[140];
	int bad = 0;
	for (size_t len = 1; len <= 100; len++) {
		for (size_t at = 0; at < len; at++) {
			for (unsigned c = 0; c < 256; c++) {
				memset(data, 0x5a, len);
				data[at] = (unsigned char)c;
				size_t n, wn = (size_t)EVP_EncodeBlock(want, data, (int)len);
				char *got = base64_encode(data, len, &n);
				bad += n != wn || memcmp(got, want, n + 1) != 0;
				free(got);
			}
		}
	}
	unit_check(bad == 0, "base64_encode is EVP_EncodeBlock with every byte at every place of "
		   "1..100 bytes");
}

/* base64_charset the plain way: up to two '=' at the end, digits before them. */
static int ref_charset(const char *s, size_t n)
{
	size_t pad = 0;
	while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < n - pad; i++)
		if (ref_digit((unsigned char)s[i]) < 0)
			return 0;
	return 1;
}

/* base64_charset (16 bytes at a time) against the plain way: every byte value at every place
 * of digit strings of 0..100 bytes, with and without '=' at the end; base64_head4 against
 * base64_decode_to on the same strings. */
static void check_charset(void)
{
	const char *all = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	int bad = 0, heads = 0;
	for (size_t n = 0; n <= 100; n++) {
		char s[101];
		for (size_t i = 0; i < n; i++)
			s[i] = all[(i * 7 + n) % 64];
		for (size_t at = 0; at < n; at++) {
			char keep = s[at];
			for (int c = 0; c < 256; c += (at % 3) + 1) {
				s[at] = (char)c;
				bad += base64_charset(s, n) != ref_charset(s, n);
			}
			s[at] = keep;
		}
		if (n >= 8) {
			unsigned char head[4], full[80];
			base64_head4(s, head);
			heads++;
			bad += base64_decode_to(s, n - n % 4, full) < 4 || memcmp(head, full, 4) != 0;
		}
		if (n >= 2) {
			s[n - 1] = '=';
			bad += base64_charset(s, n) != ref_charset(s, n);
			s[n - 2] = '=';
			bad += base64_charset(s, n) != ref_charset(s, n);
		}
	}
	unit_check(bad == 0 && heads > 90, "base64_charset is the plain check on every byte at "
		   "every place of 0..100 bytes; base64_head4 is base64_decode_to's first four");
}

int main(void)
{
	check_charset();
	check_all_short();
	check_round_trips();
	for (int level = 2; level >= 0; level--) {
		base64_use_simd(level);
		check_against_libcrypto(level);
		check_every_byte();
	}
	base64_use_simd(2);
	return unit_done();
}
