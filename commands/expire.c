/* expire.c: memcsess expire: log sessions out (delete them) or give them a new TTL, by sid or
 * by what they hold, on every server a copy is on. Selecting and confirming are here; the
 * acting is src/expire.c, which top's expire and touch run too. */
#include "commands.h"
#include "expire.h"
#include "mc/scan.h"
#include "session_decode.h"
#include "util.h"
#include "php/handlers.h"
#include "php/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { O_WHERE = 1, O_IDLE_OVER, O_TTL_UNDER, O_SID, O_ALL, O_TTL, O_DRY_RUN, O_YES, O_LOCKS };
static const struct cmd_opt expire_opts[] = {
	{ "where", 'w', ARG_TEXT, O_WHERE },
	{ "idle-over", 0, ARG_DURATION, O_IDLE_OVER },
	{ "ttl-under", 0, ARG_DURATION, O_TTL_UNDER },
	{ "sid", 0, ARG_SID, O_SID },
	{ "all", 0, 0, O_ALL },
	{ "ttl", 0, ARG_DURATION, O_TTL },
	{ "dry-run", 'n', 0, O_DRY_RUN },
	{ "yes", 'y', 0, O_YES },
	{ "locks", 0, 0, O_LOCKS },
	{ NULL, 0, 0, 0 },
};

#define MAX_WHERE 16
#define CONFIRM_OVER 5

struct expire_cmd {
	struct cmd_ctx *ctx;
	const char *where_path[MAX_WHERE], *where_value[MAX_WHERE];
	char *where_buf[MAX_WHERE];
	size_t n_where;
	double idle_over, ttl_under, new_ttl;
	int has_idle, has_ttl_under, all, yes;
	const char *sid_glob;
	struct decode_opts dec;	/* how --where reads values: decompress, decrypt, decode */
	struct expire x;	/* the sessions selected, acted on by src/expire.c */
};

/* Do the decoded data of r satisfy every --where? */
static int where_matches(const struct expire_cmd *x, const struct sess_rec *r)
{
	struct decode_info info;
	struct pv *v = session_decode(r, &x->dec, &info);
	int ok = v != NULL;
	for (size_t i = 0; ok && i < x->n_where; i++)
		ok = pv_equals_text(pv_lookup(v, x->where_path[i]), x->where_value[i]);
	pv_free(v);
	return ok;
}

/* Scan callback: remember each session every filter accepts. */
static int on_rec(const struct sess_rec *r, void *arg)
{
	struct expire_cmd *x = arg;
	if (r->kind != REC_SESSION)
		return 0;
	if (x->has_idle && (r->idle < 0 || (double)r->idle <= x->idle_over))
		return 0;
	if (x->has_ttl_under && (r->ttl < 0 || (double)r->ttl >= x->ttl_under))
		return 0;
	if (x->n_where && (!r->value || !where_matches(x, r)))
		return 0;
	expire_add_found(&x->x, r->key, r->key_len, (size_t)(r->sid - r->key), r->server);
	return 0;
}

/* Asks on the terminal before acting on many sessions; returns 1 to go on. */
static int confirm(const struct expire_cmd *x)
{
	if (x->yes || x->x.dry_run || x->x.n <= CONFIRM_OVER || !isatty(0) || !isatty(2))
		return 1;
	fprintf(stderr, "%s %zu sessions%s? [y/N] ", x->x.touch ? "set a new TTL on" :
		"expire (delete)", x->x.n, x->x.locks ? " and their locks" : "");
	char line[32];
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

/* Shows a line of src/expire.c: a dry run's on standard output, a failure on stderr. */
static void on_note(void *arg, enum expire_note kind, const char *text)
{
	(void)arg;
	if (kind == EXPIRE_WOULD)
		printf("%s\n", text);
	else
		cmd_error("%s", text);
}

/* Parses a duration option value; returns 0 or EXIT_USAGE. */
static int duration_opt(const char *name, const char *arg, double *out)
{
	if (parse_duration(arg, out) == 0)
		return 0;
	cmd_error("--%s: expected a duration such as 30, 90s, 15m, 2h or 7d, got '%s'", name, arg);
	return EXIT_USAGE;
}

static int add_where(struct expire_cmd *x, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || x->n_where == MAX_WHERE) {
		cmd_error("--where: expected FIELD=VALUE (at most %d), got '%s'", MAX_WHERE, arg);
		return EXIT_USAGE;
	}
	char *path = xstrndup(arg, (size_t)(eq - arg));
	x->where_buf[x->n_where] = path;
	x->where_path[x->n_where] = path;
	x->where_value[x->n_where++] = eq + 1;
	return 0;
}

static int expire_options(struct expire_cmd *x, const struct cmd_args *a)
{
	int ret = 0;
	for (size_t i = 0; i < a->n_opts && !ret; i++) {
		const char *arg = a->opts[i].arg;
		switch (a->opts[i].key) {
		case O_WHERE: ret = add_where(x, arg); break;
		case O_IDLE_OVER: x->has_idle = 1; ret = duration_opt("idle-over", arg, &x->idle_over); break;
		case O_TTL_UNDER: x->has_ttl_under = 1; ret = duration_opt("ttl-under", arg, &x->ttl_under); break;
		case O_SID: x->sid_glob = arg; break;
		case O_ALL: x->all = 1; break;
		case O_TTL: x->x.touch = 1; ret = duration_opt("ttl", arg, &x->new_ttl); break;
		case O_DRY_RUN: x->x.dry_run = 1; break;
		case O_YES: x->yes = 1; break;
		case O_LOCKS: x->x.locks = 1; break;
		}
	}
	if (ret)
		return ret;
	int filters = x->n_where || x->has_idle || x->has_ttl_under || x->sid_glob || x->all;
	if (a->n_pos && filters) {
		cmd_error("expire: give session ids or filters (--where, --idle-over, --ttl-under, "
			  "--sid, --all), not both");
		return EXIT_USAGE;
	}
	if (!a->n_pos && !filters) {
		cmd_error("expire: nothing selected: give session ids, a filter, or --all");
		return EXIT_USAGE;
	}
	if (x->x.touch && x->new_ttl < 1) {
		cmd_error("--ttl: a new TTL must be at least 1s (to delete, leave --ttl out)");
		return EXIT_USAGE;
	}
	x->x.ttl = (int64_t)x->new_ttl;
	return 0;
}

/* Finds the sessions the filters select; returns 0 or an exit code. */
static int select_by_scan(struct expire_cmd *x)
{
	struct scan_opts so = { .values = x->n_where > 0, .meta = x->n_where > 0,
				.sid_glob = x->sid_glob, .cancel = x->ctx->cancel };
	struct scan_server *res = xcalloc(x->ctx->pool.n, sizeof(*res));
	scan_pool(&x->ctx->pool, &so, on_rec, x, res);
	int ret = cmd_report_scan(x->ctx, res);
	scan_server_release(res, x->ctx->pool.n);
	free(res);
	return ret;
}

/* The sessions named on the command line. */
static int select_by_sid(struct expire_cmd *x, const struct cmd_args *a)
{
	for (int i = 0; i < a->n_pos; i++) {
		char *cause = NULL;
		if (expire_add_sid(&x->x, a->pos[i], &cause) < 0) {
			cmd_error("expire: %s", cause);
			free(cause);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* Acts on the selected sessions when confirmed, and sums up on stderr. */
static int expire_act(struct expire_cmd *x)
{
	if (!confirm(x)) {
		fprintf(stderr, "expire: nothing done\n");
		return EXIT_PARTIAL;
	}
	expire_run(&x->x);
	char *sum = expire_summary(&x->x);
	fprintf(stderr, "%s\n", sum);
	free(sum);
	return x->x.failed ? EXIT_PARTIAL : 0;
}

static int expire_cmd_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	struct expire_cmd x;
	memset(&x, 0, sizeof(x));
	x.ctx = ctx;
	expire_init(&x.x, &ctx->pool);
	x.x.note = on_note;
	cmd_decode_opts(ctx, SESS_UNKNOWN, 1, &x.dec);
	int ret = expire_options(&x, a);
	if (!ret)
		ret = a->n_pos > 0 ? select_by_sid(&x, a) : select_by_scan(&x);
	if (ret != EXIT_USAGE && ret != EXIT_POOL) {
		int acted = expire_act(&x);
		ret = acted ? acted : ret;
	}
	expire_release(&x.x);
	for (size_t i = 0; i < x.n_where; i++)
		free(x.where_buf[i]);
	return ret;
}

const struct cmd_entry cmd_expire_entry = {
	.name = "expire",
	.usage = "[--dry-run] [--yes] [--ttl DURATION] [--locks] (SID... | --where FIELD=VALUE | "
		 "--idle-over DURATION | --ttl-under DURATION | --sid GLOB | --all)",
	.summary = "log sessions out (delete them) or set a new TTL, by sid or by what they hold",
	.needs = NEED_POOL | NEED_KEY,
	.opts = expire_opts,
	.operands = ARG_SID,
	.run = expire_cmd_run,
};
