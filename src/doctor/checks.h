/* doctor/checks.h: memcsess doctor's checks of the servers (the sessions' are in
 * sessions.h): each judges what doc_gather learned and adds its
 * findings (one DOC_OK finding when it saw nothing wrong). No I/O. */
#ifndef MEMCSESS_DOCTOR_CHECKS_H
#define MEMCSESS_DOCTOR_CHECKS_H

#include "doctor/finding.h"
#include "doctor/gather.h"
#include "doctor/placement.h"
#include "mc/pool.h"

#define DOC_SLOW_MS 50.0		/* a round trip past this is slow (warning) */
#define DOC_LONG_TTL (30 * 86400)	/* memcached reads larger relative TTLs as unix times */
#define DOC_MEMORY_LOW 0.10		/* headroom under this share of -m: full */
#define DOC_FULL_SOON 3600.0		/* full within this many seconds at the current rate */
#define DOC_CERT_SOON (30 * 86400)	/* a TLS certificate ending within this: warning */

struct doc_sample;

/* What the checks are given. */
struct doc_input {
	const struct pool *p;
	const struct doc_opts *o;
	struct doc_data *d;
	const struct doc_alt *alt;	/* the best other placement, or NULL */
	const struct doc_sample *sample;	/* --sample: what the watch saw, or NULL */
};

/* The version check's verdict on one version string: DOC_OK, or the severity and *why
 * (static) of its worst known problem. */
enum doc_severity doc_version_problem(const char *version, const char **why);
/* The exposure verdict for a server on an address of this scope with or without authentication
 * (auth: 1 yes, 0 no, -1 unknown). */
enum doc_severity doc_exposure(enum net_scope scope, int auth);

void doc_check_reach(const struct doc_input *in, struct doc_report *r);
void doc_check_version(const struct doc_input *in, struct doc_report *r);
void doc_check_listing(const struct doc_input *in, struct doc_report *r);
void doc_check_eviction(const struct doc_input *in, struct doc_report *r);
void doc_check_memory(const struct doc_input *in, struct doc_report *r);
void doc_check_exposure(const struct doc_input *in, struct doc_report *r);
/* With TLS: a certificate past its end or within DOC_CERT_SOON of it. */
void doc_check_certificate(const struct doc_input *in, struct doc_report *r);

#endif
