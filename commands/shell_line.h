/* shell_line.h: one line of memcsess shell: a command or builtin, maybe with > FILE. */
#ifndef MEMCSESS_SHELL_LINE_H
#define MEMCSESS_SHELL_LINE_H

#include "shell.h"

#define SHELL_NOTHING (-1)	/* a blank line or a comment: no exit code */

/* Runs one line; returns its exit code, or SHELL_NOTHING for a blank line or a comment. */
int shell_line_run(struct shell *sh, const char *line);

#endif
