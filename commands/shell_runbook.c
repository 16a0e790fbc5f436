/* shell_runbook.c: memcsess shell with standard input not a terminal: a runbook, run line by
 * line (no prompt, no history), stopping at the first failing line unless --keep-going, and
 * naming the line that failed. */
#include "shell_runbook.h"
#include "shell_line.h"
#include "signals.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads the runbook from a copy of standard input and gives the commands /dev/null there
 * instead, so that one that reads standard input (decode without a file) cannot eat the
 * runbook. Returns the runbook's stream (stdin itself if that cannot be done). */
static FILE *runbook_open(void)
{
	int fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	FILE *book = fd >= 0 && null >= 0 ? fdopen(fd, "r") : NULL;
	if (book && dup2(null, STDIN_FILENO) < 0) {
		fclose(book);
		book = NULL;
	} else if (!book && fd >= 0) {
		close(fd);
	}
	if (null >= 0)
		close(null);
	return book ? book : stdin;
}

static void runbook_close(FILE *book)
{
	if (book == stdin)
		return;
	dup2(fileno(book), STDIN_FILENO);
	fclose(book);
}

/* Ctrl-C while a runbook waits for its next line (a pipe that has not sent it yet): the wait
 * stops (no SA_RESTART) and the runbook ends, saying so. Returns the status, or -1 when it
 * was not interrupted. */
static int runbook_interrupted(struct shell *sh, long lineno)
{
	if (!sh->interrupted)
		return -1;
	cmd_error("interrupted while waiting for line %ld; the rest of the runbook is not run",
		  lineno + 1);
	sh->interrupted = 0;
	return EXIT_INTERRUPTED;
}

int shell_runbook_run(struct shell *sh)
{
	FILE *book = runbook_open();
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0, first_line = 0, failed = 0;
	int status = EXIT_OK, stopped = 0;
	struct signals old;
	signals_take(&old, sh->sigint, &sh->interrupted);
	while (!sh->quit && !stopped && !sh->interrupted && getline(&line, &cap, book) >= 0) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		int ret = shell_line_run(sh, line);
		if (ret == SHELL_NOTHING || ret == EXIT_OK)
			continue;
		if (failed++ == 0) {
			status = ret;
			first_line = lineno;
		}
		stopped = !sh->keep_going || ret == EXIT_INTERRUPTED;
		if (stopped)
			cmd_error("stopped at line %ld (exit status %d): %s", lineno, ret, line);
	}
	int cut = stopped ? -1 : runbook_interrupted(sh, lineno);
	signals_give_back(&old);
	if (cut >= 0 && !failed)
		status = cut;
	if (failed && !stopped)
		cmd_error("%ld line%s failed; the first, line %ld, with exit status %d", failed,
			  failed == 1 ? "" : "s", first_line, status);
	free(line);
	runbook_close(book);
	return status;
}
