/* watch.c: memcsess watch: what is happening to the sessions, live, from memcached's log
 * stream (src/mc/watch.c) turned into session events (src/activity.c). */
#include "commands.h"
#include "activity.h"
#include "activity_run.h"
#include "activity_top.h"
#include "mc/watch.h"
#include "php/handlers.h"
#include "util.h"
#include "php/json_escape.h"
#include "php/value_json.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { O_JSON = 1, O_EVENTS, O_DURATION, O_SUMMARY, O_LOCK_SLOW, O_MUTATIONS };
static const struct cmd_opt watch_opts[] = {
	{ "json", 0, 0, O_JSON },
	{ "events", 'e', ARG_EVENTS, O_EVENTS },
	{ "duration", 0, ARG_DURATION, O_DURATION },
	{ "summary", 0, ARG_DURATION, O_SUMMARY },
	{ "lock-slow", 0, ARG_DURATION, O_LOCK_SLOW },
	{ "mutations", 0, 0, O_MUTATIONS },
	{ NULL, 0, 0, 0 },
};

#define TOP_SHOW 5

struct srvstat {
	unsigned long count[ACT_KINDS];
};

struct watcher {
	struct cmd_ctx *ctx;
	int json;
	unsigned kinds;		/* bit per act_kind shown */
	double duration, summary, lock_slow;
	int mutations;
	const char *glob;
	struct srvstat *srv;
	struct act_run *run;
	struct act_top contention, evictions;
	double next_summary;
	struct buf out;		/* event lines not yet handed to stdout */
};

#define OUT_FLUSH 65536

/* Hands the event lines kept to stdout: one write for a batch, not one a line. */
static void out_flush(struct watcher *w)
{
	if (w->out.len)
		fwrite(w->out.ptr, 1, w->out.len, stdout);
	buf_reset(&w->out);
}

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* "2026-12-07T15:21:15.123456Z" (out: 28 bytes at least); the date and time of the last second
 * formatted are kept, as events come tens of thousands a second. */
static void fmt_stamp(double t, char *out)
{
	static time_t last = (time_t)-1;
	static char day[24];
	time_t s = (time_t)t;
	if (s != last) {
		struct tm tm;
		gmtime_r(&s, &tm);
		if (!strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm))
			day[0] = '\0';
		day[19] = '\0';
		last = s;
	}
	double frac = t - (double)s;
	unsigned us = frac <= 0 ? 0 : frac >= 0.999999 ? 999999 : (unsigned)(frac * 1e6 + 0.5);
	us %= 1000000u;
	size_t n = strlen(day);
	memcpy(out, day, n);
	out[n++] = '.';
	for (int k = 5; k >= 0; k--, us /= 10)
		out[n + (size_t)k] = (char)('0' + us % 10);
	memcpy(out + n + 6, "Z", 2);
}

/* A string for JSON: as it is when valid UTF-8, else with %XX for bytes past 0x7e. */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	struct buf b = BUF_INIT;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c > 0x7e)
			buf_printf(&b, "%%%02X", c);
		else
			buf_addc(&b, (char)c);
	}
	j = json_string(b.ptr ? b.ptr : "");
	buf_release(&b);
	return j;
}

/* Event lines are written without building a jansson tree (there may be tens of thousands a
 * second), byte for byte as json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) would write them. */
static void jkey(struct buf *b, const char *k)
{
	buf_addc(b, b->len ? ',' : '{');
	json_write_string(b, k, strlen(k));
	buf_addc(b, ':');
}

static void jtext(struct buf *b, const char *k, const char *v)
{
	jkey(b, k);
	if (!v || !*v)
		buf_adds(b, "null");
	else if (json_write_utf8(b, v, strlen(v)) < 0) {
		json_t *j = jstr(v);	/* bytes past 0x7e as %XX */
		json_write_string(b, json_string_value(j), strlen(json_string_value(j)));
		json_decref(j);
	}
}

static void jnum(struct buf *b, const char *k, int64_t v, int null_below_zero)
{
	jkey(b, k);
	if (null_below_zero && v < 0)
		buf_adds(b, "null");
	else
		json_write_int(b, v);
}

static void jbool(struct buf *b, const char *k, int v)
{
	jkey(b, k);
	buf_adds(b, v ? "true" : "false");
}

static void jreal(struct buf *b, const char *k, double v)
{
	jkey(b, k);
	json_write_float(b, v);
}

static void jtime(struct buf *b, const char *k, double t)
{
	char s[40];
	fmt_stamp(t, s);
	jtext(b, k, t > 0 ? s : NULL);
}

static void json_details(struct buf *b, const struct pool *p, const struct act_event *e)
{
	switch (e->kind) {
	case ACT_READ: case ACT_WRITE: case ACT_NEW: case ACT_REFUSED:
		jnum(b, "size", e->size, 1);
		if (e->kind != ACT_READ && e->kind != ACT_REFUSED)
			jnum(b, "ttl", e->ttl, 1);
		break;
	case ACT_CONTENTION:
		jtext(b, "holder", e->holder);
		jtime(b, "since", e->since);
		jreal(b, "waited", e->waited);
		jnum(b, "retries", e->retries, 0);
		break;
	case ACT_LOCK_HELD:
		jtime(b, "since", e->since);
		jreal(b, "held", e->held);
		break;
	case ACT_EVICTION:
		jbool(b, "lock", e->lock);
		jnum(b, "ttl", e->ttl, 0);
		jnum(b, "idle", e->idle, 1);
		jnum(b, "size", e->size, 1);
		jbool(b, "fetched", e->fetched);
		break;
	case ACT_MISPLACED:
		jbool(b, "lock", e->lock);
		jtext(b, "home", p->servers[e->home].name);
		break;
	case ACT_SKIPPED:
		jnum(b, "skipped", (int64_t)e->skipped, 0);
		break;
	case ACT_SERVER:
		jkey(b, "text");
		json_write_string(b, e->text ? e->text : "", e->text ? strlen(e->text) : 0);
		break;
	default:
		break;
	}
}

/* One JSON line, appended to out. */
static void print_json(struct buf *out, const struct pool *p, const struct act_event *e)
{
	static struct buf b;
	buf_reset(&b);	/* the first jkey opens the object */
	jtime(&b, "time", e->time);
	jtext(&b, "server", p->servers[e->server].name);
	jtext(&b, "client", e->client);
	jtext(&b, "event", act_kind_name(e->kind));
	jtext(&b, "sid", e->sid);
	if (e->status)
		jtext(&b, "status", e->status);
	if (e->inferred)
		jbool(&b, "inferred", 1);
	json_details(&b, p, e);
	buf_adds(&b, "}\n");
	buf_add(out, b.ptr, b.len);
}

/* The sid for people: bytes past 0x7e and controls as %XX. */
static void add_sid(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c > 0x7e || c == '%') {
			char x[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_add(b, x, 3);
		} else {
			buf_addc(b, (char)c);
		}
	}
}

static void add_duration(struct buf *b, const char *k, int64_t secs)
{
	char d[32];
	fmt_duration(secs, d, sizeof(d));
	buf_adds(b, k);
	buf_adds(b, d);
}

static void add_size(struct buf *b, int64_t size)
{
	buf_adds(b, " size=");
	json_write_int(b, size);
}

static void text_details(struct buf *b, const struct pool *p, const struct act_event *e)
{
	char t[40];
	switch (e->kind) {
	case ACT_READ: case ACT_WRITE: case ACT_NEW: case ACT_REFUSED:
		if (e->size >= 0)
			add_size(b, e->size);
		if (e->ttl >= 0 && (e->kind == ACT_WRITE || e->kind == ACT_NEW))
			add_duration(b, " ttl=", e->ttl);
		break;
	case ACT_CONTENTION:
		buf_printf(b, " holder=%s waited=%.2fs retries=%u",
			   e->holder[0] ? e->holder : "unknown", e->waited, e->retries);
		if (e->since > 0) {
			fmt_stamp(e->since, t);
			buf_printf(b, " since=%s", t);
		}
		break;
	case ACT_LOCK_HELD:
		buf_printf(b, " held=%.2fs", e->held);
		break;
	case ACT_EVICTION:
		add_duration(b, e->lock ? " lock ttl-left=" : " ttl-left=", e->ttl);
		if (e->idle >= 0)
			add_duration(b, " idle=", e->idle);
		add_size(b, e->size);
		if (!e->fetched)
			buf_adds(b, " never-read");
		break;
	case ACT_MISPLACED:
		buf_printf(b, "%s php-uses=%s", e->lock ? " lock" : "", p->servers[e->home].name);
		break;
	case ACT_SKIPPED:
		buf_printf(b, " %llu lines dropped by memcached (the watch fell behind)",
			   (unsigned long long)e->skipped);
		break;
	case ACT_SERVER:
		buf_adds(b, ": ");
		buf_adds(b, watch_strip_server(e->text ? e->text : "", p->servers[e->server].name));
		break;
	default:
		break;
	}
}

/* One line for people. */
static void print_text(struct buf *b, const struct pool *p, const struct act_event *e)
{
	char t[40];
	fmt_stamp(e->time, t);
	buf_adds(b, t);
	buf_addc(b, ' ');
	buf_adds(b, p->servers[e->server].name);
	buf_addc(b, ' ');
	buf_adds(b, act_kind_name(e->kind));
	if (e->sid[0]) {
		buf_adds(b, " sid=");
		add_sid(b, e->sid);
	}
	if (e->kind != ACT_SERVER && e->kind != ACT_SKIPPED && e->kind != ACT_EVICTION) {
		buf_adds(b, " client=");
		buf_adds(b, e->client[0] ? e->client : "unknown");
	}
	if (e->status) {
		buf_addc(b, ' ');
		buf_adds(b, e->status);
	}
	text_details(b, p, e);
	if (e->inferred)
		buf_adds(b, " (inferred)");
	buf_addc(b, '\n');
}

static void on_event(const struct act_event *e, void *arg)
{
	struct watcher *w = arg;
	w->srv[e->server].count[e->kind]++;
	if (e->kind == ACT_CONTENTION && strcmp(e->status, "waiting") != 0)
		act_top_add(&w->contention, e->sid);
	if (e->kind == ACT_EVICTION && !e->lock)
		act_top_add(&w->evictions, e->sid);
	if (!(w->kinds & (1u << e->kind)))
		return;
	if (w->json)
		print_json(&w->out, &w->ctx->pool, e);
	else
		print_text(&w->out, &w->ctx->pool, e);
	if (w->out.len >= OUT_FLUSH)
		out_flush(w);
}

static json_t *top_json(const struct act_top *t)
{
	json_t *a = json_array();
	size_t order[ACT_TOP_CAP];
	for (size_t k = 0; k < t->n && k < TOP_SHOW; k++) {
		size_t i = act_top_nth(t, k, order);
		json_t *o = json_object();
		json_object_set_new(o, "sid", jstr(t->s[i]));
		json_object_set_new(o, "count", json_integer((json_int_t)t->count[i]));
		json_array_append_new(a, o);
	}
	return a;
}

static void top_text(const char *what, const struct act_top *t)
{
	size_t order[ACT_TOP_CAP];
	printf("  top sids by %s:", what);
	if (!t->n)
		printf(" none");
	for (size_t k = 0; k < t->n && k < TOP_SHOW; k++) {
		size_t i = act_top_nth(t, k, order);
		struct buf b = BUF_INIT;
		add_sid(&b, t->s[i]);
		printf(" %s (%lu)", b.ptr ? b.ptr : "", t->count[i]);
		buf_release(&b);
	}
	putchar('\n');
}

static void print_summary(const struct watcher *w, int final)
{
	const struct pool *p = &w->ctx->pool;
	char t[40];
	fmt_stamp(act_run_now(), t);
	if (w->json) {
		json_t *o = json_object(), *s = json_object();
		json_object_set_new(o, "time", json_string(t));
		json_object_set_new(o, "event", json_string(final ? "summary-final" : "summary"));
		for (size_t i = 0; i < p->n; i++) {
			json_t *c = json_object();
			json_object_set_new(c, "watching",
					    json_boolean(act_run_server(w->run, i)->on));
			for (int k = 0; k < ACT_KINDS; k++)
				json_object_set_new(c, act_kind_name(k),
						    json_integer((json_int_t)w->srv[i].count[k]));
			json_object_set_new(s, p->servers[i].name, c);
		}
		json_object_set_new(o, "servers", s);
		json_object_set_new(o, "top_contention", top_json(&w->contention));
		json_object_set_new(o, "top_evictions", top_json(&w->evictions));
		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
		return;
	}
	printf("%s summary%s\n", t, final ? " (final)" : "");
	for (size_t i = 0; i < p->n; i++) {
		printf("  %s%s:", p->servers[i].name,
		       act_run_server(w->run, i)->on ? "" : " (not watched)");
		for (int k = 0; k < ACT_KINDS; k++)
			printf(" %s=%lu", act_kind_name(k), w->srv[i].count[k]);
		putchar('\n');
	}
	top_text("contention", &w->contention);
	top_text("evictions", &w->evictions);
}

/* Parses --events a,b,c into bits; -1 after a message. */
static int parse_kinds(const char *s, unsigned *out)
{
	*out = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		int k = act_kind_parse(s, n);
		if (k < 0) {
			cmd_error("--events: unknown kind '%.*s' (read, write, new, lock, contention, "
				  "lock-held, eviction, refused, misplaced, skipped, server)", (int)n, s);
			return -1;
		}
		*out |= 1u << k;
		s += n + (s[n] == ',');
	}
	return 0;
}

static int parse_secs(const char *opt, const char *s, double lo, double *out)
{
	if (parse_duration(s, out) < 0 || *out < lo || *out > 86400 * 365) {
		cmd_error("--%s: expected seconds (at least %g), got '%s'", opt, lo, s);
		return -1;
	}
	return 0;
}

static int watch_options(struct watcher *w, const struct cmd_args *a)
{
	w->kinds = (1u << ACT_KINDS) - 1;
	w->lock_slow = 1;
	for (size_t i = 0; i < a->n_opts; i++) {
		const char *arg = a->opts[i].arg;
		int bad = 0;
		switch (a->opts[i].key) {
		case O_JSON: w->json = 1; break;
		case O_EVENTS: bad = parse_kinds(arg, &w->kinds); break;
		case O_DURATION: bad = parse_secs("duration", arg, 0.001, &w->duration); break;
		case O_SUMMARY: bad = parse_secs("summary", arg, 0.1, &w->summary); break;
		case O_LOCK_SLOW: bad = parse_secs("lock-slow", arg, 0.001, &w->lock_slow); break;
		case O_MUTATIONS: w->mutations = 1; break;
		}
		if (bad)
			return EXIT_USAGE;
	}
	if (a->n_pos > 1) {
		cmd_error("watch: one GLOB at most");
		return EXIT_USAGE;
	}
	w->glob = a->n_pos ? a->pos[0] : NULL;
	return 0;
}

static int stopped(const struct watcher *w)
{
	return stop_flag || (w->ctx->cancel && *w->ctx->cancel);
}

/* After each batch of the loop: summaries, output; 1 to stop. */
static int watch_pass(void *arg, double now)
{
	struct watcher *w = arg;
	out_flush(w);
	if (w->next_summary && now >= w->next_summary) {
		print_summary(w, 0);
		w->next_summary = now + w->summary;
	}
	fflush(stdout);
	return stopped(w) || cmd_output_failed();
}

static int watch_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	struct watcher w;
	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	int ret = watch_options(&w, a);
	if (ret)
		return ret;
	if (ctx->sasl) {
		cmd_error("watch: a SASL server (--sasl, memcached -S) has no text protocol, so no "
			  "watch command");
		return EXIT_PARTIAL;
	}
	w.srv = xcalloc(ctx->pool.n, sizeof(*w.srv));
	struct act_run_opts ro = { .timeout_ms = ctx->timeout_ms, .mutations = w.mutations,
				   .lock_slow = w.lock_slow, .glob = w.glob, .emit = on_event,
				   .arg = &w };
	stop_flag = 0;
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	w.run = act_run_start(&ctx->pool, &ro);
	w.next_summary = w.summary > 0 ? act_run_now() + w.summary : 0;
	if (!stopped(&w))
		act_run_loop(w.run, w.duration, watch_pass, &w);
	act_run_stop(w.run);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	out_flush(&w);
	print_summary(&w, 1);
	fflush(stdout);
	ret = EXIT_OK;
	for (size_t i = 0; i < ctx->pool.n; i++) {
		const struct act_srv_state *st = act_run_server(w.run, i);
		if (st->on)
			continue;
		if (st->text[0])	/* the text names the server */
			cmd_error("%s (not watched)", st->text);
		else
			cmd_error("server %s: not watched: no answer yet", ctx->pool.servers[i].name);
		ret = EXIT_PARTIAL;
	}
	if (act_run_overflow(w.run))
		cmd_error("warning: %lu locks were not followed (more than memcsess keeps open)",
			  act_run_overflow(w.run));
	act_run_free(w.run);
	buf_release(&w.out);
	free(w.srv);
	return cmd_output_failed() ? EXIT_IO : ret;
}

const struct cmd_entry cmd_watch_entry = {
	.name = "watch",
	.usage = "[--json] [--events KINDS] [--duration S] [--summary S] [--lock-slow S] "
		 "[--mutations] [GLOB]\n"
		 "  --mutations also watches stores, but memcached older than 1.6.42 CRASHES when a\n"
		 "  binary-protocol set fails (a session over -I, out of memory): see memcsess(1)",
	.summary = "live session events from memcached's log stream: reads, writes, lock waits, "
		   "evictions, misplaced clients",
	.needs = NEED_POOL,
	.opts = watch_opts,
	.operands = ARG_SID,
	.run = watch_run,
};
