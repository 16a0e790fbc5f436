/* inspector_layout.h: the inspector's session as lines for a given width: metadata, then the
 * decoded tree with its folds, long strings wrapped and binary strings in hex. */
#ifndef MEMCSESS_INSPECTOR_LAYOUT_H
#define MEMCSESS_INSPECTOR_LAYOUT_H

#include "inspector.h"

/* Rebuilds every line of s for width (called from draw: formatting only). */
void inspect_layout(struct top *t, struct inspect *s, int width);
/* Frees the lines' texts; the array stays for the next layout. */
void inspect_lines_clear(struct inspect *s);
/* 1 when the container v at depth is shown open (the default for its size and depth, or
 * flipped by a key). */
int inspect_is_open(const struct inspect *s, const struct pv *v, int depth);

#endif
