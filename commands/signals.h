/* signals.h: Ctrl-C (and SIGTERM) for a command: while taken, the signals set a flag the
 * command polls (and, with no SA_RESTART, stop a wait for input) instead of ending the process;
 * or they are ignored. Given back, they act as before. Takings nest. */
#ifndef MEMCSESS_SIGNALS_H
#define MEMCSESS_SIGNALS_H

#include <signal.h>

enum { SIGNALS_INT = 1, SIGNALS_TERM = 2 };

/* What signals_take replaced, for signals_give_back. */
struct signals {
	int which;			/* SIGNALS_INT | SIGNALS_TERM: the signals taken */
	int set_flag;			/* they set a flag (else they are ignored) */
	struct sigaction old_int, old_term;
	volatile sig_atomic_t *old_flag;	/* the flag set before */
};

/* Makes the signals in which (SIGNALS_INT, SIGNALS_TERM; 0: none) set *flag, cleared first,
 * or be ignored when flag is NULL. */
void signals_take(struct signals *s, int which, volatile sig_atomic_t *flag);
/* Gives the signals taken the actions they had before, and the flag before. */
void signals_give_back(struct signals *s);
/* 1 when sig is ignored (as a shell started in the background leaves SIGINT). */
int signals_ignored(int sig);

#endif
