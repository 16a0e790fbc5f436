/* igbinary_encode.h: igbinary_serialize() of a pv tree, byte for byte as php-igbinary 3.x
 * writes it (format 2). */
#ifndef MEMCSESS_IGBINARY_ENCODE_H
#define MEMCSESS_IGBINARY_ENCODE_H

#include "php/value.h"
#include "util.h"

/* Appends the header and v. v's slots are renumbered as igbinary's reference ids + 1 (the
 * ref and objref bytes name targets by them); targets must come before their refs. */
void igbinary_encode(struct buf *out, struct pv *v);

#endif
