/* unset.c: memcsess unset: remove values from a session, written back as PHP would write it
 * (session_change.h). */
#include "commands.h"
#include "edit_common.h"
#include "php/value_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct paths {
	struct pv_path *p;
	size_t n;
};

static int apply(struct pv *root, void *arg, char **cause)
{
	const struct paths *ps = arg;
	for (size_t i = 0; i < ps->n; i++)
		if (pv_path_unset(root, &ps->p[i], cause) < 0)
			return -1;
	return 0;
}

static int unset_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	struct edit_cmd ec;
	struct paths ps = { NULL, 0 };
	int ret = edit_options(a, "unset", &ec);
	if (!ret && a->n_pos < 2) {
		cmd_error("unset: usage: unset [options] SID PATH...");
		ret = EXIT_USAGE;
	}
	if (!ret)
		ret = edit_check_sid(ctx, &ec, a->pos[0]);
	if (!ret)
		ps.p = xcalloc((size_t)a->n_pos, sizeof(*ps.p));
	for (int i = 1; !ret && i < a->n_pos; i++) {
		char *cause = NULL;
		if (pv_path_parse(a->pos[i], &ps.p[ps.n], &cause) < 0) {
			cmd_error("unset: %s", cause);
			free(cause);
			ret = EXIT_USAGE;
		} else {
			ps.n++;
		}
	}
	if (!ret)
		ret = edit_run_change(ctx, &ec, a->pos[0], apply, &ps);
	for (size_t i = 0; i < ps.n; i++)
		pv_path_release(&ps.p[i]);
	free(ps.p);
	return ret;
}

const struct cmd_entry cmd_unset_entry = {
	.name = "unset",
	.usage = "[--dry-run] [--ttl DURATION] [--force] [--replicas N] [--handler H] SID PATH...",
	.summary = "remove values from a session, written back as PHP would (CAS, PHP's lock)",
	.needs = NEED_POOL | NEED_KEY,
	.opts = edit_opts,
	.operands = ARG_SID,
	.run = unset_run,
};
