/* doctor/sessions.c: the sessions' checks (see sessions.h). */
#include "doctor/sessions.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "s" for a plural count, "" for one. */
static const char *s_(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static double share(uint64_t part, uint64_t whole)
{
	return whole ? (double)part / (double)whole : 0;
}

/* Names the examples in the message of f (after ": ") and as the figure "sids". */
static void name_sids(struct doc_finding *f, const struct doc_examples *ex)
{
	struct buf b = BUF_INIT;
	doc_examples_text(ex, &b);
	doc_str(f, "sids", "%s", b.ptr ? b.ptr : "");
	char *m = xasprintf("%s: %s", f->message, b.ptr ? b.ptr : "");
	free(f->message);
	f->message = m;
	buf_release(&b);
}

/* What makes a web server place sessions as alt does. Returns new. */
static char *placement_hint(const struct doc_input *in, const struct doc_alt *alt)
{
	static const char *const by_dist[] = {
		[DIST_KETAMA] = "hashes with memcached.sess_consistent_hash=1 and the default type "
				"(ketama)",
		[DIST_KETAMA_WEIGHTED] = "hashes with memcached.sess_consistent_hash_type="
					 "ketama_weighted",
		[DIST_MODULA] = "hashes with memcached.sess_consistent_hash=0",
	};
	if (alt->same_order)
		return xasprintf("a web server %s", by_dist[alt->dist]);
	if (alt->dist == in->p->dist)
		return xasprintf("a web server lists the servers in another order in "
				 "session.save_path: %s", alt->spec);
	return xasprintf("a web server %s and lists the servers as %s", by_dist[alt->dist], alt->spec);
}

/* The share figures: where the sessions sit, and where PHP puts them. */
static void placement_figures(const struct doc_input *in, struct doc_finding *f)
{
	char fig[300];
	doc_num(f, "sessions", (double)in->d->sessions);
	doc_num(f, "misplaced", (double)in->d->misplaced);
	doc_str(f, "distribution", "%s", pool_dist_name(in->p->dist));
	for (size_t i = 0; i < in->d->n; i++) {
		snprintf(fig, sizeof(fig), "share.%s", in->p->servers[i].name);
		doc_num(f, fig, share(in->d->srv[i].sessions, in->d->sessions));
		snprintf(fig, sizeof(fig), "expected.%s", in->p->servers[i].name);
		doc_num(f, fig, share(in->d->srv[i].home, in->d->sessions));
	}
}

void doc_check_placement(const struct doc_input *in, struct doc_report *r)
{
	const struct doc_data *d = in->d;
	if (d->n < 2 || !d->sessions || !d->misplaced) {
		struct doc_finding *f = doc_add(r, "placement", DOC_OK, -1, "%s", d->n < 2 ?
			"one server: every session is where PHP reads it" : !d->sessions ?
			"no sessions to place" : "every session sits where PHP reads it");
		if (d->n >= 2 && d->sessions)
			placement_figures(in, f);
		return;
	}
	enum doc_severity sev = d->misplaced * 2 > d->sessions ? DOC_CRITICAL : DOC_WARNING;
	struct doc_finding *f = doc_add(r, "placement", sev, -1, "%llu of %llu sessions (%.0f%%) "
		"sit where PHP with %s over these servers does not read them",
		(unsigned long long)d->misplaced, (unsigned long long)d->sessions,
		100 * share(d->misplaced, d->sessions), pool_dist_name(in->p->dist));
	placement_figures(in, f);
	const struct doc_alt *alt = in->alt;
	if (alt && alt->spec && alt->explained * 2 > d->n_sample) {
		char *hint = placement_hint(in, alt);
		double part = share(alt->explained, d->n_sample);
		char *m = xasprintf("%s; %s of them sit where %s%s puts them: %s", f->message,
				    part > 0.995 ? "all" : part >= 0.5 ? "most" : "some",
				    pool_dist_name(alt->dist), alt->same_order ? "" : " in another server "
				    "order", hint);
		free(f->message);
		f->message = m;
		free(hint);
		doc_str(f, "explained_by", "%s", pool_dist_name(alt->dist));
		doc_str(f, "explained_by_servers", "%s", alt->spec);
		doc_num(f, "explained_share", part);
	}
	doc_num(f, "sample", (double)d->n_sample);
	doc_advise(f, "give every web server the same session.save_path and "
		   "memcached.sess_consistent_hash(_type); then 'memcsess migrate --from POOL --to POOL "
		   "--move' puts the sessions where PHP reads them. If PHP is right and memcsess is "
		   "not, give memcsess the --servers and --distribution PHP uses");
}

void doc_check_locks(const struct doc_input *in, struct doc_report *r)
{
	const struct doc_data *d = in->d;
	struct doc_examples dead = { 0 }, old = { 0 }, noexp = { 0 }, gone = { 0 };
	int64_t age = in->o->lock_age;
	for (size_t i = 0; i < d->n_locks; i++) {
		const struct doc_lock *l = &d->locks_list[i];
		int stuck = l->idle >= 0 && l->idle >= age;
		struct doc_examples *ex = stuck && l->ttl < 0 ? &dead : stuck ? &old :
					   l->ttl < 0 ? &noexp : l->session_gone ? &gone : NULL;
		if (ex)
			doc_examples_add(ex, l->sid, strlen(l->sid), l->server, l->idle);
	}
	struct doc_finding *f;
	if (dead.count) {
		f = doc_add(r, "stuck-lock", DOC_CRITICAL, -1, "%llu lock key%s never expire%s and %s "
			    "taken over %lld s ago (the oldest %lld s): PHP waits on %s at every "
			    "request of %s, for ever", (unsigned long long)dead.count, s_(dead.count),
			    dead.count == 1 ? "s" : "", dead.count == 1 ? "was" : "were", (long long)age, (long long)dead.s[0].value, dead.count == 1 ? "it" : "them",
			    dead.count == 1 ? "this session" : "these sessions");
		doc_num(f, "locks", (double)dead.count);
		doc_num(f, "oldest_s", (double)dead.s[0].value);
		name_sids(f, &dead);
		doc_advise(f, "delete them with 'memcsess expire --locks SID...' (it logs these sessions "
			   "out too); set memcached.sess_lock_expire so that a dead worker's lock ends");
	}
	if (old.count) {
		f = doc_add(r, "stuck-lock", DOC_WARNING, -1, "%llu lock%s held for over %lld s "
			    "(the oldest %lld s): a worker died or hangs holding %s",
			    (unsigned long long)old.count, old.count == 1 ? " is" : "s are", (long long)age, (long long)old.s[0].value, old.count == 1 ? "it" : "them");
		doc_num(f, "locks", (double)old.count);
		doc_num(f, "oldest_s", (double)old.s[0].value);
		name_sids(f, &old);
		doc_advise(f, "they expire by themselves; to end them now: 'memcsess expire --locks "
			   "SID...' (it logs these sessions out too)");
	}
	if (noexp.count) {
		f = doc_add(r, "stuck-lock", DOC_WARNING, -1, "%llu lock%s no expiry (PHP under "
			    "the CLI, or memcached.sess_lock_expire=0 with max_execution_time=0): if "
			    "the worker dies it stays", (unsigned long long)noexp.count,
			    noexp.count == 1 ? " has" : "s have");
		doc_num(f, "locks", (double)noexp.count);
		name_sids(f, &noexp);
		doc_advise(f, "set memcached.sess_lock_expire; if they outlive their request, 'memcsess "
			   "expire --locks SID...' deletes them");
	}
	if (gone.count) {
		f = doc_add(r, "stuck-lock", DOC_WARNING, -1, "%llu lock%s to %s that %s gone",
			    (unsigned long long)gone.count, gone.count == 1 ? " belongs" : "s belong",
			    gone.count == 1 ? "a session" : "sessions", gone.count == 1 ? "is" : "are");
		doc_num(f, "locks", (double)gone.count);
		name_sids(f, &gone);
		doc_advise(f, "'memcsess expire --locks SID...' deletes the lock keys left behind");
	}
	if (!dead.count && !old.count && !noexp.count && !gone.count) {
		f = doc_add(r, "stuck-lock", DOC_OK, -1, "%llu locks held, none stuck (older than "
			    "%lld s), none without expiry", (unsigned long long)d->locks, (long long)age);
		doc_num(f, "locks", (double)d->locks);
	}
	if (d->locks > d->n_locks)
		doc_add(r, "stuck-lock", DOC_INFO, -1, "only the first %zu of %llu lock keys were "
			"checked", d->n_locks, (unsigned long long)d->locks);
}

void doc_check_expiry(const struct doc_input *in, struct doc_report *r)
{
	struct doc_data *d = in->d;
	int64_t life = doc_lifetime(d);
	struct doc_finding *f;
	if (d->no_expiry.count) {
		f = doc_add(r, "no-expiry", DOC_WARNING, -1, "%llu of %llu sessions never expire "
			    "(session.gc_maxlifetime=0, or a client storing them without a TTL): they "
			    "stay until evicted and push out live ones", (unsigned long long)d->no_expiry.count,
			    (unsigned long long)d->sessions);
		doc_num(f, "sessions", (double)d->no_expiry.count);
		doc_num(f, "share", share(d->no_expiry.count, d->sessions));
		name_sids(f, &d->no_expiry);
		doc_advise(f, "set session.gc_maxlifetime above 0; 'memcsess expire --idle-over 1d' "
			   "deletes the sessions idle for a day");
	} else {
		f = doc_add(r, "no-expiry", DOC_OK, -1, "every session expires (usual lifetime %lld s)",
			    (long long)life);
		doc_num(f, "session_lifetime", (double)life);
	}
	if (d->long_expiry.count) {
		f = doc_add(r, "long-expiry", DOC_WARNING, -1, "%llu session%s longer than 30 days "
			    "(the longest %lld s more): memcached reads a lifetime over 30 days as a "
			    "unix time, so a client that sends it in seconds stores sessions already "
			    "expired, and these hold memory for a month",
			    (unsigned long long)d->long_expiry.count, d->long_expiry.count == 1 ? " lives" : "s live",
			    (long long)d->long_expiry.s[0].value);
		doc_num(f, "sessions", (double)d->long_expiry.count);
		doc_num(f, "longest_ttl", (double)d->long_expiry.s[0].value);
		name_sids(f, &d->long_expiry);
		doc_advise(f, "keep session.gc_maxlifetime at or under 2592000 s (30 days)");
	} else {
		doc_add(r, "long-expiry", DOC_OK, -1, "no session lives longer than 30 days");
	}
}

/* --deep: the largest sessions and the variables taking the most bytes. */
static void size_deep(const struct doc_input *in, struct doc_report *r)
{
	const struct doc_data *d = in->d;
	struct buf b = BUF_INIT;
	size_t order[5] = { 0 }, k = 0;
	for (size_t n = 0; n < 5 && n < d->n_vars; n++) {	/* the five largest */
		size_t best = d->n_vars;
		for (size_t i = 0; i < d->n_vars; i++) {
			int taken = 0;
			for (size_t j = 0; j < k; j++)
				taken |= order[j] == i;
			if (!taken && (best == d->n_vars || d->vars[i].bytes > d->vars[best].bytes))
				best = i;
		}
		order[k++] = best;
	}
	for (size_t j = 0; j < k; j++) {
		const struct doc_var *v = &d->vars[order[j]];
		buf_adds(&b, j ? ", " : "");
		buf_add_escaped(&b, v->name, strlen(v->name));
		buf_printf(&b, ": %.0f%%", 100 * share(v->bytes, d->deep_bytes));
	}
	struct doc_finding *f = doc_add(r, "near-item-limit", DOC_INFO, -1, "of %llu sessions read "
		"(%llu bytes of variables as serialize() writes them), %s%s", (unsigned long long)d->deep_sessions,
		(unsigned long long)d->deep_bytes, k ? "the variables taking the most bytes: " :
		"no variables decoded", b.ptr ? b.ptr : "");
	buf_release(&b);
	char fig[300];
	for (size_t j = 0; j < k; j++) {
		snprintf(fig, sizeof(fig), "var.%s", d->vars[order[j]].name);
		doc_num(f, fig, share(d->vars[order[j]].bytes, d->deep_bytes));
	}
	doc_num(f, "sessions_read", (double)d->deep_sessions);
	doc_num(f, "undecoded", (double)d->deep_undecoded);
	doc_num(f, "largest_bytes", d->largest.n ? (double)d->largest.s[0].value : 0);
	b = (struct buf)BUF_INIT;
	for (size_t i = 0; i < d->largest.n; i++)
		buf_printf(&b, "%s%s (%lld B)", i ? ", " : "", d->largest.s[i].sid,
			   (long long)d->largest.s[i].value);
	char *m = xasprintf("%s; the largest sessions: %s", f->message, b.ptr ? b.ptr : "none");
	free(f->message);
	f->message = m;
	buf_release(&b);
}

void doc_check_size(const struct doc_input *in, struct doc_report *r)
{
	const struct doc_data *d = in->d;
	if (d->near_limit.count) {
		const struct doc_sid *top = &d->near_limit.s[0];
		int64_t max = d->srv[top->server].item_size_max;
		struct doc_finding *f = doc_add(r, "near-item-limit", DOC_WARNING, -1, "%llu session%s "
			"within 10%% of the server's item size limit (the largest %lld B of %lld B, "
			"memcached -I): a write that grows them is refused, and the user's changes are "
			"lost (php-memcached reports it with the message \"SUCCESS\")",
			(unsigned long long)d->near_limit.count, d->near_limit.count == 1 ? " is" : "s are",
			(long long)top->value, (long long)max);
		doc_num(f, "sessions", (double)d->near_limit.count);
		doc_num(f, "largest_item", (double)top->value);
		doc_num(f, "item_size_max", (double)max);
		name_sids(f, &d->near_limit);
		doc_advise(f, "raise the limit (memcached -I) on every server, or keep less in the "
			   "session ('memcsess doctor --deep' shows what takes the bytes)");
	} else {
		doc_add(r, "near-item-limit", DOC_OK, -1, "no session within 10%% of its server's "
			"item size limit");
	}
	if (d->deep)
		size_deep(in, r);
}

void doc_check_replicas(const struct doc_input *in, struct doc_report *r)
{
	const struct doc_data *d = in->d;
	if (in->o->replicas <= 0)
		return;
	struct doc_finding *f;
	if (d->replica_differ || d->replica_missing) {
		f = doc_add(r, "replicas", DOC_WARNING, -1, "of %llu sessions checked, %llu replica "
			    "copies differ from the copy PHP reads first and %llu are missing: with "
			    "memcached.sess_randomize_replica_read users see one or the other",
			    (unsigned long long)d->replica_checked, (unsigned long long)d->replica_differ,
			    (unsigned long long)d->replica_missing);
		name_sids(f, &d->replica_bad);
		doc_advise(f, "copies drift when a write fails on one server (look at its logs); "
			   "'memcsess expire SID...' deletes every copy of a session");
	} else {
		f = doc_add(r, "replicas", DOC_OK, -1, "the %d replica copies of %llu sessions checked "
			    "match the copy PHP reads first", in->o->replicas,
			    (unsigned long long)d->replica_checked);
	}
	doc_num(f, "checked", (double)d->replica_checked);
	doc_num(f, "differ", (double)d->replica_differ);
	doc_num(f, "missing", (double)d->replica_missing);
	doc_num(f, "replicas", in->o->replicas);
}
