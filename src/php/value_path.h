/* value_path.h: a PATH (cart.0.qty, user."a.b", a\.b) parsed, and values set or removed at
 * it inside a decoded session, as PHP would change $_SESSION. */
#ifndef MEMCSESS_VALUE_PATH_H
#define MEMCSESS_VALUE_PATH_H

#include <stddef.h>
#include "php/value.h"

/* One step of a path: the key's bytes (new). */
struct pv_path {
	char **seg;
	size_t *len;
	size_t n;
};

/* Parses a path: segments split on '.', a segment in double quotes taken as it is, '\' before
 * any byte taking it literally. Returns 0, or -1 with *cause (new) naming the offset. */
int pv_path_parse(const char *text, struct pv_path *p, char **cause);
void pv_path_release(struct pv_path *p);
/* Sets the value at path p in root (a session's variable array), taking ownership of v: an
 * existing key's value is replaced (through a PHP reference, the referenced value, as PHP
 * assigns), a missing last key is added at the end. Returns 0, or -1 with *cause (v freed):
 * a missing key on the way, a scalar on the way, a value other values refer to (R:/r:). */
int pv_path_set(struct pv *root, const struct pv_path *p, struct pv *v, char **cause);
/* Removes the key at path p. Returns 0, or -1 with *cause (no such key, referenced value). */
int pv_path_unset(struct pv *root, const struct pv_path *p, char **cause);

#endif
