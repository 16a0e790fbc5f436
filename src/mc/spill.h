/* spill.h: a temporary file of the keys one server's walk met, kept until their values are
 * fetched. memcached's crawler holds item locks while it waits for its reader, so fetching
 * values while the dump runs can wait on it for ever: the keys are read to the end first, into
 * this file, and their values fetched after. Memory stays flat however many keys there are. */
#ifndef MEMCSESS_MC_SPILL_H
#define MEMCSESS_MC_SPILL_H

#include <stdint.h>
#include <stdio.h>
#include "mc/metadump.h"

struct spill {
	FILE *f;		/* NULL while paused (the file is then held by fd alone) */
	int fd;			/* the unlinked file; -1 none */
	char *buf;		/* f's stdio buffer */
	struct spill_mark {	/* the item written or read before, see spill_write */
		char key[MC_MAX_KEY];
		size_t key_len;
		int64_t la;
	} mark;
};

/* Creates the file (unlinked at once) in $TMPDIR or /tmp, ready for writing. Returns 0, or -1
 * with *cause (new). */
int spill_open(struct spill *s, char **cause);
/* Appends one item; returns 0 or -1 (errno set). */
int spill_write(struct spill *s, const struct md_item *it);
/* Writes out what is buffered and lets go of the buffer until spill_rewind; 0 or -1. */
int spill_pause(struct spill *s);
/* Makes the file ready to be read from its start; 0, or -1 with *cause (new). */
int spill_rewind(struct spill *s, char **cause);
/* Reads the next item into it (exp, cas, flags and size unknown: the reply gives them);
 * returns 1, 0 at the end, -1 on error. */
int spill_read(struct spill *s, struct md_item *it);
/* Closes the file (if open) and frees its buffer. */
void spill_close(struct spill *s);

#endif
