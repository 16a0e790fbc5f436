/* shell_runbook.h: memcsess shell reading a runbook (standard input not a terminal). */
#ifndef MEMCSESS_SHELL_RUNBOOK_H
#define MEMCSESS_SHELL_RUNBOOK_H

#include "shell.h"

/* A runbook: no prompt; stops at the first failing line unless --keep-going (Ctrl-C always
 * stops it). Returns the status of the first line that failed. */
int shell_runbook_run(struct shell *sh);

#endif
