/* compress.c: zlib (through zlib) and FastLZ (no Debian package: the small decoder is
 * here) as php-memcached stores them (see compress.h). */
#include "codec/compress.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MEMC_COMPRESSED 0x10
#define MEMC_ZLIB 0x20
#define MEMC_FASTLZ 0x40
#define MEMC_ZSTD 0x80

/* FastLZ level 2 far matches count from this distance on. */
#define FASTLZ_L2_FAR 8191

enum compress_kind compress_kind_of(uint32_t flags)
{
	if (!(flags & MEMC_COMPRESSED))
		return COMPRESS_NONE;
	if (flags & MEMC_FASTLZ)
		return COMPRESS_FASTLZ;
	if (flags & MEMC_ZLIB)
		return COMPRESS_ZLIB;
	if (flags & MEMC_ZSTD)
		return COMPRESS_ZSTD;
	return COMPRESS_UNKNOWN;
}

const char *compress_name(enum compress_kind k)
{
	switch (k) {
	case COMPRESS_NONE: return "none";
	case COMPRESS_ZLIB: return "zlib";
	case COMPRESS_FASTLZ: return "fastlz";
	case COMPRESS_ZSTD: return "zstd";
	default: return "unknown";
	}
}

/* Reads a match's extra length bytes and distance; returns 0, or -1 with *why. */
static int fastlz_match(const unsigned char *in, size_t n, size_t *ip, int level,
			unsigned ctrl, size_t *len, size_t *back, const char **why)
{
	*len = (ctrl >> 5) - 1;
	*back = (size_t)(ctrl & 31) << 8;
	unsigned code;
	if (*len == 6) {
		do {
			if (*ip >= n)
				goto truncated;
			code = in[(*ip)++];
			*len += code;
		} while (level == 2 && code == 255 && *len < COMPRESS_MAX_OUT);
	}
	if (*ip >= n)
		goto truncated;
	code = in[(*ip)++];
	*back += code;
	if (level == 2 && code == 255 && (ctrl & 31) == 31) {
		if (n - *ip < 2)
			goto truncated;
		*back = ((size_t)in[*ip] << 8 | in[*ip + 1]) + FASTLZ_L2_FAR;
		*ip += 2;
	}
	*back += 1;
	*len += 3;
	return 0;
truncated:
	*why = "fastlz: match cut short by the end of the data";
	return -1;
}

long fastlz_decompress(const void *src, size_t n, void *dst, size_t cap, const char **why)
{
	const unsigned char *in = src;
	unsigned char *out = dst;
	size_t ip = 0, op = 0;
	if (n == 0) {
		*why = "fastlz: no data";
		return -1;
	}
	int level = (in[0] >> 5) + 1;
	if (level > 2) {
		*why = "fastlz: unknown level in the first byte";
		return -1;
	}
	unsigned ctrl = in[ip++] & 31;
	for (;;) {
		if (ctrl < 32) {
			size_t run = ctrl + 1;
			if (run > n - ip) {
				*why = "fastlz: literal run past the end of the data";
				return -1;
			}
			if (run > cap - op)
				goto too_long;
			memcpy(out + op, in + ip, run);
			ip += run;
			op += run;
		} else {
			size_t len, back;
			if (fastlz_match(in, n, &ip, level, ctrl, &len, &back, why) < 0)
				return -1;
			if (back > op) {
				*why = "fastlz: match refers to before the start of the data";
				return -1;
			}
			if (len > cap - op)
				goto too_long;
			for (size_t i = 0; i < len; i++, op++)
				out[op] = out[op - back];
		}
		if (ip >= n)
			break;
		ctrl = in[ip++];
	}
	return (long)op;
too_long:
	*why = "fastlz: data longer than its length header says";
	return -1;
}

/* zlib's compress2() stream into exactly want bytes. */
static int unzlib(const unsigned char *in, size_t n, unsigned char *out, size_t want, char **cause)
{
	uLongf got = (uLongf)want;
	int r = uncompress(out, &got, in, (uLong)n);
	if (r == Z_OK && got == want)
		return 0;
	if (r == Z_OK)
		*cause = xasprintf("zlib: %lu bytes, but the length header says %zu",
				   (unsigned long)got, want);
	else if (r == Z_BUF_ERROR)
		*cause = xstrdup("zlib: data cut short, or longer than its length header says");
	else
		*cause = xasprintf("zlib: %s", r == Z_DATA_ERROR ? "corrupt data" : zError(r));
	return -1;
}

int compress_unwrap(enum compress_kind k, const void *src, size_t n, struct buf *out,
		    char **cause)
{
	const unsigned char *in = src;
	if (k != COMPRESS_ZLIB && k != COMPRESS_FASTLZ) {
		*cause = xasprintf("compression %s is not supported", compress_name(k));
		return -1;
	}
	if (n < 4) {
		*cause = xasprintf("%s: %zu bytes, too short for the length header", compress_name(k), n);
		return -1;
	}
	size_t want = (size_t)in[0] | (size_t)in[1] << 8 | (size_t)in[2] << 16 | (size_t)in[3] << 24;
	/* zlib cannot grow data more than about 1032 times, FastLZ about 255 times */
	if (want > COMPRESS_MAX_OUT || want / 1100 > n) {
		*cause = xasprintf("%s: length header claims %zu bytes from %zu", compress_name(k),
				   want, n - 4);
		return -1;
	}
	buf_reset(out);
	buf_grow(out, want + 1);
	int r = 0;
	if (k == COMPRESS_ZLIB) {
		r = unzlib(in + 4, n - 4, (unsigned char *)out->ptr, want, cause);
	} else {
		const char *why = NULL;
		long got = fastlz_decompress(in + 4, n - 4, out->ptr, want, &why);
		if (got >= 0 && (size_t)got != want)
			*cause = xasprintf("fastlz: %ld bytes, but the length header says %zu", got, want);
		else if (got < 0)
			*cause = xstrdup(why);
		r = got >= 0 && (size_t)got == want ? 0 : -1;
	}
	out->len = r == 0 ? want : 0;
	out->ptr[out->len] = '\0';
	return r;
}
