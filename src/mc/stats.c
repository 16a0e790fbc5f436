/* stats.c: "stats" replies, rates and session counts (see stats.h). */
#include "mc/stats.h"
#include "mc/metadump.h"
#include "mc/scan.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

double stats_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void stats_sample_clear(struct stats_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->pid = -1;
	s->uptime = -1;
	s->curr_connections = -1;
}

/* The STAT names kept, each with where its value goes. */
#define U(n) { #n, offsetof(struct stats_sample, n), STATS_U64, 0 }
#define I(n) { #n, offsetof(struct stats_sample, n), STATS_I64, 0 }
#define EXPIRED(n) { #n, offsetof(struct stats_sample, expired), STATS_SUM, 0 }
static const struct stats_field fields[] = {
	{ "version", offsetof(struct stats_sample, version), STATS_TEXT,
	  sizeof(((struct stats_sample *)NULL)->version) },
	I(pid), I(uptime), I(curr_connections),
	U(cmd_get), U(cmd_set), U(get_hits), U(get_misses), U(evictions),
	U(bytes_read), U(bytes_written), U(bytes), U(limit_maxbytes), U(curr_items),
	EXPIRED(get_expired), EXPIRED(reclaimed), EXPIRED(crawler_reclaimed),
};
#undef U
#undef I
#undef EXPIRED

enum stats_line stats_parse_stat(struct stats_sample *s, const struct stats_pair *pair,
				 char **cause)
{
	if (stats_reply_take(fields, sizeof(fields) / sizeof(fields[0]), s, pair) < 0) {
		/* the value is at byte 5 + nn + 1 of "STAT <name> <value>" */
		size_t nn = pair->name_len;
		*cause = xasprintf("stats line: bad value for '%.*s' at byte %zu",
				   (int)(nn > 40 ? 40 : nn), pair->name, 5 + nn + 1);
		return STATS_ERROR;
	}
	s->seen++;
	return STATS_STAT;
}

enum stats_line stats_parse_line(struct stats_sample *s, const char *line, size_t len,
				 char **cause)
{
	struct stats_pair pair;
	enum stats_line r = stats_reply_line(line, len, &pair, cause);
	return r == STATS_STAT ? stats_parse_stat(s, &pair, cause) : r;
}

enum stats_line stats_take(const struct conn *c, struct stats_sample *s, const char *line,
			   size_t len, char **cause)
{
	enum stats_line r = stats_parse_line(s, line, len, cause);
	if (r < 0) {
		char *inner = *cause;
		*cause = xasprintf("server %s: %s", c->name, inner);
		free(inner);
	}
	return r;
}

int stats_fetch(struct conn *c, struct stats_sample *s, char **cause)
{
	double at = s->at;
	stats_sample_clear(s);
	s->at = at;
	if (conn_command(c, "stats", cause) < 0)
		return STATS_ERROR;
	for (;;) {
		const char *line;
		size_t len;
		if (conn_readline(c, &line, &len, cause) < 0)
			return STATS_ERROR;
		enum stats_line r = stats_take(c, s, line, len, cause);
		if (r <= 0)
			return r;
	}
}

/* Per-second rate of a counter; -1 when it went back. */
static double rate(uint64_t a, uint64_t b, double dt)
{
	return b < a ? -1 : (double)(b - a) / dt;
}

int stats_rates(const struct stats_sample *a, const struct stats_sample *b,
		struct stats_rates *r)
{
	uint64_t gets = b->get_hits + b->get_misses;
	r->get_s = r->set_s = r->hit_s = r->miss_s = -1;
	r->evict_s = r->expired_s = r->in_s = r->out_s = -1;
	r->hit_interval = -1;
	r->hit_overall = gets ? (double)b->get_hits / (double)gets : -1;
	double dt = b->at - a->at;
	if (dt <= 0 || a->pid != b->pid || b->uptime < a->uptime)
		return -1;
	const uint64_t pairs[][2] = {
		{ a->cmd_get, b->cmd_get }, { a->cmd_set, b->cmd_set },
		{ a->get_hits, b->get_hits }, { a->get_misses, b->get_misses },
		{ a->evictions, b->evictions }, { a->expired, b->expired },
		{ a->bytes_read, b->bytes_read }, { a->bytes_written, b->bytes_written },
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (pairs[i][1] < pairs[i][0])
			return -1;
	r->get_s = rate(a->cmd_get, b->cmd_get, dt);
	r->set_s = rate(a->cmd_set, b->cmd_set, dt);
	r->hit_s = rate(a->get_hits, b->get_hits, dt);
	r->miss_s = rate(a->get_misses, b->get_misses, dt);
	r->evict_s = rate(a->evictions, b->evictions, dt);
	r->expired_s = rate(a->expired, b->expired, dt);
	r->in_s = rate(a->bytes_read, b->bytes_read, dt);
	r->out_s = rate(a->bytes_written, b->bytes_written, dt);
	uint64_t dh = b->get_hits - a->get_hits, dm = b->get_misses - a->get_misses;
	r->hit_interval = dh + dm ? (double)dh / (double)(dh + dm) : -1;
	return 0;
}

struct counting {
	const char *prefix;
	size_t prefix_len;
	const int *cancel;
	uint64_t n;
};

/* Key dump callback: counts session keys. */
static int count_item(const struct md_item *it, void *arg)
{
	struct counting *k = arg;
	struct sess_rec r;
	if (k->cancel && __atomic_load_n(k->cancel, __ATOMIC_RELAXED))
		return -2;
	r.key = it->key;
	r.key_len = it->key_len;
	scan_classify(k->prefix, k->prefix_len, &r);
	if (r.kind == REC_SESSION)
		k->n++;
	return 0;
}

int stats_count_sessions(struct conn *c, const char *prefix, size_t prefix_len,
			 const int *cancel, uint64_t *n, char **cause)
{
	struct counting k = { prefix, prefix_len, cancel, 0 };
	enum enum_method method;
	int r = metadump_stream(c, count_item, &k, &method, cause);
	if (r == -2) {
		*cause = xasprintf("server %s: session count cancelled", c->name);
		return -1;
	}
	if (r != 0)
		return -1;
	*n = k.n;
	return 0;
}
