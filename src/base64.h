/* base64.h: standard base64 (RFC 4648, with padding). */
#ifndef MEMCSESS_BASE64_H
#define MEMCSESS_BASE64_H

#include <stddef.h>

/* Encodes len bytes; *outlen (may be NULL) gets the length. Returns new, NUL-terminated. */
char *base64_encode(const void *data, size_t len, size_t *outlen);

#endif
