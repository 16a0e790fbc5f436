/* exporter.c: memcsess exporter: the pool's sessions as Prometheus metrics over HTTP, from
 * walks in the background (src/exporter/collect.c) and the watch's event counters. */
#include "commands.h"
#include "exporter/collect.h"
#include "exporter/http.h"
#include "signals.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_LISTEN "127.0.0.1:9788"
#define DEFAULT_WALK_INTERVAL 60
#define DEFAULT_LOCK_AGE 60	/* as doctor's: no PHP request should hold a lock that long */

enum { O_LISTEN = 1, O_WALK_INTERVAL, O_LOCK_AGE, O_MUTATIONS };
static const struct cmd_opt exporter_opts[] = {
	{ "listen", 'l', 1, O_LISTEN },
	{ "walk-interval", 0, 1, O_WALK_INTERVAL },
	{ "lock-age", 0, 1, O_LOCK_AGE },
	{ "mutations", 0, 0, O_MUTATIONS },
	{ NULL, 0, 0, 0 },
};

struct exporter {
	char host[128], port[16];
	double walk_interval, lock_age;
	int mutations;
};

/* Splits "ADDR:PORT" or "[V6ADDR]:PORT" into e->host and e->port; -1 after a message. */
static int parse_listen(const char *s, struct exporter *e)
{
	const char *colon, *host = s;
	size_t hn;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		colon = close && close[1] == ':' ? close + 1 : NULL;
		host = s + 1;
		hn = close ? (size_t)(close - host) : 0;
	} else {
		colon = strrchr(s, ':');
		hn = colon ? (size_t)(colon - s) : 0;
	}
	char *end = NULL;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (!colon || !hn || hn >= sizeof(e->host) || !colon[1] || *end || port < 1 ||
	    port > 65535) {
		cmd_error("--listen: expected ADDR:PORT (127.0.0.1:9788, [::1]:9788), got '%s'", s);
		return -1;
	}
	memcpy(e->host, host, hn);
	e->host[hn] = '\0';
	snprintf(e->port, sizeof(e->port), "%ld", port);
	return 0;
}

static int parse_secs(const char *opt, const char *s, double lo, double *out)
{
	if (parse_duration(s, out) < 0 || *out < lo || *out > 86400 * 365) {
		cmd_error("--%s: expected a duration (at least %gs: 90, 90s, 15m, 2h), got '%s'",
			  opt, lo, s);
		return -1;
	}
	return 0;
}

static int exporter_options(const struct cmd_args *a, struct exporter *e)
{
	e->walk_interval = DEFAULT_WALK_INTERVAL;
	e->lock_age = DEFAULT_LOCK_AGE;
	if (parse_listen(DEFAULT_LISTEN, e) < 0)
		return EXIT_USAGE;
	for (size_t i = 0; i < a->n_opts; i++) {
		const char *arg = a->opts[i].arg;
		int bad = 0;
		switch (a->opts[i].key) {
		case O_LISTEN: bad = parse_listen(arg, e); break;
		case O_WALK_INTERVAL: bad = parse_secs("walk-interval", arg, 1, &e->walk_interval); break;
		case O_LOCK_AGE: bad = parse_secs("lock-age", arg, 1, &e->lock_age); break;
		case O_MUTATIONS: e->mutations = 1; break;
		}
		if (bad)
			return EXIT_USAGE;
	}
	if (a->n_pos) {
		cmd_error("exporter: no arguments expected, got '%s'", a->pos[0]);
		return EXIT_USAGE;
	}
	return 0;
}

static void write_metrics(void *arg, struct buf *out)
{
	collect_write(arg, out);
}

/* Waits for SIGINT or SIGTERM (or the shell's Ctrl-C). */
static void wait_signal(struct cmd_ctx *ctx, volatile sig_atomic_t *flag)
{
	struct timespec ts = { 0, 200 * 1000000L };
	while (!*flag && !(ctx->cancel && *ctx->cancel))
		nanosleep(&ts, NULL);
}

static int exporter_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	struct exporter e;
	memset(&e, 0, sizeof(e));
	int ret = exporter_options(a, &e);
	if (ret)
		return ret;
	if (ctx->sasl) {
		cmd_error("exporter: a SASL server (--sasl, memcached -S) cannot list its keys nor be "
			  "watched");
		return EXIT_POOL;
	}
	struct collect_opts co = { .pool = &ctx->pool, .app = ctx->app,
				   .walk_interval = e.walk_interval,
				   .lock_age = (int64_t)e.lock_age, .watch = 1,
				   .mutations = e.mutations, .lock_slow = 1 };
	cmd_decode_opts(ctx, SESS_UNKNOWN, 1, &co.decode);
	static volatile sig_atomic_t stop;
	struct signals sig;
	signals_take(&sig, SIGNALS_INT | SIGNALS_TERM, &stop);
	struct collector *c = collect_start(&co);
	char *cause = NULL;
	struct http_server *h = http_start(e.host, e.port, write_metrics, c, &cause);
	if (!h) {
		cmd_error("exporter: %s", cause);
		free(cause);
		ret = EXIT_IO;
	} else {
		fprintf(stderr, "memcsess: exporter: serving http://%s%s%s:%s/metrics\n",
			strchr(e.host, ':') ? "[" : "", e.host, strchr(e.host, ':') ? "]" : "",
			e.port);
		wait_signal(ctx, &stop);
		http_stop(h);
	}
	collect_free(c);
	signals_give_back(&sig);
	return ret;
}

const struct cmd_entry cmd_exporter_entry = {
	.name = "exporter",
	.usage = "[--listen ADDR:PORT] [--walk-interval S] [--lock-age S] [--mutations]\n"
		 "  serves /metrics on " DEFAULT_LISTEN " unless --listen says otherwise",
	.summary = "Prometheus metrics of the sessions over HTTP: counts, sizes, TTLs, locks, "
		   "and the watch's event counters",
	.needs = NEED_POOL | NEED_KEY,
	.opts = exporter_opts,
	.run = exporter_run,
};
