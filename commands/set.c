/* set.c: memcsess set: set values inside a session (PATH=JSON), written back as PHP would
 * write them (session_change.h). */
#include "commands.h"
#include "edit_common.h"
#include "php/value_from_json.h"
#include "php/value_path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct assignment {
	struct pv_path path;
	struct buf json;	/* the JSON text (from argv, or from the file of @FILE) */
};

struct assignments {
	struct assignment *a;
	size_t n;
};

/* The '=' ending the path in arg (quotes and '\' in the path skipped), or NULL. */
static const char *path_end(const char *arg)
{
	int quoted = 0;
	for (const char *p = arg; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == '=' && !quoted)
			return p;
	}
	return NULL;
}

/* The JSON text of a value: the text itself, or @FILE's contents. Returns 0 or -1. */
static int json_text(const char *arg, struct buf *out)
{
	if (arg[0] != '@') {
		buf_adds(out, arg);
		return 0;
	}
	FILE *f = fopen(arg + 1, "rb");
	char tmp[65536];
	size_t n;
	if (!f) {
		cmd_error("set: cannot read %s: %s", arg + 1, strerror(errno));
		return -1;
	}
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(out, tmp, n);
	int bad = ferror(f);
	fclose(f);
	if (bad)
		cmd_error("set: cannot read %s", arg + 1);
	return bad ? -1 : 0;
}

/* Parses every PATH=JSON (values checked too) before anything is read. */
static int parse_assignments(char **args, int n, struct assignments *as)
{
	as->a = xcalloc((size_t)n, sizeof(*as->a));
	for (int i = 0; i < n; i++) {
		const char *eq = path_end(args[i]);
		char *cause = NULL;
		if (!eq) {
			cmd_error("set: '%s': expected PATH=JSON", args[i]);
			return EXIT_USAGE;
		}
		char *path = xstrndup(args[i], (size_t)(eq - args[i]));
		int rc = pv_path_parse(path, &as->a[as->n].path, &cause);
		free(path);
		struct buf *text = &as->a[as->n].json;
		if (rc == 0 && json_text(eq + 1, text) < 0) {
			pv_path_release(&as->a[as->n].path);
			buf_release(text);
			return EXIT_USAGE;
		}
		struct pv *v = rc ? NULL : pv_from_json_text(text->ptr ? text->ptr : "", text->len,
							      &cause);
		if (!v) {
			cmd_error("set: %.*s: %s", (int)(eq - args[i]), args[i], cause);
			free(cause);
			if (rc == 0)
				pv_path_release(&as->a[as->n].path);
			buf_release(text);
			return EXIT_USAGE;
		}
		pv_free(v);
		as->n++;
	}
	return 0;
}

static int apply(struct pv *root, void *arg, char **cause)
{
	const struct assignments *as = arg;
	for (size_t i = 0; i < as->n; i++) {
		const struct buf *t = &as->a[i].json;
		struct pv *v = pv_from_json_text(t->ptr ? t->ptr : "", t->len, cause);
		if (!v || pv_path_set(root, &as->a[i].path, v, cause) < 0)
			return -1;
	}
	return 0;
}

static int set_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	struct edit_cmd ec;
	struct assignments as = { NULL, 0 };
	int ret = edit_options(a, "set", &ec);
	if (!ret && a->n_pos < 2) {
		cmd_error("set: usage: set [options] SID PATH=JSON...");
		ret = EXIT_USAGE;
	}
	if (!ret)
		ret = edit_check_sid(ctx, &ec, a->pos[0]);
	if (!ret)
		ret = parse_assignments(a->pos + 1, a->n_pos - 1, &as);
	if (!ret)
		ret = edit_run_change(ctx, &ec, a->pos[0], apply, &as);
	for (size_t i = 0; i < as.n; i++) {
		pv_path_release(&as.a[i].path);
		buf_release(&as.a[i].json);
	}
	free(as.a);
	return ret;
}

const struct cmd_entry cmd_set_entry = {
	.name = "set",
	.usage = "[--dry-run] [--ttl DURATION] [--force] [--replicas N] [--handler H] SID "
		 "PATH=JSON...",
	.summary = "set values inside a session, written back as PHP would (CAS, PHP's lock)",
	.needs = NEED_POOL | NEED_KEY,
	.opts = edit_opts,
	.operands = ARG_SID,
	.run = set_run,
};
