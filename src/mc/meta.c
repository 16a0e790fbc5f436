/* meta.c: meta protocol requests and replies (see meta.h). */
#include "mc/meta.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

/* Can the key go on the wire as it is? */
static int key_is_plain(const char *key, size_t len)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	if (len == 0 || len > 250)
		return 0;
	size_t i = 0;
	for (; len - i >= 8; i += 8) {	/* eight bytes at a time: a byte below 0x21, or 0x7f */
		uint64_t w, del;
		memcpy(&w, key + i, 8);
		del = w ^ (0x7f * ones);
		if (((w - 0x21 * ones) & ~w & highs) | ((del - ones) & ~del & highs))
			return 0;
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)key[i];
		if (c <= 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

int meta_queue_key(struct conn *c, const char *cmd, const char *key, size_t len)
{
	conn_queue(c, cmd, strlen(cmd));
	conn_queue(c, " ", 1);
	if (key_is_plain(key, len)) {
		conn_queue(c, key, len);
		return 0;
	}
	unsigned char enc[4 * ((250 + 2) / 3) + 1];
	int n = EVP_EncodeBlock(enc, (const unsigned char *)key, (int)(len > 250 ? 250 : len));
	conn_queue(c, enc, (size_t)n);
	return 1;
}

void meta_queue_get(struct conn *c, const char *key, size_t len, int value)
{
	/* u: looking is not using; the item keeps its place in the LRU and its last access time
	 * (and the server is spared the bump). The size comes with the value (VA <size>). */
	static const char with_value[] = " t f l c u v\r\n", size_only[] = " t f s l c u\r\n";
	const char *flags = value ? with_value : size_only;
	if (!key_is_plain(key, len)) {
		meta_queue_key(c, "mg", key, len);
		conn_queue(c, flags, 12);
		conn_queue(c, " b\r\n", 4);
		return;
	}
	/* the usual request in one piece: a million of them for a dump */
	buf_room(&c->out, len + 3 + 14);
	char *o = c->out.ptr + c->out.len;
	memcpy(o, "mg ", 3);
	memcpy(o + 3, key, len);
	memcpy(o + 3 + len, flags, 14);
	c->out.len += len + 17;
	c->out.ptr[c->out.len] = '\0';
}

/* A flag's number (the token after its letter): parse_i64, inline for the usual ones, up to 18
 * digits with no sign (no overflow possible). */
static inline int flag_number(const char *s, size_t n, int64_t *v)
{
	if (n == 0 || n > 18 || s[0] == '-')
		return parse_i64(s, n, v);
	int64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)s[i] - '0';
		if (d > 9)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

/* Stores one returned flag token ("t123", "f0", ...) in r. */
static int apply_flag(struct mg_reply *r, const char *tok, size_t n)
{
	int64_t v = 0;
	if (n < 1)
		return -1;
	switch (tok[0]) {
	case 't': case 'f': case 's': case 'l': case 'c':
		if (flag_number(tok + 1, n - 1, &v) < 0)
			return -1;
		break;
	default:
		break;
	}
	switch (tok[0]) {
	case 't': r->ttl = v; break;
	case 'f': r->flags = (uint32_t)v; break;
	case 's': r->size = (size_t)v; break;
	case 'l': r->idle = v; break;
	case 'c': r->cas = (uint64_t)v; break;
	default: break;	/* k, b, O and unknown flags */
	}
	return 0;
}

/* Parses the flags after "VA <n>" or "HD"; returns 0 or the offset of the bad token + 1. */
static size_t parse_flags(struct mg_reply *r, const char *s, size_t len, size_t base)
{
	size_t i = 0;
	while (i < len) {
		while (i < len && s[i] == ' ')
			i++;
		size_t start = i;
		while (i < len && s[i] != ' ')
			i++;
		if (i > start && apply_flag(r, s + start, i - start) < 0)
			return base + start + 1;
	}
	return 0;
}

static void reply_clear(struct mg_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->ttl = -1;
	r->idle = -1;
}

/* The value size of a "VA <size> <flags>" line of len bytes into *n: the offset of its flags,
 * 0 when the size is no number. */
static size_t va_size(const char *line, size_t len, uint64_t *n)
{
	size_t off = 3;
	while (off < len && line[off] != ' ')
		off++;
	return parse_u64(line + 3, off - 3, n) == 0 ? off : 0;	/* fails on no digits too */
}

int meta_reply_ready(const struct conn *c)
{
	const char *line = c->in.ptr ? c->in.ptr + c->in_off : NULL;
	size_t avail = c->in.len - c->in_off;
	const char *nl = line ? memchr(line, '\n', avail) : NULL;
	if (!nl)
		return avail > CONN_MAX_LINE;	/* meta_read_get fails on it at once */
	size_t len = (size_t)(nl - line), off;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len <= 3 || memcmp(line, "VA ", 3) != 0)
		return 1;
	uint64_t n;
	if (!(off = va_size(line, len, &n)) || n > CONN_MAX_VALUE)
		return 1;	/* refused without reading on */
	if (avail - (size_t)(nl + 1 - line) >= n + 2)
		return 1;
	struct mg_reply scratch = { 0 };	/* bad flags are refused at once too */
	return parse_flags(&scratch, line + off, len - off, off) != 0;
}

int meta_read_get(struct conn *c, const char *key, struct mg_reply *r, struct buf *value,
		  char **cause)
{
	const char *line;
	size_t len;
	reply_clear(r);
	if (conn_readline(c, &line, &len, cause) < 0)
		return -1;
	if (len == 2 && memcmp(line, "EN", 2) == 0)
		return 0;
	size_t bad = 0;
	if (len >= 2 && memcmp(line, "HD", 2) == 0 && (len == 2 || line[2] == ' ')) {
		r->found = 1;
		bad = parse_flags(r, line + 2, len - 2, 2);
	} else if (len > 3 && memcmp(line, "VA ", 3) == 0) {
		uint64_t n;
		size_t off = va_size(line, len, &n);
		int ok = off != 0;
		if (ok && n > CONN_MAX_VALUE) {
			*cause = xasprintf("server %s: key %s: value of %llu bytes is over the %u "
					   "byte limit", c->name, key, (unsigned long long)n,
					   CONN_MAX_VALUE);
			return -1;
		}
		if (!ok) {
			bad = 4;
		} else {
			bad = parse_flags(r, line + off, len - off, off);
			r->found = 1;
			r->size = (size_t)n;
			if (!bad) {
				const char *data;
				if (conn_readdata(c, (size_t)n, &data, cause) < 0)
					return -1;
				r->value = data;
				if (value) {
					buf_reset(value);
					buf_add(value, data, (size_t)n);
				}
				return 0;
			}
		}
	} else {
		*cause = xasprintf("server %s: key %s: unexpected reply to mg: '%.*s'", c->name,
				   key, (int)(len > 120 ? 120 : len), line);
		conn_explain_auth(c, cause);
		return -1;
	}
	if (bad) {
		*cause = xasprintf("server %s: key %s: malformed mg reply at byte %zu: '%.*s'",
				   c->name, key, bad - 1, (int)(len > 120 ? 120 : len), line);
		return -1;
	}
	return 0;
}

int meta_get(struct conn *c, const char *key, size_t len, int value, struct mg_reply *r,
	     struct buf *out, char **cause)
{
	meta_queue_get(c, key, len, value);
	if (conn_flush(c, cause) < 0)
		return -1;
	return meta_read_get(c, key, r, out, cause);
}
