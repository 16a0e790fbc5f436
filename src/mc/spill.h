/* spill.h: the keys one server's walk met, kept until their values are fetched. memcached's
 * crawler holds item locks while it waits for its reader, so fetching values while the dump
 * runs can wait on it for ever: the keys are read to the end first, and their values fetched
 * after. They are kept in memory while they fit (SPILL_MEM_ONE a server, SPILL_MEM_ALL for
 * the process), else in a temporary file: memory stays flat however many keys there are, and
 * a pool of hundreds of small servers creates no file at all. */
#ifndef MEMCSESS_MC_SPILL_H
#define MEMCSESS_MC_SPILL_H

#include <stdint.h>
#include <stdio.h>
#include "mc/metadump.h"

struct spill {
	FILE *f;		/* the file's stream, or the memory's while read; NULL while
				 * paused, or never written */
	int fd;			/* the unlinked file; -1 none (yet) */
	char *buf;		/* f's stdio buffer */
	unsigned char *mem;	/* the keys, while no file holds them */
	size_t mem_len, mem_cap;	/* mem_cap is taken from the process's SPILL_MEM_ALL */
	struct spill_mark {	/* the item written or read before, see spill_write */
		char key[MC_MAX_KEY];
		size_t key_len;
		int64_t la;
	} mark;
};

/* Makes s ready for writing, empty (the file, when one is needed, is made by spill_write). */
void spill_open(struct spill *s);
/* Appends one item; returns 0, or -1 with *cause (new): the temporary file, in $TMPDIR or
 * /tmp, could not be created or written. */
int spill_write(struct spill *s, const struct md_item *it, char **cause);
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
