/* metrics.h: a set of Prometheus metric families, filled sample by sample, and written in the
 * text exposition format (version 0.0.4): HELP and TYPE lines, label values escaped,
 * histograms as cumulative buckets with +Inf, _sum and _count. */
#ifndef MEMCSESS_EXPORTER_METRICS_H
#define MEMCSESS_EXPORTER_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "util.h"

enum metric_type { METRIC_GAUGE, METRIC_COUNTER, METRIC_HISTOGRAM };

/* A histogram's state: counts[i] are the observations in bucket i alone (not cumulative),
 * bucket i holding those <= bounds[i] and above bounds[i - 1]; counts[n] those above every
 * bound. The writer makes them cumulative. */
struct metric_hist {
	const double *bounds;	/* increasing, without +Inf */
	size_t n;
	const uint64_t *counts;	/* n + 1 */
	double sum;
};

struct metrics;

/* Returns new, empty. */
struct metrics *metrics_new(void);
/* Frees m and every sample. */
void metrics_free(struct metrics *m);
/* The family called name (a valid metric name, help and name static), declared on first use;
 * returns its number for metrics_add. Families are written in the order declared. */
size_t metrics_family(struct metrics *m, const char *name, enum metric_type t, const char *help);
/* Adds one sample of a gauge or counter family; labels: name, value, name, value, ..., NULL
 * (values any bytes, escaped on output). */
void metrics_add(struct metrics *m, size_t fam, const char *const *labels, double v);
/* Adds one histogram (its _bucket, _sum and _count series) to a histogram family. */
void metrics_add_hist(struct metrics *m, size_t fam, const char *const *labels,
		      const struct metric_hist *h);
/* Appends the exposition text of every family to out. */
void metrics_write(const struct metrics *m, struct buf *out);
/* Appends v as the format writes sample values: integers without a point, +Inf, NaN. */
void metrics_put_value(struct buf *out, double v);

#endif
