/* doctor/doctor.c: running every check (see doctor.h). */
#include "doctor/doctor.h"
#include "doctor/checks.h"
#include "doctor/placement.h"
#include "doctor/sample.h"
#include "doctor/sample_checks.h"
#include "doctor/sessions.h"
#include "util.h"

#include <stdlib.h>

int doctor_run(const struct pool *p, const struct doc_opts *o, struct doc_report *r,
	       size_t *reached, char **cause)
{
	static void (*const checks[])(const struct doc_input *, struct doc_report *) = {
		doc_check_reach, doc_check_version, doc_check_listing, doc_check_placement,
		doc_check_locks, doc_check_expiry, doc_check_size, doc_check_eviction,
		doc_check_memory, doc_check_replicas, doc_check_exposure, doc_check_certificate,
		doc_check_sample,
	};
	struct doc_data d;
	struct doc_alt alt;
	if (doc_gather(p, o, &d, cause) < 0)
		return -1;
	*reached = d.reached;
	int have_alt = doc_placement_explain(p, o->replicas, d.sample, d.n_sample, &alt) == 0;
	struct doc_sample *smp = NULL;
	if (o->sample > 0 && d.reached && !(o->cancel && *o->cancel)) {
		smp = xmalloc(sizeof(*smp));
		doc_sample_run(p, o->sample, o->cancel, smp);
	}
	struct doc_input in = { p, o, &d, have_alt ? &alt : NULL, smp };
	/* with no server answering only the reach check has anything to say */
	for (size_t i = 0; i < (d.reached ? sizeof(checks) / sizeof(checks[0]) : 1); i++)
		checks[i](&in, r);
	if (smp)
		doc_sample_release(smp);
	free(smp);
	if (have_alt)
		doc_alt_release(&alt);
	doc_data_release(&d);
	return 0;
}
