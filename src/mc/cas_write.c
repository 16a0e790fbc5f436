/* cas_write.c: CAS writes and PHP's session lock (see cas_write.h). */
#include "mc/cas_write.h"
#include "mc/meta.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sends what is queued and reads one reply line; returns 0 or -1 with *cause. */
static int reply(struct conn *c, const char **line, size_t *len, char **cause)
{
	if (conn_flush(c, cause) < 0 || conn_readline(c, line, len, cause) < 0)
		return -1;
	return 0;
}

/* Sends cmd (a new string, freed here) and reads its reply line; 0 or -1 with *cause. */
static int ask(struct conn *c, char *cmd, const char **line, size_t *len, char **cause)
{
	conn_queue(c, cmd, strlen(cmd));
	free(cmd);
	return reply(c, line, len, cause);
}

/* Sets *cause for a reply line that verb does not give. */
static void unexpected(const struct conn *c, const char *key, const char *verb, const char *line,
		       size_t n, char **cause)
{
	*cause = xasprintf("server %s: key %s: unexpected reply to %s: '%.*s'", c->name, key, verb,
			   (int)(n > 120 ? 120 : n), line);
}

static int is(const char *line, size_t len, const char *word)
{
	size_t n = strlen(word);
	return len >= n && memcmp(line, word, n) == 0 && (len == n || line[n] == ' ');
}

int cas_set(struct conn *c, const char *key, size_t key_len, const char *value, size_t len,
	    uint32_t flags, int64_t ttl, uint64_t cas, char **cause)
{
	char tail[128];
	int b64 = meta_queue_key(c, "ms", key, key_len);
	if (cas)
		snprintf(tail, sizeof(tail), " %zu C%" PRIu64 " F%" PRIu32 " T%" PRId64 "%s\r\n", len,
			 cas, flags, ttl, b64 ? " b" : "");
	else
		snprintf(tail, sizeof(tail), " %zu ME F%" PRIu32 " T%" PRId64 "%s\r\n", len, flags,
			 ttl, b64 ? " b" : "");
	conn_queue(c, tail, strlen(tail));
	conn_queue(c, value, len);
	conn_queue(c, "\r\n", 2);
	conn_mark(c);
	const char *line;
	size_t n;
	if (reply(c, &line, &n, cause) < 0)
		return -1;
	if (is(line, n, "HD"))
		return CAS_STORED;
	if (is(line, n, "EX") || is(line, n, "NS"))
		return CAS_EXISTS;
	if (is(line, n, "NF"))
		return CAS_NOT_FOUND;
	unexpected(c, key, "ms", line, n, cause);
	conn_explain_auth(c, cause);
	return -1;
}

int cas_lock(struct conn *c, const char *key, int64_t ttl, char **cause)
{
	const char *line;
	size_t n;
	if (ask(c, xasprintf("add %s 0 %" PRId64 " 1\r\n1\r\n", key, ttl), &line, &n, cause) < 0)
		return -1;
	if (is(line, n, "STORED"))
		return 1;
	if (is(line, n, "NOT_STORED"))
		return 0;
	unexpected(c, key, "add", line, n, cause);
	conn_explain_auth(c, cause);
	return -1;
}

int cas_unlock(struct conn *c, const char *key, char **cause)
{
	const char *line;
	size_t n;
	if (ask(c, xasprintf("delete %s\r\n", key), &line, &n, cause) < 0)
		return -1;
	if (is(line, n, "DELETED") || is(line, n, "NOT_FOUND"))
		return 0;
	unexpected(c, key, "delete", line, n, cause);
	return -1;
}
