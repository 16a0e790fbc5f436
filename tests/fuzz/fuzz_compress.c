/* fuzz_compress.c: php-memcached's zlib and fastlz wrappers and the bare FastLZ decoder
 * (first byte picks which). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "codec/compress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *in = data + 1;
	size_t n = size - 1;
	if (data[0] % 3 == 2) {
		size_t cap = (size_t)(data[0] >> 2) * 64;
		char *out = malloc(cap ? cap : 1);
		const char *why = NULL;
		fastlz_decompress(in, n, out, cap, &why);
		free(out);
		return 0;
	}
	struct buf out = BUF_INIT;
	char *cause = NULL;
	compress_unwrap(data[0] % 3 ? COMPRESS_FASTLZ : COMPRESS_ZLIB, in, n, &out, &cause);
	free(cause);
	buf_release(&out);
	return 0;
}
