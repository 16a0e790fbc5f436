/* doctor/sample_checks.h: memcsess doctor's sampled checks (with --sample): what the watched
 * pool did, judged with rates: lock contention, evictions of live sessions, refused writes,
 * clients that place sessions otherwise, log lines lost, servers that could not be watched.
 * No I/O. */
#ifndef MEMCSESS_DOCTOR_SAMPLE_CHECKS_H
#define MEMCSESS_DOCTOR_SAMPLE_CHECKS_H

#include "doctor/checks.h"

#define DOC_WAIT_RATE 1.0	/* lock waits a second over the pool: warning from here */
#define DOC_WAIT_LONG 5.0	/* a wait this many seconds long: warning */
#define DOC_TOP 5		/* sids and clients named */

/* Adds the sampled checks' findings (nothing when no sample was taken). */
void doc_check_sample(const struct doc_input *in, struct doc_report *r);

#endif
