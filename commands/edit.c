/* edit.c: memcsess edit: the whole session in $VISUAL / $EDITOR as text that keeps every PHP
 * type (value_edit_text.h); on save it is checked, shown as a diff and written back as PHP
 * would write it (session_change.h). An unchanged file writes nothing. */
#include "commands.h"
#include "edit_common.h"
#include "php/value_edit_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct editing {
	const char *sid;
	const struct sess_change *change;	/* its handler is the session's */
	char path[4096];
	int aborted;
};

static const char *editor(void)
{
	const char *e = getenv("VISUAL");
	if (!e || !*e)
		e = getenv("EDITOR");
	return e && *e ? e : "vi";
}

/* Asks a yes/no question on stderr, the answer from stdin; def when it gives none. */
static int ask(const char *question, int def)
{
	char line[64];
	fprintf(stderr, "%s %s ", question, def ? "[Y/n]" : "[y/N]");
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	if (line[0] == '\n')
		return def;
	return line[0] == 'y' || line[0] == 'Y';
}

/* Runs the editor on the file; returns 0, or -1 with *cause. */
static int run_editor(const char *path, char **cause)
{
	char *cmd = xasprintf("%s \"$1\"", editor());
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		*cause = xasprintf("cannot run the editor: %s", strerror(errno));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		*cause = xasprintf("the editor (%s) failed: nothing written", editor());
		return -1;
	}
	return 0;
}

static int write_file(const char *path, const struct buf *b)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t n = b->len ? fwrite(b->ptr, 1, b->len, f) : 0;
	return fclose(f) == 0 && n == b->len ? 0 : -1;
}

/* Moves the variables of from into root (which keeps its trailing bytes); frees from. */
static void take_vars(struct pv *root, struct pv *from)
{
	for (size_t i = 0; i < root->n_items; i++) {
		pv_free(root->items[i].key);
		pv_free(root->items[i].value);
		free(root->items[i].decl_class);
	}
	free(root->items);
	root->items = from->items;
	root->n_items = from->n_items;
	root->cap_items = from->cap_items;
	from->items = NULL;
	from->n_items = from->cap_items = 0;
	pv_free(from);
}

/* The change: the session in the editor until it reads back (or the user gives up). */
static int apply(struct pv *root, void *arg, char **cause)
{
	struct editing *ed = arg;
	struct buf text = BUF_INIT, back = BUF_INIT;
	pv_edit_write(root, &text);
	if (write_file(ed->path, &text) < 0) {
		*cause = xasprintf("cannot write %s: %s", ed->path, strerror(errno));
		buf_release(&text);
		return -1;
	}
	for (;;) {
		if (run_editor(ed->path, cause) < 0)
			break;
		size_t len;
		FILE *f = fopen(ed->path, "rb");
		char tmp[65536];
		buf_reset(&back);
		while (f && (len = fread(tmp, 1, sizeof(tmp), f)) > 0)
			buf_add(&back, tmp, len);
		if (f)
			fclose(f);
		if (back.len == text.len && memcmp(back.ptr, text.ptr, text.len) == 0) {
			buf_release(&text);
			buf_release(&back);
			return 0;	/* unchanged: nothing to write */
		}
		char *why = NULL;
		struct pv *v = pv_edit_read(back.ptr ? back.ptr : "", back.len, ed->change->handler,
					    &why);
		if (v) {
			take_vars(root, v);
			buf_release(&text);
			buf_release(&back);
			return 0;
		}
		cmd_error("edit: %s", why);
		free(why);
		if (!ask("edit: edit the file again?", 1)) {
			*cause = xstrdup("edit abandoned: nothing written");
			ed->aborted = 1;
			break;
		}
	}
	buf_release(&text);
	buf_release(&back);
	return -1;
}

static int edit_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	struct edit_cmd ec;
	struct editing ed;
	int ret = edit_options(a, "edit", &ec);
	if (!ret && a->n_pos != 1) {
		cmd_error("edit: usage: edit [options] SID");
		ret = EXIT_USAGE;
	}
	if (!ret)
		ret = edit_check_sid(ctx, &ec, a->pos[0]);
	if (ret)
		return ret;
	memset(&ed, 0, sizeof(ed));
	ed.sid = a->pos[0];
	const char *dir = getenv("TMPDIR");
	snprintf(ed.path, sizeof(ed.path), "%s/memcsess-edit-XXXXXX.json", dir && *dir ? dir : "/tmp");
	int fd = mkstemps(ed.path, 5);
	if (fd < 0) {
		cmd_error("edit: cannot make a file in %s: %s", dir && *dir ? dir : "/tmp",
			  strerror(errno));
		return EXIT_PARTIAL;
	}
	close(fd);
	for (;;) {
		struct sess_change c;
		char *cause = NULL;
		ed.change = &c;
		enum sess_change_status st = edit_change(ctx, &ec, ed.sid, apply, &ed, &c, &cause);
		ret = edit_report(&ec, ed.sid, st, &c, cause);
		if (st != SC_CONFLICT ||
		    !ask("edit: the session changed meanwhile; start again from the new data?", 0))
			break;
	}
	unlink(ed.path);
	return ret;
}

const struct cmd_entry cmd_edit_entry = {
	.name = "edit",
	.usage = "[--dry-run] [--ttl DURATION] [--force] [--replicas N] [--handler H] SID",
	.summary = "edit a session in $VISUAL/$EDITOR, written back as PHP would (CAS, PHP's lock)",
	.needs = NEED_POOL | NEED_KEY,
	.opts = edit_opts,
	.run = edit_run,
};
