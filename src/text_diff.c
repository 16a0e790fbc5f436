/* text_diff.c: a longest-common-subsequence line diff (see text_diff.h). */
#include "text_diff.h"

#include <stdlib.h>
#include <string.h>

struct lines {
	const char **at;
	size_t *len;
	size_t n;
};

static void split(const char *s, struct lines *l)
{
	memset(l, 0, sizeof(*l));
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		l->at = xrealloc(l->at, (l->n + 1) * sizeof(*l->at));
		l->len = xrealloc(l->len, (l->n + 1) * sizeof(*l->len));
		l->at[l->n] = s;
		l->len[l->n++] = n;
		s += n + (nl ? 1 : 0);
	}
}

static int same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->at[i], b->at[j], a->len[i]) == 0;
}

/* ops: one byte per output line, ' ', '-', '+', in order; with the line index. */
struct op {
	char kind;
	size_t line;
};

static size_t diff_ops(const struct lines *a, const struct lines *b, struct op **ops)
{
	size_t w = b->n + 1;
	unsigned *t = xcalloc((a->n + 1) * w, sizeof(*t));	/* LCS of the suffixes */
	for (size_t i = a->n; i-- > 0;)
		for (size_t j = b->n; j-- > 0;)
			t[i * w + j] = same(a, i, b, j) ? t[(i + 1) * w + j + 1] + 1 :
				       t[(i + 1) * w + j] > t[i * w + j + 1] ? t[(i + 1) * w + j] :
				       t[i * w + j + 1];
	size_t i = 0, j = 0, n = 0;
	*ops = xmalloc((a->n + b->n + 1) * sizeof(**ops));
	while (i < a->n || j < b->n) {
		if (i < a->n && j < b->n && same(a, i, b, j)) {
			(*ops)[n++] = (struct op){ ' ', i };
			i++, j++;
		} else if (i < a->n && (j == b->n || t[(i + 1) * w + j] >= t[i * w + j + 1])) {
			(*ops)[n++] = (struct op){ '-', i++ };
		} else {
			(*ops)[n++] = (struct op){ '+', j++ };
		}
	}
	free(t);
	return n;
}

/* Is an op within two lines of a change? */
static int near_change(const struct op *ops, size_t n, size_t k)
{
	for (size_t d = k >= 2 ? k - 2 : 0; d <= k + 2 && d < n; d++)
		if (ops[d].kind != ' ')
			return 1;
	return 0;
}

size_t text_diff(const char *a_text, const char *b_text, struct buf *out)
{
	struct lines a, b;
	struct op *ops;
	split(a_text, &a);
	split(b_text, &b);
	size_t n = diff_ops(&a, &b, &ops), changed = 0, mark = out->len;
	int skipped = 0;
	for (size_t k = 0; k < n; k++) {
		if (!near_change(ops, n, k)) {
			if (!skipped)
				buf_adds(out, "...\n");
			skipped = 1;
			continue;
		}
		skipped = 0;
		const struct lines *l = ops[k].kind == '+' ? &b : &a;
		changed += ops[k].kind != ' ';
		buf_addc(out, ops[k].kind);
		buf_add(out, l->at[ops[k].line], l->len[ops[k].line]);
		buf_addc(out, '\n');
	}
	if (!changed && out->ptr) {
		out->len = mark;
		out->ptr[mark] = '\0';
	}
	free(ops);
	free(a.at);
	free(a.len);
	free(b.at);
	free(b.len);
	return changed;
}
