/* shell_line.c: one line of memcsess shell: split into words (quotes as in sh), with one
 * > FILE or >> FILE; run as a builtin or through cmd_dispatch with the shell's context, Ctrl-C
 * armed to cancel it; list's output read on its way for the session ids it names. */
#include "shell_line.h"
#include "shell_builtins.h"
#include "signals.h"
#include "tokenize.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LISTING_MAX 10000	/* session ids kept from the last list */
#define LINE_MAX_KEPT 4096	/* longest line of list's output looked at for a sid */

/* While list runs, standard output is this stream: it writes through to the real one and keeps
 * the session ids it sees, for completion. */
struct capture {
	FILE *real;
	struct buf line;
	struct strlist *sids;
};

/* The session id a line of list's output (table or JSON) is about; returns new or NULL. */
static char *sid_of_line(const char *line)
{
	const char *s = line, *end;
	if (line[0] == '{') {
		s = strstr(line, "\"sid\":\"");
		if (!s)
			return NULL;
		s += 7;
		end = strchr(s, '"');
	} else {
		end = s + strcspn(s, " ");
	}
	if (!end || end == s || memchr(s, '\\', (size_t)(end - s)) ||
	    (end - s == 3 && memcmp(s, "SID", 3) == 0))
		return NULL;
	return xstrndup(s, (size_t)(end - s));
}

static ssize_t capture_write(void *cookie, const char *data, size_t n)
{
	struct capture *c = cookie;
	if (fwrite(data, 1, n, c->real) != n || fflush(c->real) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (data[i] != '\n') {
			if (c->line.len < LINE_MAX_KEPT)
				buf_addc(&c->line, data[i]);
			continue;
		}
		char *sid = c->line.len ? sid_of_line(c->line.ptr) : NULL;
		if (sid && c->sids->n < LISTING_MAX)
			strlist_add(c->sids, sid);
		free(sid);
		buf_reset(&c->line);
	}
	return (ssize_t)n;
}

/* Runs the dispatcher; list's output also goes through a capture of its session ids. */
static int dispatch(struct shell *sh, const struct cmd_entry *e, int argc, char **argv)
{
	cookie_io_functions_t io = { .write = capture_write };
	struct capture c = { .real = stdout, .sids = &sh->listing };
	FILE *f = e && strcmp(e->name, "list") == 0 ? fopencookie(&c, "w", io) : NULL;
	if (!f)
		return cmd_dispatch(sh->ctx, argc, argv);
	strlist_clear(&sh->listing);
	setvbuf(f, NULL, isatty(fileno(c.real)) ? _IOLBF : _IOFBF, BUFSIZ);
	stdout = f;
	int ret = cmd_dispatch(sh->ctx, argc, argv);
	stdout = c.real;
	fclose(f);
	clearerr(c.real);
	buf_release(&c.line);
	return ret;
}

/* Says that name is no command: unknown, or the start of which commands. */
static void no_such_command(const char *name)
{
	struct buf m = BUF_INIT;
	for (size_t i = 0; cmd_table[i]; i++)
		if (cmd_table[i] != &cmd_shell_entry &&
		    strncmp(cmd_table[i]->name, name, strlen(name)) == 0)
			buf_printf(&m, "%s%s", m.len ? ", " : "", cmd_table[i]->name);
	if (m.len)
		cmd_error("ambiguous command '%s': %s", name, m.ptr);
	else
		cmd_error("unknown command '%s' (help lists the commands)", name);
	buf_release(&m);
}

/* Runs one command or builtin; returns its exit code. */
static int run_command(struct shell *sh, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[0], "memcsess") == 0) {
		argc--;
		argv++;
	}
	const struct shell_builtin *b = shell_find_builtin(argv[0]);
	if (b)
		return b->run(sh, argc, argv);
	const struct cmd_entry *e = cmd_find(argv[0]);
	if (!e) {
		no_such_command(argv[0]);
		return EXIT_USAGE;
	}
	if (e == &cmd_shell_entry) {
		cmd_error("shell: this is the shell already");
		return EXIT_USAGE;
	}
	if (e && (e->needs & NEED_POOL))
		shell_watch_check(&sh->watch, sh->ctx);
	int ret = dispatch(sh, e, argc, argv);
	if (sh->ctx->have_pool)
		shell_watch_start(&sh->watch, sh->ctx, 0);
	return ret;
}

/* Runs a command with Ctrl-C armed to cancel it (only while it runs), without SA_RESTART: a
 * wait for input stops too (a command reading the terminal, decode or a y/N question). */
static int run_guarded(struct shell *sh, int argc, char **argv)
{
	struct signals old;
	signals_take(&old, sh->sigint, &sh->interrupted);
	int ret = run_command(sh, argc, argv);
	signals_give_back(&old);
	if (sh->interrupted) {
		cmd_error("interrupted");
		ret = EXIT_INTERRUPTED;
	}
	sh->interrupted = 0;	/* the waits of a Tab look-up at the prompt are not cancelled */
	clearerr(stdin);	/* Ctrl-D ended a command's input, not the next one's */
	return ret;
}

struct redirect {
	char *path;		/* owned; NULL: no redirection */
	int append;
};

/* A redirection target with a leading ~/ made absolute (unless quoted); returns new. */
static char *expand_home(const struct token *t)
{
	const char *home = getenv("HOME");
	if (t->quoted || !home || t->text[0] != '~' || (t->text[1] && t->text[1] != '/'))
		return xstrdup(t->text);
	return xasprintf("%s%s", home, t->text + 1);
}

/* Sorts the tokens into argv and one stdout redirection; returns 0 or an exit code. */
static int parse_words(const struct tokens *t, char **argv, int *argc, struct redirect *rd)
{
	*argc = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct token *k = &t->v[i];
		if (k->kind == TOKEN_WORD) {
			argv[(*argc)++] = k->text;
			continue;
		}
		if (k->kind == TOKEN_IN || k->kind == TOKEN_PIPE || (k->fd >= 0 && k->fd != 1)) {
			char op[16] = "";
			if (k->fd >= 0)
				snprintf(op, sizeof(op), "%d", k->fd);
			cmd_error("'%s%s' is not supported in the shell: only > FILE and >> FILE "
				  "(standard output)", op, k->text);
			return EXIT_USAGE;
		}
		if (rd->path || i + 1 == t->n || t->v[i + 1].kind != TOKEN_WORD) {
			cmd_error(rd->path ? "one redirection per command" :
				  "%s: expected a file name after it", k->text);
			return EXIT_USAGE;
		}
		rd->append = k->kind == TOKEN_APPEND;
		rd->path = expand_home(&t->v[++i]);
	}
	argv[*argc] = NULL;
	if (*argc == 0) {
		cmd_error("nothing to run: the line has a redirection only");
		return EXIT_USAGE;
	}
	return 0;
}

/* Points standard output at the file; *saved keeps the terminal's. Returns 0 or an exit code. */
static int redirect_begin(const struct redirect *rd, int *saved)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (rd->append ? O_APPEND : O_TRUNC);
	int fd = open(rd->path, flags, 0666);
	if (fd < 0) {
		cmd_error("cannot write %s: %s", rd->path, strerror(errno));
		return EXIT_IO;
	}
	fflush(stdout);
	*saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (*saved < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		cmd_error("cannot redirect standard output: %s", strerror(errno));
		if (*saved >= 0)
			close(*saved);
		close(fd);
		return EXIT_IO;
	}
	close(fd);
	return 0;
}

static void redirect_end(int saved)
{
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	clearerr(stdout);
}

int shell_line_run(struct shell *sh, const char *line)
{
	struct tokens t;
	char *cause = NULL;
	if (tokenize_line(line, 0, &t, &cause) < 0) {
		cmd_error("%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if (t.n == 0)
		return SHELL_NOTHING;
	char **argv = xcalloc(t.n + 1, sizeof(*argv));
	struct redirect rd = { NULL, 0 };
	int argc, saved = -1;
	int ret = parse_words(&t, argv, &argc, &rd);
	if (ret == 0 && rd.path)
		ret = redirect_begin(&rd, &saved);
	if (ret == 0) {
		ret = run_guarded(sh, argc, argv);
		if (saved >= 0)
			redirect_end(saved);
	}
	free(rd.path);
	free(argv);
	tokens_release(&t);
	return ret;
}
