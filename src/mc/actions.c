/* actions.c: delete and touch one item with meta commands (see actions.h). */
#include "mc/actions.h"
#include "mc/conn.h"
#include "mc/metadump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>

/* memcached reads a TTL above 30 days as an absolute unix time. */
#define MC_RELATIVE_MAX (60 * 60 * 24 * 30)

/* Appends key to out as the text protocol can carry it; returns 1 when it was base64-encoded. */
static int add_key(struct buf *out, const char *key, size_t len)
{
	int plain = len > 0;
	for (size_t i = 0; i < len && plain; i++) {
		unsigned char c = (unsigned char)key[i];
		plain = c > 0x20 && c != 0x7f;
	}
	if (plain) {
		buf_add(out, key, len);
		return 0;
	}
	unsigned char enc[4 * ((MC_MAX_KEY + 2) / 3) + 1];
	int n = EVP_EncodeBlock(enc, (const unsigned char *)key, (int)len);
	buf_add(out, enc, (size_t)n);
	return 1;
}

/* Sends "<verb> <key> <flags>" to server i and reads the one-line reply.
 * Returns 1 (HD), 0 (NF or EN), or -1 with *cause. */
static int meta_one(const struct pool *p, size_t server, const char *verb, const char *key,
		    size_t len, const char *flags, char **cause)
{
	const char *name = p->servers[server].name;
	if (len == 0 || len > MC_MAX_KEY) {
		*cause = xasprintf("server %s: key of %zu bytes: memcached keys have 1 to %d",
				   name, len, MC_MAX_KEY);
		return -1;
	}
	struct buf cmd = BUF_INIT;
	buf_printf(&cmd, "%s ", verb);
	int b64 = add_key(&cmd, key, len);
	buf_printf(&cmd, "%s%s%s", flags[0] ? " " : "", flags, b64 ? " b" : "");
	struct conn c;
	const char *line;
	size_t n;
	int r = conn_open(&c, &p->servers[server], p->timeout_ms, cause);
	if (r == 0 && (r = conn_command(&c, cmd.ptr, cause)) == 0)
		r = conn_readline(&c, &line, &n, cause);
	if (r == 0) {
		if (n >= 2 && memcmp(line, "HD", 2) == 0)
			r = 1;
		else if (n >= 2 && (memcmp(line, "NF", 2) == 0 || memcmp(line, "EN", 2) == 0))
			r = 0;
		else {
			*cause = xasprintf("server %s: key %.*s: unexpected reply to %s: '%.*s'", name,
					   (int)len, key, verb, (int)(n > 120 ? 120 : n), line);
			r = -1;
		}
	}
	if (r >= 0)
		conn_park(&c);
	else if (c.fd >= 0)
		conn_close(&c);
	buf_release(&cmd);
	return r;
}

int sess_delete(const struct pool *p, size_t server, const char *key, size_t len, char **cause)
{
	return meta_one(p, server, "md", key, len, "", cause);
}

int sess_touch(const struct pool *p, size_t server, const char *key, size_t len, int64_t ttl,
	       char **cause)
{
	char flags[40];
	if (ttl < 0) {
		*cause = xasprintf("server %s: key %.*s: a TTL cannot be negative",
				   p->servers[server].name, (int)len, key);
		return -1;
	}
	if (ttl > MC_RELATIVE_MAX)
		ttl += (int64_t)time(NULL);
	snprintf(flags, sizeof(flags), "T%lld", (long long)ttl);
	return meta_one(p, server, "mg", key, len, flags, cause);
}
