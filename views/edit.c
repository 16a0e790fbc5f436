/* edit.c: top's edit key: the session in $VISUAL/$EDITOR, outside curses, written back as
 * `memcsess edit` writes it (session_editor.h, session_change.h). */
#include "views.h"
#include "php/handlers.h"
#include "session_decode.h"
#include "session_editor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A yes/no question; the answer is read from the terminal. */
static int ask(void *arg, const char *question, int def)
{
	char line[64];
	size_t n = 0;
	char c;
	(void)arg;
	printf("%s %s ", question, def ? "[Y/n]" : "[y/N]");
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n' && c != '\r')
		if (n + 1 < sizeof(line))
			line[n++] = c;
	if (!n)
		return def;
	return line[0] == 'y' || line[0] == 'Y';
}

static void note(void *arg, const char *msg)
{
	(void)arg;
	printf("%s\n", msg);
}

/* What happened, as `memcsess edit` says it. */
static void report(const char *sid, enum sess_change_status st, const struct sess_change *c,
		   const char *cause)
{
	if (c->diff.len)
		fwrite(c->diff.ptr, 1, c->diff.len, stdout);
	if (st == SC_WRITTEN)
		printf("%s: written (%s, %zu -> %zu bytes)\n", sid, sess_handler_name(c->handler),
		       c->bytes_before, c->bytes_after);
	else if (st == SC_UNCHANGED)
		printf("%s: no change, nothing written\n", sid);
	else
		printf("edit: %s\n", cause ? cause : "failed");
}

static void edit_outside(struct top *t, void *arg)
{
	static const struct sess_editor_io io = { ask, note, NULL };
	const char *sid = arg;
	struct sess_edit_opts o;
	struct sess_editor ed;
	char *cause = NULL;
	memset(&o, 0, sizeof(o));
	o.handler = t->dopts ? t->dopts->handler : SESS_UNKNOWN;
	o.ttl = -1;
	o.lock_ttl = 30;
	o.scheme = t->dopts ? t->dopts->scheme : CRYPT_AUTO;
	o.cipher = t->dopts ? t->dopts->cipher : NULL;
	o.keys = t->dopts ? t->dopts->keys : NULL;
	if (sess_editor_init(&ed, &io, &cause) < 0) {
		printf("edit: %s\n", cause);
		free(cause);
		return;
	}
	for (;;) {
		struct sess_change c;
		memset(&c, 0, sizeof(c));
		ed.change = &c;
		cause = NULL;
		enum sess_change_status st = sess_change_run(t->pool, sid, &o, sess_editor_apply,
							     &ed, &c, &cause);
		report(sid, st, &c, cause);
		free(cause);
		sess_change_release(&c);
		if (st != SC_CONFLICT ||
		    !ask(NULL, "edit: the session changed meanwhile; start again from the new data?", 0))
			break;
	}
	sess_editor_release(&ed);
}

void view_edit_session(struct top *t, const char *sid)
{
	if (t->readonly) {
		top_status(t, 1, "read-only (--readonly): edit is disabled");
		return;
	}
	char *copy = xstrdup(sid);
	top_outside(t, edit_outside, copy);
	free(copy);
}
