/* shell.h: the state every part of memcsess shell shares: shell.c (the entry, which owns it),
 * shell_prompt.c, shell_runbook.c, shell_line.c, shell_builtins.c and shell_complete.c. */
#ifndef MEMCSESS_SHELL_H
#define MEMCSESS_SHELL_H

#include <histedit.h>
#include <signal.h>
#include "commands.h"
#include "shell_strlist.h"
#include "shell_watch.h"

struct shell {
	struct cmd_ctx *ctx;	/* the same context, and pool, for every command */
	int keep_going;
	int quit;
	int sigint;		/* SIGNALS_INT, or 0 when SIGINT was ignored when the shell
				 * started: it is left so */
	volatile sig_atomic_t interrupted;	/* Ctrl-C while a command or runbook ran; the
						 * context's cancel flag points here */
	struct shell_watch watch;
	struct strlist listing;	/* session ids printed by the last list (for completion) */
	struct strlist servers_seen;	/* every server of every pool used (for completion) */
	EditLine *el;
	History *hist;
	char *hist_path;	/* owned; NULL: no history file */
	int hist_warned;
	char prompt[96];
};

#endif
