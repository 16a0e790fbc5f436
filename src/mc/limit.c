/* limit.c: a server's item size limit, and the writes over it (see limit.h). */
#include "mc/limit.h"
#include "mc/stats_reply.h"

#include <stdlib.h>
#include <string.h>

#define ITEM_HEADER 48		/* sizeof(item) in a 64-bit memcached 1.6 */

uint64_t limit_item_size(size_t key_len, uint32_t flags, size_t value_len, int cas)
{
	return (uint64_t)ITEM_HEADER + key_len + 1 + (flags ? 4 : 0) + value_len + 2 +
	       (cas ? 8 : 0);
}

/* The statistics of "stats" and "stats settings" a limit is made of. */
static const struct stats_field fields[] = {
	{ "item_size_max", offsetof(struct item_limit, item_size_max), STATS_U64, 0 },
	{ "cas_enabled", offsetof(struct item_limit, cas), STATS_YESNO, 0 },
	{ "pointer_size", offsetof(struct item_limit, pointer_size), STATS_U64, 0 },
};

void limit_take(struct item_limit *l, const char *name, size_t nn, const char *v, size_t vn)
{
	struct stats_pair pair = { name, nn, v, vn };
	/* a value that is not a number leaves its field unsaid: the limit is then unknown */
	stats_reply_take(fields, sizeof(fields) / sizeof(fields[0]), l, &pair);
}

void limit_settle(struct item_limit *l)
{
	l->state = l->item_size_max > 0 && l->cas >= 0 && l->pointer_size == 64 ? 1 : -1;
}

/* Reads one stats reply into l up to END; an error reply (or any other line that is not a
 * statistic) marks it unknown and ends it too. */
static int read_stats(struct conn *c, struct item_limit *l, char **cause)
{
	for (;;) {
		const char *line;
		size_t len;
		if (conn_readline(c, &line, &len, cause) < 0)
			return -1;
		struct stats_pair pair;
		char *why = NULL;
		enum stats_line r = stats_reply_line(line, len, &pair, &why);
		if (r == STATS_END)
			return 0;
		if (r != STATS_STAT) {
			free(why);
			l->cas = -1;	/* unknown */
			return 0;
		}
		limit_take(l, pair.name, pair.name_len, pair.value, pair.value_len);
	}
}

int limit_fetch(struct conn *c, struct item_limit *l, char **cause)
{
	*l = (struct item_limit){ .cas = -1 };
	static const char ask[] = "stats\r\nstats settings\r\n";
	conn_queue(c, ask, sizeof(ask) - 1);
	if (conn_flush(c, cause) < 0 || read_stats(c, l, cause) < 0 || read_stats(c, l, cause) < 0)
		return -1;
	limit_settle(l);
	return 0;
}

/* One statistic from libmemcached. */
static memcached_return_t take(const memcached_instance_st *server, const char *key,
			       size_t key_len, const char *value, size_t value_len, void *arg)
{
	(void)server;
	limit_take(arg, key, key_len, value, value_len);
	return MEMCACHED_SUCCESS;
}

void limit_fetch_binary(memcached_st *mc, struct item_limit *l)
{
	*l = (struct item_limit){ .cas = -1 };
	if (memcached_stat_execute(mc, NULL, take, l) != MEMCACHED_SUCCESS ||
	    memcached_stat_execute(mc, "settings", take, l) != MEMCACHED_SUCCESS) {
		l->state = 0;	/* not asked: asked again on the next write */
		return;
	}
	limit_settle(l);
}

char *limit_check(const struct item_limit *l, const char *server, const char *key,
		  size_t key_len, uint32_t flags, size_t value_len)
{
	if (l->state != 1)
		return NULL;
	uint64_t need = limit_item_size(key_len, flags, value_len, l->cas);
	if (need <= l->item_size_max)
		return NULL;
	return xasprintf("server %s: key %.*s: value of %zu bytes not written: the item would take "
			 "%llu bytes, over the server's item_size_max of %llu (memcached -I), and a "
			 "refused write drops the session already under that key", server,
			 (int)key_len, key, value_len, (unsigned long long)need,
			 (unsigned long long)l->item_size_max);
}
