/* metadump.h: enumerating every key of one memcached server (lru_crawler metadump, with
 * fallbacks), streamed and parsed line by line. */
#ifndef MEMCSESS_MC_METADUMP_H
#define MEMCSESS_MC_METADUMP_H

#include <stdint.h>
#include <stddef.h>
#include "mc/conn.h"

#define MC_MAX_KEY 250

struct md_item {
	char key[MC_MAX_KEY + 1];	/* URL-decoded, NUL-terminated */
	size_t key_len;
	int64_t exp;		/* absolute unix time; -1 never expires */
	int64_t la;		/* absolute unix time of last access; -1 unknown */
	uint64_t cas;
	uint64_t size;		/* whole item size on the server (header included); 0 unknown */
	int cls;		/* slab class; -1 unknown */
	int fetched;		/* 1 fetched before, 0 not, -1 unknown */
	int has_flags;
	uint32_t flags;		/* client flags (newer servers only) */
};

enum md_line {
	MD_ITEM = 1,	/* *it filled */
	MD_END = 0,	/* END: the dump is complete */
	MD_ERROR = -1,	/* malformed line, or a server error reply: *cause says which */
};

/* Parses one metadump line (without \r\n). Returns MD_ITEM, MD_END or MD_ERROR with *cause
 * (new) giving the byte offset in the line. */
enum md_line metadump_parse_line(const char *line, size_t len, struct md_item *it, char **cause);

/* Parses one "ITEM <key> [<n> b; <t> s]" line of stats cachedump; 1 item, 0 END, -1 error. */
int cachedump_parse_line(const char *line, size_t len, struct md_item *it, char **cause);

/* 1 when a reply line is memcached refusing a command (ERROR, CLIENT_ERROR, SERVER_ERROR, BUSY,
 * BADCLASS from servers before metadump hash):
 * an older way of listing may work. A first line that is neither this nor a metadump line is
 * no memcached reply. */
int metadump_refused(const char *line, size_t len);
/* "server NAME: CMD: unexpected reply '...' (no memcached reply)" (new). */
char *metadump_unexpected(const struct conn *c, const char *cmd, const char *line, size_t len);

enum enum_method { ENUM_METADUMP_HASH, ENUM_METADUMP_ALL, ENUM_CACHEDUMP };

typedef int (*md_item_fn)(const struct md_item *it, void *arg);

/* Streams every key of the server on c to fn (a non-zero return from fn stops with that value).
 * Tries metadump hash, then metadump all (de-duplicated), then stats cachedump.
 * *method says which was used (ENUM_CACHEDUMP is incomplete by nature).
 * Returns 0, fn's non-zero value, or -1 with *cause. */
int metadump_stream(struct conn *c, md_item_fn fn, void *arg, enum enum_method *method,
		    char **cause);

#endif
