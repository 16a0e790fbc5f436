/* shell.h: what commands/shell.c (the prompt, the runbook and the builtins) and
 * commands/shell_complete.c (Tab completion) share. */
#ifndef MEMCSESS_SHELL_H
#define MEMCSESS_SHELL_H

#include <histedit.h>
#include "commands.h"
#include "mc/conn.h"

/* A growable list of owned strings. */
struct strlist {
	char **v;
	size_t n, cap;
};
/* Adds a copy of s. */
void strlist_add(struct strlist *l, const char *s);
void strlist_clear(struct strlist *l);

/* One idle connection per server of the pool, to notice a server that went away. */
struct watch {
	char *servers;		/* the server list watched, owned; NULL when nothing is watched */
	struct pool pool;	/* its own pool: it outlives the context's being set up again */
	struct conn *conns;	/* fd < 0: the server is down */
	char **why;		/* why server i is down (owned), or NULL */
};

struct shell {
	struct cmd_ctx *ctx;	/* the same context, and pool, for every command */
	int keep_going;
	int quit;
	int sigint_ignored;	/* SIGINT was ignored when the shell started: leave it so */
	struct watch watch;
	struct strlist listing;	/* session ids printed by the last list (for completion) */
	struct strlist servers_seen;	/* every server of every pool used (for completion) */
	EditLine *el;
	History *hist;
	char *hist_path;	/* owned; NULL: no history file */
	int hist_warned;
	char prompt[96];
};

struct shell_builtin {
	const char *name;
	const char *usage;
	const char *summary;
	int (*run)(struct shell *sh, int argc, char **argv);
};
/* The shell's own commands; ends with { NULL }. */
extern const struct shell_builtin shell_builtins[];

/* The builtin called name, or NULL. */
const struct shell_builtin *shell_find_builtin(const char *name);
/* The common option called name (no dashes) that takes a value, as set sets; or NULL. */
const struct cmd_opt *shell_setting(const char *name);
/* The Tab key (an EL_ADDFN function; the shell is the editor's EL_CLIENTDATA). */
unsigned char shell_complete(EditLine *el, int ch);

#endif
