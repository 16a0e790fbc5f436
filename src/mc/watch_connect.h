/* watch_connect.h: opening the watch connections, on a few short-lived threads so that a server
 * slow to answer holds up no other (see watch_int.h). */
#ifndef MEMCSESS_MC_WATCH_CONNECT_H
#define MEMCSESS_MC_WATCH_CONNECT_H

#include <stddef.h>

struct watch;

/* The streams to ask a server of this version for ("1.6.18"); mutations as in watch_opts.
 * Writes into out (cap bytes); sets *with_mutations. */
void watch_streams(const char *version, int mutations, char *out, size_t cap,
		   int *with_mutations);
/* Asks a connector to open server i (the reader calls it; the connectors are started by
 * watch_connectors_start). */
void watch_job_add(struct watch *w, size_t i);
/* Starts connectors for the connections asked for, up to CONNECTORS at once. */
void watch_connectors_start(struct watch *w);
/* Waits for the connectors, which end after the attempt they are making (bounded by the
 * timeout). */
void watch_connectors_join(struct watch *w);

#endif
