/* load.c: memcsess load [FILE|-]: write dump lines back into the pool, byte for byte. */
#include "commands.h"
#include "mc/copy.h"
#include "dumpline.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_OVERWRITE = 1, O_DRY_RUN, O_REPLICAS };
static const struct cmd_opt load_opts[] = {
	{ "overwrite", 0, 0, O_OVERWRITE },
	{ "replicas", 0, ARG_NUMBER, O_REPLICAS },
	{ "dry-run", 'n', 0, O_DRY_RUN },
	{ NULL, 0, 0, 0 },
};

/* Prints one session that could not be loaded (a newer one kept in place is only counted). */
static void on_report(const char *sid, size_t n, enum copy_event ev, const char *what, void *arg)
{
	(void)arg;
	if (ev == CE_FAILED)
		cmd_error("session %.*s: %s", (int)n, sid, what);
}

/* Loads every line of rd into the copier; returns the number of bad lines (or -1 when the
 * stream could not be read at all). */
static long load_lines(struct cmd_ctx *ctx, struct dump_reader *rd, struct copier *cp)
{
	struct dump_entry e;
	char *cause = NULL;
	long bad = 0;
	int r;
	dump_entry_init(&e);
	while ((r = dump_reader_next(rd, &e, &cause)) != 0) {
		if (r < 0) {
			cmd_error("%s", cause);
			free(cause);
			cause = NULL;
			bad++;
			if (r == -2)
				break;
			continue;
		}
		size_t pl = ctx->pool.prefix_len;
		if (e.key.len <= pl || memcmp(e.key.ptr, ctx->pool.prefix, pl) != 0) {
			cmd_error("%s: line %zu: key does not start with the prefix '%s'", rd->name,
				  rd->line, ctx->pool.prefix);
			bad++;
			continue;
		}
		struct copy_item it = {
			.key = e.key.ptr, .key_len = e.key.len, .sid = e.key.ptr + pl,
			.sid_len = e.key.len - pl, .value = e.value.ptr ? e.value.ptr : "",
			.value_len = e.value.len, .flags = e.flags, .exp = e.exp,
		};
		copier_add(cp, &it);
	}
	dump_entry_release(&e);
	return bad;
}

static int load_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	struct copier cp;
	int overwrite = 0, dry_run = 0;
	long replicas = 0;
	for (size_t i = 0; i < a->n_opts; i++) {
		if (a->opts[i].key == O_OVERWRITE)
			overwrite = 1;
		else if (a->opts[i].key == O_DRY_RUN)
			dry_run = 1;
		else if (cmd_parse_count("replicas", a->opts[i].arg, &replicas) < 0)
			return EXIT_USAGE;
	}
	if (a->n_pos > 1) {
		cmd_error("load: at most one file, got %d", a->n_pos);
		return EXIT_USAGE;
	}
	struct dump_reader rd = { .f = stdin, .name = "standard input" };
	if (a->n_pos == 1 && strcmp(a->pos[0], "-") != 0) {
		rd.name = a->pos[0];
		if (!(rd.f = fopen(a->pos[0], "r"))) {
			cmd_error("load: cannot open %s: %s", a->pos[0], strerror(errno));
			return EXIT_USAGE;
		}
	}
	copier_init(&cp, &ctx->pool, NULL);
	cp.overwrite = overwrite;
	cp.dry_run = dry_run;
	cp.replicas = (size_t)replicas;
	cp.report = on_report;
	long bad = load_lines(ctx, &rd, &cp);
	copier_flush(&cp);
	const struct copy_stats *s = &cp.st;
	fprintf(stderr, "load: %zu sessions read, %zu %s, %zu already present (kept), "
		"%zu different already present (kept), %zu expired (skipped), %zu failed, "
		"%ld bad lines\n", s->read, s->copied, dry_run ? "to load" : "loaded", s->already,
		s->conflicts, s->expired, s->failed, bad);
	int ret = s->failed || bad ? EXIT_PARTIAL : EXIT_OK;
	copier_release(&cp);
	dump_reader_release(&rd);
	if (rd.f != stdin)
		fclose(rd.f);
	return ret;
}

const struct cmd_entry cmd_load_entry = {
	.name = "load",
	.usage = "[--overwrite] [--replicas N] [--dry-run] [FILE|-]",
	.summary = "write sessions from dump lines into the pool, exactly as dumped",
	.needs = NEED_POOL,
	.opts = load_opts,
	.operands = ARG_FILE,
	.run = load_run,
};
