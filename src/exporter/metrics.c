/* metrics.c: Prometheus metric families and their text exposition. */
#include "exporter/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct family {
	const char *name, *help;
	enum metric_type type;
	struct buf lines;	/* the samples, already written */
};

struct metrics {
	struct family *f;
	size_t n, cap;
};

struct metrics *metrics_new(void)
{
	return xcalloc(1, sizeof(struct metrics));
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		buf_release(&m->f[i].lines);
	free(m->f);
	free(m);
}

size_t metrics_family(struct metrics *m, const char *name, enum metric_type t, const char *help)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->f[i].name, name) == 0)
			return i;
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->f = xrealloc(m->f, m->cap * sizeof(*m->f));
	}
	struct family *f = &m->f[m->n];
	f->name = name;
	f->help = help;
	f->type = t;
	buf_init(&f->lines);
	return m->n++;
}

void metrics_put_value(struct buf *out, double v)
{
	char s[40];
	if (isnan(v)) {
		buf_adds(out, "NaN");
		return;
	}
	if (isinf(v)) {
		buf_adds(out, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(s, sizeof(s), "%.0f", v);
	} else {
		snprintf(s, sizeof(s), "%.15g", v);
		if (strtod(s, NULL) != v)	/* the shortest that reads back the same */
			snprintf(s, sizeof(s), "%.17g", v);
	}
	buf_adds(out, s);
}

/* A label value or HELP text: backslash and newline escaped, and " too in a label value. */
static void put_escaped(struct buf *out, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_adds(out, "\\\\");
		else if (*s == '\n')
			buf_adds(out, "\\n");
		else if (*s == '"' && quote)
			buf_adds(out, "\\\"");
		else
			buf_addc(out, *s);
	}
}

/* name{labels[,extra="value"]} value\n; extra may be NULL. */
static void put_sample(struct buf *out, const char *name, const char *suffix,
		       const char *const *labels, const char *extra, const char *extra_value,
		       double v)
{
	buf_adds(out, name);
	buf_adds(out, suffix);
	int first = 1;
	for (size_t i = 0; labels && labels[i] && labels[i + 1]; i += 2) {
		buf_adds(out, first ? "{" : ",");
		first = 0;
		buf_adds(out, labels[i]);
		buf_adds(out, "=\"");
		put_escaped(out, labels[i + 1], 1);
		buf_addc(out, '"');
	}
	if (extra) {
		buf_adds(out, first ? "{" : ",");
		first = 0;
		buf_printf(out, "%s=\"%s\"", extra, extra_value);
	}
	if (!first)
		buf_addc(out, '}');
	buf_addc(out, ' ');
	metrics_put_value(out, v);
	buf_addc(out, '\n');
}

void metrics_add(struct metrics *m, size_t fam, const char *const *labels, double v)
{
	struct family *f = &m->f[fam];
	put_sample(&f->lines, f->name, "", labels, NULL, NULL, v);
}

void metrics_add_hist(struct metrics *m, size_t fam, const char *const *labels,
		      const struct metric_hist *h)
{
	struct family *f = &m->f[fam];
	uint64_t cum = 0;
	for (size_t i = 0; i <= h->n; i++) {
		struct buf le = BUF_INIT;
		if (i < h->n)
			metrics_put_value(&le, h->bounds[i]);
		else
			buf_adds(&le, "+Inf");
		cum += h->counts[i];
		put_sample(&f->lines, f->name, "_bucket", labels, "le", le.ptr, (double)cum);
		buf_release(&le);
	}
	put_sample(&f->lines, f->name, "_sum", labels, NULL, NULL, h->sum);
	put_sample(&f->lines, f->name, "_count", labels, NULL, NULL, (double)cum);
}

void metrics_write(const struct metrics *m, struct buf *out)
{
	static const char *const types[] = { "gauge", "counter", "histogram" };
	for (size_t i = 0; i < m->n; i++) {
		const struct family *f = &m->f[i];
		buf_printf(out, "# HELP %s ", f->name);
		put_escaped(out, f->help, 0);
		buf_printf(out, "\n# TYPE %s %s\n", f->name, types[f->type]);
		if (f->lines.len)
			buf_add(out, f->lines.ptr, f->lines.len);
	}
}
