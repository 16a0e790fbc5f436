/* watch.c: memcsess watch: what is happening to the sessions, live, from memcached's log
 * stream (src/mc/watch.c) turned into session events (src/activity.c). */
#include "commands.h"
#include "activity.h"
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

#define TOP_CAP 64		/* sids followed for the summary's top lists (space-saving) */
#define TOP_SHOW 5
#define TAKE 512

struct top {
	char sid[TOP_CAP][WL_KEY_MAX + 1];
	unsigned long count[TOP_CAP];
	size_t n;
};

struct srvstat {
	int on;			/* watching now */
	int permanent;		/* refused for good */
	char text[232];		/* last state's message */
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
	struct top contention, evictions;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static double now_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "2026-12-07T15:21:15.123456Z" */
static void fmt_stamp(double t, char *out, size_t cap)
{
	time_t s = (time_t)t;
	struct tm tm;
	gmtime_r(&s, &tm);
	double frac = t - (double)s;
	unsigned us = frac <= 0 ? 0 : frac >= 0.999999 ? 999999 : (unsigned)(frac * 1e6 + 0.5);
	char day[24];
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, cap, "%.19s.%06uZ", day, us % 1000000u);
}

/* Counts sid in t (space-saving: a new sid takes the place of the least counted). */
static void top_add(struct top *t, const char *sid)
{
	size_t min = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->sid[i], sid) == 0) {
			t->count[i]++;
			return;
		}
		if (t->count[i] < t->count[min])
			min = i;
	}
	size_t i = t->n < TOP_CAP ? t->n++ : min;
	snprintf(t->sid[i], sizeof(t->sid[i]), "%s", sid);
	t->count[i] = i == min && t->n == TOP_CAP ? t->count[i] + 1 : 1;
}

/* Index of the k-th most counted (k < t->n), by selection. */
static size_t top_nth(const struct top *t, size_t k, size_t *order)
{
	for (size_t i = 0; i < t->n; i++)
		order[i] = i;
	for (size_t i = 0; i <= k; i++)
		for (size_t j = i + 1; j < t->n; j++)
			if (t->count[order[j]] > t->count[order[i]]) {
				size_t tmp = order[i];
				order[i] = order[j];
				order[j] = tmp;
			}
	return order[k];
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
	fmt_stamp(t, s, sizeof(s));
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

static void print_json(const struct watcher *w, const struct act_event *e)
{
	static struct buf b;
	const struct pool *p = &w->ctx->pool;
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
	fwrite(b.ptr, 1, b.len, stdout);
}

/* The sid for people: bytes past 0x7e and controls as %XX. */
static void print_sid(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c > 0x7e || c == '%')
			printf("%%%02X", c);
		else
			putchar(c);
	}
}

/* text without a leading "server NAME: " (the line names the server already). */
static const char *strip_server(const char *text, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(text, "server ", 7) == 0 && strncmp(text + 7, name, n) == 0 &&
	    strncmp(text + 7 + n, ": ", 2) == 0)
		return text + 9 + n;
	return text;
}

static void print_text(const struct watcher *w, const struct act_event *e)
{
	const struct pool *p = &w->ctx->pool;
	char t[40], d[32];
	fmt_stamp(e->time, t, sizeof(t));
	printf("%s %s %s", t, p->servers[e->server].name, act_kind_name(e->kind));
	if (e->sid[0]) {
		printf(" sid=");
		print_sid(e->sid);
	}
	if (e->kind != ACT_SERVER && e->kind != ACT_SKIPPED && e->kind != ACT_EVICTION)
		printf(" client=%s", e->client[0] ? e->client : "unknown");
	if (e->status)
		printf(" %s", e->status);
	switch (e->kind) {
	case ACT_READ: case ACT_WRITE: case ACT_NEW: case ACT_REFUSED:
		if (e->size >= 0)
			printf(" size=%lld", (long long)e->size);
		if (e->ttl >= 0 && (e->kind == ACT_WRITE || e->kind == ACT_NEW)) {
			fmt_duration(e->ttl, d, sizeof(d));
			printf(" ttl=%s", d);
		}
		break;
	case ACT_CONTENTION:
		printf(" holder=%s waited=%.2fs retries=%u", e->holder[0] ? e->holder : "unknown",
		       e->waited, e->retries);
		if (e->since > 0) {
			fmt_stamp(e->since, t, sizeof(t));
			printf(" since=%s", t);
		}
		break;
	case ACT_LOCK_HELD:
		printf(" held=%.2fs", e->held);
		break;
	case ACT_EVICTION:
		fmt_duration(e->ttl, d, sizeof(d));
		printf("%s ttl-left=%s", e->lock ? " lock" : "", d);
		if (e->idle >= 0) {
			fmt_duration(e->idle, d, sizeof(d));
			printf(" idle=%s", d);
		}
		printf(" size=%lld%s", (long long)e->size, e->fetched ? "" : " never-read");
		break;
	case ACT_MISPLACED:
		printf("%s php-uses=%s", e->lock ? " lock" : "", p->servers[e->home].name);
		break;
	case ACT_SKIPPED:
		printf(" %llu lines dropped by memcached (the watch fell behind)",
		       (unsigned long long)e->skipped);
		break;
	case ACT_SERVER:
		printf(": %s", strip_server(e->text ? e->text : "", p->servers[e->server].name));
		break;
	default:
		break;
	}
	if (e->inferred)
		printf(" (inferred)");
	putchar('\n');
}

static void on_event(const struct act_event *e, void *arg)
{
	struct watcher *w = arg;
	w->srv[e->server].count[e->kind]++;
	if (e->kind == ACT_CONTENTION && strcmp(e->status, "waiting") != 0)
		top_add(&w->contention, e->sid);
	if (e->kind == ACT_EVICTION && !e->lock)
		top_add(&w->evictions, e->sid);
	if (!(w->kinds & (1u << e->kind)))
		return;
	if (w->json)
		print_json(w, e);
	else
		print_text(w, e);
}

static json_t *top_json(const struct top *t)
{
	json_t *a = json_array();
	size_t order[TOP_CAP];
	for (size_t k = 0; k < t->n && k < TOP_SHOW; k++) {
		size_t i = top_nth(t, k, order);
		json_t *o = json_object();
		json_object_set_new(o, "sid", jstr(t->sid[i]));
		json_object_set_new(o, "count", json_integer((json_int_t)t->count[i]));
		json_array_append_new(a, o);
	}
	return a;
}

static void top_text(const char *what, const struct top *t)
{
	size_t order[TOP_CAP];
	printf("  top sids by %s:", what);
	if (!t->n)
		printf(" none");
	for (size_t k = 0; k < t->n && k < TOP_SHOW; k++) {
		size_t i = top_nth(t, k, order);
		putchar(' ');
		print_sid(t->sid[i]);
		printf(" (%lu)", t->count[i]);
	}
	putchar('\n');
}

static void print_summary(const struct watcher *w, int final)
{
	const struct pool *p = &w->ctx->pool;
	char t[40];
	fmt_stamp(now_wall(), t, sizeof(t));
	if (w->json) {
		json_t *o = json_object(), *s = json_object();
		json_object_set_new(o, "time", json_string(t));
		json_object_set_new(o, "event", json_string(final ? "summary-final" : "summary"));
		for (size_t i = 0; i < p->n; i++) {
			json_t *c = json_object();
			json_object_set_new(c, "watching", json_boolean(w->srv[i].on));
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
		printf("  %s%s:", p->servers[i].name, w->srv[i].on ? "" : " (not watched)");
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

/* Hands one item to the engine; returns 1 when every server is refused for good. */
static int take_item(struct watcher *w, struct activity *act, const struct watch_item *it,
		     double now)
{
	activity_item(act, it, now);
	if (!it->is_state)
		return 0;
	struct srvstat *s = &w->srv[it->server];
	s->on = it->st.state == WATCH_ON;
	s->permanent = it->st.permanent;
	snprintf(s->text, sizeof(s->text), "%s", it->st.text);
	for (size_t i = 0; i < w->ctx->pool.n; i++)
		if (!w->srv[i].permanent)
			return 0;
	return 1;
}

static int stopped(const struct watcher *w)
{
	return stop_flag || (w->ctx->cancel && *w->ctx->cancel);
}

/* The loop: items to events until --duration, a signal, or nothing left to watch. */
static void watch_loop(struct watcher *w, struct watch *wt, struct activity *act)
{
	struct watch_item *items = xmalloc(TAKE * sizeof(*items));
	double start = now_wall(), next_tick = start + 0.25;
	double next_summary = w->summary > 0 ? start + w->summary : 0;
	int all_refused = 0;
	while (!stopped(w) && !all_refused && !cmd_output_failed()) {
		double now = now_wall();
		if (w->duration > 0 && now - start >= w->duration)
			break;
		size_t n = watch_take(wt, items, TAKE, 100);
		now = now_wall();
		for (size_t i = 0; i < n && !all_refused; i++)
			all_refused = take_item(w, act, &items[i], now);
		if (now >= next_tick) {
			activity_tick(act, now);
			next_tick = now + 0.25;
		}
		if (next_summary && now >= next_summary) {
			print_summary(w, 0);
			next_summary = now + w->summary;
		}
		fflush(stdout);
	}
	free(items);
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
	struct act_opts ao = { .pool = &ctx->pool, .lock_slow = w.lock_slow, .glob = w.glob,
			       .emit = on_event, .arg = &w };
	struct activity *act = activity_new(&ao);
	struct watch_opts wo = { .timeout_ms = ctx->timeout_ms, .mutations = w.mutations,
				 .backoff_max = 5 };
	stop_flag = 0;
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	struct watch *wt = watch_start(&ctx->pool, &wo);
	watch_loop(&w, wt, act);
	watch_free(wt);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	activity_finish(act, now_wall());
	print_summary(&w, 1);
	fflush(stdout);
	ret = EXIT_OK;
	for (size_t i = 0; i < ctx->pool.n; i++) {
		if (w.srv[i].on)
			continue;
		if (w.srv[i].text[0])	/* the text names the server */
			cmd_error("%s (not watched)", w.srv[i].text);
		else
			cmd_error("server %s: not watched: no answer yet", ctx->pool.servers[i].name);
		ret = EXIT_PARTIAL;
	}
	if (activity_overflow(act))
		cmd_error("warning: %lu locks were not followed (more than memcsess keeps open)",
			  activity_overflow(act));
	activity_free(act);
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
