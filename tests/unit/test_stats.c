/* test_stats.c: the "stats" reply parser (real memcached 1.6.18 lines and hostile ones) and
 * the rate math between two samples (counter resets, no gets, no time). */
#include "unit.h"
#include "mc/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A reply captured from memcached 1.6.18 (trimmed of lines memcsess ignores, a few kept). */
static const char *const reply[] = {
	"STAT pid 22114", "STAT uptime 2", "STAT time 1795612780", "STAT version 1.6.18",
	"STAT libevent 2.1.12-stable", "STAT rusage_user 0.007661", "STAT curr_connections 7",
	"STAT cmd_get 120", "STAT cmd_set 40", "STAT get_hits 90", "STAT get_misses 30",
	"STAT get_expired 2", "STAT bytes_read 7000", "STAT bytes_written 9000",
	"STAT limit_maxbytes 67108864", "STAT bytes 1048576", "STAT curr_items 33",
	"STAT evictions 4", "STAT reclaimed 5", "STAT crawler_reclaimed 6", "END",
};

struct bad {
	const char *line;
	int ret;
	const char *msg;	/* substring of the message */
};

static const struct bad bads[] = {
	{ "STAT cmd_get abc", STATS_ERROR, "bad value for 'cmd_get' at byte 13" },
	{ "STAT cmd_get -5", STATS_ERROR, "bad value for 'cmd_get' at byte 13" },
	{ "STAT cmd_get 99999999999999999999999", STATS_ERROR, "bad value for 'cmd_get'" },
	{ "STAT uptime 18446744073709551615", STATS_ERROR, "bad value for 'uptime'" },
	{ "STAT cmd_get", STATS_ERROR, "no value after the name at byte 12" },
	{ "STAT  5", STATS_ERROR, "no value after the name" },
	{ "VALUE x 0 1", STATS_ERROR, "expected 'STAT <name> <value>' at byte 0" },
	{ "ERROR", STATS_ERROR, "server replied 'ERROR'" },
	{ "SERVER_ERROR out of memory", STATS_ERROR, "server replied 'SERVER_ERROR out of memory'" },
	{ "CLIENT_ERROR unauthenticated", STATS_AUTH, "authentication required" },
};

static void test_parse(void)
{
	struct stats_sample s;
	stats_sample_clear(&s);
	int last = 99;
	size_t n = sizeof(reply) / sizeof(reply[0]);
	for (size_t i = 0; i < n; i++) {
		char *cause = NULL;
		last = stats_parse_line(&s, reply[i], strlen(reply[i]), &cause);
		if (i + 1 < n && !unit_check(last == STATS_STAT, "parses '%s'", reply[i]))
			printf("# %s\n", cause ? cause : "");
		free(cause);
	}
	unit_check(last == STATS_END, "END ends the reply");
	unit_check(s.pid == 22114 && s.uptime == 2 && s.curr_connections == 7, "pid, uptime, connections");
	unit_check(strcmp(s.version, "1.6.18") == 0, "version");
	unit_check(s.cmd_get == 120 && s.cmd_set == 40 && s.get_hits == 90 && s.get_misses == 30,
		   "gets, sets, hits, misses");
	unit_check(s.expired == 2 + 5 + 6, "expired = get_expired + reclaimed + crawler_reclaimed");
	unit_check(s.bytes == 1048576 && s.limit_maxbytes == 67108864 && s.curr_items == 33 &&
		   s.evictions == 4 && s.bytes_read == 7000 && s.bytes_written == 9000,
		   "memory, items, evictions, bytes in and out");
	unit_check(s.seen == n - 1, "every STAT line counted (%u)", s.seen);
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		char *cause = NULL;
		int r = stats_parse_line(&s, bads[i].line, strlen(bads[i].line), &cause);
		int ok = r == bads[i].ret && cause && strstr(cause, bads[i].msg);
		if (!unit_check(ok, "rejects '%s'", bads[i].line))
			printf("# got %d: %s\n", r, cause ? cause : "(no message)");
		free(cause);
	}
}

struct rate_case {
	const char *what;
	double dt;
	int64_t pid_b, uptime_b;
	uint64_t get_a, get_b, hits_a, hits_b, miss_a, miss_b;
	int ret;
	double get_s, hit_interval, hit_overall;
};

static const struct rate_case rates[] = {
	{ "one second", 1, 1, 11, 100, 150, 60, 100, 40, 50, 0, 50, 0.8, 100.0 / 150 },
	{ "half a second", 0.5, 1, 11, 100, 150, 60, 100, 40, 50, 0, 100, 0.8, 100.0 / 150 },
	{ "no gets in the interval", 2, 1, 12, 100, 100, 60, 60, 40, 40, 0, 0, -1, 0.6 },
	{ "restart: other pid", 1, 2, 1, 100, 5, 60, 3, 40, 2, -1, -1, -1, 0.6 },
	{ "restart: uptime went back", 1, 1, 3, 100, 150, 60, 100, 40, 50, -1, -1, -1, 100.0 / 150 },
	{ "a counter went back", 1, 1, 11, 100, 90, 60, 100, 40, 50, -1, -1, -1, 100.0 / 150 },
	{ "no time passed", 0, 1, 10, 100, 150, 60, 100, 40, 50, -1, -1, -1, 100.0 / 150 },
	{ "no gets ever", 1, 1, 11, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1 },
};

static int near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static void test_rates(void)
{
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		const struct rate_case *c = &rates[i];
		struct stats_sample a, b;
		struct stats_rates r;
		stats_sample_clear(&a);
		stats_sample_clear(&b);
		a.at = 100;
		b.at = 100 + c->dt;
		a.pid = 1;
		a.uptime = 10;
		b.pid = c->pid_b;
		b.uptime = c->uptime_b;
		a.cmd_get = c->get_a;
		b.cmd_get = c->get_b;
		a.get_hits = c->hits_a;
		b.get_hits = c->hits_b;
		a.get_misses = c->miss_a;
		b.get_misses = c->miss_b;
		int ret = stats_rates(&a, &b, &r);
		int ok = ret == c->ret && near(r.get_s, c->get_s) &&
			 near(r.hit_interval, c->hit_interval) && near(r.hit_overall, c->hit_overall);
		if (!unit_check(ok, "rates: %s", c->what))
			printf("# ret %d get/s %g hit %g overall %g\n", ret, r.get_s, r.hit_interval,
			       r.hit_overall);
	}
	struct stats_sample a, b;
	struct stats_rates r;
	stats_sample_clear(&a);
	stats_sample_clear(&b);
	a.at = 0;
	b.at = 4;
	a.bytes_read = 1000;
	b.bytes_read = 5000;
	a.bytes_written = 0;
	b.bytes_written = 400;
	a.evictions = 1;
	b.evictions = 9;
	a.expired = 10;
	b.expired = 30;
	a.cmd_set = 2;
	b.cmd_set = 6;
	stats_rates(&a, &b, &r);
	unit_check(near(r.in_s, 1000) && near(r.out_s, 100) && near(r.evict_s, 2) &&
		   near(r.expired_s, 5) && near(r.set_s, 1), "rates: bytes, evictions, expired, sets");
}

int main(void)
{
	test_parse();
	test_rates();
	return unit_done();
}
