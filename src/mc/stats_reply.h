/* stats_reply.h: the lines of a memcached "stats" reply ("STAT <name> <value>", END, or an
 * error reply), and the statistics they carry taken into the fields of a struct, as a table of
 * names says. The one parser under every reader of stats: stats.c (and through it
 * stats_binary.c) and limit.c. */
#ifndef MEMCSESS_MC_STATS_REPLY_H
#define MEMCSESS_MC_STATS_REPLY_H

#include <stddef.h>

enum stats_line {
	STATS_STAT = 1,		/* a STAT line */
	STATS_END = 0,		/* END: the reply is complete */
	STATS_ERROR = -1,	/* a malformed line, or an error reply; *cause says which */
	STATS_AUTH = -2,	/* the server wants authentication first */
};

/* One statistic: a name and its value, pointing into the line (or libmemcached's buffers). */
struct stats_pair {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* How a field keeps its statistic's value. */
enum stats_kind {
	STATS_U64,		/* uint64_t */
	STATS_I64,		/* int64_t, a number not over INT64_MAX */
	STATS_SUM,		/* uint64_t, added to: several statistics counted as one */
	STATS_YESNO,		/* int: 1 "yes", 0 "no", -1 anything else */
	STATS_TEXT,		/* char[size], cut to fit with its NUL */
};

/* Where the statistic called name goes in a struct. */
struct stats_field {
	const char *name;
	size_t off;		/* offsetof the field */
	enum stats_kind kind;
	size_t size;		/* STATS_TEXT: the array's size */
};

/* Parses one reply line (without \r\n): STATS_STAT with *pair pointing into line, STATS_END,
 * or STATS_ERROR / STATS_AUTH with *cause (new) naming the line's problem and the byte offset
 * where it is. */
enum stats_line stats_reply_line(const char *line, size_t len, struct stats_pair *pair,
				 char **cause);
/* Takes pair into dst through the n fields: 1 taken, 0 a name not in fields, -1 a value that
 * does not fit its field's kind (dst then unchanged). */
int stats_reply_take(const struct stats_field *fields, size_t n, void *dst,
		     const struct stats_pair *pair);

#endif
