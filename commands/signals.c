/* signals.c: the one way a command takes Ctrl-C and SIGTERM: they set a flag it polls. The
 * flag belongs to the command (the shell's lives in its state, migrate's in migrate.c); the
 * handler reaches it through one pointer, put back when the signals are given back, so that
 * migrate run from the shell sets its own flag and the shell's again afterwards. */
#include "signals.h"

#include <stddef.h>
#include <string.h>

/* The flag the handler sets; an atomic pointer, so a signal never sees half of it. */
static volatile sig_atomic_t *target;

static void on_signal(int sig)
{
	volatile sig_atomic_t *flag = __atomic_load_n(&target, __ATOMIC_SEQ_CST);
	(void)sig;
	if (flag)
		*flag = 1;
}

void signals_take(struct signals *s, int which, volatile sig_atomic_t *flag)
{
	struct sigaction sa;
	memset(s, 0, sizeof(*s));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = flag ? on_signal : SIG_IGN;
	sigemptyset(&sa.sa_mask);	/* no SA_RESTART: a read waiting for input stops too */
	s->which = which;
	s->set_flag = flag != NULL;
	if (flag) {
		*flag = 0;
		s->old_flag = __atomic_exchange_n(&target, flag, __ATOMIC_SEQ_CST);
	}
	if (which & SIGNALS_INT)
		sigaction(SIGINT, &sa, &s->old_int);
	if (which & SIGNALS_TERM)
		sigaction(SIGTERM, &sa, &s->old_term);
}

void signals_give_back(struct signals *s)
{
	if (s->which & SIGNALS_INT)
		sigaction(SIGINT, &s->old_int, NULL);
	if (s->which & SIGNALS_TERM)
		sigaction(SIGTERM, &s->old_term, NULL);
	if (s->set_flag)
		__atomic_store_n(&target, s->old_flag, __ATOMIC_SEQ_CST);
}

int signals_ignored(int sig)
{
	struct sigaction old;
	return sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN;
}
