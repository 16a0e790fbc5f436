/* test_pool.c: server list parsing and placement (hashing is checked against PHP end to end). */
#include "unit.h"
#include "mc/pool.h"

#include <stdlib.h>
#include <string.h>

struct good {
	const char *spec;
	size_t n;
	const char *name1, *host1, *port1, *socket1;
	unsigned weight1;
};

static const struct good goods[] = {
	{ "127.0.0.1:11211", 1, "127.0.0.1:11211", "127.0.0.1", "11211", NULL, 1 },
	{ "a:1,b:2:7", 2, "b:2:7", "b", "2", NULL, 7 },
	{ " a:1 , /run/mc.sock ", 2, "/run/mc.sock", NULL, NULL, "/run/mc.sock", 1 },
	{ "a:1,/run/mc.sock:3", 2, "/run/mc.sock:3", NULL, NULL, "/run/mc.sock", 3 },
	{ "a:1,[::1]:11311", 2, "[::1]:11311", "::1", "11311", NULL, 1 },
	{ "a:1,localhost:11211:2", 2, "localhost:11211:2", "localhost", "11211", NULL, 2 },
};

struct bad {
	const char *spec;
	const char *msg;
};

static const struct bad bads[] = {
	{ "", "empty server list" },
	{ "a:1,,b:2", "empty server name" },
	{ "host", "bad server 'host': expected host:port" },
	{ "host:0", "port must be 1-65535" },
	{ "host:99999", "bad server 'host:99999'" },
	{ "host:port", "expected host:port" },
	{ "::1:11211", "write IPv6 addresses as [addr]:port" },
	{ "[::1:11211", "unclosed [" },
	{ ":11211", "port must be 1-65535" },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		struct pool p;
		char *cause = NULL;
		int r = pool_init(&p, g->spec, DIST_KETAMA, NULL, 0, &cause);
		const struct pool_server *s = r == 0 ? &p.servers[p.n - 1] : NULL;
#define SAME(a, b) ((a) == NULL ? (b) == NULL : (b) != NULL && strcmp((a), (b)) == 0)
		unit_check(s && p.n == g->n && SAME(g->name1, s->name) && SAME(g->host1, s->host) &&
			   SAME(g->port1, s->port) && SAME(g->socket1, s->socket) &&
			   s->weight == g->weight1, "pool parses '%s'%s%s", g->spec,
			   cause ? ": " : "", cause ? cause : "");
		free(cause);
		if (r == 0)
			pool_release(&p);
	}
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct pool p;
		char *cause = NULL;
		int r = pool_init(&p, bads[i].spec, DIST_KETAMA, NULL, 0, &cause);
		unit_check(r < 0 && cause && strstr(cause, bads[i].msg),
			   "pool rejects '%s' with '%s' (got '%s')", bads[i].spec, bads[i].msg,
			   cause ? cause : "(none)");
		free(cause);
		if (r == 0)
			pool_release(&p);
	}
	/* placement is stable and spreads; a one-server pool always answers 0 */
	struct pool p;
	char *cause = NULL;
	if (pool_init(&p, "10.0.0.1:11211,10.0.0.2:11211,10.0.0.3:11211", DIST_KETAMA, NULL, 0,
		      &cause) == 0) {
		size_t count[3] = { 0, 0, 0 };
		char sid[32];
		for (int i = 0; i < 3000; i++) {
			snprintf(sid, sizeof(sid), "sid%d", i);
			count[pool_home(&p, sid, strlen(sid))]++;
		}
		unit_check(count[0] > 600 && count[1] > 600 && count[2] > 600,
			   "ketama spreads 3000 sids over 3 servers (%zu/%zu/%zu)", count[0],
			   count[1], count[2]);
		unit_check(pool_home(&p, "abc", 3) == pool_home(&p, "abc", 3), "placement is stable");
		pool_release(&p);
	}
	free(cause);
	return unit_done();
}
