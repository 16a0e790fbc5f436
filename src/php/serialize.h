/* serialize.h: PHP's serialize() of a pv tree, byte for byte as PHP 8 writes it. */
#ifndef MEMCSESS_SERIALIZE_H
#define MEMCSESS_SERIALIZE_H

#include "php/value.h"
#include "util.h"

/* Appends d as PHP writes a float with serialize_precision=-1 (the shortest text that reads
 * back the same: "0.1", "-0", "1.0E+20", "INF", "NAN"). */
void php_format_float(struct buf *out, double d);
/* Appends serialize(v). *counter is PHP's variable number before v (0 for a lone value; the
 * php session handlers share it across variables); v's slots are renumbered as written so
 * R:/r: name their targets by PHP's numbers. Reference targets must come before their refs. */
void pv_serialize(struct buf *out, struct pv *v, unsigned *counter);

#endif
