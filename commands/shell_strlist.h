/* shell_strlist.h: a growable list of owned strings, as the shell keeps them (the session ids
 * of the last list, the servers seen) for completion. */
#ifndef MEMCSESS_SHELL_STRLIST_H
#define MEMCSESS_SHELL_STRLIST_H

#include <stddef.h>

struct strlist {
	char **v;
	size_t n, cap;
};
/* Adds a copy of s. */
void strlist_add(struct strlist *l, const char *s);
/* Adds each server of a server list ("a:1, b:2") that the list does not hold yet. */
void strlist_add_servers(struct strlist *l, const char *spec);
void strlist_clear(struct strlist *l);

#endif
