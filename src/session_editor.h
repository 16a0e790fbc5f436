/* session_editor.h: a session in the user's editor as edit text (value_edit_text.h), read
 * back on save; the change function of `memcsess edit` and of top's edit key. */
#ifndef MEMCSESS_SESSION_EDITOR_H
#define MEMCSESS_SESSION_EDITOR_H

#include "session_change.h"

/* How the editing talks to the person: a yes/no question (def when no answer), a note. */
struct sess_editor_io {
	int (*ask)(void *arg, const char *question, int def);
	void (*note)(void *arg, const char *msg);
	void *arg;
};

struct sess_editor {
	const struct sess_editor_io *io;
	const struct sess_change *change;	/* set before each run: its handler is used */
	char path[4096];			/* the private temporary file */
	int aborted;				/* the person gave up on a file that did not read */
};

/* The editor command: $VISUAL, else $EDITOR, else vi. */
const char *sess_editor_command(void);
/* Makes the temporary file (in $TMPDIR or /tmp). Returns 0 or -1 with *cause. */
int sess_editor_init(struct sess_editor *ed, const struct sess_editor_io *io, char **cause);
/* Removes the file. */
void sess_editor_release(struct sess_editor *ed);
/* The sess_change_fn (arg: the sess_editor): writes root's edit text, runs the editor until
 * the file reads back (or the person gives up), and replaces root's variables. An unchanged
 * file changes nothing. */
int sess_editor_apply(struct pv *root, void *arg, char **cause);

#endif
