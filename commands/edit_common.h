/* edit_common.h: what set, unset and edit share: their options and how a change is run and
 * reported. */
#ifndef MEMCSESS_EDIT_COMMON_H
#define MEMCSESS_EDIT_COMMON_H

#include "commands.h"
#include "session_change.h"

enum { EO_DRY_RUN = 1, EO_TTL, EO_FORCE, EO_REPLICAS, EO_HANDLER };
/* The options of set, unset and edit; ends with { NULL }. */
extern const struct cmd_opt edit_opts[];

struct edit_cmd {
	const char *name;		/* the command, for messages */
	struct sess_edit_opts o;
	int dry_run;
	unsigned pause_ms;		/* MEMCSESS_TEST_WRITE_DELAY_MS (a test hook) */
};

/* Reads the options; returns 0 or an exit code (after a message). */
int edit_options(const struct cmd_args *a, const char *name, struct edit_cmd *ec);
/* Checks a session id and takes the decryption settings (keys, --scheme, --cipher) from ctx;
 * returns 0 or EXIT_USAGE (after a message). */
int edit_check_sid(const struct cmd_ctx *ctx, struct edit_cmd *ec, const char *sid);
/* Runs fn on session sid (sess_change_run with the command's options); c and *cause are
 * for edit_report. */
enum sess_change_status edit_change(struct cmd_ctx *ctx, const struct edit_cmd *ec,
				    const char *sid, sess_change_fn fn, void *arg,
				    struct sess_change *c, char **cause);
/* Prints the diff and what happened, frees cause and c's contents; returns an exit code. */
int edit_report(const struct edit_cmd *ec, const char *sid, enum sess_change_status st,
		struct sess_change *c, char *cause);
/* Runs fn on session sid, prints the diff and what happened; returns an exit code. */
int edit_run_change(struct cmd_ctx *ctx, const struct edit_cmd *ec, const char *sid,
		    sess_change_fn fn, void *arg);

#endif
