/* metadump.c: parsing and streaming key dumps from one server (see metadump.h). */
#include "mc/metadump.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* URL-decodes s[0..n) into it->key; returns 0 or the 1-based offset of the bad byte. */
static size_t url_decode_key(const char *s, size_t n, struct md_item *it)
{
	if (n > 0 && n <= MC_MAX_KEY && !find_byte(s, '%', n)) {	/* the usual key: nothing encoded */
		memcpy(it->key, s, n);
		it->key[n] = '\0';
		it->key_len = n;
		return 0;
	}
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			if (i + 2 >= n)
				return i + 1;
			int hi = hexval(s[i + 1]);
			int lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return i + 1;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (o >= MC_MAX_KEY)
			return i + 1;
		it->key[o++] = c;
	}
	it->key[o] = '\0';
	it->key_len = o;
	return o == 0 ? 1 : 0;
}

/* Stores one name=value field into it; returns 0 or -1 when the value is malformed. */
static int set_field(struct md_item *it, const char *name, size_t nlen, const char *v, size_t vlen,
		     size_t *bad)
{
	int64_t i64;
	uint64_t u64;
	*bad = 0;
#define IS(s) (nlen == sizeof(s) - 1 && memcmp(name, s, nlen) == 0)
	if (IS("key"))
		return (*bad = url_decode_key(v, vlen, it)) ? -1 : 0;
	if (IS("exp") || IS("la")) {
		if (parse_i64(v, vlen, &i64) < 0)
			return -1;
		if (IS("exp"))
			it->exp = i64 < 0 ? -1 : i64;
		else
			it->la = i64;
	} else if (IS("cas") || IS("size") || IS("flags") || IS("cls")) {
		if (parse_u64(v, vlen, &u64) < 0)
			return -1;
		if (IS("cas"))
			it->cas = u64;
		else if (IS("size"))
			it->size = u64;
		else if (IS("cls"))
			it->cls = u64 > 255 ? -1 : (int)u64;
		else if (u64 > UINT32_MAX)
			return -1;
		else {
			it->flags = (uint32_t)u64;
			it->has_flags = 1;
		}
	} else if (IS("fetch")) {
		it->fetched = vlen == 3 && memcmp(v, "yes", 3) == 0;
	}
	/* Unknown fields are newer servers' additions: ignored. */
	return 0;
#undef IS
}

static void item_clear(struct md_item *it)
{
	memset(it, 0, sizeof(*it));
	it->exp = -1;
	it->la = -1;
	it->cls = -1;
	it->fetched = -1;
}

int metadump_refused(const char *line, size_t len)
{
	static const char *const errs[] = { "ERROR", "CLIENT_ERROR", "SERVER_ERROR", "BUSY",
		"BADCLASS" };
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		size_t n = strlen(errs[i]);
		if (len >= n && memcmp(line, errs[i], n) == 0 && (len == n || line[n] == ' '))
			return 1;
	}
	return 0;
}

/* Is the line a server error reply? Then *cause names it. */
static int server_error(const char *line, size_t len, char **cause)
{
	if (!metadump_refused(line, len))
		return 0;
	*cause = xasprintf("server replied '%.*s'", (int)(len > 200 ? 200 : len), line);
	return 1;
}

char *metadump_unexpected(const struct conn *c, const char *cmd, const char *line, size_t len)
{
	struct buf shown = BUF_INIT;	/* a hostile server's bytes reach no terminal as they are */
	buf_add_escaped(&shown, line, len > 120 ? 120 : len);
	char *msg = xasprintf("server %s: %s: unexpected reply '%s' (no memcached reply)", c->name,
			      cmd, shown.ptr ? shown.ptr : "");
	buf_release(&shown);
	return msg;
}

/* The digits of a field's value up to the next space or the end (at most 20 of them) into *v;
 * returns the index after them, or 0 when there are none, too many, or another byte. */
static inline size_t usual_number(const char *line, size_t i, size_t len, uint64_t *v)
{
	size_t start = i;
	uint64_t u = 0;
	for (; i < len && line[i] != ' '; i++) {
		unsigned d = (unsigned)(unsigned char)line[i] - '0';
		if (d > 9 || i - start >= 19)	/* 19 digits cannot overflow */
			return 0;
		u = u * 10 + d;
	}
	*v = u;
	return i > start ? i : 0;
}

/* Takes field name (with its '=') at line[*i] and the number after it; returns 0, or -1 when
 * the line is not so. */
static inline int usual_field(const char *line, size_t len, size_t *i, const char *name, size_t n,
		       uint64_t *v)
{
	if (*i >= len || len - *i <= n || memcmp(line + *i, name, n) != 0)
		return -1;	/* *i is len + 1 after a field that ended the line */
	size_t end = usual_number(line, *i + n, len, v);
	if (!end || (end < len && (end + 1 == len || line[end + 1] == ' ')))
		return -1;	/* a space at the end, or two: the general parser's */
	*i = end + 1;	/* past the one space, or past the end */
	return 0;
}

/* The line exactly as memcached 1.6 writes it, "key=K exp=E la=L cas=C fetch=yes|no cls=N
 * size=S", every number a plain one, the key unencoded: fills it as the general parser would
 * and returns 1; else returns 0 (the general parser decides). */
static int parse_usual(const char *line, size_t len, struct md_item *it)
{
	const char *sp = len > 4 ? find_byte(line + 4, ' ', len - 4) : NULL;
	if (!sp || memcmp(line, "key=", 4) != 0 || sp + 1 == line + len || sp[1] != 'e')
		return 0;
	size_t klen = (size_t)(sp - line) - 4, i = (size_t)(sp - line) + 1;
	uint64_t exp, la, cas, cls, size;
	if (klen == 0 || klen > MC_MAX_KEY || memchr(line + 4, '%', klen) ||
	    usual_field(line, len, &i, "exp=", 4, &exp) || exp > INT64_MAX ||
	    usual_field(line, len, &i, "la=", 3, &la) || la > INT64_MAX ||
	    usual_field(line, len, &i, "cas=", 4, &cas))
		return 0;
	int fetched;
	if (i < len && len - i >= 9 && memcmp(line + i, "fetch=no ", 9) == 0)
		fetched = 0, i += 9;
	else if (i < len && len - i >= 10 && memcmp(line + i, "fetch=yes ", 10) == 0)
		fetched = 1, i += 10;
	else
		return 0;
	if (usual_field(line, len, &i, "cls=", 4, &cls) ||
	    usual_field(line, len, &i, "size=", 5, &size) || i <= len)
		return 0;	/* i is len + 1 after the last field */
	memcpy(it->key, line + 4, klen);
	it->key[klen] = '\0';
	it->key_len = klen;
	it->exp = (int64_t)exp;	/* unsigned: never -1 here */
	it->la = (int64_t)la;
	it->cas = cas;
	it->fetched = fetched;
	it->cls = cls > 255 ? -1 : (int)cls;
	it->size = size;
	it->has_flags = 0;
	it->flags = 0;
	return 1;
}

enum md_line metadump_parse_line(const char *line, size_t len, struct md_item *it, char **cause)
{
	if (parse_usual(line, len, it))
		return MD_ITEM;
	item_clear(it);
	if (len == 3 && memcmp(line, "END", 3) == 0)
		return MD_END;
	if (!(len > 4 && memcmp(line, "key=", 4) == 0) && server_error(line, len, cause))
		return MD_ERROR;
	int have_key = 0;
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		const char *sp = memchr(line + i, ' ', len - i);
		i = sp ? (size_t)(sp - line) : len;
		const char *eq = line + start;	/* names are short: no memchr call for them */
		while (eq < line + i && *eq != '=')
			eq++;
		size_t bad;
		if (eq == line + i) {
			*cause = xasprintf("metadump line: field without '=' at byte %zu", start);
			return MD_ERROR;
		}
		size_t nlen = (size_t)(eq - (line + start));
		const char *v = eq + 1;
		size_t vlen = i - start - nlen - 1;
		if (set_field(it, line + start, nlen, v, vlen, &bad) < 0) {
			*cause = xasprintf("metadump line: bad value for '%.*s' at byte %zu",
					   (int)(nlen > 32 ? 32 : nlen), line + start,
					   (size_t)(v - line) + (bad ? bad - 1 : 0));
			return MD_ERROR;
		}
		if (nlen == 3 && memcmp(line + start, "key", 3) == 0)
			have_key = 1;
		while (i < len && line[i] == ' ')
			i++;
	}
	if (!have_key) {
		*cause = xasprintf("metadump line: no key= field (line of %zu bytes)", len);
		return MD_ERROR;
	}
	return MD_ITEM;
}

/* Reads " [<n> b; <t> s]" (s has n bytes, not NUL-terminated) into it->size and it->exp;
 * leaves them unknown when the text is not of that form. */
static void cachedump_sizes(const char *s, size_t n, struct md_item *it)
{
	const char *b = memmem(s, n, " b; ", 4);
	uint64_t size;
	int64_t exp;
	if (n < 8 || memcmp(s, " [", 2) != 0 || memcmp(s + n - 3, " s]", 3) != 0 || !b)
		return;
	const char *t = b + 4, *end = s + n - 3;
	if (t > end || parse_u64(s + 2, (size_t)(b - (s + 2)), &size) < 0 ||
	    parse_i64(t, (size_t)(end - t), &exp) < 0)
		return;
	it->size = size;
	/* cachedump shows the server's process start time for items that never expire */
	it->exp = exp;
}

int cachedump_parse_line(const char *line, size_t len, struct md_item *it, char **cause)
{
	item_clear(it);
	if (len == 3 && memcmp(line, "END", 3) == 0)
		return 0;
	if (server_error(line, len, cause))
		return -1;
	const char *sp;
	if (len < 6 || memcmp(line, "ITEM ", 5) != 0 || !(sp = memchr(line + 5, ' ', len - 5))) {
		*cause = xasprintf("cachedump line: expected 'ITEM <key> [...]' at byte 0");
		return -1;
	}
	size_t klen = (size_t)(sp - (line + 5));
	if (klen == 0 || klen > MC_MAX_KEY) {
		*cause = xasprintf("cachedump line: bad key length %zu at byte 5", klen);
		return -1;
	}
	memcpy(it->key, line + 5, klen);
	it->key[klen] = '\0';
	it->key_len = klen;
	cachedump_sizes(sp, len - (size_t)(sp - line), it);
	return 1;
}

/* Sends cmd and streams its metadump reply; *refused set when the server rejects the command. */
static int stream_metadump(struct conn *c, const char *cmd, struct keyset *dedup, md_item_fn fn,
			   void *arg, int *refused, char **cause)
{
	struct md_item it;
	const char *line;
	size_t len;
	int first = 1;
	*refused = 0;
	if (conn_command(c, cmd, cause) < 0)
		return -1;
	for (;;) {
		if (conn_readline(c, &line, &len, cause) < 0)
			return -1;
		enum md_line r = metadump_parse_line(line, len, &it, cause);
		if (r == MD_END)
			return 0;
		if (r == MD_ERROR && first && !metadump_refused(line, len)) {
			free(*cause);	/* garbage: no older way would get further */
			*cause = metadump_unexpected(c, cmd, line, len);
			return -1;
		}
		if (r == MD_ERROR) {
			*refused = first;
			char *inner = *cause;
			*cause = xasprintf("server %s: %s: %s", c->name, cmd, inner);
			free(inner);
			return -1;
		}
		first = 0;
		if (dedup && !keyset_add(dedup, it.key, it.key_len))
			continue;
		int stop = fn(&it, arg);
		if (stop)
			return stop;
	}
}

/* Reads "STAT items:<cls>:number <n>" lines and returns the list of slab classes in use. */
static int slab_classes(struct conn *c, int classes[256], size_t *n, char **cause)
{
	const char *line;
	size_t len;
	*n = 0;
	if (conn_command(c, "stats items", cause) < 0)
		return -1;
	for (;;) {
		if (conn_readline(c, &line, &len, cause) < 0)
			return -1;
		if (len == 3 && memcmp(line, "END", 3) == 0)
			return 0;
		int cls;
		unsigned long long num;
		if (sscanf(line, "STAT items:%d:number %llu", &cls, &num) == 2 && cls > 0 &&
		    cls < 256 && *n < 256)
			classes[(*n)++] = cls;
	}
}

/* The last resort: stats cachedump of every slab class (limited by the server to ~2 MB each). */
static int stream_cachedump(struct conn *c, md_item_fn fn, void *arg, char **cause)
{
	int classes[256];
	size_t n;
	if (slab_classes(c, classes, &n, cause) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char cmd[64];
		snprintf(cmd, sizeof(cmd), "stats cachedump %d 0", classes[i]);
		if (conn_command(c, cmd, cause) < 0)
			return -1;
		for (;;) {
			const char *line;
			size_t len;
			struct md_item it;
			if (conn_readline(c, &line, &len, cause) < 0)
				return -1;
			int r = cachedump_parse_line(line, len, &it, cause);
			if (r == 0)
				break;
			if (r < 0) {
				char *inner = *cause;
				*cause = xasprintf("server %s: %s: %s", c->name, cmd, inner);
				free(inner);
				return -1;
			}
			int stop = fn(&it, arg);
			if (stop)
				return stop;
		}
	}
	return 0;
}

/* Runs one metadump variant, retrying while another crawl keeps the crawler BUSY. */
static int metadump_retry(struct conn *c, const char *cmd, struct keyset *dedup, md_item_fn fn,
			  void *arg, int *refused, char **cause)
{
	for (int attempt = 0;; attempt++) {
		int r = stream_metadump(c, cmd, dedup, fn, arg, refused, cause);
		if (r != -1 || !*refused || !strstr(*cause, "'BUSY") || attempt >= 50)
			return r;
		free(*cause);
		*cause = NULL;
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

int metadump_stream(struct conn *c, md_item_fn fn, void *arg, enum enum_method *method,
		    char **cause)
{
	int refused;
	*method = ENUM_METADUMP_HASH;
	int r = metadump_retry(c, "lru_crawler metadump hash", NULL, fn, arg, &refused, cause);
	if (r == -1 && conn_explain_auth(c, cause))
		return r;
	if (r != -1 || !refused)
		return r;
	free(*cause);
	*cause = NULL;
	struct keyset seen = { 0 };
	*method = ENUM_METADUMP_ALL;
	r = metadump_retry(c, "lru_crawler metadump all", &seen, fn, arg, &refused, cause);
	keyset_release(&seen);
	if (r != -1 || !refused)
		return r;
	free(*cause);
	*cause = NULL;
	*method = ENUM_CACHEDUMP;
	r = stream_cachedump(c, fn, arg, cause);
	if (r == -1 && strstr(*cause, "not allowed")) {
		free(*cause);
		*cause = xasprintf("server %s: key listing is disabled on this server (memcached -X "
				   "refuses lru_crawler metadump and stats cachedump); sessions can "
				   "still be looked up by sid", c->name);
	}
	return r;
}
