/* activity_top.h: the most frequent strings of a stream (sids, client addresses) counted in
 * bounded memory (space-saving: a new string takes the place of the least counted, so the
 * counts of the top ones are upper bounds once the list is full). */
#ifndef MEMCSESS_ACTIVITY_TOP_H
#define MEMCSESS_ACTIVITY_TOP_H

#include <stddef.h>
#include "mc/watchline.h"

#define ACT_TOP_CAP 64		/* strings followed */

struct act_top {
	char s[ACT_TOP_CAP][WL_KEY_MAX + 1];
	unsigned long count[ACT_TOP_CAP];
	size_t n;
};

/* Counts s (cut to WL_KEY_MAX bytes) in t; t starts zeroed. */
void act_top_add(struct act_top *t, const char *s);
/* Index in t of the k-th most counted (k < t->n); order is scratch of ACT_TOP_CAP entries. */
size_t act_top_nth(const struct act_top *t, size_t k, size_t *order);

#endif
