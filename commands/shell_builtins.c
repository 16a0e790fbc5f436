/* shell_builtins.c: the commands only the shell has: servers (which answer), use (another
 * pool), set (a common option for the commands that follow), help, quit and exit. */
#include "shell_builtins.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* set and use run "shell --OPTION VALUE" through the dispatcher, so that common options are
 * checked and applied exactly as on the command line; the nested shell then does nothing. */
static int applying_option;

const struct shell_builtin *shell_find_builtin(const char *name)
{
	for (const struct shell_builtin *b = shell_builtins; b->name; b++)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}

int shell_applying_option(void)
{
	return applying_option;
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
	if (ctx->tls)
		printf("tls           %s%s%s\n", ctx->tls_insecure ? "insecure (no verification)" :
		       ctx->tls_ca ? ctx->tls_ca : "system CAs", ctx->tls_cert ? ", client cert " : "",
		       ctx->tls_cert ? ctx->tls_cert : "");
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
	shell_watch_check(&sh->watch, sh->ctx);
	shell_watch_start(&sh->watch, sh->ctx, 0);
	const struct shell_watch *w = &sh->watch;
	size_t down = 0;
	for (size_t i = 0; i < w->pool.n; i++) {
		const char *name = w->pool.servers[i].name;
		if (w->why[i])
			printf("server        %s  down: %s\n", name, shell_watch_reason(w->why[i], name));
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
		strlist_add_servers(&sh->servers_seen, spec.ptr);
		shell_watch_start(&sh->watch, sh->ctx, 1);
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
