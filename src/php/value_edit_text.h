/* value_edit_text.h: a session as a text people edit (JSON with every PHP type kept), and back.
 *
 * Ints are JSON integers; floats always have a point or an exponent (2.0, -0.0, 1.0E+20) or
 * are {"__float":"INF"}; binary strings {"__base64":...}; arrays are JSON arrays (keys 0..n-1
 * in order) or objects; objects {"__class":C, ...} with property names "name" (public),
 * "protected:name", "private:Class:name", "int:5" (an integer name); enum cases
 * {"__class":C,"__case":K}; C: objects {"__class":C,"__serialized":payload}. A value other
 * values refer to is {"__id":N,"__value":v} ("__amp":true: igbinary wrote it as a PHP
 * reference), a reference (R:) {"__ref":N}, an object handle (r:) {"__objref":N}. Keys that
 * start with "__" are written with one more "_". Lines starting with '#' before the JSON are
 * comments. */
#ifndef MEMCSESS_VALUE_EDIT_TEXT_H
#define MEMCSESS_VALUE_EDIT_TEXT_H

#include "php/handlers.h"
#include "php/value.h"
#include "util.h"

/* Appends root (a session's variables) as edit text. */
void pv_edit_write(const struct pv *root, struct buf *out);
/* Reads edit text back into a new session tree for handler h (php_serialize and igbinary make
 * numeric names integers, as PHP's arrays do). Returns new, or NULL with *cause (new). */
struct pv *pv_edit_read(const char *text, size_t len, enum sess_handler h, char **cause);

#endif
