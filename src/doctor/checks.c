/* doctor/checks.c: the servers' checks (see checks.h). */
#include "doctor/checks.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Known problems by version, the worst first within each bound. */
static const struct {
	long below;		/* versions below this one have it */
	enum doc_severity sev;
	const char *why;
} versions[] = {
	{ 1004031, DOC_WARNING, "no lru_crawler metadump before 1.4.31: sessions can only be listed "
				"with stats cachedump, which misses most of them" },
	/* info: it takes a watcher, which neither PHP nor memcsess's commands here start */
	{ 1006042, DOC_INFO, "memcached before 1.6.42 can crash when a binary-protocol set fails "
			     "(PHP's session handler speaks binary with memcached.sess_binary_protocol"
			     "=On, its default) while a 'watch mutations' stream runs: do not watch "
			     "mutations on it" },
};

enum doc_severity doc_version_problem(const char *version, const char **why)
{
	long v = doc_version_num(version);
	if (v < 0)
		return DOC_OK;	/* proxies and forks say something else: nothing known */
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (v < versions[i].below) {
			*why = versions[i].why;
			return versions[i].sev;
		}
	return DOC_OK;
}

enum doc_severity doc_exposure(enum net_scope scope, int auth)
{
	if (auth > 0 || scope == NET_LOOPBACK || scope == NET_LOCAL)
		return DOC_OK;
	if (scope == NET_PUBLIC)
		return auth == 0 ? DOC_CRITICAL : DOC_WARNING;
	return DOC_WARNING;	/* private, or an address memcsess could not tell */
}

static const char *name(const struct doc_input *in, size_t i)
{
	return in->p->servers[i].name;
}

void doc_check_reach(const struct doc_input *in, struct doc_report *r)
{
	size_t slow = 0;
	double crit_ms = in->p->timeout_ms / 2.0;
	for (size_t i = 0; i < in->d->n; i++) {
		const struct doc_srv *s = &in->d->srv[i];
		if (!s->reached) {
			struct doc_finding *f = doc_add(r, "unreachable", DOC_CRITICAL, (int)i,
				"does not answer: %s", s->error ? s->error : "failed");
			doc_num(f, "share_of_pool", 1.0 / (double)in->d->n);
			doc_advise(f, "start it or take it out of session.save_path on every web server: "
				   "PHP cannot read or write the sessions it should hold");
			continue;
		}
		if (s->rtt_ms < DOC_SLOW_MS)
			continue;
		slow++;
		struct doc_finding *f = doc_add(r, "slow", s->rtt_ms >= crit_ms ? DOC_CRITICAL :
			DOC_WARNING, (int)i, "answers slowly: a round trip takes %.1f ms", s->rtt_ms);
		doc_num(f, "rtt_ms", s->rtt_ms);
		doc_num(f, "slow_ms", DOC_SLOW_MS);
		doc_advise(f, "every PHP request waits on it at least twice (read and write): look at "
			   "its load, the network, and swapping");
	}
	if (in->d->reached == in->d->n) {
		struct doc_finding *f = doc_add(r, "unreachable", DOC_OK, -1, "every server answers "
						"(%zu of %zu)", in->d->reached, in->d->n);
		doc_num(f, "servers", (double)in->d->n);
	}
	if (slow || !in->d->reached)
		return;
	struct buf b = BUF_INIT;
	struct doc_finding *f = doc_add(r, "slow", DOC_OK, -1, "%s", "");
	for (size_t i = 0; i < in->d->n; i++) {
		if (!in->d->srv[i].reached)
			continue;
		buf_printf(&b, "%s%.2f ms (%s)", b.len ? ", " : "round trips ", in->d->srv[i].rtt_ms,
			   name(in, i));
		char fig[300];
		snprintf(fig, sizeof(fig), "rtt_ms.%s", name(in, i));
		doc_num(f, fig, in->d->srv[i].rtt_ms);
	}
	free(f->message);
	f->message = buf_detach(&b, NULL);
}

void doc_check_version(const struct doc_input *in, struct doc_report *r)
{
	size_t bad = 0;
	for (size_t i = 0; i < in->d->n; i++) {
		const struct doc_srv *s = &in->d->srv[i];
		const char *why = NULL;
		enum doc_severity sev = s->reached ? doc_version_problem(s->version, &why) : DOC_OK;
		if (sev == DOC_OK)
			continue;
		bad++;
		struct doc_finding *f = doc_add(r, "version", sev, (int)i, "memcached %s: %s",
						s->version, why);
		doc_str(f, "version", "%s", s->version);
		doc_advise(f, "upgrade memcached on this server");
	}
	if (!bad && in->d->reached) {
		struct buf b = BUF_INIT;
		for (size_t i = 0; i < in->d->n; i++)
			if (in->d->srv[i].reached && !strstr(b.ptr ? b.ptr : "", in->d->srv[i].version))
				buf_printf(&b, "%s%s", b.len ? ", " : "", in->d->srv[i].version);
		doc_add(r, "version", DOC_OK, -1, "no known problem in memcached %s", b.ptr ? b.ptr : "");
		buf_release(&b);
	}
}

void doc_check_listing(const struct doc_input *in, struct doc_report *r)
{
	size_t bad = 0;
	for (size_t i = 0; i < in->d->n; i++) {
		const struct doc_srv *s = &in->d->srv[i];
		if (!s->reached)
			continue;
		struct doc_finding *f = NULL;
		if (s->dump_enabled == 0 || s->walk_failed) {
			f = doc_add(r, "listing", DOC_WARNING, (int)i, "%s",
				    s->dump_enabled == 0 ? "lru_crawler metadump and stats cachedump are "
				    "refused (memcached -X): memcsess sees none of its sessions, so list, "
				    "dump, migrate, expire by filter and these checks miss them" :
				    s->walk_error ? s->walk_error : "its keys could not be walked");
			doc_advise(f, "%s", s->dump_enabled == 0 ? "restart it without -X to let memcsess "
				   "list its sessions" : "see the message; run memcsess doctor again");
		} else if (s->method == ENUM_CACHEDUMP) {
			f = doc_add(r, "listing", DOC_WARNING, (int)i, "lru_crawler metadump refused: "
				    "listed with stats cachedump, which misses sessions");
			doc_advise(f, "enable the LRU crawler (memcached -o lru_crawler) on this server");
		}
		if (f) {
			doc_num(f, "dump_enabled", (double)s->dump_enabled);
			bad++;
		}
		if (s->watch == 0) {
			f = doc_add(r, "listing", DOC_INFO, (int)i, "watch is refused (memcached -W): "
				    "memcsess cannot follow changes on this server live");
			doc_num(f, "watch_enabled", 0);
		}
	}
	if (!bad && in->d->reached)
		doc_add(r, "listing", DOC_OK, -1, "every server answering lets memcsess list its keys "
			"(lru_crawler metadump)");
}

/* One class of server i that holds sessions, against the session lifetime. */
static int class_eviction(const struct doc_input *in, size_t i, int c, int64_t life,
			  struct doc_report *r)
{
	const struct doc_class *k = &in->d->srv[i].cls[c];
	if (!k->sessions || !k->have_items || (!k->evicted_nonzero && !k->outofmemory))
		return 0;
	int early = k->evicted_nonzero && (life < 0 || (int64_t)k->evicted_time < life);
	struct doc_finding *f;
	if (early && life >= 0)
		f = doc_add(r, "early-eviction", DOC_WARNING, (int)i, "slab class %d (chunks of %llu B, "
			"%llu sessions): items are evicted after %llu s idle while sessions should "
			"live %lld s: users are logged out early", c, (unsigned long long)k->chunk_size,
			(unsigned long long)k->sessions, (unsigned long long)k->evicted_time,
			(long long)life);
	else if (early)
		f = doc_add(r, "early-eviction", DOC_WARNING, (int)i, "slab class %d (chunks of %llu B, "
			"%llu sessions): %llu items were evicted before they expired", c,
			(unsigned long long)k->chunk_size, (unsigned long long)k->sessions,
			(unsigned long long)k->evicted_nonzero);
	else if (k->outofmemory)
		f = doc_add(r, "early-eviction", DOC_WARNING, (int)i, "slab class %d: %llu writes "
			"refused for lack of memory (outofmemory)", c, (unsigned long long)k->outofmemory);
	else
		f = doc_add(r, "early-eviction", DOC_INFO, (int)i, "slab class %d: items evicted, the "
			"last after %llu s idle, past the session lifetime of %lld s", c,
			(unsigned long long)k->evicted_time, (long long)life);
	doc_num(f, "class", c);
	doc_num(f, "chunk_size", (double)k->chunk_size);
	doc_num(f, "sessions", (double)k->sessions);
	doc_num(f, "evicted", (double)k->evicted);
	doc_num(f, "evicted_nonzero", (double)k->evicted_nonzero);
	doc_num(f, "evicted_unfetched", (double)k->evicted_unfetched);
	doc_num(f, "evicted_time", (double)k->evicted_time);
	doc_num(f, "outofmemory", (double)k->outofmemory);
	doc_num(f, "session_lifetime", (double)life);
	doc_advise(f, "give memcached more memory (-m), keep other data off the session servers, "
		   "or make sessions smaller (memcsess doctor --deep names the largest)");
	return f->sev >= DOC_WARNING;
}

void doc_check_eviction(const struct doc_input *in, struct doc_report *r)
{
	int64_t life = doc_lifetime(in->d);
	size_t bad = 0;
	for (size_t i = 0; i < in->d->n; i++)
		for (int c = 1; c < DOC_CLASSES && in->d->srv[i].reached; c++)
			bad += (size_t)class_eviction(in, i, c, life, r);
	if (!bad && in->d->reached) {
		struct doc_finding *f = doc_add(r, "early-eviction", DOC_OK, -1, "no session class "
						"evicts before sessions expire");
		doc_num(f, "session_lifetime", (double)life);
	}
}

/* The memory finding of one server; returns 1 when at warning. */
static int server_memory(const struct doc_input *in, size_t i, struct doc_report *r)
{
	const struct doc_srv *s = &in->d->srv[i];
	if (!s->reached || !s->limit_maxbytes)
		return 0;
	uint64_t used = s->malloced > s->bytes ? s->malloced : s->bytes;
	double head = used >= s->limit_maxbytes ? 0 :
		      (double)(s->limit_maxbytes - used) / (double)s->limit_maxbytes;
	double rate = s->dt >= DOC_RATE_MIN_S && s->bytes_after > s->bytes ?
		      (double)(s->bytes_after - s->bytes) / s->dt : 0;
	double full_in = rate > 0 && head > 0 ? (double)(s->limit_maxbytes - used) / rate : -1;
	int full = head < DOC_MEMORY_LOW, stuck = s->slab_reassign == 0 || s->slab_automove == 0;
	struct buf b = BUF_INIT;
	enum doc_severity sev = DOC_INFO;
	if (full && s->evictions) {
		buf_printf(&b, "memory full (%.0f%% used) and evicting (%llu evictions)",
			   100 * (1 - head), (unsigned long long)s->evictions);
		sev = DOC_WARNING;
	} else if (full_in >= 0 && full_in < DOC_FULL_SOON) {
		buf_printf(&b, "full in %.0f s at the current rate (%.0f B/s)", full_in, rate);
		sev = DOC_WARNING;
	} else if (full) {
		buf_printf(&b, "memory nearly full (%.0f%% used), no evictions yet", 100 * (1 - head));
	}
	if (stuck && full) {
		buf_printf(&b, "%sslab_reassign or slab_automove is off: memory taken by one size of "
			   "item never goes to another, and sessions that grow starve", b.len ? "; " : "");
		sev = DOC_WARNING;
	}
	if (!b.len) {
		buf_release(&b);
		return 0;
	}
	struct doc_finding *f = doc_add(r, "memory", sev, (int)i, "%s", b.ptr);
	buf_release(&b);
	doc_num(f, "limit_maxbytes", (double)s->limit_maxbytes);
	doc_num(f, "used_bytes", (double)used);
	doc_num(f, "headroom", head);
	doc_num(f, "evictions", (double)s->evictions);
	doc_num(f, "growth_bytes_per_s", rate);
	doc_num(f, "full_in_s", full_in);
	doc_num(f, "slab_reassign", (double)s->slab_reassign);
	doc_num(f, "slab_automove", (double)s->slab_automove);
	doc_advise(f, "give memcached more memory (-m)%s", stuck ? ", and run it with "
		   "-o slab_reassign,slab_automove=1" : "");
	return sev >= DOC_WARNING;
}

void doc_check_memory(const struct doc_input *in, struct doc_report *r)
{
	size_t bad = 0;
	for (size_t i = 0; i < in->d->n; i++)
		bad += (size_t)server_memory(in, i, r);
	if (bad || !in->d->reached)
		return;
	struct buf b = BUF_INIT;
	struct doc_finding *f = doc_add(r, "memory", DOC_OK, -1, "%s", "");
	for (size_t i = 0; i < in->d->n; i++) {
		const struct doc_srv *s = &in->d->srv[i];
		if (!s->reached || !s->limit_maxbytes)
			continue;
		uint64_t used = s->malloced > s->bytes ? s->malloced : s->bytes;
		double head = used >= s->limit_maxbytes ? 0 :
			      (double)(s->limit_maxbytes - used) / (double)s->limit_maxbytes;
		buf_printf(&b, "%s%.0f%% (%s)", b.len ? ", " : "headroom ", 100 * head, name(in, i));
		char fig[300];
		snprintf(fig, sizeof(fig), "headroom.%s", name(in, i));
		doc_num(f, fig, head);
	}
	free(f->message);
	f->message = buf_detach(&b, NULL);
	if (!f->message)
		f->message = xstrdup("no memory figures");
}

void doc_check_exposure(const struct doc_input *in, struct doc_report *r)
{
	size_t bad = 0;
	struct buf seen = BUF_INIT;
	for (size_t i = 0; i < in->d->n; i++) {
		const struct doc_srv *s = &in->d->srv[i];
		if (!s->reached)
			continue;
		int auth = s->auth >= 0 ? (int)s->auth : in->p->servers[i].username ? 1 : -1;
		enum doc_severity sev = doc_exposure(s->scope, auth);
		buf_printf(&seen, "%s%s %s", seen.len ? ", " : "", net_scope_name(s->scope), s->addr);
		if (sev != DOC_OK) {
			struct doc_finding *f = doc_add(r, "exposure", sev, (int)i, "reached on %s address "
				"%s %s: anyone who reaches that address reads and changes every session",
				net_scope_name(s->scope), s->addr, auth == 0 ? "without authentication" :
				"and authentication could not be told");
			doc_str(f, "address", "%s", s->addr);
			doc_str(f, "scope", "%s", net_scope_name(s->scope));
			doc_num(f, "auth", auth);
			doc_advise(f, "bind memcached to loopback or a private network only reachable by "
				   "the web servers (-l), firewall the port, and require a login (-Y or -S "
				   "with SASL); memcsess judges only the address it uses");
			bad++;
		}
		if (s->udpport > 0) {
			struct doc_finding *f = doc_add(r, "exposure", DOC_WARNING, (int)i, "UDP is "
				"enabled on port %lld: memcached over UDP serves as a traffic amplifier "
				"for attacks, and PHP sessions never use it", (long long)s->udpport);
			doc_num(f, "udpport", (double)s->udpport);
			doc_advise(f, "start memcached with -U 0");
			bad++;
		}
	}
	if (!bad && in->d->reached)
		doc_add(r, "exposure", DOC_OK, -1, "no server open beyond its host or without a "
			"login, no UDP (judged on the addresses memcsess uses: %s; another interface of "
			"the same server may still be open)", seen.ptr);
	buf_release(&seen);
}

/* The date of unix time t, as "2027-01-31". */
static void day_text(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, cap, "%Y-%m-%d", &tm);
}

void doc_check_certificate(const struct doc_input *in, struct doc_report *r)
{
	size_t tls = 0, bad = 0;
	int64_t first = 0, now = in->d->now ? in->d->now : (int64_t)time(NULL);
	for (size_t i = 0; i < in->d->n; i++) {
		const struct doc_srv *s = &in->d->srv[i];
		if (!s->reached || !s->cert_not_after)
			continue;
		tls++;
		if (!first || s->cert_not_after < first)
			first = s->cert_not_after;
		int64_t left = s->cert_not_after - now;
		if (left >= DOC_CERT_SOON)
			continue;
		char day[32];
		day_text(s->cert_not_after, day, sizeof(day));
		struct doc_finding *f = left < 0 ?
			doc_add(r, "certificate", DOC_CRITICAL, (int)i, "the server's TLS certificate "
				"expired on %s: clients that check it cannot connect", day) :
			doc_add(r, "certificate", DOC_WARNING, (int)i, "the server's TLS certificate "
				"expires on %s, in %lld days", day, (long long)(left / 86400));
		doc_str(f, "not_after", "%s", day);
		doc_num(f, "days_left", (double)(left / 86400));
		doc_advise(f, "renew the certificate (memcached -o ssl_chain_cert) and have memcached "
			   "load it again (restart, or 'refresh_certs')");
		bad++;
	}
	if (tls && !bad) {
		char day[32];
		day_text(first, day, sizeof(day));
		doc_add(r, "certificate", DOC_OK, -1, "every server's TLS certificate is valid for "
			"over %d days (the first ends on %s)", DOC_CERT_SOON / 86400, day);
	}
}
