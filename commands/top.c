/* top.c: memcsess top: the live console (views/), or with --once a plain-text snapshot of
 * the pool panel. */
#include "commands.h"
#include "mc/poller.h"
#include "util.h"
#include "views/views.h"
#include "php/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define COUNT_EVERY 60.0	/* default seconds between session counts (key dumps) */

enum { O_DELAY = 1, O_ITERATIONS, O_ONCE, O_READONLY, O_COUNT, O_MOUSE };
static const struct cmd_opt top_opts[] = {
	{ "delay", 'd', ARG_DURATION, O_DELAY },
	{ "iterations", 'n', ARG_NUMBER, O_ITERATIONS },
	{ "once", 0, 0, O_ONCE },
	{ "readonly", 0, 0, O_READONLY },
	{ "count-interval", 0, ARG_DURATION, O_COUNT },
	{ "mouse", 0, 0, O_MOUSE },
	{ NULL, 0, 0, 0 },
};

struct top_args {
	double delay;
	long iterations;
	int once;
	int readonly;
	int mouse;
	double count_every;
};

/* Parses seconds for option opt within [lo, hi]; returns 0 or -1 after a message. */
static int parse_secs(const char *opt, const char *s, double lo, double hi, double *out)
{
	if (parse_duration(s, out) < 0 || *out < lo || *out > hi) {
		cmd_error("--%s: expected seconds between %g and %g, got '%s'", opt, lo, hi, s);
		return -1;
	}
	return 0;
}

static int top_options(const struct cmd_args *a, struct top_args *o)
{
	for (size_t i = 0; i < a->n_opts; i++) {
		const char *arg = a->opts[i].arg;
		int bad = 0;
		switch (a->opts[i].key) {
		case O_DELAY: bad = parse_secs("delay", arg, 0.1, 3600, &o->delay); break;
		case O_ITERATIONS: bad = cmd_parse_count("iterations", arg, &o->iterations); break;
		case O_ONCE: o->once = 1; break;
		case O_READONLY: o->readonly = 1; break;
		case O_MOUSE: o->mouse = 1; break;
		case O_COUNT:
			bad = parse_secs("count-interval", arg, 0, 86400 * 7, &o->count_every);
			break;
		}
		if (bad)
			return EXIT_USAGE;
	}
	if (a->n_pos > 0) {
		cmd_error("top: takes no arguments, got '%s'", a->pos[0]);
		return EXIT_USAGE;
	}
	return 0;
}

/* Has every server given what a snapshot needs: two samples (for rates) or a failure, and a
 * session count or a reason why there is none? */
static int snapshot_ready(const struct srv_snap *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int sampled = s[i].good >= 2 || (s[i].attempts > 0 && s[i].state != SRV_UP);
		int counted = s[i].counted_at > 0 || s[i].count_error[0];
		if (!sampled || !counted)
			return 0;
	}
	return 1;
}

/* --once: samples every server twice, delay apart, counts sessions, prints the panel. */
static int top_once(struct cmd_ctx *ctx, const struct top_args *o)
{
	const struct pool *p = &ctx->pool;
	struct poller_opts po = { .interval = o->delay };
	struct poller *pl = poller_start(p, &po);
	struct srv_snap *snap = xcalloc(p->n, sizeof(*snap));
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	do {
		nanosleep(&nap, NULL);
		poller_snapshot(pl, snap);
	} while (!snapshot_ready(snap, p->n) && !(ctx->cancel && *ctx->cancel));
	poller_free(pl);
	struct buf out = BUF_INIT;
	panel_text(p, snap, o->delay, time(NULL), &out);
	fwrite(out.ptr, 1, out.len, stdout);
	buf_release(&out);
	size_t up = 0;
	for (size_t i = 0; i < p->n; i++)
		up += snap[i].state == SRV_UP;
	free(snap);
	return up == p->n ? EXIT_OK : up ? EXIT_PARTIAL : EXIT_POOL;
}

static int top_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	struct top_args o = { .delay = 1, .count_every = COUNT_EVERY };
	int ret = top_options(a, &o);
	if (ret)
		return ret;
	if (o.once)
		return top_once(ctx, &o);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		cmd_error("top: needs a terminal on standard input and output (--once prints a "
			  "plain-text snapshot)");
		return EXIT_USAGE;
	}
	struct decode_opts dopts;
	struct top t;
	cmd_decode_opts(ctx, SESS_UNKNOWN, 1, &dopts);
	memset(&t, 0, sizeof(t));
	t.pool = &ctx->pool;
	t.dopts = &dopts;
	t.interval = o.delay;
	t.count_every = o.count_every;
	t.readonly = o.readonly;
	t.mouse = o.mouse;
	t.reader = app_reader(ctx->app);
	t.list_server = -1;
	ret = tui_run(&t, o.iterations);
	if (ret < 0) {
		const char *term = getenv("TERM");
		cmd_error("top: cannot use the terminal (TERM=%s; at least 3 lines are needed)",
			  term ? term : "unset");
		return EXIT_USAGE;
	}
	return ret;
}

const struct cmd_entry cmd_top_entry = {
	.name = "top",
	.usage = "[-d SECONDS] [--iterations N] [--once] [--readonly] [--mouse] "
		 "[--count-interval SECONDS]",
	.summary = "live console: the pool's servers, its sessions, one session; expire and touch",
	.needs = NEED_POOL | NEED_KEY,
	.opts = top_opts,
	.run = top_run,
};
