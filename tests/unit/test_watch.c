/* test_watch.c: memcached log lines parsed (watchline.c), the streams asked for by version
 * (watch.c), and lines turned into session events (activity.c). */
#include "unit.h"
#include "activity.h"
#include "mc/pool.h"
#include "mc/watch.h"
#include "mc/watch_connect.h"
#include "mc/watchline.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* want: "type gid key status cfd size ttl la" with fields as wl_parse leaves them; NULL: -1. */
static const struct {
	const char *line;
	const char *want;
} lines[] = {
	{ "ts=1796656891.181067 gid=11 type=item_get key=memc.sess.key.lock.abc123 status=not_found "
	  "clsid=0 cfd=25 size=0", "1 11 memc.sess.key.lock.abc123 2 25 0 0 -1" },
	{ "ts=1796656891.181068 gid=12 type=item_store key=k status=stored cmd=add ttl=0 clsid=1 "
	  "cfd=25 size=1", "2 12 k 5 25 1 0 -1" },
	{ "ts=1796656891.5 gid=7 type=item_store key=k status=too_large cmd=set ttl=1440 clsid=0 "
	  "cfd=31 size=1572864", "2 7 k 8 31 1572864 1440 -1" },
	{ "ts=1796656891.5 gid=7 type=item_store key=k status=no_memory cmd=set ttl=1440 clsid=0 "
	  "cfd=31 size=9", "2 7 k 9 31 9 1440 -1" },
	{ "ts=1.1 gid=3 type=eviction key=memc.sess.key.x fetch=yes ttl=1387 la=53 clsid=5 size=900",
	  "3 3 memc.sess.key.x 0 -1 900 1387 53" },
	{ "ts=1.1 gid=3 type=eviction key=x fetch=no ttl=-1 la=0 clsid=5 size=9", "3 3 x 0 -1 9 -1 0" },
	{ "ts=1.1 gid=4 type=deleted key=a%20b cmd=delete clsid=1 size=3", "4 4 a b 0 -1 3 0 -1" },
	{ "ts=1.1 gid=5 type=conn_new rip=127.0.0.1 rport=42716 transport=tcp cfd=25",
	  "5 5  0 25 -1 0 -1" },
	{ "ts=1.1 gid=6 type=conn_close rip=::1 rport=1 transport=tcp reason=normal cfd=25",
	  "6 6  0 25 -1 0 -1" },
	{ "skipped=42", "7 0  0 -1 -1 0 -1" },
	{ "ts=1.1 gid=8 type=item_get key=%41%62%7e status=expired clsid=1 cfd=2 size=5",
	  "1 8 Ab~ 3 2 5 0 -1" },
	{ "ts=1.1 gid=9 type=lru_crawler crawler=1", "0 9  0 -1 -1 0 -1" },
	{ "ts=1.1 gid=9 type=item_get key=k status=weird cfd=1", "1 9 k 10 1 -1 0 -1" },
	/* hostile or broken */
	{ "", NULL },
	{ "OK", NULL },
	{ "ts=1.1 type=item_get key=k", NULL },				/* no gid */
	{ "ts=x gid=1", NULL },
	{ "ts=1.1234567 gid=1", NULL },					/* usec too large */
	{ "ts=1.1 gid=99999999999999999999", NULL },
	{ "ts=1.1 gid=1 key=%4", NULL },
	{ "ts=1.1 gid=1 key=%zz", NULL },
	{ "ts=1.1 gid=1 key=a%00b", NULL },				/* NUL in a key */
	{ "ts=1.1 gid=1 cfd=-5", NULL },
	{ "ts=1.1 gid=1 cfd=99999999999", NULL },
	{ "ts=1.1 gid=1 rport=70000", NULL },
	{ "ts=1.1 gid=1 size=", NULL },
	{ "ts=1.1 gid=1 ttl=--1", NULL },
	{ "skipped=", NULL },
	{ "skipped=x", NULL },
	{ "ts=1.1 gid=1 ==  = =x x= key=ok", "0 1 ok 0 -1 -1 0 -1" },	/* odd tokens skipped */
};

static void check_lines(void)
{
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct wl w;
		int r = wl_parse(lines[i].line, strlen(lines[i].line), &w);
		if (!lines[i].want) {
			unit_check(r < 0, "refused: '%s'", lines[i].line);
			continue;
		}
		char got[512];
		snprintf(got, sizeof(got), "%d %llu %s %d %d %lld %lld %lld", (int)w.type,
			 (unsigned long long)w.gid, w.key, (int)w.status, w.cfd, (long long)w.size,
			 (long long)w.ttl, (long long)w.la);
		if (!unit_check(r == 0 && strcmp(got, lines[i].want) == 0, "parsed: '%s'",
				lines[i].line))
			printf("# got %s (r=%d), want %s\n", got, r, lines[i].want);
	}
	struct wl w;
	const char *l = "ts=1796656891.5 gid=1 type=conn_new rip=10.1.2.3 rport=8080 cfd=7";
	wl_parse(l, strlen(l), &w);
	unit_check(strcmp(w.rip, "10.1.2.3") == 0 && w.rport == 8080, "conn_new address");
	unit_check(w.ts > 1796656891.000004 && w.ts < 1796656891.000006,
		   "ts: the digits after the dot are microseconds, unpadded");
	l = "skipped=42";
	wl_parse(l, strlen(l), &w);
	unit_check(w.type == WL_SKIPPED && w.skipped == 42, "skipped count");
	char longkey[1000] = "ts=1.1 gid=1 key=";
	memset(longkey + strlen(longkey), 'k', 251);
	unit_check(wl_parse(longkey, strlen(longkey), &w) < 0, "a key past 250 bytes is refused");
	longkey[strlen(longkey) - 1] = '\0';
	unit_check(wl_parse(longkey, strlen(longkey), &w) == 0 && w.key_len == 250,
		   "a 250-byte key is taken");
}

static const struct {
	const char *version;
	int mutations;
	const char *want;
	int with;
} streams[] = {
	{ "1.6.18", 0, "fetchers evictions connevents", 0 },
	{ "1.6.18", 1, "fetchers evictions connevents mutations", 1 },
	{ "1.6.20", 0, "fetchers evictions connevents deletions", 0 },
	{ "1.6.41", 0, "fetchers evictions connevents deletions", 0 },
	{ "1.6.42", 0, "fetchers evictions connevents deletions mutations", 1 },
	{ "1.7.0", 0, "fetchers evictions connevents deletions mutations", 1 },
	{ "1.5.22", 0, "fetchers evictions connevents", 0 },
	{ "garbage", 0, "fetchers evictions connevents", 0 },
};

static void check_streams(void)
{
	for (size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
		char out[128];
		int with;
		watch_streams(streams[i].version, streams[i].mutations, out, sizeof(out), &with);
		if (!unit_check(strcmp(out, streams[i].want) == 0 && with == streams[i].with,
				"streams for %s%s", streams[i].version,
				streams[i].mutations ? " with --mutations" : ""))
			printf("# got %s\n", out);
	}
}

/* Events as text: "kind sid client status holder retries inferred" one a line. */
static struct buf got;

static void on_event(const struct act_event *e, void *arg)
{
	(void)arg;
	buf_printf(&got, "%s %s %s %s", act_kind_name(e->kind), e->sid[0] ? e->sid : "-",
		   e->client[0] ? e->client : "?", e->status ? e->status : "-");
	if (e->kind == ACT_CONTENTION)
		buf_printf(&got, " holder=%s retries=%u", e->holder[0] ? e->holder : "?", e->retries);
	if (e->kind == ACT_EVICTION)
		buf_printf(&got, " ttl=%lld idle=%lld", (long long)e->ttl, (long long)e->idle);
	if (e->kind == ACT_MISPLACED)
		buf_printf(&got, " home=%zu", e->home);
	if (e->inferred)
		buf_adds(&got, " inferred");
	buf_addc(&got, '\n');
}

#define K "key=memc.sess.key."
static const struct {
	const char *name;
	int mutations;
	const char *in;		/* "server|line" lines */
	const char *want;
} flows[] = {
	{ "one request, new session, without mutations", 0,
	  "0|ts=1.0 gid=1 type=conn_new rip=10.0.0.1 rport=5000 cfd=9\n"
	  "0|ts=1.1 gid=2 type=item_get " K "lock.s1 status=not_found cfd=9 size=0\n"
	  "0|ts=1.2 gid=3 type=item_get " K "s1 status=not_found cfd=9 size=0\n"
	  "0|ts=1.3 gid=4 type=item_get " K "s1 status=not_found cfd=9 size=0\n"
	  "0|ts=1.4 gid=5 type=item_get " K "lock.s1 status=found cfd=9 size=1\n",
	  "lock s1 10.0.0.1:5000 - inferred\n"
	  "read s1 10.0.0.1:5000 missing\n"
	  "new s1 10.0.0.1:5000 - inferred\n" },
	{ "a wait on another request's lock", 0,
	  "0|ts=1.0 gid=1 type=conn_new rip=10.0.0.1 rport=5000 cfd=9\n"
	  "0|ts=1.0 gid=2 type=conn_new rip=10.0.0.2 rport=6000 cfd=10\n"
	  "0|ts=1.1 gid=3 type=item_get " K "lock.s1 status=not_found cfd=9 size=0\n"
	  "0|ts=1.2 gid=4 type=item_get " K "lock.s1 status=found cfd=10 size=1\n"
	  "0|ts=1.3 gid=5 type=item_get " K "lock.s1 status=found cfd=10 size=1\n"
	  "0|ts=1.4 gid=6 type=item_get " K "lock.s1 status=found cfd=9 size=1\n"
	  "0|ts=1.5 gid=7 type=item_get " K "lock.s1 status=not_found cfd=10 size=0\n",
	  "lock s1 10.0.0.1:5000 - inferred\n"
	  "contention s1 10.0.0.2:6000 acquired holder=10.0.0.1:5000 retries=2 inferred\n"
	  "lock s1 10.0.0.2:6000 - inferred\n" },
	{ "a client connected before the watch is unknown; a release of an unseen lock is no wait", 0,
	  "0|ts=1.1 gid=3 type=item_get " K "s2 status=found cfd=40 size=9\n"
	  "0|ts=1.2 gid=4 type=item_get " K "lock.s2 status=found cfd=40 size=1\n"
	  "0|ts=1.3 gid=5 type=conn_close rip=1.1.1.1 rport=1 reason=normal cfd=40\n",
	  "read s2 ? found\n" },
	{ "with mutations: the add tells", 1,
	  "0|ts=1.0 gid=1 type=conn_new rip=10.0.0.1 rport=5000 cfd=9\n"
	  "0|ts=1.1 gid=2 type=item_get " K "lock.s1 status=not_found cfd=9 size=0\n"
	  "0|ts=1.1 gid=3 type=item_store " K "lock.s1 status=stored cmd=add ttl=0 cfd=9 size=1\n"
	  "0|ts=1.2 gid=4 type=item_get " K "s1 status=found cfd=9 size=5\n"
	  "0|ts=1.3 gid=5 type=item_get " K "s1 status=found cfd=9 size=5\n"
	  "0|ts=1.3 gid=6 type=item_store " K "s1 status=stored cmd=set ttl=1440 cfd=9 size=7\n"
	  "0|ts=1.4 gid=7 type=item_store " K "s1 status=too_large cmd=set ttl=1440 cfd=9 size=2000000\n",
	  "lock s1 10.0.0.1:5000 -\n"
	  "read s1 10.0.0.1:5000 found\n"
	  "write s1 10.0.0.1:5000 -\n"
	  "refused s1 10.0.0.1:5000 too_large\n" },
	{ "a descriptor reused: the old connection's lines come late, gid puts them first", 0,
	  "0|ts=1.0 gid=6 type=conn_new rip=10.0.0.2 rport=6000 cfd=9\n"
	  "0|ts=1.0 gid=4 type=conn_new rip=10.0.0.1 rport=5000 cfd=9\n"
	  "0|ts=1.0 gid=5 type=conn_close rip=10.0.0.1 rport=5000 reason=normal cfd=9\n"
	  "0|ts=1.1 gid=7 type=item_get " K "s1 status=found cfd=9 size=9\n",
	  "read s1 10.0.0.2:6000 found\n" },
	{ "after skipped lines, clients are unknown (a descriptor may have been reused)", 0,
	  "0|ts=1.0 gid=1 type=conn_new rip=10.0.0.1 rport=5000 cfd=9\n"
	  "0|skipped=3\n"
	  "0|ts=1.1 gid=5 type=item_get " K "s1 status=found cfd=9 size=9\n",
	  "skipped - ? -\n"
	  "read s1 ? found\n" },
	{ "evictions of a session and a lock; keys of others are not sessions", 0,
	  "0|ts=1.1 gid=2 type=eviction " K "s3 fetch=yes ttl=1000 la=30 clsid=1 size=9\n"
	  "0|ts=1.1 gid=3 type=eviction " K "lock.s3 fetch=no ttl=-1 la=2 clsid=1 size=1\n"
	  "0|ts=1.1 gid=4 type=eviction key=other fetch=no ttl=-1 la=2 clsid=1 size=1\n"
	  "0|skipped=7\n",
	  "eviction s3 ? - ttl=1000 idle=30\n"
	  "eviction s3 ? - ttl=-1 idle=2\n"
	  "skipped - ? -\n" },
};

static void check_flows(void)
{
	struct pool p;
	char *cause = NULL;
	if (!unit_check(pool_init(&p, "127.0.0.1:1", DIST_KETAMA, POOL_DEFAULT_PREFIX, 100,
				  &cause) == 0, "pool"))
		return;
	for (size_t f = 0; f < sizeof(flows) / sizeof(flows[0]); f++) {
		struct act_opts o = { .pool = &p, .lock_slow = 0, .emit = on_event };
		struct activity *a = activity_new(&o);
		activity_server(a, 0, 0, "watching", flows[f].mutations, "");
		buf_reset(&got);
		const char *s = flows[f].in;
		while (*s) {
			const char *nl = strchr(s, '\n');
			size_t server = (size_t)(s[0] - '0');
			struct wl w;
			if (wl_parse(s + 2, (size_t)(nl - s - 2), &w) == 0)
				activity_line(a, server, &w);
			else
				buf_adds(&got, "BAD LINE\n");
			s = nl + 1;
		}
		activity_finish(a, 10);
		const char *ev = got.ptr ? got.ptr : "";
		if (!unit_check(strcmp(ev, flows[f].want) == 0, "events: %s", flows[f].name))
			printf("# got:\n%s# want:\n%s", ev, flows[f].want);
		activity_free(a);
	}
	buf_release(&got);
	pool_release(&p);
}

/* A session and a lock looked up on the server PHP does not use are misplaced; on PHP's
 * server they are not. */
static void check_misplaced(void)
{
	struct pool p;
	char *cause = NULL;
	pool_init(&p, "127.0.0.1:1,127.0.0.1:2", DIST_KETAMA, POOL_DEFAULT_PREFIX, 100, &cause);
	struct act_opts o = { .pool = &p, .lock_slow = 0, .emit = on_event };
	struct activity *a = activity_new(&o);
	char sid[16], line[200], want[400];
	for (size_t home = 0; home < 2; home++) {
		for (int i = 0;; i++) {	/* a sid living on home, whose lock lives there too */
			snprintf(sid, sizeof(sid), "sid%d", i);
			char lk[32];
			snprintf(lk, sizeof(lk), "lock.%s", sid);
			if (pool_home(&p, sid, strlen(sid)) == home &&
			    pool_home(&p, lk, strlen(lk)) == home)
				break;
		}
		for (size_t server = 0; server < 2; server++) {
			buf_reset(&got);
			int n = snprintf(line, sizeof(line), "ts=1.%zu gid=1 type=item_get " K
					 "lock.%s status=found cfd=3 size=1", server, sid);
			struct wl w;
			wl_parse(line, (size_t)n, &w);
			activity_line(a, server, &w);
			n = snprintf(line, sizeof(line), "ts=1.%zu gid=2 type=item_get " K "%s "
				     "status=found cfd=4 size=1", server, sid);
			wl_parse(line, (size_t)n, &w);
			activity_line(a, server, &w);
			if (server == home)
				snprintf(want, sizeof(want), "read %s ? found\n", sid);
			else
				snprintf(want, sizeof(want), "misplaced %s ? lock home=%zu\n"
					 "misplaced %s ? read home=%zu\nread %s ? found\n", sid, home,
					 sid, home, sid);
			if (!unit_check(got.ptr && strcmp(got.ptr, want) == 0,
					"server %zu, sid of server %zu: %s", server, home,
					server == home ? "in place" : "misplaced"))
				printf("# got:\n%s# want:\n%s", got.ptr ? got.ptr : "", want);
		}
	}
	activity_free(a);
	buf_release(&got);
	pool_release(&p);
}

/* Feeds one formatted line to server 0. */
static void feed_line(struct activity *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void feed_line(struct activity *a, const char *fmt, ...)
{
	char line[300];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	struct wl w;
	if (wl_parse(line, (size_t)n, &w) == 0)
		activity_line(a, 0, &w);
}

/* 3,000 locks taken, every other one released in a scattered order: each lock still held is
 * found again (a wait on it names its holder), so removals keep the table's probe runs whole. */
static void check_lock_table(void)
{
	struct pool p;
	char *cause = NULL;
	pool_init(&p, "127.0.0.1:1", DIST_KETAMA, POOL_DEFAULT_PREFIX, 100, &cause);
	struct act_opts o = { .pool = &p, .lock_slow = 0, .emit = on_event };
	struct activity *a = activity_new(&o);
	enum { N = 3000 };
	for (int i = 0; i < N; i++) {
		feed_line(a, "ts=1.1 gid=1 type=conn_new rip=10.0.0.1 rport=%d cfd=%d", 1000 + i, i);
		feed_line(a, "ts=1.1 gid=2 type=item_get " K "lock.s%d status=not_found cfd=%d size=0",
			  i, i);
	}
	for (int k = 0; k < N; k++) {
		int i = (int)(((unsigned)k * 7919u) % N);	/* 7919 is prime to N: a permutation */
		if (i % 2)
			feed_line(a, "ts=1.2 gid=3 type=item_get " K "lock.s%d status=found cfd=%d "
				  "size=1", i, i);
	}
	buf_reset(&got);
	int right = 0;
	for (int i = 0; i < N; i += 2) {
		int w = N + i;
		feed_line(a, "ts=1.3 gid=4 type=conn_new rip=10.0.0.2 rport=%d cfd=%d", 2000 + i, w);
		feed_line(a, "ts=1.3 gid=5 type=item_get " K "lock.s%d status=found cfd=%d size=1", i, w);
		feed_line(a, "ts=1.4 gid=6 type=item_get " K "lock.s%d status=not_found cfd=%d size=0",
			  i, w);
		char want[160];
		snprintf(want, sizeof(want), "contention s%d 10.0.0.2:%d acquired holder=10.0.0.1:%d "
			 "retries=1 inferred\n", i, 2000 + i, 1000 + i);
		right += got.ptr && strstr(got.ptr, want) != NULL;
		buf_reset(&got);
	}
	unit_check(right == N / 2, "every lock still held is found after removals (%d of %d)",
		   right, N / 2);
	unit_check(activity_overflow(a) == 0, "3,000 open locks fit");
	activity_free(a);
	buf_release(&got);
	pool_release(&p);
}

static void check_bounded(void)
{
	struct pool p;
	char *cause = NULL;
	pool_init(&p, "127.0.0.1:1", DIST_KETAMA, POOL_DEFAULT_PREFIX, 100, &cause);
	struct act_opts o = { .pool = &p, .lock_slow = 0, .emit = on_event };
	struct activity *a = activity_new(&o);
	char line[200];
	/* 100,000 locks taken and never released: the table stays capped */
	for (int i = 0; i < 100000; i++) {
		struct wl w;
		int n = snprintf(line, sizeof(line), "ts=1.1 gid=%d type=item_get " K
				 "lock.s%d status=not_found cfd=%d size=0", i, i, i % 70000);
		wl_parse(line, (size_t)n, &w);
		activity_line(a, 0, &w);
		buf_reset(&got);
	}
	unit_check(activity_overflow(a) > 90000, "locks past the cap are counted, not kept");
	activity_free(a);
	buf_release(&got);
	pool_release(&p);
}

int main(void)
{
	check_lines();
	check_streams();
	check_flows();
	check_misplaced();
	check_lock_table();
	check_bounded();
	return unit_done();
}
