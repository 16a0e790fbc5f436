/* unserialize_int.h: what unserialize.c shares with its check mode's quick path
 * (unserialize_skip.c): the parser's state and the readers of plain tokens both use. */
#ifndef MEMCSESS_PHP_UNSERIALIZE_INT_H
#define MEMCSESS_PHP_UNSERIALIZE_INT_H

#include "php/value.h"
#include "util.h"

#include <stddef.h>

/* The shortest array or object element is "i:0;N;". */
#define MIN_ELEMENT_BYTES 6

struct phpser {
	const char *buf;
	size_t len;
	size_t end;		/* parse limit: len, or the end of the C: payload being read */
	struct pv **slots;	/* slot n (1-based) is slots[n - 1]; NULL until its value exists */
	size_t n_slots;
	size_t cap_slots;
	int depth;		/* containers and C: payloads open around the cursor */
	size_t payload_bytes;	/* C: payload bytes read as nested serialize() data so far */
	struct pv_build b;	/* check mode: values are stand-ins (see phpser_new_check) */
};

/* isdigit without the locale table (the same ten bytes in every locale). */
static inline int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Appends a slot for the value about to be read; returns its 1-based number. */
static inline size_t push_slot(struct phpser *p)
{
	if (p->n_slots == p->cap_slots) {
		p->cap_slots = p->cap_slots ? p->cap_slots * 2 : 64;	/* one allocation for most sessions */
		p->slots = xrealloc(p->slots, p->cap_slots * sizeof(*p->slots));
	}
	p->slots[p->n_slots++] = NULL;
	return p->n_slots;
}

/* A well-formed `len:"bytes"` at i, as read_quoted reads it: returns the index past it with
 * the bytes at *start, *len, or 0 when anything is unusual. */
static inline size_t plain_quoted(const struct phpser *p, size_t i, size_t *start, size_t *len)
{
	const char *b = p->buf;
	size_t end = p->end, digits = i, n = 0;
	for (; i < end && is_digit(b[i]) && i - digits < 15; i++)
		n = n * 10 + (size_t)(b[i] - '0');	/* under 10^15: no overflow */
	if (i == digits || end - i < 2 || b[i] != ':' || b[i + 1] != '"')
		return 0;
	i += 2;
	if (n > end - i || end - i - n < 1 || b[i + n] != '"')
		return 0;
	*start = i;
	*len = n;
	return i + n + 1;
}

/* The length of a well-formed `s:len:"bytes";` at pos, whose bytes then start at *start:
 * returns the index past it, or 0 when anything is unusual (parse_string then reads it the
 * slow way, which decides and says why). Local indexes: a string is most of a session. */
static inline size_t plain_string(const struct phpser *p, size_t pos, size_t *start,
				  size_t *len)
{
	size_t i;
	if (p->end - pos < 2 || p->buf[pos + 1] != ':' ||
	    !(i = plain_quoted(p, pos + 2, start, len)) || i >= p->end || p->buf[i] != ';')
		return 0;
	return i + 1;
}

/* Check mode, at depth 0: an array or object at pos made only of N, b, i, d, s, a and O
 * values (most sessions), read in one loop, its slots taken as parse_value would take them.
 * Returns the index past it with *type, or 0 (nothing taken) when anything else or anything
 * unusual comes: parse_value then reads it the slow way, which decides and says why. */
size_t phpser_skip_plain(struct phpser *p, size_t pos, enum pv_type *type);

#endif
