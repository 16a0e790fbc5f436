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
