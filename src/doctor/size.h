/* doctor/size.h: how many bytes PHP's serialize() writes for a decoded value, to weigh session
 * variables against each other whatever handler stored them. */
#ifndef MEMCSESS_DOCTOR_SIZE_H
#define MEMCSESS_DOCTOR_SIZE_H

#include <stdint.h>
#include "php/value.h"

/* The length of serialize(v) (floats at 17 significant digits, as serialize_precision -1 may
 * write fewer); 2 for NULL. */
uint64_t doc_serialized_size(const struct pv *v);

#endif
