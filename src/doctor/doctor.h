/* doctor/doctor.h: memcsess doctor: what is wrong with a session pool and what to do about it. Asks
 * every server (gather.c), walks the keys once without values unless deep, and runs
 * every check (checks.c, sessions.c) into a list of findings; with o->sample, watches the pool
 * that long (sample.c) and adds the sampled checks (sample_checks.c). */
#ifndef MEMCSESS_DOCTOR_H
#define MEMCSESS_DOCTOR_H

#include <stddef.h>
#include "doctor/finding.h"
#include "doctor/gather.h"
#include "mc/pool.h"

/* Runs every check on p. Returns 0 with the findings appended to r and *reached the servers
 * that answered, or -1 with *cause (new) when the pool cannot be examined at all. */
int doctor_run(const struct pool *p, const struct doc_opts *o, struct doc_report *r,
	       size_t *reached, char **cause);

#endif
