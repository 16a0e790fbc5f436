/* session_change.h: one change to one session, whole: read with CAS, changed, checked,
 * shown as a diff of the decoded trees, and (unless a dry run) written (session_edit.h). */
#ifndef MEMCSESS_SESSION_CHANGE_H
#define MEMCSESS_SESSION_CHANGE_H

#include "session_edit.h"

/* Changes root (a session's variables); returns 0, or -1 with *cause (new). */
typedef int (*sess_change_fn)(struct pv *root, void *arg, char **cause);

enum sess_change_status {
	SC_WRITTEN,		/* written to every copy */
	SC_UNCHANGED,		/* the change changes nothing: nothing written */
	SC_DRY_RUN,		/* shown, not written */
	SC_NOT_FOUND,		/* no such session */
	SC_BAD_CHANGE,		/* the change or the encoding refused (bad path, name, size) */
	SC_CONFLICT,		/* written meanwhile by someone else: nothing written */
	SC_LOCKED,		/* PHP holds the lock: nothing written */
	SC_FAILED,		/* a server failed (see cause) */
};

struct sess_change {
	int dry_run;
	unsigned pause_ms;	/* test hook: wait between reading and writing */
	struct buf diff;	/* the decoded trees' diff (text_diff.h) */
	enum sess_handler handler;
	size_t bytes_before, bytes_after;
};

/* Runs fn on session sid of pool p and writes the result as o says. *cause (new) explains
 * every status but SC_WRITTEN, SC_UNCHANGED and SC_DRY_RUN. */
enum sess_change_status sess_change_run(const struct pool *p, const char *sid,
					const struct sess_edit_opts *o, sess_change_fn fn,
					void *arg, struct sess_change *c, char **cause);
void sess_change_release(struct sess_change *c);

#endif
