/* dumpline.h: reading one line of `memcsess dump` output (JSON Lines) back, for load and migrate.
 * Dump files are hostile input: every field is checked. */
#ifndef MEMCSESS_DUMPLINE_H
#define MEMCSESS_DUMPLINE_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include "util.h"

struct dump_entry {
	struct buf key;		/* exact key bytes (from "key" or "key_b64") */
	struct buf value;	/* exact stored bytes (from "value" or "value_b64") */
	uint32_t flags;
	int64_t exp;		/* absolute expiry; -1 never */
	uint64_t cas;		/* 0 when absent */
	char server[256];	/* the server it was dumped from; "" when absent */
	int locked;		/* 1 when the dump saw its lock */
	int misplaced;		/* 1 when PHP did not read this copy ("php_server" present) */
	struct buf scratch;	/* the reader's, for strings it does not keep */
};

void dump_entry_init(struct dump_entry *e);
void dump_entry_release(struct dump_entry *e);
/* Parses one line (without its newline) into e. Returns 0, or -1 with *cause (new) naming the
 * field and what is wrong with it. */
int dumpline_parse(const char *line, size_t len, struct dump_entry *e, char **cause);
/* The same, always through jansson (dumpline_parse reads plain lines itself and must agree):
 * for tests. */
int dumpline_parse_json(const char *line, size_t len, struct dump_entry *e, char **cause);
/* The fast reader alone: 0, or -1 when it leaves the line to jansson. For tests. */
int dumpline_parse_fast(const char *line, size_t len, struct dump_entry *e);

#endif

/* Reading a dump stream line by line. */
#define DUMP_MAX_LINE (64u * 1024u * 1024u)

struct dump_reader {
	FILE *f;
	const char *name;	/* for messages: a path or "standard input" */
	size_t line;		/* number of the line last read */
	char *buf;		/* a line that spans reads */
	size_t cap;
	char *in;		/* bytes read ahead (not from a terminal: there, byte by byte) */
	size_t in_pos, in_len;
	uint64_t got;		/* bytes read from f so far */
	int mode;		/* 0 until the first read, then READ_CHUNKS or READ_BYTES */
};

/* Reads the next non-empty line into e. Returns 1, 0 at the end, -1 for a bad line (*cause
 * names the line; reading may go on), -2 when the stream cannot be read (*cause says why). */
int dump_reader_next(struct dump_reader *r, struct dump_entry *e, char **cause);
/* How many bytes of the stream the lines read so far took (with their newlines). */
uint64_t dump_reader_offset(const struct dump_reader *r);
void dump_reader_release(struct dump_reader *r);
