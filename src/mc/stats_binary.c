/* stats_binary.c: a SASL server's "stats" through libmemcached (see stats_binary.h); each
 * statistic goes through the same fields as a text reply's STAT line (stats_parse_stat). */
#include "mc/stats_binary.h"
#include "mc/conn_binary.h"

#include <stdlib.h>
#include <string.h>

struct stat_ctx {
	struct stats_sample *s;
	char *cause;		/* the first bad statistic's problem */
};

/* One statistic from libmemcached, taken as the line "STAT key value" would be. */
static memcached_return_t take_stat(const memcached_instance_st *server, const char *key,
				    size_t key_len, const char *value, size_t value_len, void *arg)
{
	(void)server;
	struct stat_ctx *x = arg;
	if (x->cause || value_len == 0)
		return MEMCACHED_SUCCESS;
	struct stats_pair pair = { key, key_len, value, value_len };
	stats_parse_stat(x->s, &pair, &x->cause);
	return MEMCACHED_SUCCESS;
}

int stats_fetch_binary(const struct pool *p, size_t i, memcached_st **mc, struct stats_sample *s,
		       char **cause)
{
	const struct pool_server *sv = &p->servers[i];
	if (!*mc && !(*mc = conn_binary_open(p, sv, cause)))
		return STATS_ERROR;
	double at = s->at;
	stats_sample_clear(s);
	s->at = at;
	struct stat_ctx x = { .s = s };
	memcached_return_t rc = memcached_stat_execute(*mc, NULL, take_stat, &x);
	if (rc == MEMCACHED_SUCCESS && !x.cause && s->seen > 0)
		return STATS_END;
	if (x.cause || rc == MEMCACHED_SUCCESS)
		*cause = xasprintf("server %s: %s", sv->name, x.cause ? x.cause : "empty stats reply");
	else
		*cause = conn_binary_cause(*mc, p, sv, rc);
	free(x.cause);
	memcached_free(*mc);
	*mc = NULL;
	return rc == MEMCACHED_AUTH_FAILURE || rc == MEMCACHED_AUTH_PROBLEM ? STATS_AUTH : STATS_ERROR;
}
