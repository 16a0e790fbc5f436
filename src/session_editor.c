/* session_editor.c: editing a session in the user's editor (see session_editor.h). */
#include "session_editor.h"
#include "php/value_edit_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *sess_editor_command(void)
{
	const char *e = getenv("VISUAL");
	if (!e || !*e)
		e = getenv("EDITOR");
	return e && *e ? e : "vi";
}

int sess_editor_init(struct sess_editor *ed, const struct sess_editor_io *io, char **cause)
{
	const char *dir = getenv("TMPDIR");
	memset(ed, 0, sizeof(*ed));
	ed->io = io;
	dir = dir && *dir ? dir : "/tmp";
	snprintf(ed->path, sizeof(ed->path), "%s/memcsess-edit-XXXXXX.json", dir);
	int fd = mkstemps(ed->path, 5);
	if (fd < 0) {
		*cause = xasprintf("cannot make a file in %s: %s", dir, strerror(errno));
		ed->path[0] = '\0';
		return -1;
	}
	close(fd);
	return 0;
}

void sess_editor_release(struct sess_editor *ed)
{
	if (ed->path[0])
		unlink(ed->path);
	ed->path[0] = '\0';
}

/* Runs the editor on the file; returns 0, or -1 with *cause. */
static int run_editor(const char *path, char **cause)
{
	char *cmd = xasprintf("%s \"$1\"", sess_editor_command());
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
		*cause = xasprintf("the editor (%s) failed: nothing written", sess_editor_command());
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

static void read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	char tmp[65536];
	size_t n;
	buf_reset(out);
	while (f && (n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(out, tmp, n);
	if (f)
		fclose(f);
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

int sess_editor_apply(struct pv *root, void *arg, char **cause)
{
	struct sess_editor *ed = arg;
	struct buf text = BUF_INIT, back = BUF_INIT;
	int rc = -1;
	pv_edit_write(root, &text);
	if (write_file(ed->path, &text) < 0) {
		*cause = xasprintf("cannot write %s: %s", ed->path, strerror(errno));
		goto out;
	}
	while (run_editor(ed->path, cause) == 0) {
		read_file(ed->path, &back);
		if (back.len == text.len && memcmp(back.ptr, text.ptr, text.len) == 0) {
			rc = 0;	/* unchanged: nothing to write */
			break;
		}
		char *why = NULL;
		struct pv *v = pv_edit_read(back.ptr ? back.ptr : "", back.len, ed->change->handler,
					    &why);
		if (v) {
			take_vars(root, v);
			rc = 0;
			break;
		}
		char *msg = xasprintf("edit: %s", why);
		ed->io->note(ed->io->arg, msg);
		free(msg);
		free(why);
		if (!ed->io->ask(ed->io->arg, "edit: edit the file again?", 1)) {
			*cause = xstrdup("edit abandoned: nothing written");
			ed->aborted = 1;
			break;
		}
	}
out:
	buf_release(&text);
	buf_release(&back);
	return rc;
}
