/* shell.c: memcsess shell: every command behind a prompt (shell_prompt.c), or a runbook read line
 * by line when standard input is not a terminal (shell_runbook.c). Every line goes through
 * cmd_dispatch with the same context (shell_line.c), so the pool is set up once. */
#include "shell.h"
#include "shell_builtins.h"
#include "shell_prompt.h"
#include "shell_runbook.h"
#include "signals.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { O_KEEP_GOING = 1 };
static const struct cmd_opt shell_opts[] = {
	{ "keep-going", 'k', 0, O_KEEP_GOING },
	{ NULL, 0, 0, 0 },
};

static int shell_running;

static void shell_release(struct shell *sh)
{
	shell_prompt_close(sh);
	shell_watch_release(&sh->watch);
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
	if (shell_applying_option())
		return EXIT_OK;
	if (shell_running) {
		cmd_error("shell: this is the shell already");
		return EXIT_USAGE;
	}
	shell_running = 1;
	sh.sigint = signals_ignored(SIGINT) ? 0 : SIGNALS_INT;
	volatile sig_atomic_t *cancel = ctx->cancel;
	ctx->cancel = &sh.interrupted;
	ctx->keep_conns = 1;
	if (ctx->have_pool)
		conn_keep(&ctx->pool);
	conn_cancel_on(&sh.interrupted);
	strlist_add_servers(&sh.servers_seen, ctx->servers);
	int interactive = isatty(STDIN_FILENO);
	/* at the prompt SIGINT is ignored: only libedit's own handler, while it reads, drops the line */
	signals_take(&prompt_sigs, interactive ? sh.sigint : 0, NULL);
	int ret = interactive ? shell_prompt_run(&sh) : shell_runbook_run(&sh);
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
