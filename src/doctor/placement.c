/* doctor/placement.c: trying other placements (see placement.h). */
#include "doctor/placement.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Steps order[0..n) to the next permutation in lexical order; 0 after the last. */
static int next_order(size_t *order, size_t n)
{
	size_t i = n - 1;
	while (i > 0 && order[i - 1] >= order[i])
		i--;
	if (i == 0)
		return 0;
	size_t j = n - 1;
	while (order[j] <= order[i - 1])
		j--;
	size_t t = order[i - 1];
	order[i - 1] = order[j];
	order[j] = t;
	for (size_t a = i, b = n - 1; a < b; a++, b--) {
		t = order[a];
		order[a] = order[b];
		order[b] = t;
	}
	return 1;
}

/* The server list of p in order. Returns new. */
static char *order_spec(const struct pool *p, const size_t *order)
{
	struct buf b = BUF_INIT;
	for (size_t k = 0; k < p->n; k++)
		buf_printf(&b, "%s%s", k ? "," : "", p->servers[order[k]].name);
	return buf_detach(&b, NULL);
}

/* How many of the sample the placement (dist, order) puts where they sit. */
static size_t explains(const struct pool *p, int replicas, const struct doc_placed *sample,
		       size_t n, enum pool_dist dist, const size_t *order, char **spec)
{
	struct pool alt;
	char *cause = NULL;
	*spec = order_spec(p, order);
	if (pool_init(&alt, *spec, dist, p->prefix, p->timeout_ms, &cause) < 0) {
		free(cause);
		return 0;
	}
	alt.hash_prefix = p->hash_prefix;
	size_t r = replicas > 0 ? (size_t)replicas : 0, got = 0;
	if (r > p->n - 1)
		r = p->n - 1;
	for (size_t i = 0; i < n; i++) {
		size_t h = pool_home(&alt, sample[i].sid, strlen(sample[i].sid));
		for (size_t k = 0; k <= r; k++)
			if (order[(h + k) % p->n] == sample[i].server) {
				got++;
				break;
			}
	}
	pool_release(&alt);
	return got;
}

/* Tries the three distributions on one order; keeps the best in *best. */
static void try_order(const struct pool *p, int replicas, const struct doc_placed *sample,
		      size_t n, const size_t *order, int same, struct doc_alt *best)
{
	static const enum pool_dist dists[] = { DIST_KETAMA, DIST_KETAMA_WEIGHTED, DIST_MODULA };
	for (size_t d = 0; d < 3; d++) {
		if (same && dists[d] == p->dist)
			continue;	/* the configured placement itself */
		if (!same && dists[d] != DIST_MODULA)
			continue;	/* ketama hashes the names: the order changes nothing */
		char *spec;
		size_t got = explains(p, replicas, sample, n, dists[d], order, &spec);
		best->tried++;
		/* on a tie the pool's own order wins: a changed hash is likelier than a shuffle */
		if (best->spec && (got < best->explained || (got == best->explained && !same))) {
			free(spec);
			continue;
		}
		free(best->spec);
		best->spec = spec;
		best->dist = dists[d];
		best->same_order = same;
		best->explained = got;
	}
}

int doc_placement_explain(const struct pool *p, int replicas, const struct doc_placed *sample,
			  size_t n, struct doc_alt *best)
{
	memset(best, 0, sizeof(*best));
	if (p->n < 2 || n == 0)
		return -1;
	size_t *order = xcalloc(p->n, sizeof(*order));
	for (size_t i = 0; i < p->n; i++)
		order[i] = i;
	try_order(p, replicas, sample, n, order, 1, best);
	if (p->n <= DOC_ALL_ORDERS) {
		while (next_order(order, p->n))
			try_order(p, replicas, sample, n, order, 0, best);
	} else {
		for (size_t i = 0; i < p->n; i++)
			order[i] = p->n - 1 - i;
		try_order(p, replicas, sample, n, order, 0, best);
	}
	free(order);
	return 0;
}

void doc_alt_release(struct doc_alt *a)
{
	free(a->spec);
	memset(a, 0, sizeof(*a));
}
