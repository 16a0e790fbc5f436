/* fuzz_watchline.c: memcached log lines as a server (or something posing as one) sends them,
 * parsed by wl_parse and turned into events by activity.c over a two-server pool. The first
 * byte of a line picks the server and whether mutations are watched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "activity.h"
#include "mc/pool.h"
#include "mc/watchline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_event(const struct act_event *e, void *arg)
{
	size_t *n = arg;
	*n += strlen(e->sid) + strlen(e->client) + strlen(e->holder);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pool p;
	static int ready;
	char *cause = NULL;
	if (!ready) {
		if (pool_init(&p, "127.0.0.1:1,127.0.0.1:2", DIST_KETAMA, POOL_DEFAULT_PREFIX, 100,
			      &cause) < 0)
			abort();
		ready = 1;
	}
	size_t seen = 0;
	struct act_opts o = { .pool = &p, .lock_slow = 0.5, .emit = on_event, .arg = &seen };
	struct activity *a = activity_new(&o);
	const char *s = (const char *)data, *end = s + size;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (len > 0) {
			size_t server = (unsigned char)s[0] & 1;
			if ((unsigned char)s[0] & 2)
				activity_server(a, server, 1, "watching", (unsigned char)s[0] & 4, "");
			struct wl w;
			if (wl_parse(s + 1, len - 1, &w) == 0)
				activity_line(a, server, &w);
			if ((unsigned char)s[0] & 8)
				activity_tick(a, w.ts + 1);
		}
		s += len + 1;
	}
	activity_finish(a, 1e10);
	activity_free(a);
	return 0;
}
