/* activity_top.c: the most frequent strings, space-saving (see activity_top.h). */
#include "activity_top.h"

#include <stdio.h>
#include <string.h>

void act_top_add(struct act_top *t, const char *s)
{
	size_t min = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->s[i], s) == 0) {
			t->count[i]++;
			return;
		}
		if (t->count[i] < t->count[min])
			min = i;
	}
	size_t i = t->n < ACT_TOP_CAP ? t->n++ : min;
	snprintf(t->s[i], sizeof(t->s[i]), "%s", s);
	t->count[i] = i == min && t->n == ACT_TOP_CAP ? t->count[i] + 1 : 1;
}

size_t act_top_nth(const struct act_top *t, size_t k, size_t *order)
{
	for (size_t i = 0; i < t->n; i++)
		order[i] = i;
	for (size_t i = 0; i <= k; i++)
		for (size_t j = i + 1; j < t->n; j++)
			if (t->count[order[j]] > t->count[order[i]]) {
				size_t tmp = order[i];
				order[i] = order[j];
				order[j] = tmp;
			}
	return order[k];
}
