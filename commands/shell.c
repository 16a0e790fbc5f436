/* shell.c: memcsess shell: every command behind a prompt (libedit: emacs and vi keys, history,
 * completion), or a runbook read line by line when standard input is not a terminal. Every
 * line goes through cmd_dispatch with the same context, so the pool is set up once. */
#include "shell.h"
#include "signals.h"
#include "tokenize.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

enum { O_KEEP_GOING = 1 };
static const struct cmd_opt shell_opts[] = {
	{ "keep-going", 'k', 0, O_KEEP_GOING },
	{ NULL, 0, 0, 0 },
};

#define NOTHING (-1)		/* a blank line or a comment: no exit code */
#define HISTORY_SIZE 1000
#define LISTING_MAX 10000	/* session ids kept from the last list */
#define LINE_MAX_KEPT 4096	/* longest line of list's output looked at for a sid */

/* Set by Ctrl-C while a command runs; the context's cancel flag points here. */
static volatile sig_atomic_t interrupted;
static int shell_running;
/* set and use run "shell --OPTION VALUE" through the dispatcher, so that common options are
 * checked and applied exactly as on the command line; the nested shell then does nothing. */
static int applying_option;

void strlist_add(struct strlist *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = xstrdup(s);
}

void strlist_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const struct shell_builtin *shell_find_builtin(const char *name)
{
	for (const struct shell_builtin *b = shell_builtins; b->name; b++)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}

/* Remembers each server of a server list, for completion. */
static void remember_servers(struct shell *sh, const char *spec)
{
	const char *p = spec + strspn(spec, " \t,");
	while (*p) {
		size_t n = strcspn(p, " \t,");
		char *name = xstrndup(p, n);
		int seen = 0;
		for (size_t i = 0; i < sh->servers_seen.n && !seen; i++)
			seen = strcmp(sh->servers_seen.v[i], name) == 0;
		if (!seen)
			strlist_add(&sh->servers_seen, name);
		free(name);
		p += n;
		p += strspn(p, " \t,");
	}
}

/* "server 10.0.0.1:11211: connect: refused" said of name: the part after the name. */
static const char *reason(const char *cause, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(cause, "server ", 7) == 0 && strncmp(cause + 7, name, n) == 0 &&
	    strncmp(cause + 7 + n, ": ", 2) == 0)
		return cause + 7 + n + 2;
	return cause;
}

/* Connects the watch to server i, keeping why it failed. Returns 0 or -1. */
static int watch_connect(struct watch *w, size_t i, int timeout_ms)
{
	char *cause = NULL;
	free(w->why[i]);
	w->why[i] = NULL;
	if (conn_open(&w->conns[i], &w->pool.servers[i], timeout_ms, &cause) == 0)
		return 0;
	w->why[i] = cause ? cause : xstrdup("cannot connect");
	return -1;
}

static void watch_release(struct watch *w)
{
	if (!w->servers)
		return;
	for (size_t i = 0; i < w->pool.n; i++) {
		conn_close(&w->conns[i]);
		free(w->why[i]);
	}
	free(w->conns);
	free(w->why);
	free(w->servers);
	pool_release(&w->pool);
	memset(w, 0, sizeof(*w));
}

/* The watch connects within a second at most: it must not hold up the command much. */
static int watch_timeout(const struct cmd_ctx *ctx)
{
	return ctx->timeout_ms < 1000 ? ctx->timeout_ms : 1000;
}

/* Starts watching the context's servers unless they are watched; with report, names the
 * servers that cannot be reached. */
static void watch_start(struct shell *sh, int report)
{
	struct watch *w = &sh->watch;
	struct cmd_ctx *ctx = sh->ctx;
	char *cause = NULL;
	if (w->servers && strcmp(w->servers, ctx->servers) == 0)
		return;
	watch_release(w);
	if (ctx->sasl)	/* SASL servers speak only the binary protocol: no text-protocol watch */
		return;
	if (pool_init(&w->pool, ctx->servers, ctx->dist, ctx->prefix, ctx->timeout_ms, &cause) < 0) {
		free(cause);
		return;
	}
	if (cmd_auth(ctx) == 0)	/* the watch connections log in like the commands' own */
		pool_set_auth(&w->pool, ctx->username, ctx->password);
	w->servers = xstrdup(ctx->servers);
	w->conns = xcalloc(w->pool.n, sizeof(*w->conns));
	w->why = xcalloc(w->pool.n, sizeof(*w->why));
	for (size_t i = 0; i < w->pool.n; i++) {
		w->conns[i].fd = -1;
		if (watch_connect(w, i, watch_timeout(ctx)) < 0 && report)
			cmd_error("%s", w->why[i]);
	}
}

/* 1 when the server closed our idle connection: it went away or restarted. */
static int watch_lost(const struct conn *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	char byte;
	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	ssize_t n = recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

/* Before a command: reconnects to the servers that went away or came back, and says so. */
static void watch_check(struct shell *sh)
{
	struct watch *w = &sh->watch;
	if (!w->servers || strcmp(w->servers, sh->ctx->servers) != 0)
		return;
	for (size_t i = 0; i < w->pool.n; i++) {
		const char *name = w->pool.servers[i].name;
		int was_up = w->conns[i].fd >= 0;
		if (was_up && !watch_lost(&w->conns[i]))
			continue;
		conn_close(&w->conns[i]);
		if (watch_connect(w, i, watch_timeout(sh->ctx)) == 0)
			cmd_error(was_up ? "server %s went away; reconnected" :
				  "server %s answers again; reconnected", name);
		else if (was_up)
			cmd_error("server %s went away; cannot reconnect: %s", name,
				  reason(w->why[i], name));
	}
}

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
		watch_check(sh);
	int ret = dispatch(sh, e, argc, argv);
	if (sh->ctx->have_pool)
		watch_start(sh, 0);
	return ret;
}

/* Arms Ctrl-C to set interrupted (unless the shell was started with SIGINT ignored), without
 * SA_RESTART: a wait for input stops too (a command reading the terminal, decode or a y/N
 * question; a runbook waiting on a pipe). */
static void catch_sigint(const struct shell *sh, struct signals *old)
{
	signals_take(old, sh->sigint_ignored ? 0 : SIGNALS_INT, &interrupted);
}

/* Runs a command with Ctrl-C armed to cancel it (only while it runs). */
static int run_guarded(struct shell *sh, int argc, char **argv)
{
	struct signals old;
	catch_sigint(sh, &old);
	int ret = run_command(sh, argc, argv);
	signals_give_back(&old);
	if (interrupted) {
		cmd_error("interrupted");
		ret = EXIT_INTERRUPTED;
	}
	interrupted = 0;	/* the waits of a Tab look-up at the prompt are not cancelled */
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

/* Runs one line; returns its exit code, or NOTHING for a blank line or a comment. */
static int shell_line(struct shell *sh, const char *line)
{
	struct tokens t;
	char *cause = NULL;
	if (tokenize_line(line, 0, &t, &cause) < 0) {
		cmd_error("%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if (t.n == 0)
		return NOTHING;
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

/* Checks a builtin's number of arguments; returns 0, or EXIT_USAGE after its usage. */
static int bad_args(int argc, char **argv, int min, int max)
{
	if (argc - 1 >= min && (max < 0 || argc - 1 <= max))
		return 0;
	const struct shell_builtin *b = shell_find_builtin(argv[0]);
	cmd_error("usage: %s%s%s", b->name, *b->usage ? " " : "", b->usage);
	return EXIT_USAGE;
}

static void print_settings(const struct cmd_ctx *ctx)
{
	printf("distribution  %s\n", pool_dist_name(ctx->dist));
	printf("prefix        %s\n", ctx->prefix);
	printf("timeout       %gs\n", ctx->timeout_ms / 1000.0);
	if (ctx->sasl)
		printf("sasl          %s (binary protocol)\n", ctx->username);
}

/* servers with --sasl: the servers are not watched (binary protocol only). */
static int sasl_servers(const struct cmd_ctx *ctx)
{
	for (size_t i = 0; i < ctx->pool.n; i++)
		printf("server        %s  sasl: not watched (binary protocol)\n",
		       ctx->pool.servers[i].name);
	print_settings(ctx);
	return EXIT_OK;
}

/* servers: each server and whether it answers; exit 1 when some are down, 3 when all are. */
static int builtin_servers(struct shell *sh, int argc, char **argv)
{
	int ret = bad_args(argc, argv, 0, 0);
	if (ret || (ret = cmd_pool(sh->ctx)) != 0)
		return ret;
	if (sh->ctx->sasl)
		return sasl_servers(sh->ctx);
	watch_check(sh);
	watch_start(sh, 0);
	const struct watch *w = &sh->watch;
	size_t down = 0;
	for (size_t i = 0; i < w->pool.n; i++) {
		const char *name = w->pool.servers[i].name;
		if (w->why[i])
			printf("server        %s  down: %s\n", name, reason(w->why[i], name));
		else
			printf("server        %s  up\n", name);
		down += w->why[i] != NULL;
	}
	print_settings(sh->ctx);
	return down == 0 ? EXIT_OK : down == w->pool.n ? EXIT_POOL : EXIT_PARTIAL;
}

/* Applies the common option --name value to the context, the dispatcher's way. */
static int apply_option(struct shell *sh, const char *name, const char *value)
{
	char *cmd = xstrdup("shell"), *opt = xasprintf("--%s", name), *val = xstrdup(value);
	char *argv[] = { cmd, opt, val, NULL };
	applying_option = 1;
	int ret = cmd_dispatch(sh->ctx, 3, argv);
	applying_option = 0;
	free(cmd);
	free(opt);
	free(val);
	return ret;
}

/* use HOST:PORT,...: switches to another pool (words are joined with commas). */
static int builtin_use(struct shell *sh, int argc, char **argv)
{
	struct buf spec = BUF_INIT;
	struct pool p;
	char *cause = NULL;
	if (bad_args(argc, argv, 1, -1))
		return EXIT_USAGE;
	for (int i = 1; i < argc; i++)
		buf_printf(&spec, "%s%s", i > 1 ? "," : "", argv[i]);
	int ret = pool_init(&p, spec.ptr, DIST_KETAMA, NULL, 1000, &cause);
	if (ret < 0) {
		cmd_error("use: %s", cause);
		free(cause);
		ret = EXIT_USAGE;
	} else {
		pool_release(&p);
		ret = apply_option(sh, "servers", spec.ptr);
	}
	if (ret == 0 && (ret = cmd_pool(sh->ctx)) == 0) {
		remember_servers(sh, spec.ptr);
		watch_start(sh, 1);
	}
	buf_release(&spec);
	return ret;
}

const struct cmd_opt *shell_setting(const char *name)
{
	for (const struct cmd_opt *o = common_opts; o->name; o++)
		if (o->has_arg && strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/* set NAME VALUE: any common option (prefix, timeout, ...) for the commands that follow;
 * set alone shows the main ones. */
static int builtin_set(struct shell *sh, int argc, char **argv)
{
	if (argc == 1) {
		print_settings(sh->ctx);
		return EXIT_OK;
	}
	if (bad_args(argc, argv, 2, 2))
		return EXIT_USAGE;
	if (!shell_setting(argv[1])) {
		struct buf names = BUF_INIT;
		for (const struct cmd_opt *o = common_opts; o->name; o++)
			if (o->has_arg)
				buf_printf(&names, "%s%s", names.len ? ", " : "", o->name);
		cmd_error("set: expected one of %s; got '%s'", names.ptr, argv[1]);
		buf_release(&names);
		return EXIT_USAGE;
	}
	return apply_option(sh, argv[1], argv[2]);
}

static void help_all(void)
{
	printf("commands (help COMMAND shows its options):\n");
	for (size_t i = 0; cmd_table[i]; i++)
		if (cmd_table[i] != &cmd_shell_entry)
			printf("  %-10s %s\n", cmd_table[i]->name, cmd_table[i]->summary);
	printf("\nshell commands:\n");
	for (const struct shell_builtin *b = shell_builtins; b->name; b++) {
		char head[64];
		snprintf(head, sizeof(head), "%s %s", b->name, b->usage);
		printf("  %-40s %s\n", head, b->summary);
	}
	printf("\nA command's output goes to a file with > FILE or >> FILE. Options such as\n"
	       "--servers given to a command stay for the commands that follow, as with use\n"
	       "and set. Tab completes commands, options, session ids and servers; Ctrl-R\n"
	       "searches the history; Ctrl-C stops a running command; Ctrl-D leaves.\n");
}

/* help [COMMAND]: the commands, or one command's usage (the same as COMMAND --help). */
static int builtin_help(struct shell *sh, int argc, char **argv)
{
	if (bad_args(argc, argv, 0, 1))
		return EXIT_USAGE;
	if (argc == 1) {
		help_all();
		return EXIT_OK;
	}
	const struct shell_builtin *b = shell_find_builtin(argv[1]);
	if (b) {
		printf("usage: %s%s%s\n%s\n", b->name, *b->usage ? " " : "", b->usage, b->summary);
		return EXIT_OK;
	}
	const struct cmd_entry *e = cmd_find(argv[1]);
	if (!e) {
		cmd_error("help: no command '%s'", argv[1]);
		return EXIT_USAGE;
	}
	char *name = xstrdup(e->name), *opt = xstrdup("--help");
	char *hv[] = { name, opt, NULL };
	int ret = cmd_dispatch(sh->ctx, 2, hv);
	free(name);
	free(opt);
	return ret;
}

static int builtin_quit(struct shell *sh, int argc, char **argv)
{
	if (bad_args(argc, argv, 0, 0))
		return EXIT_USAGE;
	sh->quit = 1;
	return EXIT_OK;
}

const struct shell_builtin shell_builtins[] = {
	{ "servers", "", "show each server of the pool, whether it answers, and the settings",
	  builtin_servers },
	{ "use", "HOST:PORT[,HOST:PORT...]", "switch to another pool", builtin_use },
	{ "set", "[prefix|timeout|distribution|... VALUE]",
	  "change a common option for the next commands; alone, show them", builtin_set },
	{ "help", "[COMMAND]", "list the commands, or show how to use one", builtin_help },
	{ "quit", "", "leave the shell (also Ctrl-D)", builtin_quit },
	{ "exit", "", "leave the shell", builtin_quit },
	{ NULL, NULL, NULL, NULL },
};

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

static void editor_close(struct shell *sh)
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
static int shell_interactive(struct shell *sh)
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
		shell_line(sh, line);
		free(line);
	}
	if (!sh->quit)
		fputc('\n', stdout);
	return EXIT_OK;
}

/* Reads the runbook from a copy of standard input and gives the commands /dev/null there
 * instead, so that one that reads standard input (decode without a file) cannot eat the
 * runbook. Returns the runbook's stream (stdin itself if that cannot be done). */
static FILE *runbook_open(void)
{
	int fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	FILE *book = fd >= 0 && null >= 0 ? fdopen(fd, "r") : NULL;
	if (book && dup2(null, STDIN_FILENO) < 0) {
		fclose(book);
		book = NULL;
	} else if (!book && fd >= 0) {
		close(fd);
	}
	if (null >= 0)
		close(null);
	return book ? book : stdin;
}

static void runbook_close(FILE *book)
{
	if (book == stdin)
		return;
	dup2(fileno(book), STDIN_FILENO);
	fclose(book);
}

/* Ctrl-C while a runbook waits for its next line (a pipe that has not sent it yet): the wait
 * stops (no SA_RESTART) and the runbook ends, saying so. Returns the status, or -1 when it
 * was not interrupted. */
static int runbook_interrupted(long lineno)
{
	if (!interrupted)
		return -1;
	cmd_error("interrupted while waiting for line %ld; the rest of the runbook is not run",
		  lineno + 1);
	interrupted = 0;
	return EXIT_INTERRUPTED;
}

/* A runbook: no prompt; stops at the first failing line unless --keep-going (Ctrl-C always
 * stops it). Exits with the status of the first line that failed. */
static int shell_runbook(struct shell *sh)
{
	FILE *book = runbook_open();
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0, first_line = 0, failed = 0;
	int status = EXIT_OK, stopped = 0;
	struct signals old;
	catch_sigint(sh, &old);
	while (!sh->quit && !stopped && !interrupted && getline(&line, &cap, book) >= 0) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		int ret = shell_line(sh, line);
		if (ret == NOTHING || ret == EXIT_OK)
			continue;
		if (failed++ == 0) {
			status = ret;
			first_line = lineno;
		}
		stopped = !sh->keep_going || ret == EXIT_INTERRUPTED;
		if (stopped)
			cmd_error("stopped at line %ld (exit status %d): %s", lineno, ret, line);
	}
	int cut = stopped ? -1 : runbook_interrupted(lineno);
	signals_give_back(&old);
	if (cut >= 0 && !failed)
		status = cut;
	if (failed && !stopped)
		cmd_error("%ld line%s failed; the first, line %ld, with exit status %d", failed,
			  failed == 1 ? "" : "s", first_line, status);
	free(line);
	runbook_close(book);
	return status;
}

static void shell_release(struct shell *sh)
{
	editor_close(sh);
	watch_release(&sh->watch);
	strlist_clear(&sh->listing);
	strlist_clear(&sh->servers_seen);
}

static int shell_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	struct shell sh;
	struct signals prompt_sigs;
	memset(&sh, 0, sizeof(sh));
	sh.ctx = ctx;
	for (size_t i = 0; i < a->n_opts; i++)
		sh.keep_going |= a->opts[i].key == O_KEEP_GOING;
	if (a->n_pos) {
		cmd_error("shell: no arguments expected; it reads commands from standard input");
		return EXIT_USAGE;
	}
	if (applying_option)
		return EXIT_OK;
	if (shell_running) {
		cmd_error("shell: this is the shell already");
		return EXIT_USAGE;
	}
	shell_running = 1;
	sh.sigint_ignored = signals_ignored(SIGINT);
	volatile sig_atomic_t *cancel = ctx->cancel;
	ctx->cancel = &interrupted;
	ctx->keep_conns = 1;
	if (ctx->have_pool)
		conn_keep(&ctx->pool);
	conn_cancel_on(&interrupted);
	remember_servers(&sh, ctx->servers);
	int interactive = isatty(STDIN_FILENO);
	/* at the prompt SIGINT is ignored: only libedit's own handler, while it reads, drops the line */
	signals_take(&prompt_sigs, interactive && !sh.sigint_ignored ? SIGNALS_INT : 0, NULL);
	int ret = interactive ? shell_interactive(&sh) : shell_runbook(&sh);
	signals_give_back(&prompt_sigs);
	ctx->cancel = cancel;
	ctx->keep_conns = 0;
	if (ctx->have_pool)
		conn_keep_end(&ctx->pool);
	conn_cancel_on(NULL);
	shell_release(&sh);
	shell_running = 0;
	return ret;
}

const struct cmd_entry cmd_shell_entry = {
	.name = "shell",
	.usage = "[--keep-going]",
	.summary = "a prompt for every command, or run a runbook from standard input",
	.needs = 0,
	.opts = shell_opts,
	.run = shell_run,
};
