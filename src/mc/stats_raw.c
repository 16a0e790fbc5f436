/* stats_raw.c: stats replies as name/value pairs (see stats_raw.h). */
#include "mc/stats_raw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int stats_raw_line(struct stats_raw *r, const char *line, size_t len, char **cause)
{
	if (len == 3 && memcmp(line, "END", 3) == 0)
		return 0;
	const char *sp = len > 5 ? memchr(line + 5, ' ', len - 5) : NULL;
	if (len <= 5 || memcmp(line, "STAT ", 5) != 0 || !sp || sp == line + 5) {
		*cause = xasprintf("stats: server replied '%.*s'", (int)(len > 160 ? 160 : len), line);
		return -1;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->kv = xrealloc(r->kv, r->cap * sizeof(*r->kv));
	}
	r->kv[r->n].name = xstrndup(line + 5, (size_t)(sp - line - 5));
	r->kv[r->n].value = xstrndup(sp + 1, len - (size_t)(sp + 1 - line));
	r->n++;
	return 1;
}

int stats_raw_fetch(struct conn *c, const char *group, struct stats_raw *r, char **cause)
{
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "stats%s%s", group ? " " : "", group ? group : "");
	if (conn_command(c, cmd, cause) < 0)
		return -1;
	for (;;) {
		const char *line;
		size_t len;
		if (conn_readline(c, &line, &len, cause) < 0)
			return -1;
		int k = stats_raw_line(r, line, len, cause);
		if (k == 0)
			return 0;
		if (k < 0) {
			char *inner = *cause;
			*cause = xasprintf("server %s: %s: %s", c->name, cmd, inner);
			free(inner);
			return -1;
		}
	}
}

const char *stats_raw_get(const struct stats_raw *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->kv[i].name, name) == 0)
			return r->kv[i].value;
	return NULL;
}

int stats_raw_u64(const struct stats_raw *r, const char *name, uint64_t *out)
{
	const char *v = stats_raw_get(r, name);
	return v && parse_u64(v, strlen(v), out) == 0 ? 0 : -1;
}

void stats_raw_release(struct stats_raw *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->kv[i].name);
		free(r->kv[i].value);
	}
	free(r->kv);
	memset(r, 0, sizeof(*r));
}
