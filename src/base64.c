/* base64.c: base64 through libcrypto's EVP_EncodeBlock (see base64.h). */
#include "base64.h"
#include "util.h"

#include <openssl/evp.h>

/* EVP_EncodeBlock takes an int length, so long input goes in chunks of whole 3-byte groups. */
#define CHUNK (3 * 1024 * 1024)

char *base64_encode(const void *data, size_t len, size_t *outlen)
{
	const unsigned char *in = data;
	size_t groups = len / 3 + (len % 3 != 0);
	unsigned char *out = xmalloc(groups * 4 + 1);
	size_t n = 0;
	out[0] = '\0';
	for (size_t done = 0; done < len; ) {
		size_t k = len - done < CHUNK ? len - done : CHUNK;
		n += (size_t)EVP_EncodeBlock(out + n, in + done, (int)k);
		done += k;
	}
	if (outlen)
		*outlen = n;
	return (char *)out;
}

/* Value of a base64 digit, or -1. */
static int digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

int base64_charset(const char *s, size_t n)
{
	size_t pad = 0;
	while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < n - pad; i++)
		if (digit((unsigned char)s[i]) < 0)
			return 0;
	return 1;
}

int base64_decode(const char *s, size_t n, struct buf *out)
{
	buf_reset(out);
	if (!base64_charset(s, n))
		return BASE64_BAD_CHAR;
	if (n % 4)
		return BASE64_BAD_LENGTH;
	size_t pad = n && s[n - 1] == '=' ? (n > 1 && s[n - 2] == '=' ? 2 : 1) : 0;
	buf_grow(out, n / 4 * 3);
	unsigned char *o = (unsigned char *)out->ptr;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = 0;
		for (size_t j = 0; j < 4; j++)
			v = v << 6 | (uint32_t)(s[i + j] == '=' ? 0 : digit((unsigned char)s[i + j]));
		*o++ = (unsigned char)(v >> 16);
		*o++ = (unsigned char)(v >> 8);
		*o++ = (unsigned char)v;
	}
	out->len = n / 4 * 3 - pad;
	out->ptr[out->len] = '\0';
	return 0;
}
