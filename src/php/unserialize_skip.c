/* unserialize_skip.c: check mode's quick path (see phpser_new_check): plain values skipped in
 * one loop, taking their slots as the parser would, with no call per value. */
#include "php/float_text.h"
#include "php/unserialize_int.h"

#include <string.h>

/* Containers the skip below keeps open at most; deeper ones go the slow way. */
#define SKIP_DEPTH 64

/* The slot of the next value, holding the stand-in of its type (set at once: with no
 * reference among the values skipped, none can see a slot before its value is whole). */
static void skip_slot(struct phpser *p, enum pv_type type)
{
	size_t slot = push_slot(p);	/* first: it may move the table */
	p->slots[slot - 1] = &p->b.stand_in[type];
}

/* `i:digits;` or `s:len:"bytes";` at i, a key or a value, as parse_int and parse_string
 * accept them (ints of at most 18 digits, which cannot overflow): returns the index past it,
 * or 0 when anything is unusual. *type gets its type. */
static inline size_t skip_scalar(const struct phpser *p, size_t i, enum pv_type *type)
{
	const char *b = p->buf;
	size_t end = p->end, start, len, digits;
	if (b[i] == 's') {
		*type = PV_STRING;
		return plain_string(p, i, &start, &len);
	}
	*type = PV_INT;
	if (b[i] != 'i' || end - i < 4 || b[i + 1] != ':')
		return 0;
	i += 2;
	i += b[i] == '-' || b[i] == '+';
	for (digits = i; i < end && is_digit(b[i]) && i - digits < 18; i++)
		;
	return i > digits && i < end && b[i] == ';' ? i + 1 : 0;
}

/* `count:{` at i (after "a:" or after O:'s class and ':'), as open_container accepts it at
 * depth 0 with sp containers open: returns the index past '{' with *count, or 0. */
static size_t skip_count(const struct phpser *p, size_t i, int sp, size_t *count)
{
	const char *b = p->buf;
	size_t end = p->end, digits = i, n = 0;
	for (; i < end && is_digit(b[i]) && i - digits < 15; i++)
		n = n * 10 + (size_t)(b[i] - '0');
	if (i == digits || end - i < 2 || b[i] != ':' || b[i + 1] != '{' || sp >= SKIP_DEPTH)
		return 0;
	i += 2;
	*count = n;
	return n <= (end - i) / MIN_ELEMENT_BYTES ? i : 0;
}

/* The value at i, taking its slot (a container's elements come after): N;, b:, i:, d:, s:,
 * a: and O: as parse_value accepts them. Returns the index past it (past `count:{` for a
 * container, with *count), or 0 for anything else or unusual. */
static inline size_t skip_value(struct phpser *p, size_t i, int sp, enum pv_type *type,
				 size_t *count)
{
	static const char *const special[] = { "NAN;", "INF;", "-INF;" };
	const char *b = p->buf;
	size_t end = p->end, start, len, n;
	*count = 0;
	switch (b[i]) {
	case 'N':
		*type = PV_NULL;
		return end - i >= 2 && b[i + 1] == ';' ? i + 2 : 0;
	case 'b':
		*type = PV_BOOL;
		return end - i >= 4 && b[i + 1] == ':' && (b[i + 2] == '0' || b[i + 2] == '1') &&
		       b[i + 3] == ';' ? i + 4 : 0;
	case 'd':
		*type = PV_FLOAT;
		if (end - i < 2 || b[i + 1] != ':')
			return 0;
		i += 2;
		for (size_t k = 0; k < sizeof(special) / sizeof(special[0]); k++) {
			n = strlen(special[k]);
			if (end - i >= n && memcmp(b + i, special[k], n) == 0)
				return i + n;
		}
		n = php_float_token(b, end, i);
		return n && end - i > n && b[i + n] == ';' ? i + n + 1 : 0;
	case 'a':
		*type = PV_ARRAY;
		return end - i >= 2 && b[i + 1] == ':' ? skip_count(p, i + 2, sp, count) : 0;
	case 'O':
		*type = PV_OBJECT;
		if (end - i < 2 || b[i + 1] != ':')
			return 0;
		i = plain_quoted(p, i + 2, &start, &len);
		if (!i || len == 0 || b[start] == '\0' || b[start] == '\\' || i >= end || b[i] != ':')
			return 0;
		return skip_count(p, i + 1, sp, count);
	default:
		return skip_scalar(p, i, type);
	}
}

size_t phpser_skip_plain(struct phpser *p, size_t pos, enum pv_type *type)
{
	size_t left[SKIP_DEPTH], old_slots = p->n_slots, count;
	const char *b = p->buf;
	int sp = 0, first = 1;
	enum pv_type t;
	for (;;) {
		size_t past = pos < p->end ? skip_value(p, pos, sp, &t, &count) : 0;
		if (!past)
			break;
		skip_slot(p, t);
		if (first)
			*type = t;
		first = 0;
		pos = past;
		if (t == PV_ARRAY || t == PV_OBJECT)
			left[sp++] = count;
		while (sp > 0 && left[sp - 1] == 0) {	/* whole containers: their '}' */
			if (pos >= p->end || b[pos] != '}')
				goto unusual;
			pos++;
			sp--;
		}
		if (sp == 0)
			return pos;
		left[sp - 1]--;		/* the next element: its key, then its value */
		if (pos >= p->end || !(pos = skip_scalar(p, pos, &t)))
			break;
	}
unusual:
	p->n_slots = old_slots;
	return 0;
}
