/* compress_write.c: php-memcached's compression (php_memcached.c, s_compress_value). */
#include "codec/compress_write.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MEMC_COMPRESSED 0x10
#define MEMC_ZLIB 0x20
#define MEMC_FASTLZ 0x40

#define FLZ_HASH_BITS 13
#define FLZ_MAX_DIST 8192
#define FLZ_MAX_LEN 264

static void flush_literals(const unsigned char *p, size_t n, struct buf *out)
{
	while (n > 0) {
		size_t run = n > 32 ? 32 : n;
		buf_addc(out, (char)(run - 1));
		buf_add(out, p, run);
		p += run;
		n -= run;
	}
}

static unsigned flz_hash(const unsigned char *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	return (v * 2654435761u) >> (32 - FLZ_HASH_BITS);
}

void fastlz_compress1(const void *src, size_t n, struct buf *out)
{
	const unsigned char *in = src;
	size_t *table = xcalloc((size_t)1 << FLZ_HASH_BITS, sizeof(*table));	/* pos + 1 */
	size_t ip = 0, lit = 0;
	while (ip + 3 <= n) {
		unsigned h = flz_hash(in + ip);
		size_t ref = table[h];
		table[h] = ip + 1;
		size_t len = 0;
		if (ref && ip - (ref - 1) <= FLZ_MAX_DIST) {
			const unsigned char *r = in + ref - 1;
			while (ip + len < n && len < FLZ_MAX_LEN && r[len] == in[ip + len])
				len++;
		}
		if (len < 3 || ip == 0) {
			ip++;
			continue;
		}
		flush_literals(in + lit, ip - lit, out);
		size_t back = ip - (ref - 1) - 1;
		if (len - 2 < 7) {
			buf_addc(out, (char)(((len - 2) << 5) | (back >> 8)));
		} else {
			buf_addc(out, (char)((7 << 5) | (back >> 8)));
			buf_addc(out, (char)(len - 9));
		}
		buf_addc(out, (char)(back & 255));
		ip += len;
		lit = ip;
	}
	flush_literals(in + lit, n - lit, out);
	free(table);
}

int compress_wrap(enum compress_kind k, const void *in, size_t n, struct buf *out,
		  char **cause)
{
	unsigned char head[4] = { (unsigned char)n, (unsigned char)(n >> 8),
				  (unsigned char)(n >> 16), (unsigned char)(n >> 24) };
	buf_reset(out);
	buf_add(out, head, 4);
	if (k == COMPRESS_FASTLZ) {
		if (n)
			fastlz_compress1(in, n, out);
		return 0;
	}
	if (k != COMPRESS_ZLIB) {
		*cause = xasprintf("cannot compress with %s", compress_name(k));
		return -1;
	}
	uLongf cap = compressBound((uLong)n);
	buf_grow(out, cap + 1);
	if (compress((Bytef *)out->ptr + 4, &cap, in, (uLong)n) != Z_OK) {
		*cause = xstrdup("zlib: compression failed");
		return -1;
	}
	out->len = 4 + cap;
	out->ptr[out->len] = '\0';
	return 0;
}

int compress_as_php(enum compress_kind k, const void *in, size_t n, uint32_t *flags,
		    struct buf *out, char **cause)
{
	uint32_t kind_bit = k == COMPRESS_ZLIB ? MEMC_ZLIB : k == COMPRESS_FASTLZ ? MEMC_FASTLZ : 0;
	if (k != COMPRESS_NONE && !kind_bit) {
		*cause = xasprintf("cannot compress with %s", compress_name(k));
		return -1;
	}
	if (kind_bit && n >= COMPRESS_THRESHOLD) {
		if (compress_wrap(k, in, n, out, cause))
			return -1;
		if ((double)n > (double)(out->len - 4) * COMPRESS_FACTOR) {
			*flags = (*flags & ~(uint32_t)(MEMC_ZLIB | MEMC_FASTLZ)) | MEMC_COMPRESSED |
				 kind_bit;
			return 0;
		}
	}
	*flags &= ~(uint32_t)(MEMC_COMPRESSED | MEMC_ZLIB | MEMC_FASTLZ);
	buf_reset(out);
	buf_add(out, in, n);
	return 0;
}
