/* doctor/placement.h: which placement explains where misplaced sessions sit: the other
 * distributions (ketama, ketama_weighted, modula) and, for modula (ketama places by the servers'
 * names, whatever their order), other orders of the same servers. */
#ifndef MEMCSESS_DOCTOR_PLACEMENT_H
#define MEMCSESS_DOCTOR_PLACEMENT_H

#include <stddef.h>
#include "doctor/gather.h"
#include "mc/pool.h"

#define DOC_ALL_ORDERS 4	/* up to this many servers every order is tried */

struct doc_alt {
	enum pool_dist dist;
	char *spec;		/* the server list in this order; owned */
	int same_order;		/* the servers in the pool's own order */
	size_t explained;	/* sessions of the sample it puts where they sit */
	size_t tried;		/* placements tried in all */
};

/* Tries every other placement on the sample of misplaced sessions (each may also sit on the
 * replicas after its server) and keeps the one that puts the most where they are in best.
 * Returns 0, or -1 when there was nothing to try (one server, no sample). */
int doc_placement_explain(const struct pool *p, int replicas, const struct doc_placed *sample,
			  size_t n, struct doc_alt *best);
void doc_alt_release(struct doc_alt *a);

#endif
