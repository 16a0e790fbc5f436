/* compress_write.h: values compressed the way php-memcached compresses them, to write back a
 * changed value under the same item flags. */
#ifndef MEMCSESS_COMPRESS_WRITE_H
#define MEMCSESS_COMPRESS_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include "codec/compress.h"
#include "util.h"

/* php-memcached's defaults: memcached.compression_threshold, memcached.compression_factor. */
#define COMPRESS_THRESHOLD 2000
#define COMPRESS_FACTOR 1.3

/* Compresses n bytes with kind k (zlib or fastlz) into out (replacing its contents): the
 * 4-byte little-endian length, then the data. Returns 0, or -1 with *cause (new). */
int compress_wrap(enum compress_kind k, const void *in, size_t n, struct buf *out,
		  char **cause);
/* What php-memcached stores for a value under item flags that say compression kind k: the
 * value compressed when it is at least COMPRESS_THRESHOLD bytes and shrinks by more than
 * COMPRESS_FACTOR, else as it is; *flags gets the compression bits set or cleared. out's
 * contents are replaced. Returns 0, or -1 with *cause. */
int compress_as_php(enum compress_kind k, const void *in, size_t n, uint32_t *flags,
		    struct buf *out, char **cause);
/* One FastLZ level 1 block of n bytes (n > 0) appended to out. */
void fastlz_compress1(const void *in, size_t n, struct buf *out);

#endif
