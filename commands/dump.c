/* dump.c: memcsess dump: every session as one JSON line. */
#include "commands.h"
#include "record.h"
#include "scan.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_SID = 1, O_HANDLER, O_NO_DATA };
static const struct cmd_opt dump_opts[] = {
	{ "sid", 0, 1, O_SID },
	{ "handler", 0, 1, O_HANDLER },
	{ "no-data", 0, 0, O_NO_DATA },
	{ NULL, 0, 0, 0 },
};

struct dump_state {
	struct cmd_ctx *ctx;
	enum sess_handler handler;
	unsigned what;
	size_t written, decode_errors;
};

/* Scan callback: one JSON line per session. */
static int on_rec(const struct sess_rec *r, void *arg)
{
	struct dump_state *st = arg;
	struct decode_error err;
	json_t *o = record_to_json(&st->ctx->pool, r, st->what, st->handler, &err);
	if (err.msg[0]) {
		st->decode_errors++;
		cmd_error("server %s: key %.*s: cannot decode at byte %zu: %s (dumped raw)",
			  st->ctx->pool.servers[r->server].name, (int)r->key_len, r->key,
			  err.offset, err.msg);
	}
	if (json_dumpf(o, stdout, JSON_COMPACT) < 0 || fputc('\n', stdout) == EOF) {
		json_decref(o);
		cmd_output_failed();
		return 2;
	}
	json_decref(o);
	st->written++;
	return cmd_output_failed() ? 2 : 0;
}

static int dump_options(const struct cmd_args *a, struct dump_state *st, struct scan_opts *so)
{
	for (size_t i = 0; i < a->n_opts; i++) {
		const char *arg = a->opts[i].arg;
		switch (a->opts[i].key) {
		case O_SID: so->sid_glob = arg; break;
		case O_NO_DATA: st->what &= ~(unsigned)RECORD_DATA; break;
		case O_HANDLER:
			if (sess_handler_parse(arg, &st->handler) < 0) {
				cmd_error("--handler: expected php, php_binary, php_serialize or "
					  "igbinary, got '%s'", arg);
				return EXIT_USAGE;
			}
			break;
		}
	}
	if (a->n_pos > 1) {
		cmd_error("dump: at most one sid pattern, got %d", a->n_pos);
		return EXIT_USAGE;
	}
	if (a->n_pos == 1)
		so->sid_glob = a->pos[0];
	return 0;
}

static int dump_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	struct dump_state st = { .ctx = ctx, .what = RECORD_VALUE | RECORD_DATA };
	struct scan_opts so = { .values = 1, .meta = 1, .locks = 1, .cancel = ctx->cancel };
	int ret = dump_options(a, &st, &so);
	if (ret)
		return ret;
	struct scan_server *res = xcalloc(ctx->pool.n, sizeof(*res));
	int r = scan_pool(&ctx->pool, &so, on_rec, &st, res);
	ret = cmd_report_scan(ctx, res);
	scan_server_release(res, ctx->pool.n);
	free(res);
	if (r == 2)
		return EXIT_IO;
	if (ret == EXIT_OK && st.decode_errors)
		ret = EXIT_PARTIAL;
	return ret;
}

const struct cmd_entry cmd_dump_entry = {
	.name = "dump",
	.usage = "[--sid GLOB] [--handler H] [--no-data] [SID-GLOB]",
	.summary = "write every session as JSON Lines on standard output",
	.needs = NEED_POOL,
	.opts = dump_opts,
	.run = dump_run,
};
