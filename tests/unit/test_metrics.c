/* test_metrics.c: the Prometheus text exposition writer: HELP/TYPE lines, label values and
 * HELP text escaped, sample values, histograms cumulative with +Inf, _sum and _count. */
#include "unit.h"
#include "exporter/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	double v;
	const char *want;
} values[] = {
	{ 0, "0" }, { 5, "5" }, { -3, "-3" }, { 1e12, "1000000000000" }, { 0.5, "0.5" },
	{ 0.1, "0.1" }, { 1.0 / 3, "0.33333333333333331" }, { 1e20, "1e+20" },
	{ INFINITY, "+Inf" }, { -INFINITY, "-Inf" }, { NAN, "NaN" },
};

/* A label value and the text it must be written as between the quotes. */
static const struct {
	const char *value, *want;
} escapes[] = {
	{ "127.0.0.1:11211", "127.0.0.1:11211" },
	{ "a\"b", "a\\\"b" },
	{ "back\\slash", "back\\\\slash" },
	{ "new\nline", "new\\nline" },
	{ "\\\"\n", "\\\\\\\"\\n" },
	{ "", "" },
	{ "/run/memcached.sock", "/run/memcached.sock" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" },
};

/* One check: got == want; a difference is shown as comment lines. */
static void check_text(const struct buf *got, const char *want, const char *name)
{
	if (unit_check(got->ptr && strcmp(got->ptr, want) == 0, "%s", name))
		return;
	printf("# got:\n");
	for (const char *s = got->ptr ? got->ptr : ""; *s; ) {
		size_t n = strcspn(s, "\n");
		printf("#   %.*s\n", (int)n, s);
		s += n + (s[n] == '\n');
	}
}

static void test_values(void)
{
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct buf b = BUF_INIT;
		metrics_put_value(&b, values[i].v);
		check_text(&b, values[i].want, values[i].want);
		buf_release(&b);
	}
}

static void test_escapes(void)
{
	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		struct metrics *m = metrics_new();
		size_t f = metrics_family(m, "t_up", METRIC_GAUGE, "help");
		const char *l[] = { "server", escapes[i].value, NULL };
		metrics_add(m, f, l, 1);
		struct buf b = BUF_INIT, want = BUF_INIT;
		metrics_write(m, &b);
		buf_printf(&want, "# HELP t_up help\n# TYPE t_up gauge\nt_up{server=\"%s\"} 1\n",
			   escapes[i].want);
		char name[64];
		snprintf(name, sizeof(name), "label value %zu escaped", i);
		check_text(&b, want.ptr, name);
		buf_release(&b);
		buf_release(&want);
		metrics_free(m);
	}
}

static void test_families(void)
{
	struct metrics *m = metrics_new();
	size_t a = metrics_family(m, "t_a_total", METRIC_COUNTER, "a \\ help\nwith \"quotes\"");
	size_t b = metrics_family(m, "t_b", METRIC_GAUGE, "b");
	unit_check(metrics_family(m, "t_a_total", METRIC_COUNTER, "again") == a,
		   "a family declared twice is the same family");
	const char *l1[] = { "server", "s1", NULL }, *l2[] = { "server", "s2", "handler", "php",
								NULL };
	metrics_add(m, b, NULL, 2.5);
	metrics_add(m, a, l1, 7);
	metrics_add(m, a, l2, 8);
	metrics_family(m, "t_empty", METRIC_GAUGE, "no samples");
	struct buf out = BUF_INIT;
	metrics_write(m, &out);
	const char *want =
		"# HELP t_a_total a \\\\ help\\nwith \"quotes\"\n# TYPE t_a_total counter\n"
		"t_a_total{server=\"s1\"} 7\nt_a_total{server=\"s2\",handler=\"php\"} 8\n"
		"# HELP t_b b\n# TYPE t_b gauge\nt_b 2.5\n"
		"# HELP t_empty no samples\n# TYPE t_empty gauge\n";
	check_text(&out, want, "families in declaration order, samples grouped, HELP escaped");
	buf_release(&out);
	metrics_free(m);
}

static void test_histogram(void)
{
	static const double bounds[] = { 1, 10, 100 };
	static const uint64_t counts[] = { 2, 0, 3, 1 };	/* the last: above 100 */
	struct metric_hist h = { bounds, 3, counts, 1234.5 };
	struct metrics *m = metrics_new();
	size_t f = metrics_family(m, "t_size_bytes", METRIC_HISTOGRAM, "sizes");
	const char *l[] = { "server", "s\"1", NULL };
	metrics_add_hist(m, f, l, &h);
	struct buf out = BUF_INIT;
	metrics_write(m, &out);
	const char *want =
		"# HELP t_size_bytes sizes\n# TYPE t_size_bytes histogram\n"
		"t_size_bytes_bucket{server=\"s\\\"1\",le=\"1\"} 2\n"
		"t_size_bytes_bucket{server=\"s\\\"1\",le=\"10\"} 2\n"
		"t_size_bytes_bucket{server=\"s\\\"1\",le=\"100\"} 5\n"
		"t_size_bytes_bucket{server=\"s\\\"1\",le=\"+Inf\"} 6\n"
		"t_size_bytes_sum{server=\"s\\\"1\"} 1234.5\n"
		"t_size_bytes_count{server=\"s\\\"1\"} 6\n";
	check_text(&out, want, "histogram: cumulative buckets, +Inf, _sum, _count == +Inf");
	buf_release(&out);
	metrics_free(m);

	/* no observation at all, and no labels */
	static const uint64_t zero[] = { 0, 0 };
	struct metric_hist e = { bounds, 1, zero, 0 };
	m = metrics_new();
	f = metrics_family(m, "t_h", METRIC_HISTOGRAM, "h");
	metrics_add_hist(m, f, NULL, &e);
	buf_init(&out);
	metrics_write(m, &out);
	check_text(&out, "# HELP t_h h\n# TYPE t_h histogram\nt_h_bucket{le=\"1\"} 0\n"
		   "t_h_bucket{le=\"+Inf\"} 0\nt_h_sum 0\nt_h_count 0\n",
		   "an empty histogram without labels");
	buf_release(&out);
	metrics_free(m);
}

int main(void)
{
	test_values();
	test_escapes();
	test_families();
	test_histogram();
	return unit_done();
}
