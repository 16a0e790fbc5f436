/* doctor/sessions.h: memcsess doctor's checks of the sessions themselves: placement, locks,
 * lifetimes, sizes and replicas (the servers' checks are in checks.h). No I/O. */
#ifndef MEMCSESS_DOCTOR_SESSIONS_H
#define MEMCSESS_DOCTOR_SESSIONS_H

#include "doctor/checks.h"

void doc_check_placement(const struct doc_input *in, struct doc_report *r);
void doc_check_locks(const struct doc_input *in, struct doc_report *r);
void doc_check_expiry(const struct doc_input *in, struct doc_report *r);
void doc_check_size(const struct doc_input *in, struct doc_report *r);
void doc_check_replicas(const struct doc_input *in, struct doc_report *r);

#endif
