/* shell_prompt.c: memcsess shell at a terminal: libedit (emacs or vi keys from ~/.editrc, Tab
 * completion, Ctrl-R search), a prompt naming the pool, and a history file shared with the
 * other shells of the user. */
#include "shell_prompt.h"
#include "shell_complete.h"
#include "shell_line.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HISTORY_SIZE 1000

/* Creates the directories of path that are missing, mode 0700. Returns 0 or -1 (errno). */
static int make_dirs(char *path)
{
	for (char *p = path + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;
		*p = '\0';
		int r = mkdir(path, 0700);
		*p = c;
		if (r < 0 && errno != EEXIST)
			return -1;
		if (!c)
			return 0;
	}
}

/* $XDG_STATE_HOME/memcsess/history, else ~/.local/state/memcsess/history, its directories
 * made; returns new, or NULL when there is nowhere to keep it. */
static char *history_path(void)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	struct buf dir = BUF_INIT;
	if (xdg && xdg[0] == '/')
		buf_printf(&dir, "%s/memcsess", xdg);
	else if (home && home[0] == '/')
		buf_printf(&dir, "%s/.local/state/memcsess", home);
	else
		return NULL;
	if (make_dirs(dir.ptr) < 0) {
		cmd_error("cannot create %s: %s; the history is not kept", dir.ptr, strerror(errno));
		buf_release(&dir);
		return NULL;
	}
	buf_adds(&dir, "/history");
	return buf_detach(&dir, NULL);
}

/* Saves hist as the history file, through a new file renamed over it (mode 0600). Returns 0,
 * or -1 (errno). */
static int history_save(History *hist, const char *path)
{
	HistEvent ev;
	char *tmp = xasprintf("%s.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int ok = f && fchmod(fd, 0600) == 0 && history(hist, &ev, H_SAVE_FP, f) >= 0;
	if (f)
		ok = fclose(f) == 0 && ok;
	else if (fd >= 0)
		close(fd);
	ok = ok && rename(tmp, path) == 0;
	int err = errno;
	if (!ok && fd >= 0)
		unlink(tmp);
	free(tmp);
	errno = err;
	return ok ? 0 : -1;
}

/* Adds a line to the history, and to the history file as it is now: other shells may have
 * added to it since this one read it, and their lines stay. */
static void history_add(struct shell *sh, const char *line)
{
	HistEvent ev;
	history(sh->hist, &ev, H_ENTER, line);
	if (!sh->hist_path)
		return;
	History *file = history_init();
	if (!file)
		return;
	history(file, &ev, H_SETSIZE, HISTORY_SIZE);
	history(file, &ev, H_SETUNIQUE, 1);
	history(file, &ev, H_LOAD, sh->hist_path);
	history(file, &ev, H_ENTER, line);
	if (history_save(file, sh->hist_path) < 0 && !sh->hist_warned++)
		cmd_error("cannot save the history in %s: %s", sh->hist_path, strerror(errno));
	history_end(file);
}

/* "memcsess 10.0.0.1:11211> ", or for a long pool "memcsess 10.0.0.1:11211 +3> ". */
static void prompt_update(struct shell *sh)
{
	const char *s = sh->ctx->servers;
	size_t first = strcspn(s, ","), more = 0;
	for (const char *p = s; *p; p++)
		more += *p == ',';
	if (strlen(s) <= 48)
		snprintf(sh->prompt, sizeof(sh->prompt), "memcsess %s> ", s);
	else
		snprintf(sh->prompt, sizeof(sh->prompt), "memcsess %.*s +%zu> ",
			 (int)(first > 60 ? 60 : first), s, more);
}

static char *prompt_get(EditLine *el)
{
	void *sh = NULL;
	el_get(el, EL_CLIENTDATA, &sh);
	return ((struct shell *)sh)->prompt;
}

/* Tab completes; Ctrl-R searches the history backwards, as in readline. */
static void bind_keys(EditLine *el)
{
	el_set(el, EL_BIND, "^I", "memcsess-complete", NULL);
	el_set(el, EL_BIND, "^R", "em-inc-search-prev", NULL);
}

/* Sets up libedit: emacs keys, the history, the prompt and our keys, then ~/.editrc (which
 * may choose vi; our keys are bound again in vi's insert map then). */
static int editor_open(struct shell *sh)
{
	HistEvent ev;
	const char *mode = NULL;
	sh->el = el_init("memcsess", stdin, isatty(STDOUT_FILENO) ? stdout : stderr, stderr);
	sh->hist = history_init();
	if (!sh->el || !sh->hist)
		return -1;
	history(sh->hist, &ev, H_SETSIZE, HISTORY_SIZE);
	history(sh->hist, &ev, H_SETUNIQUE, 1);
	sh->hist_path = history_path();
	if (sh->hist_path)
		history(sh->hist, &ev, H_LOAD, sh->hist_path);
	el_set(sh->el, EL_CLIENTDATA, sh);
	el_set(sh->el, EL_EDITOR, "emacs");
	el_set(sh->el, EL_SIGNAL, 1);
	el_set(sh->el, EL_HIST, history, sh->hist);
	el_set(sh->el, EL_PROMPT, prompt_get);
	/* the wide call keeps our strings; the narrow one copies them and leaks the copies */
	el_wset(sh->el, EL_ADDFN, L"memcsess-complete", L"complete the word before the cursor",
		shell_complete);
	bind_keys(sh->el);
	el_source(sh->el, NULL);
	if (el_get(sh->el, EL_EDITOR, &mode) == 0 && mode && strcmp(mode, "vi") == 0)
		bind_keys(sh->el);
	return 0;
}

void shell_prompt_close(struct shell *sh)
{
	if (sh->el)
		el_end(sh->el);
	if (sh->hist)
		history_end(sh->hist);
	free(sh->hist_path);
	sh->el = NULL;
	sh->hist = NULL;
	sh->hist_path = NULL;
}

/* The prompt: one line at a time until quit or Ctrl-D. Ctrl-C at the prompt (where SIGINT is
 * ignored, and libedit's handler interrupts the read) makes el_gets fail with EINTR, even
 * inside a Ctrl-R search, where libedit takes it for end of file: the line is dropped. */
int shell_prompt_run(struct shell *sh)
{
	if (editor_open(sh) < 0) {
		cmd_error("shell: cannot set up line editing");
		return EXIT_USAGE;
	}
	while (!sh->quit) {
		int n = 0;
		prompt_update(sh);
		errno = 0;
		const char *got = el_gets(sh->el, &n);
		if (!got && errno == EINTR) {	/* also when a search was reading */
			fputs("^C\n", stdout);
			continue;
		}
		if (!got)
			break;
		char *line = xstrndup(got, strcspn(got, "\r\n"));
		size_t len = strlen(line);
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		if (len) {
			char *entry = xstrndup(line, len);	/* Tab leaves a blank at the end */
			history_add(sh, entry);
			free(entry);
		}
		shell_line_run(sh, line);
		free(line);
	}
	if (!sh->quit)
		fputc('\n', stdout);
	return EXIT_OK;
}
