/* edit_common.c: options and reporting of set, unset and edit (see edit_common.h). */
#include "edit_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct cmd_opt edit_opts[] = {
	{ "dry-run", 'n', 0, EO_DRY_RUN },
	{ "ttl", 0, ARG_DURATION, EO_TTL },
	{ "force", 'f', 0, EO_FORCE },
	{ "replicas", 0, ARG_NUMBER, EO_REPLICAS },
	{ "handler", 0, ARG_HANDLER, EO_HANDLER },
	{ NULL, 0, 0, 0 },
};

int edit_options(const struct cmd_args *a, const char *name, struct edit_cmd *ec)
{
	memset(ec, 0, sizeof(*ec));
	ec->name = name;
	ec->o.ttl = -1;
	ec->o.lock_ttl = 30;
	for (size_t i = 0; i < a->n_opts; i++) {
		const char *arg = a->opts[i].arg;
		double d;
		long n;
		switch (a->opts[i].key) {
		case EO_DRY_RUN: ec->dry_run = 1; break;
		case EO_FORCE: ec->o.force = 1; break;
		case EO_TTL:
			if (parse_duration(arg, &d) < 0) {
				cmd_error("--ttl: expected a duration such as 30, 90s, 15m, 2h or 7d, "
					  "got '%s'", arg);
				return EXIT_USAGE;
			}
			ec->o.ttl = (int64_t)d;
			break;
		case EO_REPLICAS:
			if (cmd_parse_count("replicas", arg, &n) < 0)
				return EXIT_USAGE;
			ec->o.replicas = (size_t)n;
			break;
		case EO_HANDLER:
			if (sess_handler_parse(arg, &ec->o.handler) < 0) {
				cmd_error("--handler: expected php, php_binary, php_serialize or "
					  "igbinary, got '%s'", arg);
				return EXIT_USAGE;
			}
			break;
		}
	}
	const char *delay = getenv("MEMCSESS_TEST_WRITE_DELAY_MS");
	if (delay && *delay)
		ec->pause_ms = (unsigned)strtoul(delay, NULL, 10);
	return 0;
}

int edit_check_sid(const struct cmd_ctx *ctx, struct edit_cmd *ec, const char *sid)
{
	size_t n = strlen(sid);
	struct decode_opts d;
	cmd_decode_opts(ctx, ec->o.handler, 1, &d);
	ec->o.scheme = d.scheme;
	ec->o.cipher = d.cipher;
	ec->o.keys = d.keys;
	if (n == 0 || ctx->pool.prefix_len + n + 5 > 250 || strpbrk(sid, " \t\r\n")) {
		cmd_error("%s: '%s' is not a usable session id", ec->name, sid);
		return EXIT_USAGE;
	}
	return 0;
}

int edit_run_change(struct cmd_ctx *ctx, const struct edit_cmd *ec, const char *sid,
		    sess_change_fn fn, void *arg)
{
	struct sess_change c;
	char *cause = NULL;
	enum sess_change_status st = edit_change(ctx, ec, sid, fn, arg, &c, &cause);
	return edit_report(ec, sid, st, &c, cause);
}

enum sess_change_status edit_change(struct cmd_ctx *ctx, const struct edit_cmd *ec,
				    const char *sid, sess_change_fn fn, void *arg,
				    struct sess_change *c, char **cause)
{
	memset(c, 0, sizeof(*c));
	c->dry_run = ec->dry_run;
	c->pause_ms = ec->pause_ms;
	*cause = NULL;
	return sess_change_run(&ctx->pool, sid, &ec->o, fn, arg, c, cause);
}

int edit_report(const struct edit_cmd *ec, const char *sid, enum sess_change_status st,
		struct sess_change *cp, char *cause)
{
	struct sess_change c = *cp;
	if (c.diff.len)
		fwrite(c.diff.ptr, 1, c.diff.len, stdout);
	int ret = EXIT_OK;
	switch (st) {
	case SC_WRITTEN:
		printf("%s: written (%s, %zu -> %zu bytes)\n", sid, sess_handler_name(c.handler),
		       c.bytes_before, c.bytes_after);
		if (cause)
			cmd_error("%s: %s", ec->name, cause);
		break;
	case SC_UNCHANGED:
		printf("%s: no change, nothing written\n", sid);
		break;
	case SC_DRY_RUN:
		printf("%s: dry run, nothing written (%s, %zu -> %zu bytes)\n", sid,
		       sess_handler_name(c.handler), c.bytes_before, c.bytes_after);
		break;
	default:
		cmd_error("%s: %s", ec->name, cause ? cause : "failed");
		ret = EXIT_PARTIAL;
		break;
	}
	free(cause);
	sess_change_release(&c);
	return ret;
}
