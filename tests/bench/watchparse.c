/* watchparse.c: how many memcached log lines a second memcsess watch parses and turns into
 * session events on one core (issue 17: at least 1,000,000). The lines are what php-memcached's
 * requests leave in the log (conn_new, the lock's look-up, two look-ups of the session, the
 * release's look-up, conn_close; a wait on a lock now and then; evictions), generated in memory
 * first, so only wl_parse and activity_line are timed. Prints "lines/s N" (per CPU second) and more. Usage:
 * watchparse [LINES] (default 5,000,000). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "activity.h"
#include "mc/pool.h"
#include "mc/watchline.h"
#include "util.h"

static unsigned long events;

static void on_event(const struct act_event *e, void *arg)
{
	(void)e;
	(void)arg;
	events++;
}

/* CPU seconds of this (single-threaded) process: the figure is per core even on a busy
 * machine. */
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One request's lines into b, each after its server's index and '|': client port p on
 * descriptor fd, session number s, on the server PHP keeps it on. */
static size_t request(struct buf *b, const struct pool *pl, unsigned long *gid, double t,
		      unsigned p, int fd, unsigned s, int waits)
{
	const char *K = "memc.sess.key.";
	char sid[40];
	snprintf(sid, sizeof(sid), "k%08uq0f5tg3a9m2lr7c1uvb4e", s);
	size_t n = 0, home = pool_home(pl, sid, strlen(sid));
#define L(...) (buf_printf(b, "%zu|ts=%.6f gid=%lu ", home, t, (*gid)++), \
		buf_printf(b, __VA_ARGS__), buf_addc(b, '\n'), n++)
	L("type=conn_new rip=10.0.%u.%u rport=%u transport=tcp cfd=%d", p % 200, p % 250, p, fd);
	for (int w = 0; w < waits; w++)
		L("type=item_get key=%slock.%s status=found clsid=1 cfd=%d size=1", K, sid, fd);
	L("type=item_get key=%slock.%s status=not_found clsid=0 cfd=%d size=0", K, sid, fd);
	L("type=item_get key=%s%s status=found clsid=5 cfd=%d size=812", K, sid, fd);
	L("type=item_get key=%s%s status=found clsid=5 cfd=%d size=812", K, sid, fd);
	L("type=item_get key=%slock.%s status=found clsid=1 cfd=%d size=1", K, sid, fd);
	if (s % 10 == 0)
		L("type=eviction key=%s%s fetch=yes ttl=1200 la=240 clsid=5 size=812", K, sid);
	L("type=conn_close rip=10.0.%u.%u rport=%u transport=tcp reason=normal cfd=%d", p % 200,
	  p % 250, p, fd);
#undef L
	return n;
}

int main(int argc, char **argv)
{
	size_t want = argc > 1 ? strtoul(argv[1], NULL, 10) : 5000000;
	struct pool p;
	char *cause = NULL;
	if (pool_init(&p, "10.1.0.1:11211,10.1.0.2:11211,10.1.0.3:11211", DIST_KETAMA,
		      POOL_DEFAULT_PREFIX, 100, &cause) < 0) {
		fprintf(stderr, "watchparse: %s\n", cause);
		return 1;
	}
	struct buf b = BUF_INIT;
	unsigned long gid = 1;
	size_t lines = 0;
	for (unsigned r = 0; lines < want; r++)
		lines += request(&b, &p, &gid, 1796656891.0 + r * 0.0001, 10000 + r % 50000,
				 20 + (int)(r % 500), r % 100000, r % 20 == 0 ? 3 : 0);
	struct act_opts o = { .pool = &p, .lock_slow = 1, .emit = on_event };
	struct activity *a = activity_new(&o);
	for (size_t i = 0; i < p.n; i++)
		activity_server(a, i, 0, "watching", 0, "");
	struct wl w;
	size_t bad = 0, n = 0;
	double t0 = now(), c0 = cpu_now();
	for (const char *s = b.ptr, *end = b.ptr + b.len; s < end; n++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (wl_parse(s + 2, (size_t)(nl - s - 2), &w) < 0)
			bad++;
		else
			activity_line(a, (size_t)(s[0] - '0'), &w);
		s = nl + 1;
	}
	double secs = now() - t0, cpu = cpu_now() - c0;
	printf("lines %zu\nwall-seconds %.3f\ncpu-seconds %.3f\nlines/s %.0f\nevents %lu\nbad %zu\n",
	       n, secs, cpu, (double)n / cpu, events, bad);
	activity_free(a);
	pool_release(&p);
	buf_release(&b);
	return bad ? 1 : 0;
}
