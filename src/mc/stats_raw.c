/* stats_raw.c: stats replies kept whole as name/value pairs, parsed by stats_reply.c. */
#include "mc/stats_raw.h"
#include "mc/stats_reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int stats_raw_line(struct stats_raw *r, const char *line, size_t len, char **cause)
{
	struct stats_pair pair;
	enum stats_line k = stats_reply_line(line, len, &pair, cause);
	if (k != STATS_STAT)
		return k == STATS_END ? 0 : -1;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->kv = xrealloc(r->kv, r->cap * sizeof(*r->kv));
	}
	r->kv[r->n].name = xstrndup(pair.name, pair.name_len);
	r->kv[r->n].value = xstrndup(pair.value, pair.value_len);
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
