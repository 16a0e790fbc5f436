/* doctor/finding.h: what memcsess doctor reports: findings, each a check's verdict on the pool
 * or on one server, with its evidence in figures and what to do. */
#ifndef MEMCSESS_DOCTOR_FINDING_H
#define MEMCSESS_DOCTOR_FINDING_H

#include <stddef.h>

enum doc_severity {
	DOC_OK,		/* a check that found nothing wrong (reported as info, "ok") */
	DOC_INFO,	/* worth knowing, nothing to do */
	DOC_WARNING,
	DOC_CRITICAL,
};

struct doc_figure {
	char *name;		/* owned */
	char *str;		/* owned, or NULL: then num is the value */
	double num;
};

struct doc_finding {
	const char *check;	/* "stuck-lock", ...; static */
	enum doc_severity sev;
	int server;		/* index in the pool, or -1 for the pool as a whole */
	char *message;		/* owned: what was seen */
	char *advice;		/* owned, or NULL: what to do */
	struct doc_figure *figs;	/* owned */
	size_t n_figs;
};

struct doc_report {
	struct doc_finding *f;
	size_t n, cap;
};

/* Appends a finding (message new from fmt) and returns it for figures and advice. */
struct doc_finding *doc_add(struct doc_report *r, const char *check, enum doc_severity sev,
			    int server, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Sets the advice (new from fmt). */
void doc_advise(struct doc_finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a number, or a string (new from fmt), to the evidence. */
void doc_num(struct doc_finding *f, const char *name, double v);
void doc_str(struct doc_finding *f, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The figure called name, or NULL. */
const struct doc_figure *doc_figure(const struct doc_finding *f, const char *name);
/* The worst severity in r (DOC_OK when empty). */
enum doc_severity doc_worst(const struct doc_report *r);
/* "ok", "info", "warning", "critical". */
const char *doc_severity_name(enum doc_severity s);
void doc_report_release(struct doc_report *r);

#endif
