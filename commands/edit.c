/* edit.c: memcsess edit: the whole session in $VISUAL / $EDITOR as text that keeps every PHP
 * type (session_editor.h); on save it is checked, shown as a diff and written back as PHP
 * would write it (session_change.h). An unchanged file writes nothing. */
#include "commands.h"
#include "edit_common.h"
#include "session_editor.h"

#include <stdio.h>
#include <stdlib.h>

/* A yes/no question on stderr, the answer from stdin; def when it gives none. */
static int ask(void *arg, const char *question, int def)
{
	char line[64];
	(void)arg;
	fprintf(stderr, "%s %s ", question, def ? "[Y/n]" : "[y/N]");
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	if (line[0] == '\n')
		return def;
	return line[0] == 'y' || line[0] == 'Y';
}

static void note(void *arg, const char *msg)
{
	(void)arg;
	cmd_error("%s", msg);
}

static int edit_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	static const struct sess_editor_io io = { ask, note, NULL };
	struct edit_cmd ec;
	struct sess_editor ed;
	char *cause = NULL;
	int ret = edit_options(a, "edit", &ec);
	if (!ret && a->n_pos != 1) {
		cmd_error("edit: usage: edit [options] SID");
		ret = EXIT_USAGE;
	}
	if (!ret)
		ret = edit_check_sid(ctx, &ec, a->pos[0]);
	if (ret)
		return ret;
	if (sess_editor_init(&ed, &io, &cause) < 0) {
		cmd_error("edit: %s", cause);
		free(cause);
		return EXIT_PARTIAL;
	}
	for (;;) {
		struct sess_change c;
		ed.change = &c;
		enum sess_change_status st = edit_change(ctx, &ec, a->pos[0], sess_editor_apply, &ed,
							 &c, &cause);
		ret = edit_report(&ec, a->pos[0], st, &c, cause);
		if (st != SC_CONFLICT ||
		    !ask(NULL, "edit: the session changed meanwhile; start again from the new data?", 0))
			break;
	}
	sess_editor_release(&ed);
	return ret;
}

const struct cmd_entry cmd_edit_entry = {
	.name = "edit",
	.usage = "[--dry-run] [--ttl DURATION] [--force] [--replicas N] [--handler H] SID",
	.summary = "edit a session in $VISUAL/$EDITOR, written back as PHP would (CAS, PHP's lock)",
	.needs = NEED_POOL | NEED_KEY,
	.opts = edit_opts,
	.operands = ARG_SID,
	.run = edit_run,
};
