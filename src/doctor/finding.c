/* doctor/finding.c: the findings list (see finding.h). */
#include "doctor/finding.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 1, 0)))
static char *vformat(const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT;
	buf_vprintf(&b, fmt, ap);
	return buf_detach(&b, NULL);
}

struct doc_finding *doc_add(struct doc_report *r, const char *check, enum doc_severity sev,
			    int server, const char *fmt, ...)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->f = xrealloc(r->f, r->cap * sizeof(*r->f));
	}
	struct doc_finding *f = &r->f[r->n++];
	memset(f, 0, sizeof(*f));
	f->check = check;
	f->sev = sev;
	f->server = server;
	va_list ap;
	va_start(ap, fmt);
	f->message = vformat(fmt, ap);
	va_end(ap);
	return f;
}

void doc_advise(struct doc_finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(f->advice);
	f->advice = vformat(fmt, ap);
	va_end(ap);
}

static struct doc_figure *new_figure(struct doc_finding *f, const char *name)
{
	f->figs = xrealloc(f->figs, (f->n_figs + 1) * sizeof(*f->figs));
	struct doc_figure *g = &f->figs[f->n_figs++];
	memset(g, 0, sizeof(*g));
	g->name = xstrdup(name);
	return g;
}

void doc_num(struct doc_finding *f, const char *name, double v)
{
	new_figure(f, name)->num = v;
}

void doc_str(struct doc_finding *f, const char *name, const char *fmt, ...)
{
	struct doc_figure *g = new_figure(f, name);
	va_list ap;
	va_start(ap, fmt);
	g->str = vformat(fmt, ap);
	va_end(ap);
}

const struct doc_figure *doc_figure(const struct doc_finding *f, const char *name)
{
	for (size_t i = 0; i < f->n_figs; i++)
		if (strcmp(f->figs[i].name, name) == 0)
			return &f->figs[i];
	return NULL;
}

enum doc_severity doc_worst(const struct doc_report *r)
{
	enum doc_severity w = DOC_OK;
	for (size_t i = 0; i < r->n; i++)
		if (r->f[i].sev > w)
			w = r->f[i].sev;
	return w;
}

const char *doc_severity_name(enum doc_severity s)
{
	static const char *const names[] = { "ok", "info", "warning", "critical" };
	return s <= DOC_CRITICAL ? names[s] : "?";
}

void doc_report_release(struct doc_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct doc_finding *f = &r->f[i];
		free(f->message);
		free(f->advice);
		for (size_t k = 0; k < f->n_figs; k++) {
			free(f->figs[k].name);
			free(f->figs[k].str);
		}
		free(f->figs);
	}
	free(r->f);
	memset(r, 0, sizeof(*r));
}
