/* compress.h: values compressed by php-memcached (Memcached::OPT_COMPRESSION), undone. */
#ifndef MEMCSESS_CODEC_COMPRESS_H
#define MEMCSESS_CODEC_COMPRESS_H

#include <stddef.h>
#include <stdint.h>
#include "util.h"

/* Largest decompressed value accepted (a hostile length header cannot ask for more). */
#define COMPRESS_MAX_OUT (256u << 20)

enum compress_kind {
	COMPRESS_NONE,
	COMPRESS_ZLIB,
	COMPRESS_FASTLZ,
	COMPRESS_ZSTD,		/* recognised from the flags, not supported */
	COMPRESS_UNKNOWN,	/* "compressed" flag without a known type */
};

/* What php-memcached's item flags say: its internal flags are bits 4-15, "compressed" is
 * 0x10, zlib 0x20, fastlz 0x40, zstd 0x80 (php_memcached.c, MEMC_VAL_*). */
enum compress_kind compress_kind_of(uint32_t flags);
const char *compress_name(enum compress_kind k);

/* Undoes php-memcached's compression: in is a 4-byte little-endian original length, then
 * the zlib or fastlz data. The result replaces out's contents.
 * Returns 0, or -1 with *cause (new) saying what is wrong. */
int compress_unwrap(enum compress_kind k, const void *in, size_t n, struct buf *out,
		    char **cause);

/* Decompresses one FastLZ block (level 1 or 2, told by the first byte) into out, which has
 * room for cap bytes. Returns the decompressed length, or -1 with *why (static text). */
long fastlz_decompress(const void *in, size_t n, void *out, size_t cap, const char **why);

#endif
