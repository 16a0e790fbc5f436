/* util.h: small shared helpers: growable byte buffer, allocation, text checks. */
#ifndef MEMCSESS_UTIL_H
#define MEMCSESS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

/* Allocation that never returns NULL: on failure it calls the fatal hook and aborts. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Called before abort() on allocation failure (the TUI restores the terminal here). */
extern void (*util_fatal_hook)(void);

/* A growable byte buffer; always NUL-terminated after its len bytes. */
struct buf {
	char *ptr;
	size_t len;
	size_t cap;
};
#define BUF_INIT { NULL, 0, 0 }
void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t n);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Takes the buffer's memory out; the buffer is left empty. Returns new. */
char *buf_detach(struct buf *b, size_t *len);

/* Returns new formatted string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 1 when the n bytes are valid UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const char *s, size_t n);
/* Length of the UTF-8 sequence at s (n > 0 bytes left), or 0 when invalid. */
size_t utf8_seq(const char *s, size_t n);

/* Appends s, escaping every byte outside printable ASCII as \xNN (and \\, \"). */
void buf_add_escaped(struct buf *b, const char *s, size_t n);

/* Parse a whole decimal number of exactly n bytes (no sign for the unsigned one, no spaces).
 * Return 0, or -1 when malformed or out of range. */
int parse_i64(const char *s, size_t n, int64_t *out);
int parse_u64(const char *s, size_t n, uint64_t *out);

/* A TTL (or idle time) nobody can know: the binary protocol has no way to read one. */
#define TTL_UNKNOWN INT64_MIN

/* Parses a duration: "90", "90s", "1.5s", "250ms", "15m", "2h", "7d". Returns 0 or -1. */
int parse_duration(const char *s, double *seconds);
/* Formats seconds compactly for people: "45s", "23m56s", "5h02m", "3d04h"; -1 gives "never",
 * TTL_UNKNOWN "unknown". */
void fmt_duration(int64_t s, char *out, size_t n);
/* Formats an absolute unix time as "YYYY-MM-DD HH:MM:SS UTC". */
void fmt_time(int64_t t, char *out, size_t n);

#endif
