/* unit.h: the smallest test harness: one "ok"/"not ok" line per check, counted by tests/run.sh. */
#ifndef MEMCSESS_UNIT_H
#define MEMCSESS_UNIT_H

#include <stdio.h>
#include <stdarg.h>

static int unit_fails, unit_passes;

__attribute__((format(printf, 2, 3)))
static int unit_check(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(cond ? "ok - " : "not ok - ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	if (cond)
		unit_passes++;
	else
		unit_fails++;
	return cond;
}

/* Use as: return unit_done(); */
static int unit_done(void)
{
	fflush(stdout);
	return unit_fails ? 1 : 0;
}

#endif
