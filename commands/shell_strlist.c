/* shell_strlist.c: the shell's lists of strings. */
#include "shell_strlist.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void strlist_add(struct strlist *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = xstrdup(s);
}

void strlist_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void strlist_add_servers(struct strlist *l, const char *spec)
{
	const char *p = spec + strspn(spec, " \t,");
	while (*p) {
		size_t n = strcspn(p, " \t,");
		char *name = xstrndup(p, n);
		int seen = 0;
		for (size_t i = 0; i < l->n && !seen; i++)
			seen = strcmp(l->v[i], name) == 0;
		if (!seen)
			strlist_add(l, name);
		free(name);
		p += n;
		p += strspn(p, " \t,");
	}
}
