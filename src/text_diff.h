/* text_diff.h: a line diff of two texts, for people (the change an edit makes). */
#ifndef MEMCSESS_TEXT_DIFF_H
#define MEMCSESS_TEXT_DIFF_H

#include "util.h"

/* Appends to out the lines of a and b that differ, "-" before a's and "+" before b's, with up
 * to two unchanged lines of context (" ") around each change and "..." where lines are left
 * out. Returns how many lines changed (0: the texts are the same). */
size_t text_diff(const char *a, const char *b, struct buf *out);

#endif
