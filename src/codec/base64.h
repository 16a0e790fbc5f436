/* base64.h: standard base64 (RFC 4648, with padding). */
#ifndef MEMCSESS_CODEC_BASE64_H
#define MEMCSESS_CODEC_BASE64_H

#include <stddef.h>

/* Encodes len bytes; *outlen (may be NULL) gets the length. Returns new, NUL-terminated. */
char *base64_encode(const void *data, size_t len, size_t *outlen);

struct buf;
/* base64_encode appended to out. */
void base64_append(struct buf *out, const void *data, size_t len);
/* Decodes strict base64 (padding required, no whitespace); the bytes replace out's contents.
 * Returns 0, BASE64_BAD_CHAR, or BASE64_BAD_LENGTH (length not a multiple of 4: cut short). */
int base64_decode(const char *s, size_t n, struct buf *out);
/* base64_decode into o (room for n / 4 * 3 + 3 bytes): returns the length, or one of the
 * negative codes below (o's contents then undefined). */
long base64_decode_to(const char *s, size_t n, unsigned char *o);
#define BASE64_BAD_CHAR (-1)
#define BASE64_BAD_LENGTH (-2)
/* Limits the SIMD encoder to level, as far as the CPU has it: 0 none, 1 SSSE3, 2 AVX2 (the
 * default), so tests can compare them all. */
void base64_use_simd(int level);
/* 1 when every byte is in the base64 alphabet, with at most two '=' at the end. */
int base64_charset(const char *s, size_t n);
/* The first four bytes that s decodes to; s starts with six base64 digits (checked before). */
void base64_head4(const char *s, unsigned char out[4]);

#endif
