/* watchline.c: memcached's log lines (logger.c's formats) parsed into struct wl. */
#include "mc/watchline.h"

#include <string.h>

/* Parses the decimal digits of [s, s+n) into *out; -1 when empty, not digits or too large. */
static int num_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 19)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Like num_u64, with an optional leading '-'. */
static int num_i64(const char *s, size_t n, int64_t *out)
{
	uint64_t v;
	int neg = n > 0 && s[0] == '-';
	if (num_u64(s + neg, n - (size_t)neg, &v) < 0)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* "sec.usec" as logger.c prints it (usec without leading zeros). */
static int parse_ts(const char *s, size_t n, double *out)
{
	const char *dot = memchr(s, '.', n);
	uint64_t sec, usec = 0;
	if (num_u64(s, dot ? (size_t)(dot - s) : n, &sec) < 0)
		return -1;
	if (dot && num_u64(dot + 1, n - (size_t)(dot + 1 - s), &usec) < 0)
		return -1;
	if (usec >= 1000000)
		return -1;
	*out = (double)sec + (double)usec / 1e6;
	return 0;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* URL-decodes a key into out (WL_KEY_MAX + 1 bytes); -1 on a bad escape, a NUL or too long. */
static int decode_key(const char *s, size_t n, char *out, size_t *out_len)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			int hi, lo;
			if (n - i < 3 || (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				return -1;
			c = hi << 4 | lo;
			i += 2;
		}
		if (c == 0 || o == WL_KEY_MAX)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	*out_len = o;
	return 0;
}

/* Copies a short text field, truncated to cap - 1 bytes. */
static void copy_text(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

#define IS(lit) (n == sizeof(lit) - 1 && memcmp(v, lit, sizeof(lit) - 1) == 0)

static enum wl_type parse_type(const char *v, size_t n)
{
	if (IS("item_get"))
		return WL_GET;
	if (IS("item_store"))
		return WL_STORE;
	if (IS("eviction"))
		return WL_EVICTION;
	if (IS("deleted"))
		return WL_DELETED;
	if (IS("conn_new"))
		return WL_CONN_NEW;
	if (IS("conn_close"))
		return WL_CONN_CLOSE;
	return WL_OTHER;
}

static enum wl_status parse_status(const char *v, size_t n)
{
	static const char *const names[] = { "", "found", "not_found", "expired", "flushed",
		"stored", "not_stored", "exists", "too_large", "no_memory" };
	for (size_t i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && memcmp(names[i], v, n) == 0)
			return (enum wl_status)i;
	return WLS_OTHER;
}

const char *wl_status_name(enum wl_status s)
{
	static const char *const names[] = { "none", "found", "not_found", "expired", "flushed",
		"stored", "not_stored", "exists", "too_large", "no_memory", "other" };
	return (unsigned)s <= WLS_OTHER ? names[s] : "other";
}

static enum wl_cmd parse_cmd(const char *v, size_t n)
{
	if (IS("add"))
		return WLC_ADD;
	if (IS("set"))
		return WLC_SET;
	if (IS("replace"))
		return WLC_REPLACE;
	if (IS("append"))
		return WLC_APPEND;
	if (IS("prepend"))
		return WLC_PREPEND;
	if (IS("cas"))
		return WLC_CAS;
	if (IS("delete") || IS("md"))
		return WLC_DELETE;
	return WLC_OTHER;
}

/* One name=value field into out; -1 when its value is malformed. Unknown names are skipped. */
static int parse_field(const char *k, size_t kn, const char *v, size_t n, struct wl *out)
{
	uint64_t u;
	int64_t i;
#define KEY(lit) (kn == sizeof(lit) - 1 && memcmp(k, lit, sizeof(lit) - 1) == 0)
	switch (k[0]) {
	case 'k':
		if (KEY("key"))
			return decode_key(v, n, out->key, &out->key_len);
		break;
	case 's':
		if (KEY("status"))
			out->status = parse_status(v, n);
		else if (KEY("size")) {
			if (num_i64(v, n, &out->size) < 0)
				return -1;
		}
		break;
	case 'c':
		if (KEY("cfd")) {
			if (num_i64(v, n, &i) < 0 || i < -1 || i > 0x7fffffff)
				return -1;
			out->cfd = (int)i;
		} else if (KEY("cmd"))
			out->cmd = parse_cmd(v, n);
		break;
	case 't':
		if (KEY("type"))
			out->type = parse_type(v, n);
		else if (KEY("ttl"))
			return num_i64(v, n, &out->ttl);
		break;
	case 'l':
		if (KEY("la"))
			return num_i64(v, n, &out->la);
		break;
	case 'f':
		if (KEY("fetch"))
			out->fetched = IS("yes");
		break;
	case 'r':
		if (KEY("rip"))
			copy_text(out->rip, sizeof(out->rip), v, n);
		else if (KEY("rport")) {
			if (num_u64(v, n, &u) < 0 || u > 65535)
				return -1;
			out->rport = (unsigned)u;
		} else if (KEY("reason"))
			copy_text(out->reason, sizeof(out->reason), v, n);
		break;
	}
#undef KEY
	return 0;
}

static void wl_clear(struct wl *out)
{
	out->type = WL_OTHER;
	out->ts = 0;
	out->gid = 0;
	out->key[0] = '\0';
	out->key_len = 0;
	out->status = WLS_NONE;
	out->cmd = WLC_NONE;
	out->ttl = 0;
	out->la = -1;
	out->fetched = 0;
	out->cfd = -1;
	out->size = -1;
	out->rip[0] = '\0';
	out->rport = 0;
	out->reason[0] = '\0';
	out->skipped = 0;
}

int wl_parse(const char *line, size_t len, struct wl *out)
{
	wl_clear(out);
	if (len > 8 && memcmp(line, "skipped=", 8) == 0) {
		out->type = WL_SKIPPED;
		return num_u64(line + 8, len - 8, &out->skipped);
	}
	if (len < 3 || memcmp(line, "ts=", 3) != 0)
		return -1;
	int have_gid = 0;
	const char *p = line, *end = line + len;
	while (p < end) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *tok_end = sp ? sp : end;
		const char *eq = memchr(p, '=', (size_t)(tok_end - p));
		if (eq && eq > p) {
			const char *v = eq + 1;
			size_t kn = (size_t)(eq - p), n = (size_t)(tok_end - v);
			if (kn == 2 && p[0] == 't' && p[1] == 's') {
				if (parse_ts(v, n, &out->ts) < 0)
					return -1;
			} else if (kn == 3 && memcmp(p, "gid", 3) == 0) {
				if (num_u64(v, n, &out->gid) < 0)
					return -1;
				have_gid = 1;
			} else if (parse_field(p, kn, v, n, out) < 0) {
				return -1;
			}
		}
		p = tok_end + 1;
	}
	return have_gid ? 0 : -1;
}
