/* test_doctor.c: memcsess doctor's pure logic: address scopes (IPv4, IPv6, mapped, unix) and the
 * exposure rule on them, version verdicts, kept examples, serialize() sizes against PHP's
 * lengths, the placement that explains misplaced sessions, the lock, eviction and exposure
 * checks on hand-made data, the sampled checks' thresholds, and stats replies kept as pairs. */
#include "unit.h"
#include "doctor/checks.h"
#include "doctor/gather.h"
#include "doctor/net.h"
#include "doctor/placement.h"
#include "doctor/sample.h"
#include "doctor/sample_checks.h"
#include "doctor/sessions.h"
#include "doctor/size.h"
#include "mc/stats_raw.h"
#include "php/handlers.h"
#include "php/unserialize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

static const struct {
	const char *addr;
	int scope;		/* -1: not an address */
} scopes[] = {
	{ "127.0.0.1", NET_LOOPBACK }, { "127.255.3.4", NET_LOOPBACK },
	{ "10.0.0.1", NET_PRIVATE }, { "10.255.255.255", NET_PRIVATE },
	{ "172.16.0.1", NET_PRIVATE }, { "172.31.255.255", NET_PRIVATE },
	{ "172.15.255.255", NET_PUBLIC }, { "172.32.0.1", NET_PUBLIC },
	{ "192.168.1.1", NET_PRIVATE }, { "192.169.0.1", NET_PUBLIC },
	{ "100.64.0.1", NET_PRIVATE }, { "100.127.255.255", NET_PRIVATE },
	{ "100.128.0.1", NET_PUBLIC }, { "169.254.10.1", NET_PRIVATE },
	{ "8.8.8.8", NET_PUBLIC }, { "203.0.113.7", NET_PUBLIC }, { "0.0.0.0", NET_PUBLIC },
	{ "::1", NET_LOOPBACK }, { "fd00::1", NET_PRIVATE }, { "fc00::1", NET_PRIVATE },
	{ "fe80::1", NET_PRIVATE }, { "febf::1", NET_PRIVATE }, { "fec0::1", NET_PUBLIC },
	{ "2001:db8::1", NET_PUBLIC }, { "2a00:1450::200e", NET_PUBLIC },
	{ "::ffff:10.1.2.3", NET_PRIVATE }, { "::ffff:127.0.0.1", NET_LOOPBACK },
	{ "::ffff:8.8.4.4", NET_PUBLIC },
	{ "localhost", -1 }, { "", -1 }, { "10.0.0", -1 }, { "[::1]", -1 },
};

static void test_scopes(void)
{
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		enum net_scope s = NET_UNKNOWN;
		int r = net_scope_text(scopes[i].addr, &s);
		if (scopes[i].scope < 0)
			unit_check(r < 0, "'%s' is no address", scopes[i].addr);
		else
			unit_check(r == 0 && (int)s == scopes[i].scope, "%s is %s (got %s)",
				   scopes[i].addr, net_scope_name((enum net_scope)scopes[i].scope),
				   net_scope_name(s));
	}
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	unit_check(net_scope_addr((struct sockaddr *)&un) == NET_LOCAL, "a unix socket is local");
}

static void test_exposure_rule(void)
{
	static const struct {
		enum net_scope scope;
		int auth;
		enum doc_severity want;
	} t[] = {
		{ NET_PUBLIC, 0, DOC_CRITICAL }, { NET_PUBLIC, 1, DOC_OK }, { NET_PUBLIC, -1, DOC_WARNING },
		{ NET_PRIVATE, 0, DOC_WARNING }, { NET_PRIVATE, 1, DOC_OK }, { NET_PRIVATE, -1, DOC_WARNING },
		{ NET_LOOPBACK, 0, DOC_OK }, { NET_LOCAL, 0, DOC_OK }, { NET_UNKNOWN, 0, DOC_WARNING },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		unit_check(doc_exposure(t[i].scope, t[i].auth) == t[i].want, "exposure %s auth %d: %s",
			   net_scope_name(t[i].scope), t[i].auth, doc_severity_name(t[i].want));
}

static void test_versions(void)
{
	const char *why = NULL;
	unit_check(doc_version_num("1.6.18") == 1006018 && doc_version_num("1.6") == -1 &&
		   doc_version_num("x") == -1, "versions as numbers");
	unit_check(doc_version_problem("1.6.18", &why) == DOC_INFO && strstr(why, "watch mutations"),
		   "1.6.18: the watch crash, as info");
	unit_check(doc_version_problem("1.4.25", &why) == DOC_WARNING && strstr(why, "metadump"),
		   "1.4.25: no metadump, a warning");
	unit_check(doc_version_problem("1.6.42", &why) == DOC_OK && doc_version_problem("1.7.0", &why) ==
		   DOC_OK && doc_version_problem("proxy", &why) == DOC_OK, "1.6.42, 1.7.0, 'proxy': none");
}

static void test_examples(void)
{
	struct doc_examples ex = { 0 };
	static const int64_t v[] = { 5, 1, 9, 3, 7, 2, 8, 6 };
	for (size_t i = 0; i < 8; i++) {
		char sid[8];
		snprintf(sid, sizeof(sid), "s%lld", (long long)v[i]);
		doc_examples_add(&ex, sid, strlen(sid), 0, v[i]);
	}
	unit_check(ex.count == 8 && ex.n == 5, "8 counted, 5 kept");
	unit_check(ex.s[0].value == 9 && ex.s[1].value == 8 && ex.s[2].value == 7 &&
		   ex.s[3].value == 6 && ex.s[4].value == 5, "the five largest, largest first");
	struct buf b = BUF_INIT;
	doc_examples_text(&ex, &b);
	unit_check(strcmp(b.ptr, "s9, s8, s7, s6, s5 and 3 more") == 0, "named: '%s'", b.ptr);
	buf_release(&b);
}

/* serialize() output from PHP 8.2 for a few values; the size must be its length. */
static const char *const serialized[] = {
	"N;", "b:1;", "i:0;", "i:-12345;", "s:0:\"\";", "s:5:\"hello\";", "d:0.5;",
	"a:0:{}", "a:2:{i:0;s:1:\"a\";s:3:\"key\";a:1:{i:0;b:0;}}",
	"O:8:\"stdClass\":1:{s:1:\"x\";i:1;}",
	"a:2:{i:0;O:8:\"stdClass\":0:{}i:1;r:2;}",
	"E:11:\"Suit:Hearts\";",
};

static void test_sizes(void)
{
	for (size_t i = 0; i < sizeof(serialized) / sizeof(serialized[0]); i++) {
		const char *s = serialized[i];
		struct phpser *p = phpser_new(s, strlen(s));
		struct decode_error err;
		size_t pos = 0;
		struct pv *v = phpser_value(p, &pos, &err);
		uint64_t n = v ? doc_serialized_size(v) : 0;
		unit_check(v && n == strlen(s), "serialize size of %s: %llu", s, (unsigned long long)n);
		pv_free(v);
		phpser_free(p);
	}
}

#define SIDS 300

/* A sample of SIDS sids placed by (spec, dist), each on the server of the pool's own order
 * that (spec, dist) puts it on; server names map through base. */
static size_t place(const char *base, const char *spec, enum pool_dist dist, struct doc_placed *out)
{
	struct pool b, p;
	char *cause = NULL;
	if (pool_init(&b, base, DIST_KETAMA, NULL, 100, &cause) < 0 ||
	    pool_init(&p, spec, dist, NULL, 100, &cause) < 0)
		return 0;
	for (size_t i = 0; i < SIDS; i++) {
		snprintf(out[i].sid, sizeof(out[i].sid), "sid%05zu%08zx", i, i * 2654435761u);
		size_t h = pool_home(&p, out[i].sid, strlen(out[i].sid));
		out[i].server = (size_t)pool_find(&b, p.servers[h].name);
	}
	pool_release(&b);
	pool_release(&p);
	return SIDS;
}

static void test_placement(void)
{
	static const char base[] = "10.0.0.1:11211,10.0.0.2:11211,10.0.0.3:11211";
	static struct doc_placed sample[SIDS];
	struct pool p;
	struct doc_alt alt;
	char *cause = NULL;
	pool_init(&p, base, DIST_KETAMA, NULL, 100, &cause);
	size_t n = place(base, base, DIST_MODULA, sample);
	unit_check(doc_placement_explain(&p, 0, sample, n, &alt) == 0 && alt.dist == DIST_MODULA &&
		   alt.same_order && alt.explained == SIDS, "sessions placed by modula: modula, same "
		   "order, all %zu explained (got %s, %zu)", n, pool_dist_name(alt.dist), alt.explained);
	unit_check(alt.tried == 2 + 5, "the 2 other distributions and modula in 5 other orders tried (%zu)",
		   alt.tried);
	doc_alt_release(&alt);
	n = place(base, "10.0.0.3:11211,10.0.0.1:11211,10.0.0.2:11211", DIST_MODULA, sample);
	doc_placement_explain(&p, 0, sample, n, &alt);
	unit_check(alt.dist == DIST_MODULA && !alt.same_order && alt.explained == SIDS &&
		   strcmp(alt.spec, "10.0.0.3:11211,10.0.0.1:11211,10.0.0.2:11211") == 0,
		   "modula in another order: that order (%s)", alt.spec);
	doc_alt_release(&alt);
	n = place(base, base, DIST_KETAMA_WEIGHTED, sample);
	doc_placement_explain(&p, 0, sample, n, &alt);
	unit_check(alt.dist == DIST_KETAMA_WEIGHTED && alt.same_order && alt.explained == SIDS,
		   "ketama_weighted is told from ketama");
	doc_alt_release(&alt);
	unit_check(doc_placement_explain(&p, 0, sample, 0, &alt) < 0, "no sample: nothing tried");
	pool_release(&p);
}

/* A finding of check at sev in r, or NULL. */
static const struct doc_finding *find(const struct doc_report *r, const char *check,
				      enum doc_severity sev)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->f[i].check, check) == 0 && r->f[i].sev == sev)
			return &r->f[i];
	return NULL;
}

static double num(const struct doc_finding *f, const char *name)
{
	const struct doc_figure *g = f ? doc_figure(f, name) : NULL;
	return g ? g->num : -1;
}

static void add_lock(struct doc_data *d, const char *sid, int64_t ttl, int64_t idle, int gone)
{
	struct doc_lock *l = &d->locks_list[d->n_locks++];
	snprintf(l->sid, sizeof(l->sid), "%s", sid);
	l->ttl = ttl;
	l->idle = idle;
	l->session_gone = gone;
	d->locks++;
}

static void test_locks(void)
{
	struct pool p;
	char *cause = NULL;
	pool_init(&p, "10.0.0.1:11211", DIST_KETAMA, NULL, 100, &cause);
	struct doc_opts o = { .lock_age = 60 };
	struct doc_data d = { .n = 1 };
	struct doc_lock locks[8];
	d.locks_list = locks;
	struct doc_input in = { &p, &o, &d, NULL, NULL };
	struct doc_report r = { 0 };
	doc_check_locks(&in, &r);
	unit_check(r.n == 1 && r.f[0].sev == DOC_OK, "no locks: one healthy line");
	doc_report_release(&r);
	add_lock(&d, "dead1", -1, 600, 0);
	add_lock(&d, "dead2", -1, 61, 1);
	add_lock(&d, "old", 30, 120, 0);
	add_lock(&d, "young", -1, 5, 0);
	add_lock(&d, "gone", 30, 5, 1);
	add_lock(&d, "fine", 30, 5, 0);
	doc_check_locks(&in, &r);
	const struct doc_finding *f = find(&r, "stuck-lock", DOC_CRITICAL);
	unit_check(f && num(f, "locks") == 2 && num(f, "oldest_s") == 600 &&
		   strstr(f->message, ": dead1, dead2"), "never expiring and old: critical, both named");
	f = find(&r, "stuck-lock", DOC_WARNING);
	unit_check(f && num(f, "locks") == 1 && strstr(f->message, "held for over 60 s") &&
		   strstr(f->message, ": old"), "old but expiring: a warning");
	unit_check(r.n == 4, "and one finding each for the lock with no expiry and the gone one (%zu)", r.n);
	unit_check(r.n == 4 && strstr(r.f[2].message, "no expiry") && strstr(r.f[3].message, "gone: gone"),
		   "named each");
	unit_check(doc_worst(&r) == DOC_CRITICAL, "the worst is critical");
	doc_report_release(&r);
	pool_release(&p);
}

static void test_eviction_exposure(void)
{
	struct pool p;
	char *cause = NULL;
	pool_init(&p, "10.0.0.1:11211,10.0.0.2:11211", DIST_KETAMA, NULL, 100, &cause);
	struct doc_opts o = { .lock_age = 60 };
	struct doc_srv srv[2];
	memset(srv, 0, sizeof(srv));
	struct doc_data d = { .n = 2, .srv = srv, .reached = 2 };
	for (size_t i = 0; i < 100; i++)
		d.lifetimes[d.n_lifetimes++] = 1440;
	srv[0].reached = srv[1].reached = 1;
	srv[0].cls[12] = (struct doc_class){ .chunk_size = 1184, .sessions = 40, .have_items = 1,
		.evicted = 10, .evicted_nonzero = 10, .evicted_time = 300 };
	srv[1].cls[12] = (struct doc_class){ .chunk_size = 1184, .sessions = 40, .have_items = 1,
		.evicted = 10, .evicted_nonzero = 10, .evicted_time = 5000 };
	srv[0].scope = NET_PUBLIC;
	srv[0].auth = 0;
	srv[1].scope = NET_PRIVATE;
	srv[1].auth = 1;
	srv[1].udpport = 11211;
	snprintf(srv[0].addr, sizeof(srv[0].addr), "203.0.113.7");
	struct doc_input in = { &p, &o, &d, NULL, NULL };
	struct doc_report r = { 0 };
	doc_check_eviction(&in, &r);
	const struct doc_finding *f = find(&r, "early-eviction", DOC_WARNING);
	unit_check(f && f->server == 0 && num(f, "evicted_time") == 300 &&
		   num(f, "session_lifetime") == 1440 &&
		   strstr(f->message, "evicted after 300 s idle while sessions should live 1440 s"),
		   "evicted after 300 s of a 1440 s lifetime: a warning");
	f = find(&r, "early-eviction", DOC_INFO);
	unit_check(f && f->server == 1, "evicted after the lifetime: info only");
	doc_report_release(&r);
	doc_check_exposure(&in, &r);
	f = find(&r, "exposure", DOC_CRITICAL);
	unit_check(f && f->server == 0 && strstr(f->message, "public address 203.0.113.7 without "
		   "authentication"), "public without a login: critical");
	f = find(&r, "exposure", DOC_WARNING);
	unit_check(f && f->server == 1 && num(f, "udpport") == 11211 && r.n == 2,
		   "private with a login: only its UDP port, a warning");
	doc_report_release(&r);
	pool_release(&p);
}

static void test_reach(void)
{
	struct pool p;
	char *cause = NULL;
	pool_init(&p, "10.0.0.1:11211,10.0.0.2:11211,10.0.0.3:11211", DIST_KETAMA, NULL, 2000, &cause);
	struct doc_opts o = { .lock_age = 60 };
	struct doc_srv srv[3];
	memset(srv, 0, sizeof(srv));
	struct doc_data d = { .n = 3, .srv = srv, .reached = 2 };
	srv[0] = (struct doc_srv){ .reached = 1, .rtt_ms = 80 };
	srv[1] = (struct doc_srv){ .reached = 1, .rtt_ms = 1500 };
	srv[2] = (struct doc_srv){ .reached = 0, .error = (char *)"connection refused" };
	struct doc_input in = { &p, &o, &d, NULL, NULL };
	struct doc_report r = { 0 };
	doc_check_reach(&in, &r);
	const struct doc_finding *f = find(&r, "unreachable", DOC_CRITICAL);
	unit_check(f && f->server == 2 && strstr(f->message, "connection refused"),
		   "a server not answering: critical, with why");
	f = find(&r, "slow", DOC_WARNING);
	unit_check(f && f->server == 0 && num(f, "rtt_ms") == 80, "80 ms round trips: slow, a warning");
	f = find(&r, "slow", DOC_CRITICAL);
	unit_check(f && f->server == 1, "1500 ms, past half the 2 s timeout: critical");
	unit_check(r.n == 3, "nothing else (no healthy line for either check)");
	doc_report_release(&r);
	srv[0].rtt_ms = srv[1].rtt_ms = 0.2;
	srv[2] = (struct doc_srv){ .reached = 1, .rtt_ms = 0.3 };
	d.reached = 3;
	doc_check_reach(&in, &r);
	unit_check(r.n == 2 && r.f[0].sev == DOC_OK && r.f[1].sev == DOC_OK &&
		   num(&r.f[1], "rtt_ms.10.0.0.3:11211") == 0.3, "all fast: two healthy lines, "
		   "with each round trip");
	doc_report_release(&r);
	pool_release(&p);
}

/* A sample of 10 s on two servers, both watched, 100 session reads and writes. */
static void sample_init(struct doc_sample *s, struct doc_sample_srv *srv)
{
	memset(s, 0, sizeof(*s));
	memset(srv, 0, 2 * sizeof(*srv));
	s->n = 2;
	s->srv = srv;
	s->secs = s->ran = 10;
	s->accesses = 100;
	srv[0].watched = srv[0].on = srv[1].watched = srv[1].on = 1;
}

/* The severity of check after doc_check_sample on s (-1: no such finding). */
static int sampled(const struct doc_input *in, const char *check, struct doc_report *r)
{
	doc_report_release(r);
	doc_check_sample(in, r);
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->f[i].check, check) == 0)
			return (int)r->f[i].sev;
	return -1;
}

static void test_sample(void)
{
	struct pool p;
	char *cause = NULL;
	pool_init(&p, "10.0.0.1:11211,10.0.0.2:11211", DIST_KETAMA, NULL, 100, &cause);
	struct doc_opts o = { .lock_age = 60 };
	struct doc_srv dsrv[2] = { { .reached = 1 }, { .reached = 1 } };
	struct doc_data d = { .n = 2, .srv = dsrv, .reached = 2 };
	struct doc_sample s;
	struct doc_sample_srv srv[2];
	sample_init(&s, srv);
	struct doc_input in = { &p, &o, &d, NULL, &s };
	struct doc_report r = { 0 };
	doc_check_sample(&in, &r);
	unit_check(r.n == 7 && doc_worst(&r) == DOC_OK, "a quiet sample: 7 healthy lines (%zu)", r.n);
	static const struct {
		uint64_t waits, gave_up;
		double longest;
		int sev;
	} waits[] = {
		{ 1, 0, 2.0, DOC_INFO }, { 9, 0, 4.9, DOC_INFO }, { 10, 0, 1.0, DOC_WARNING },
		{ 1, 0, 5.0, DOC_WARNING }, { 1, 1, 0.5, DOC_WARNING },
	};
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		s.waits = s.srv[1].waits = waits[i].waits;
		s.gave_up = waits[i].gave_up;
		s.longest_wait = waits[i].longest;
		act_top_add(&s.wait_sids, "busy1");
		int sev = sampled(&in, "contention", &r);
		unit_check(sev == waits[i].sev, "%llu waits in 10 s, up to %.1f s, %llu gave up: %s",
			   (unsigned long long)waits[i].waits, waits[i].longest,
			   (unsigned long long)waits[i].gave_up, doc_severity_name((enum doc_severity)sev));
	}
	unit_check(strstr(r.f[2].message, "most on: busy1 (5)") &&
		   num(&r.f[2], "rate_per_s.10.0.0.2:11211") == 0.1 &&
		   doc_figure(&r.f[2], "rate_per_s.10.0.0.1:11211") == NULL,
		   "contention names the sid and the server's rate, only where there were waits");
	sample_init(&s, srv);
	s.evicted_live = 1;
	s.ttl_left_min = s.ttl_left_max = 1200;
	s.ttl_left_sum = 1200;
	unit_check(sampled(&in, "live-eviction", &r) == DOC_WARNING, "one live eviction: a warning");
	s.misplaced = 10;
	unit_check(sampled(&in, "misplaced-client", &r) == DOC_WARNING, "10%% misplaced: a warning");
	s.misplaced = 51;
	act_top_add(&s.misplaced_clients, "10.1.0.5:40000");
	act_top_add(&s.misplaced_clients, "10.1.0.5:40001");
	act_top_add(&s.misplaced_clients, "10.1.0.6:40000");
	unit_check(sampled(&in, "misplaced-client", &r) == DOC_CRITICAL, "51%% misplaced: critical");
	const struct doc_finding *f = find(&r, "misplaced-client", DOC_CRITICAL);
	unit_check(f && strcmp(doc_figure(f, "hosts")->str, "10.1.0.5, 10.1.0.6") == 0,
		   "the clients' hosts, each once");
	sample_init(&s, srv);
	srv[1].watched = srv[1].on = 0;
	snprintf(srv[1].text, sizeof(srv[1].text), "server 10.0.0.2:11211: watch refused: x");
	unit_check(sampled(&in, "not-sampled", &r) == DOC_WARNING, "a server not watched: a warning");
	f = find(&r, "not-sampled", DOC_WARNING);
	unit_check(f && f->server == 1 && strcmp(doc_figure(f, "reason")->str, "watch refused: x") == 0,
		   "naming it, with the reason without its name again");
	dsrv[1].reached = 0;
	unit_check(sampled(&in, "not-sampled", &r) == DOC_OK, "an unreachable server is not also not-sampled");
	s.skipped = 5;
	unit_check(sampled(&in, "sample-loss", &r) == DOC_INFO, "lines lost: info");
	s.refused_too_large = 1;
	unit_check(sampled(&in, "refused-write", &r) == DOC_WARNING, "a refused write: a warning");
	doc_report_release(&r);
	pool_release(&p);
}

static void test_stats_raw(void)
{
	struct stats_raw r = { 0 };
	char *cause = NULL;
	uint64_t u = 0;
	unit_check(stats_raw_line(&r, "STAT items:5:evicted_time 42", 28, &cause) == 1 &&
		   stats_raw_line(&r, "STAT slab_reassign yes", 22, &cause) == 1 &&
		   stats_raw_line(&r, "END", 3, &cause) == 0, "STAT lines kept, END ends");
	unit_check(stats_raw_u64(&r, "items:5:evicted_time", &u) == 0 && u == 42 &&
		   strcmp(stats_raw_get(&r, "slab_reassign"), "yes") == 0 &&
		   stats_raw_u64(&r, "slab_reassign", &u) < 0 && !stats_raw_get(&r, "nope"),
		   "looked up by name, numbers only where they are");
	unit_check(stats_raw_line(&r, "ERROR", 5, &cause) < 0 && strstr(cause, "'ERROR'"),
		   "an error reply is quoted");
	free(cause);
	cause = NULL;
	unit_check(stats_raw_line(&r, "STAT x", 6, &cause) < 0, "a STAT without a value fails");
	free(cause);
	stats_raw_release(&r);
}

int main(void)
{
	test_scopes();
	test_exposure_rule();
	test_versions();
	test_examples();
	test_sizes();
	test_placement();
	test_locks();
	test_eviction_exposure();
	test_reach();
	test_sample();
	test_stats_raw();
	return unit_done();
}
