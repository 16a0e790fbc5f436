/* shell_prompt.h: memcsess shell at a terminal: the prompt, line editing and history. */
#ifndef MEMCSESS_SHELL_PROMPT_H
#define MEMCSESS_SHELL_PROMPT_H

#include "shell.h"

/* The prompt: one line at a time until quit or Ctrl-D; returns the shell's exit code. */
int shell_prompt_run(struct shell *sh);
/* Ends the line editor and the history (nothing when they were not set up). */
void shell_prompt_close(struct shell *sh);

#endif
