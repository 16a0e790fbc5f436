/* doctor/sample_checks.c: the sampled checks (see sample_checks.h). */
#include "doctor/sample_checks.h"
#include "doctor/sample.h"
#include "mc/watch.h"
#include "util.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *s_(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* Events a second over the sample. */
static double rate(const struct doc_sample *s, uint64_t n)
{
	return s->ran > 0 ? (double)n / s->ran : 0;
}

/* The DOC_TOP most counted of t, "a (3), b (1)" (counts when with_counts), into b. */
static void top_text(const struct act_top *t, int with_counts, struct buf *b)
{
	size_t order[ACT_TOP_CAP];
	for (size_t k = 0; k < t->n && k < DOC_TOP; k++) {
		size_t i = act_top_nth(t, k, order);
		buf_adds(b, k ? ", " : "");
		buf_add_escaped(b, t->s[i], strlen(t->s[i]));
		if (with_counts)
			buf_printf(b, " (%lu)", t->count[i]);
	}
	if (t->n > DOC_TOP)
		buf_printf(b, " and %zu more", t->n - DOC_TOP);
}

/* Adds t as the string figure name; returns the text (new). */
static char *top_figure(struct doc_finding *f, const char *name, const struct act_top *t,
			int with_counts)
{
	struct buf b = BUF_INIT;
	top_text(t, with_counts, &b);
	doc_str(f, name, "%s", b.ptr ? b.ptr : "");
	return buf_detach(&b, NULL);
}

/* Figure "name.SERVER" for each server where v(server) is not zero. */
static void per_server(const struct doc_input *in, struct doc_finding *f, const char *name,
		       size_t off)
{
	const struct doc_sample *s = in->sample;
	char fig[300];
	for (size_t i = 0; i < s->n; i++) {
		uint64_t v = *(const uint64_t *)((const char *)&s->srv[i] + off);
		if (!v)
			continue;
		snprintf(fig, sizeof(fig), "%s.%s", name, in->p->servers[i].name);
		doc_num(f, fig, rate(s, v));
	}
}

static void check_contention(const struct doc_input *in, struct doc_report *r)
{
	const struct doc_sample *s = in->sample;
	if (!s->waits) {
		doc_add(r, "contention", DOC_OK, -1, "no request waited on a session lock in %.1f s",
			s->ran);
		return;
	}
	double rt = rate(s, s->waits);
	enum doc_severity sev = rt >= DOC_WAIT_RATE || s->gave_up ||
				s->longest_wait >= DOC_WAIT_LONG ? DOC_WARNING : DOC_INFO;
	struct buf b = BUF_INIT;
	top_text(&s->wait_sids, 1, &b);
	struct doc_finding *f = doc_add(r, "contention", sev, -1, "%llu request%s waited on "
		"another request's session lock in %.1f s (%.2f/s), up to %.1f s%s; most on: %s",
		(unsigned long long)s->waits, s_(s->waits), s->ran, rt, s->longest_wait,
		s->gave_up ? ", and some gave up" : "", b.ptr ? b.ptr : "");
	buf_release(&b);
	doc_num(f, "waits", (double)s->waits);
	doc_num(f, "rate_per_s", rt);
	per_server(in, f, "rate_per_s", offsetof(struct doc_sample_srv, waits));
	doc_num(f, "longest_wait_s", s->longest_wait);
	doc_num(f, "gave_up", (double)s->gave_up);
	doc_num(f, "sample_s", s->ran);
	free(top_figure(f, "sids", &s->wait_sids, 0));
	doc_advise(f, "PHP locks a session for the whole request: call session_write_close() as "
		   "soon as the request has changed the session, or open it with session_start(["
		   "'read_and_close' => true]) when it only reads (parallel AJAX calls, slow pages)");
}

static void check_eviction(const struct doc_input *in, struct doc_report *r)
{
	const struct doc_sample *s = in->sample;
	if (!s->evicted_live) {
		struct doc_finding *f = doc_add(r, "live-eviction", DOC_OK, -1, "no session was "
						"evicted before its time in %.1f s", s->ran);
		if (s->evicted_locks)
			doc_num(f, "locks_evicted", (double)s->evicted_locks);
		return;
	}
	uint64_t timed = s->evicted_live - s->evicted_never;
	double mean = timed ? s->ttl_left_sum / (double)timed : 0;
	struct doc_finding *f = doc_add(r, "live-eviction", DOC_WARNING, -1, "%llu session%s "
		"evicted with TTL left in %.1f s (%.2f/s), up to %lld s left%s: their users are "
		"logged out early", (unsigned long long)s->evicted_live, s_(s->evicted_live), s->ran,
		rate(s, s->evicted_live), (long long)s->ttl_left_max,
		s->evicted_never ? " (some never expire)" : "");
	doc_num(f, "evicted", (double)s->evicted_live);
	doc_num(f, "rate_per_s", rate(s, s->evicted_live));
	per_server(in, f, "rate_per_s", offsetof(struct doc_sample_srv, evicted_live));
	doc_num(f, "ttl_left_max_s", (double)s->ttl_left_max);
	doc_num(f, "ttl_left_min_s", (double)s->ttl_left_min);
	doc_num(f, "ttl_left_mean_s", mean);
	doc_num(f, "never_expiring", (double)s->evicted_never);
	doc_num(f, "locks_evicted", (double)s->evicted_locks);
	doc_num(f, "sample_s", s->ran);
	free(top_figure(f, "sids", &s->evicted_sids, 0));
	doc_advise(f, "give the servers more memory (memcached -m), or the sessions servers of "
		   "their own; the memory and early-eviction checks say where it runs out");
}

/* Servers whose stream holds mutations, so that refused writes show. */
static size_t visible(const struct doc_sample *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->srv[i].watched && s->srv[i].mutations;
	return n;
}

static void check_refused(const struct doc_input *in, struct doc_report *r)
{
	const struct doc_sample *s = in->sample;
	uint64_t n = s->refused_too_large + s->refused_no_memory;
	size_t vis = visible(s);
	if (!n) {
		struct doc_finding *f = vis ? doc_add(r, "refused-write", DOC_OK, -1, "no session "
			"write refused in %.1f s on the %zu server%s whose writes are watched", s->ran,
			vis, vis == 1 ? "" : "s") : doc_add(r, "refused-write", DOC_OK, -1, "refused "
			"writes are not visible: memcached before 1.6.42 is not asked for its writes "
			"(watch mutations), which can crash it");
		doc_num(f, "servers_visible", (double)vis);
		return;
	}
	struct doc_finding *f = doc_add(r, "refused-write", DOC_WARNING, -1, "%llu session "
		"write%s refused in %.1f s (%.2f/s): %llu too large for the item limit, %llu out of "
		"memory; the user's changes are lost", (unsigned long long)n, s_(n), s->ran,
		rate(s, n), (unsigned long long)s->refused_too_large,
		(unsigned long long)s->refused_no_memory);
	doc_num(f, "refused", (double)n);
	doc_num(f, "rate_per_s", rate(s, n));
	per_server(in, f, "rate_per_s", offsetof(struct doc_sample_srv, refused));
	doc_num(f, "too_large", (double)s->refused_too_large);
	doc_num(f, "no_memory", (double)s->refused_no_memory);
	doc_num(f, "servers_visible", (double)vis);
	free(top_figure(f, "sids", &s->refused_sids, 0));
	doc_advise(f, "keep less in these sessions, or raise the item limit (memcached -I) and "
		   "memory (-m); the near-item-limit check names the sessions close to the limit");
}

/* The distinct hosts (addresses without their port) of the clients, into b. */
static void hosts_text(const struct act_top *t, struct buf *b)
{
	for (size_t i = 0; i < t->n; i++) {
		const char *c = t->s[i], *colon = strrchr(c, ':');
		size_t n = colon ? (size_t)(colon - c) : strlen(c);
		int seen = 0;
		for (size_t k = 0; k < i && !seen; k++)
			seen = strncmp(t->s[k], c, n) == 0 && t->s[k][n] == ':';
		if (seen)
			continue;
		buf_adds(b, b->len ? ", " : "");
		buf_add_escaped(b, c, n);
	}
}

static void misplaced_figures(const struct doc_sample *s, struct doc_finding *f, double share)
{
	struct buf b = BUF_INIT;
	doc_num(f, "misplaced", (double)s->misplaced);
	doc_num(f, "misplaced_locks", (double)s->misplaced_locks);
	doc_num(f, "accesses", (double)s->accesses);
	doc_num(f, "share", share);
	doc_num(f, "rate_per_s", rate(s, s->misplaced + s->misplaced_locks));
	hosts_text(&s->misplaced_clients, &b);
	doc_str(f, "hosts", "%s", b.ptr ? b.ptr : "");
	buf_release(&b);
	free(top_figure(f, "clients", &s->misplaced_clients, 0));
	doc_num(f, "unknown_clients", (double)s->misplaced_unknown);
	doc_num(f, "sample_s", s->ran);
	free(top_figure(f, "sids", &s->misplaced_sids, 0));
}

static void check_misplaced(const struct doc_input *in, struct doc_report *r)
{
	const struct doc_sample *s = in->sample;
	uint64_t n = s->misplaced + s->misplaced_locks;
	if (!n) {
		doc_add(r, "misplaced-client", DOC_OK, -1, "every session read and write in %.1f s "
			"went to the server PHP with %s uses", s->ran, pool_dist_name(in->p->dist));
		return;
	}
	double share = s->accesses ? (double)s->misplaced / (double)s->accesses : 1;
	struct buf b = BUF_INIT;
	top_text(&s->misplaced_clients, 1, &b);
	struct doc_finding *f = doc_add(r, "misplaced-client", share > 0.5 ? DOC_CRITICAL :
		DOC_WARNING, -1, "%llu session read%s and write%s of %llu (%.0f%%) and %llu lock "
		"look-up%s went to a server PHP with %s over these servers does not use: a web "
		"server with another configuration; from %s%s", (unsigned long long)s->misplaced,
		s_(s->misplaced), s_(s->misplaced), (unsigned long long)s->accesses, 100 * share,
		(unsigned long long)s->misplaced_locks, s_(s->misplaced_locks),
		pool_dist_name(in->p->dist), b.len ? b.ptr : "",
		s->misplaced_unknown ? (b.len ? " and connections opened before the sample" :
					"connections opened before the sample") : "");
	buf_release(&b);
	misplaced_figures(s, f, share);
	per_server(in, f, "rate_per_s", offsetof(struct doc_sample_srv, misplaced));
	doc_advise(f, "give every web server at those addresses the same session.save_path (the "
		   "same servers, in the same order, written the same way) and the same "
		   "memcached.sess_consistent_hash and sess_consistent_hash_type; the placement "
		   "check tells which configuration the stored sessions follow");
}

static void check_loss(const struct doc_input *in, struct doc_report *r)
{
	const struct doc_sample *s = in->sample;
	if (!s->skipped && !s->overflow) {
		doc_add(r, "sample-loss", DOC_OK, -1, "no log line lost in %.1f s", s->ran);
		return;
	}
	struct doc_finding *f = doc_add(r, "sample-loss", DOC_INFO, -1, "memcached dropped %llu "
		"log line%s (the watch fell behind)%s: the counts above are lower bounds",
		(unsigned long long)s->skipped, s_(s->skipped), s->overflow ? " and some locks "
		"were not followed" : "");
	doc_num(f, "skipped", (double)s->skipped);
	doc_num(f, "rate_per_s", rate(s, s->skipped));
	per_server(in, f, "rate_per_s", offsetof(struct doc_sample_srv, skipped));
	doc_num(f, "locks_not_followed", (double)s->overflow);
	doc_advise(f, "sample a quieter time, or a shorter one; a busy server drops lines when "
		   "its watchers read too slowly");
}


/* Servers that answered stats but whose watch was refused, lost or never answered. */
static void check_not_sampled(const struct doc_input *in, struct doc_report *r)
{
	const struct doc_sample *s = in->sample;
	size_t bad = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct doc_sample_srv *v = &s->srv[i];
		if (!in->d->srv[i].reached || (v->watched && v->on))
			continue;	/* an unreachable server is a finding of its own */
		bad++;
		const char *why = v->text[0] ? watch_strip_server(v->text, in->p->servers[i].name) :
				  "no answer to the watch within the sample";
		struct doc_finding *f = doc_add(r, "not-sampled", DOC_WARNING, (int)i, "%s%s: its "
			"contention, evictions, refused writes and misplaced clients are unknown",
			v->watched ? "watched only part of the sample: " : "could not be sampled: ",
			why);
		doc_num(f, "watched", v->watched);
		doc_str(f, "reason", "%s", why);
		doc_advise(f, "memcached -W refuses watchers: restart it without -W to sample it; "
			   "WATCHER_TOO_MANY: it takes 20 watchers at most, end some; a SASL server "
			   "(-S) has no watch; else see the reason and sample again");
	}
	if (!bad)
		doc_add(r, "not-sampled", DOC_OK, -1, "every server answering was watched");
}

void doc_check_sample(const struct doc_input *in, struct doc_report *r)
{
	const struct doc_sample *s = in->sample;
	if (!s)
		return;
	size_t watched = 0;
	for (size_t i = 0; i < s->n; i++)
		watched += s->srv[i].watched;
	struct doc_finding *f = doc_add(r, "sample", s->stopped ? DOC_INFO : DOC_OK, -1,
		"watched %zu of %zu servers for %.1f s%s: %llu session reads and writes (%.1f/s)",
		watched, s->n, s->ran, s->stopped ? " (ended early by an interrupt)" : "",
		(unsigned long long)s->accesses, rate(s, s->accesses));
	doc_num(f, "sample_s", s->ran);
	doc_num(f, "asked_s", s->secs);
	doc_num(f, "servers_watched", (double)watched);
	doc_num(f, "accesses", (double)s->accesses);
	check_not_sampled(in, r);
	check_contention(in, r);
	check_eviction(in, r);
	check_refused(in, r);
	check_misplaced(in, r);
	check_loss(in, r);
}
