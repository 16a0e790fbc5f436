/* doctor.c: memcsess doctor: what is wrong with the session pool, for people (grouped by
 * severity), as JSON Lines, or as a Nagios/Icinga plugin. */
#include "commands.h"
#include "doctor/doctor.h"
#include "signals.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_JSON = 1, O_NAGIOS, O_DEEP, O_LOCK_AGE, O_REPLICAS, O_SAMPLE };
static const struct cmd_opt doctor_opts[] = {
	{ "json", 'j', 0, O_JSON },
	{ "nagios", 0, 0, O_NAGIOS },
	{ "deep", 0, 0, O_DEEP },
	{ "lock-age", 0, ARG_DURATION, O_LOCK_AGE },
	{ "replicas", 0, ARG_NUMBER, O_REPLICAS },
	{ "sample", 0, ARG_DURATION, O_SAMPLE },
	{ NULL, 0, 0, 0 },
};

#define DEFAULT_LOCK_AGE 60	/* seconds: no PHP request should hold a lock that long */

/* Nagios plugin exit codes. */
enum { NAGIOS_OK, NAGIOS_WARNING, NAGIOS_CRITICAL, NAGIOS_UNKNOWN };

static const char *server_name(const struct cmd_ctx *ctx, const struct doc_finding *f)
{
	return f->server >= 0 ? ctx->pool.servers[f->server].name : NULL;
}

/* A JSON string of s; bytes that are no UTF-8 (a server's garbage quoted in a message) are
 * written escaped. */
static json_t *json_text(const char *s)
{
	if (utf8_valid(s, strlen(s)))
		return json_string(s);
	struct buf b = BUF_INIT;
	buf_add_escaped(&b, s, strlen(s));
	json_t *j = json_string(b.ptr ? b.ptr : "");
	buf_release(&b);
	return j;
}

/* A figure's number in JSON: an integer when it is one. */
static json_t *json_figure(double v)
{
	if (v == (double)(json_int_t)v && v > -9e15 && v < 9e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

/* "name=value" for each figure, space-separated. */
static void figures_text(const struct doc_finding *f, struct buf *b)
{
	for (size_t i = 0; i < f->n_figs; i++) {
		const struct doc_figure *g = &f->figs[i];
		char num[32];
		if (!g->str)
			snprintf(num, sizeof(num), g->num == (double)(long long)g->num ? "%.0f" : "%.4g", g->num);
		buf_printf(b, "%s%s=%s", i ? " " : "", g->name, g->str ? g->str : num);
	}
}

/* s for a terminal: as it is when it is UTF-8 without control bytes, else escaped (a server's
 * garbage quoted in a message). Returns new. */
static char *clean(const char *s)
{
	size_t n = strlen(s);
	int plain = utf8_valid(s, n);
	for (size_t i = 0; plain && i < n; i++)
		plain = (unsigned char)s[i] >= 0x20 && s[i] != 0x7f;
	if (plain)
		return xstrdup(s);
	struct buf b = BUF_INIT;
	buf_add_escaped(&b, s, n);
	return buf_detach(&b, NULL);
}

static void print_people(const struct cmd_ctx *ctx, const struct doc_report *r)
{
	static const char *const titles[] = { "OK", "INFO", "WARNING", "CRITICAL" };
	size_t count[DOC_CRITICAL + 1] = { 0 };
	for (int sev = DOC_CRITICAL; sev >= DOC_OK; sev--) {
		int head = 0;
		for (size_t i = 0; i < r->n; i++) {
			const struct doc_finding *f = &r->f[i];
			if ((int)f->sev != sev)
				continue;
			count[sev]++;
			if (!head++)
				printf("%s%s\n", sev == DOC_CRITICAL ? "" : "\n", titles[sev]);
			const char *s = server_name(ctx, f);
			char *m = clean(f->message);
			printf("  %s%s%s: %s\n", f->check, s ? " " : "", s ? s : "", m);
			free(m);
			if (sev == DOC_OK)
				continue;
			struct buf b = BUF_INIT;
			figures_text(f, &b);
			if (b.len)
				printf("    figures: %s\n", b.ptr);
			if (f->advice)
				printf("    what to do: %s\n", f->advice);
			buf_release(&b);
		}
	}
	printf("\ndoctor: %zu critical, %zu warning, %zu info, %zu ok\n", count[DOC_CRITICAL],
	       count[DOC_WARNING], count[DOC_INFO], count[DOC_OK]);
}

static void print_json(const struct cmd_ctx *ctx, const struct doc_report *r)
{
	for (size_t i = 0; i < r->n && !cmd_output_failed(); i++) {
		const struct doc_finding *f = &r->f[i];
		const char *s = server_name(ctx, f);
		json_t *figs = json_object();
		for (size_t k = 0; k < f->n_figs; k++)
			json_object_set_new(figs, f->figs[k].name, f->figs[k].str ?
					    json_text(f->figs[k].str) : json_figure(f->figs[k].num));
		json_t *o = json_pack("{s:s,s:s,s:b,s:o,s:o,s:o,s:o}", "check", f->check,
			"severity", f->sev == DOC_OK ? "info" : doc_severity_name(f->sev),
			"ok", f->sev == DOC_OK, "server", s ? json_text(s) : json_null(),
			"message", json_text(f->message), "advice", f->advice ? json_text(f->advice) :
			json_null(), "figures", figs);
		char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		puts(line);
		free(line);
		json_decref(o);
	}
}

/* One status line and perfdata; returns the plugin exit code. */
static int print_nagios(const struct cmd_ctx *ctx, const struct doc_report *r)
{
	static const char *const status[] = { "OK", "WARNING", "CRITICAL" };
	enum doc_severity worst = doc_worst(r);
	int code = worst == DOC_CRITICAL ? NAGIOS_CRITICAL : worst == DOC_WARNING ? NAGIOS_WARNING :
		   NAGIOS_OK;
	size_t crit = 0, warn = 0;
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < r->n; i++) {
		const struct doc_finding *f = &r->f[i];
		crit += f->sev == DOC_CRITICAL;
		warn += f->sev == DOC_WARNING;
		if (f->sev != worst || worst < DOC_WARNING)
			continue;
		const char *s = server_name(ctx, f);
		buf_printf(&b, "%s%s%s%s", b.len ? ", " : ": ", f->check, s ? " " : "", s ? s : "");
	}
	printf("MEMCSESS DOCTOR %s - %zu critical, %zu warning%s | critical=%zu warning=%zu "
	       "servers=%zu\n", status[code], crit, warn, b.ptr ? b.ptr : "", crit, warn,
	       ctx->pool.n);
	buf_release(&b);
	return code;
}

/* Applies doctor's options; returns 0 or an exit code. */
static int doctor_options(const struct cmd_args *a, struct doc_opts *o, int *json, int *nagios)
{
	double secs;
	long n;
	for (size_t i = 0; i < a->n_opts; i++) {
		const char *arg = a->opts[i].arg;
		switch (a->opts[i].key) {
		case O_JSON: *json = 1; break;
		case O_NAGIOS: *nagios = 1; break;
		case O_DEEP: o->deep = 1; break;
		case O_LOCK_AGE:
			if (parse_duration(arg, &secs) < 0 || secs < 0) {
				cmd_error("--lock-age: expected a duration (90, 90s, 15m, 2h), got '%s'", arg);
				return EXIT_USAGE;
			}
			o->lock_age = (int64_t)secs;
			break;
		case O_SAMPLE:
			if (parse_duration(arg, &secs) < 0 || secs <= 0 || secs > 86400) {
				cmd_error("--sample: expected a duration up to a day (30, 30s, 5m), got "
					  "'%s'", arg);
				return EXIT_USAGE;
			}
			o->sample = secs;
			break;
		case O_REPLICAS:
			if (cmd_parse_count("replicas", arg, &n) < 0)
				return EXIT_USAGE;
			o->replicas = n > 1000 ? 1000 : (int)n;
			break;
		}
	}
	if (*json && *nagios) {
		cmd_error("doctor: --json and --nagios exclude each other");
		return EXIT_USAGE;
	}
	if (a->n_pos) {
		cmd_error("doctor: takes no arguments, got '%s'", a->pos[0]);
		return EXIT_USAGE;
	}
	return 0;
}

static int doctor_exit(const struct doc_report *r, size_t reached)
{
	enum doc_severity w = doc_worst(r);
	if (!reached)
		return EXIT_POOL;
	return w == DOC_CRITICAL ? EXIT_CRITICAL : w == DOC_WARNING ? EXIT_WARNING : EXIT_OK;
}

static int doctor_run_cmd(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	struct doc_opts o = { .lock_age = DEFAULT_LOCK_AGE, .cancel = ctx->cancel };
	int json = 0, nagios = 0;
	int ret = doctor_options(a, &o, &json, &nagios);
	if (ret)
		return nagios ? NAGIOS_UNKNOWN : ret;
	struct doc_report r = { 0 };
	size_t reached = 0;
	char *cause = NULL;
	/* with --sample, Ctrl-C ends the sample and the report is still given; run alone (not
	 * from the shell, which has its flag armed), doctor takes the signals for that */
	volatile sig_atomic_t interrupted = 0;
	struct signals sg;
	int took = o.sample > 0 && !o.cancel;
	if (took) {
		signals_take(&sg, SIGNALS_INT | SIGNALS_TERM, &interrupted);
		o.cancel = &interrupted;
	}
	int failed = doctor_run(&ctx->pool, &o, &r, &reached, &cause) < 0;
	if (took)
		signals_give_back(&sg);
	if (failed) {
		if (nagios)
			printf("MEMCSESS DOCTOR UNKNOWN - %s\n", cause);
		else
			cmd_error("%s", cause);
		free(cause);
		return nagios ? NAGIOS_UNKNOWN : EXIT_USAGE;
	}
	if (o.cancel && *o.cancel) {
		doc_report_release(&r);
		return nagios ? NAGIOS_UNKNOWN : EXIT_INTERRUPTED;
	}
	if (nagios)
		ret = print_nagios(ctx, &r);
	else if (json)
		print_json(ctx, &r);
	else
		print_people(ctx, &r);
	if (!nagios)
		ret = doctor_exit(&r, reached);
	doc_report_release(&r);
	return ret;
}

const struct cmd_entry cmd_doctor_entry = {
	.name = "doctor",
	.usage = "[--json | --nagios] [--deep] [--lock-age DURATION] [--replicas N] "
		 "[--sample S]",
	.summary = "what is wrong with the session pool, and what to do about it",
	.needs = NEED_POOL,
	.opts = doctor_opts,
	.run = doctor_run_cmd,
};
