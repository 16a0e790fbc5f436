/* shell_builtins.h: the shell's own commands (servers, use, set, help, quit, exit). */
#ifndef MEMCSESS_SHELL_BUILTINS_H
#define MEMCSESS_SHELL_BUILTINS_H

#include "shell.h"

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
/* 1 while set or use applies an option by running "shell --OPTION VALUE" through the
 * dispatcher: that nested shell does nothing. */
int shell_applying_option(void);

#endif
