/* complete_spec.h: `memcsess __complete-spec`, the command and option tables as text for the
 * generator of the bash and zsh completions (scripts/gen-completion.sh). */
#ifndef MEMCSESS_COMPLETE_SPEC_H
#define MEMCSESS_COMPLETE_SPEC_H

#include <stdio.h>

/* The name the hidden command is called by; it is in no table, so usage and Tab never show it. */
#define COMPLETE_SPEC_COMMAND "__complete-spec"

/* Writes the spec to out: one line a command and one an option (man/memcsess.1, COMPLETION).
 * Returns 0, or -1 when writing failed. */
int complete_spec_write(FILE *out);

#endif
