/* doctor/gather.c: asking the servers and walking the pool for memcsess doctor (see
 * gather.h). */
#include "doctor/gather.h"
#include "doctor/size.h"
#include "mc/conn.h"
#include "mc/limit.h"
#include "mc/meta.h"
#include "mc/scan.h"
#include "mc/stats.h"
#include "mc/stats_raw.h"
#include "mc/tls.h"
#include "php/value.h"
#include "session_decode.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RTT_TRIES 5
#define REPLICA_CHECKS 10000	/* sessions whose copies are compared, at most */
#define VAR_SLOTS 8192		/* hash slots for DOC_VARS names */

void doc_examples_add(struct doc_examples *ex, const char *sid, size_t sid_len, size_t server,
		      int64_t value)
{
	ex->count++;
	size_t at = ex->n;
	while (at > 0 && ex->s[at - 1].value < value)
		at--;
	if (at >= DOC_EXAMPLES)
		return;
	size_t last = ex->n < DOC_EXAMPLES ? ex->n : DOC_EXAMPLES - 1;
	memmove(&ex->s[at + 1], &ex->s[at], (last - at) * sizeof(ex->s[0]));
	if (ex->n < DOC_EXAMPLES)
		ex->n++;
	size_t k = sid_len < MC_MAX_KEY ? sid_len : MC_MAX_KEY;
	memcpy(ex->s[at].sid, sid, k);
	ex->s[at].sid[k] = '\0';
	ex->s[at].server = server;
	ex->s[at].value = value;
}

void doc_examples_text(const struct doc_examples *ex, struct buf *out)
{
	for (size_t i = 0; i < ex->n; i++) {
		buf_adds(out, i ? ", " : "");
		buf_add_escaped(out, ex->s[i].sid, strlen(ex->s[i].sid));
	}
	if (ex->count > ex->n)
		buf_printf(out, " and %llu more", (unsigned long long)(ex->count - ex->n));
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

int64_t doc_lifetime(struct doc_data *d)
{
	if (d->n_lifetimes == 0)
		return -1;
	qsort(d->lifetimes, d->n_lifetimes, sizeof(d->lifetimes[0]), cmp_i64);
	return d->lifetimes[d->n_lifetimes / 2];
}

int doc_class_of(const struct doc_srv *s, uint64_t size)
{
	int best = -1;
	for (int i = 1; i < DOC_CLASSES; i++)
		if (s->cls[i].chunk_size >= size &&
		    (best < 0 || s->cls[i].chunk_size < s->cls[best].chunk_size))
			best = i;
	return best;
}

long doc_version_num(const char *v)
{
	unsigned a, b, c;
	if (sscanf(v, "%u.%u.%u", &a, &b, &c) != 3 || a > 99 || b > 999 || c > 999)
		return -1;
	return (long)a * 1000000 + (long)b * 1000 + (long)c;
}

/* A setting as a number: "yes"/"on" 1, "no"/"off" 0, digits as they are; -1 absent. */
static int64_t setting(const struct stats_raw *r, const char *name)
{
	const char *v = stats_raw_get(r, name);
	uint64_t u;
	if (!v)
		return -1;
	if (strcmp(v, "yes") == 0 || strcmp(v, "on") == 0)
		return 1;
	if (strcmp(v, "no") == 0 || strcmp(v, "off") == 0)
		return 0;
	return parse_u64(v, strlen(v), &u) == 0 && u <= INT64_MAX ? (int64_t)u : -1;
}

static uint64_t stat_u64(const struct stats_raw *r, const char *name)
{
	uint64_t u = 0;
	stats_raw_u64(r, name, &u);
	return u;
}

/* Takes "stats settings" into s. */
static void take_settings(struct doc_srv *s, const struct stats_raw *r)
{
	s->item_size_max = setting(r, "item_size_max");
	s->udpport = setting(r, "udpport");
	s->dump_enabled = setting(r, "dump_enabled");
	s->slab_reassign = setting(r, "slab_reassign");
	s->slab_automove = setting(r, "slab_automove");
	int64_t sasl = setting(r, "auth_enabled_sasl"), ascii = setting(r, "auth_enabled_ascii");
	s->auth = sasl < 0 && ascii < 0 ? -1 : sasl > 0 || ascii > 0;
}

/* Takes "stats items" and "stats slabs" (one list) into s's classes. */
static void take_classes(struct doc_srv *s, const struct stats_raw *r)
{
	char name[64];
	for (int i = 1; i < DOC_CLASSES; i++) {
		struct doc_class *c = &s->cls[i];
		snprintf(name, sizeof(name), "%d:chunk_size", i);
		c->chunk_size = stat_u64(r, name);
		snprintf(name, sizeof(name), "items:%d:number", i);
		c->have_items = stats_raw_get(r, name) != NULL;
		if (!c->have_items)
			continue;
		c->number = stat_u64(r, name);
#define ITEM(f) snprintf(name, sizeof(name), "items:%d:" #f, i); c->f = stat_u64(r, name)
		ITEM(evicted);
		ITEM(evicted_nonzero);
		ITEM(evicted_unfetched);
		ITEM(evicted_time);
		ITEM(outofmemory);
#undef ITEM
	}
	s->malloced = stat_u64(r, "total_malloced");
}

/* The median round trip of a few "version" commands, in ms; -1 when one failed. */
static double round_trip(struct conn *c, char **cause)
{
	double t[RTT_TRIES];
	for (int k = 0; k < RTT_TRIES; k++) {
		const char *line;
		size_t len;
		double t0 = stats_now();
		if (conn_command(c, "version", cause) < 0 || conn_readline(c, &line, &len, cause) < 0)
			return -1;
		t[k] = (stats_now() - t0) * 1000;
		if (len < 8 || memcmp(line, "VERSION ", 8) != 0) {
			*cause = xasprintf("server %s: version: server replied '%.*s'", c->name,
					   (int)(len > 80 ? 80 : len), line);
			return -1;
		}
	}
	for (int i = 1; i < RTT_TRIES; i++)	/* insertion sort of five */
		for (int k = i; k > 0 && t[k] < t[k - 1]; k--) {
			double x = t[k];
			t[k] = t[k - 1];
			t[k - 1] = x;
		}
	return t[RTT_TRIES / 2];
}

#define WATCH_SLICE_MS 100	/* how often the watch probes look at the cancel flag */
#define WATCH_BATCH 256		/* watch probes open at once (each holds a descriptor) */

/* One server's "watch" probe: its connection and the reply line read so far. */
struct watch_probe {
	struct conn c;
	int opened;		/* c is open */
	int waiting;		/* its reply line is not complete */
	struct buf line;
};

/* What a reply line to "watch" says: 1 allowed, 0 refused (-W), -1 unknown. */
static int watch_verdict(const char *line, size_t len)
{
	return len == 2 && memcmp(line, "OK", 2) == 0 ? 1 :
	       memmem(line, len, "not allowed", 11) ? 0 : -1;
}

/* Reads what has come for w without waiting; when its reply line is complete (or the
 * connection failed), sets *watch and stops waiting. */
static void watch_read(struct watch_probe *w, int *watch)
{
	char chunk[512], *cause = NULL;
	long got;
	while ((got = conn_recv(&w->c, chunk, sizeof(chunk), &cause)) > 0) {
		buf_add(&w->line, chunk, (size_t)got);
		char *nl = memchr(w->line.ptr, '\n', w->line.len);
		if (nl || w->line.len > CONN_MAX_LINE) {
			size_t len = nl ? (size_t)(nl - w->line.ptr) : w->line.len;
			if (len > 0 && w->line.ptr[len - 1] == '\r')
				len--;
			*watch = nl ? watch_verdict(w->line.ptr, len) : -1;
			w->waiting = 0;
			return;
		}
	}
	if (got < 0)
		w->waiting = 0;	/* *watch stays -1 */
	free(cause);
}

/* Whether reached servers from..to-1 allow "watch" (memcached -W refuses it), into
 * d->srv[].watch: 1, 0, or -1 unknown. memcached answers a new watcher when its logger thread
 * wakes (up to a second later when it already has watchers), so every server is asked first
 * and the replies are awaited together, all within one timeout. */
static void watch_batch(const struct pool *p, struct doc_data *d, size_t from, size_t to,
			volatile sig_atomic_t *cancel)
{
	size_t m = to - from;
	struct watch_probe *w = xcalloc(m, sizeof(*w));
	struct pollfd *pfd = xcalloc(m, sizeof(*pfd));
	size_t *of = xcalloc(m, sizeof(*of));
	for (size_t k = 0; k < m; k++) {
		char *cause = NULL;
		if (!d->srv[from + k].reached)
			continue;
		d->srv[from + k].watch = -1;
		w[k].opened = conn_open(&w[k].c, &p->servers[from + k], p->timeout_ms, &cause) == 0;
		w[k].waiting = w[k].opened && conn_command(&w[k].c, "watch", &cause) == 0;
		free(cause);
	}
	double end = stats_now() + p->timeout_ms / 1000.0;
	for (;;) {
		size_t n = 0;
		for (size_t k = 0; k < m; k++)
			if (w[k].waiting) {
				pfd[n] = (struct pollfd){ .fd = w[k].c.fd, .events = POLLIN };
				of[n++] = k;
			}
		int left = (int)((end - stats_now()) * 1000);
		if (n == 0 || left <= 0 || (cancel && *cancel))
			break;
		if (poll(pfd, n, left < WATCH_SLICE_MS ? left : WATCH_SLICE_MS) < 0 && errno != EINTR)
			break;
		for (size_t k = 0; k < n; k++)
			if (pfd[k].revents)
				watch_read(&w[of[k]], &d->srv[from + of[k]].watch);
	}
	for (size_t k = 0; k < m; k++) {
		if (w[k].opened)
			conn_close(&w[k].c);	/* never parked: it is a watcher now */
		buf_release(&w[k].line);
	}
	free(w);
	free(pfd);
	free(of);
}

/* Every reached server's watch (watch_batch), WATCH_BATCH servers at a time. */
static void watch_all(const struct pool *p, struct doc_data *d, volatile sig_atomic_t *cancel)
{
	for (size_t i = 0; i < p->n; i += WATCH_BATCH)
		watch_batch(p, d, i, i + WATCH_BATCH < p->n ? i + WATCH_BATCH : p->n, cancel);
}

/* Asks server i for everything but the walk. Returns 0, or -1 with s->error. */
static int probe(const struct pool *p, size_t i, struct doc_srv *s)
{
	struct conn c;
	struct stats_raw st = { 0 }, set = { 0 }, cls = { 0 };
	char *cause = NULL;
	int ret = -1;
	s->rtt_ms = -1;
	if (conn_open(&c, &p->servers[i], p->timeout_ms, &cause) < 0)
		goto out;
	s->scope = p->servers[i].socket ? NET_LOCAL : net_scope_peer(c.fd, s->addr, sizeof(s->addr));
	time_t not_after;
	if (c.ssl && tls_peer_expiry(c.ssl, &not_after) == 0)
		s->cert_not_after = not_after;
	if ((s->rtt_ms = round_trip(&c, &cause)) < 0 || stats_raw_fetch(&c, NULL, &st, &cause) < 0)
		goto out;
	const char *v = stats_raw_get(&st, "version");
	snprintf(s->version, sizeof(s->version), "%s", v ? v : "");
	s->limit_maxbytes = stat_u64(&st, "limit_maxbytes");
	s->bytes = stat_u64(&st, "bytes");
	s->evictions = stat_u64(&st, "evictions");
	s->curr_items = stat_u64(&st, "curr_items");
	s->reached = 1;
	ret = 0;
	/* older servers or proxies may refuse these: what they leave out stays unknown */
	if (stats_raw_fetch(&c, "settings", &set, &cause) == 0)
		take_settings(s, &set);
	else
		s->item_size_max = s->udpport = s->dump_enabled = s->slab_reassign =
			s->slab_automove = s->auth = -1;
	free(cause);
	cause = NULL;
	if (stats_raw_fetch(&c, "items", &cls, &cause) == 0 &&
	    stats_raw_fetch(&c, "slabs", &cls, &cause) == 0)
		take_classes(s, &cls);
out:
	if (ret < 0) {
		s->error = cause ? cause : xstrdup("failed");
		cause = NULL;
	}
	free(cause);
	conn_close(&c);
	stats_raw_release(&st);
	stats_raw_release(&set);
	stats_raw_release(&cls);
	return ret;
}

/* The second stats sample of server i (memory growth). */
static void sample_again(const struct pool *p, size_t i, struct doc_srv *s, double t0)
{
	struct conn c;
	struct stats_raw st = { 0 };
	char *cause = NULL;
	if (conn_open(&c, &p->servers[i], p->timeout_ms, &cause) == 0 &&
	    stats_raw_fetch(&c, NULL, &st, &cause) == 0) {
		s->bytes_after = stat_u64(&st, "bytes");
		s->evictions_after = stat_u64(&st, "evictions");
		s->dt = stats_now() - t0;
	}
	free(cause);
	conn_close(&c);
	stats_raw_release(&st);
}

struct walk {
	const struct pool *p;
	const struct doc_opts *o;
	struct doc_data *d;
	uint64_t rng;
	size_t *var_slots;	/* VAR_SLOTS indexes + 1 into d->vars, 0 empty */
	struct doc_placed *homes;	/* --replicas: sessions seen on their home server */
	size_t n_homes;
};

static uint64_t next_rand(struct walk *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

/* Reservoir sampling: the slot for the seen-th item (1-based) in a reservoir of cap, or -1. */
static long reservoir_slot(struct walk *w, uint64_t seen, size_t cap)
{
	if (seen <= cap)
		return (long)(seen - 1);
	uint64_t k = next_rand(w) % seen;
	return k < cap ? (long)k : -1;
}

/* Is server s one PHP reads or writes sid at home h (h, or one of the replicas after it)? */
static int placed(const struct pool *p, const struct doc_opts *o, size_t h, size_t s)
{
	size_t r = o->replicas > 0 ? (size_t)o->replicas : 0;
	if (r > p->n - 1)
		r = p->n - 1;
	return (s + p->n - h) % p->n <= r;
}

static void on_lock(struct walk *w, const struct sess_rec *r)
{
	struct doc_data *d = w->d;
	d->locks++;
	d->srv[r->server].locks++;
	if (d->n_locks >= DOC_LOCKS)
		return;
	struct doc_lock *l = &d->locks_list[d->n_locks++];
	size_t k = r->sid_len < MC_MAX_KEY ? r->sid_len : MC_MAX_KEY;
	memcpy(l->sid, r->sid, k);
	l->sid[k] = '\0';
	l->server = r->server;
	l->ttl = r->ttl;
	l->idle = r->idle;
}

/* Counts var name (n bytes) with bytes in the --deep table. */
static void count_var(struct walk *w, const char *name, size_t n, uint64_t bytes)
{
	struct doc_data *d = w->d;
	size_t h = (size_t)(hash_bytes(name, n) % VAR_SLOTS);
	for (size_t k = 0; k < VAR_SLOTS; k++, h = (h + 1) % VAR_SLOTS) {
		size_t at = w->var_slots[h];
		if (at && strlen(d->vars[at - 1].name) == n && memcmp(d->vars[at - 1].name, name, n) == 0) {
			d->vars[at - 1].bytes += bytes;
			d->vars[at - 1].sessions++;
			return;
		}
		if (at)
			continue;
		if (d->n_vars >= DOC_VARS)
			break;
		d->vars[d->n_vars] = (struct doc_var){ xstrndup(name, n), bytes, 1 };
		w->var_slots[h] = ++d->n_vars;
		return;
	}
	d->vars_dropped++;
}

/* --deep: the session's top-level variables and their sizes. */
static void on_value(struct walk *w, const struct sess_rec *r)
{
	struct doc_data *d = w->d;
	struct decode_info info;
	d->deep_sessions++;
	doc_examples_add(&d->largest, r->sid, r->sid_len, r->server, (int64_t)r->value_len);
	struct pv *v = session_decode(r, NULL, &info);
	if (!v || (v->type != PV_ARRAY && v->type != PV_OBJECT)) {
		d->deep_undecoded++;
		pv_free(v);
		return;
	}
	for (size_t i = 0; i < v->n_items; i++) {
		const struct pv *k = v->items[i].key;
		char num[32];
		const char *name = num;
		size_t n;
		if (k->type == PV_STRING) {
			name = k->u.str.ptr;
			n = k->u.str.len;
		} else {
			n = (size_t)snprintf(num, sizeof(num), "%lld", (long long)k->u.i);
		}
		uint64_t bytes = n + 1 + doc_serialized_size(v->items[i].value);
		d->deep_bytes += bytes;
		count_var(w, name, n, bytes);
	}
	pv_free(v);
}

static void on_session(struct walk *w, const struct sess_rec *r)
{
	struct doc_data *d = w->d;
	struct doc_srv *s = &d->srv[r->server];
	d->sessions++;
	s->sessions++;
	int ok = placed(w->p, w->o, r->home, r->server);
	d->srv[ok ? r->server : r->home].home++;
	if (!ok) {
		long k = reservoir_slot(w, ++d->misplaced, DOC_SAMPLE);
		if (k >= 0) {
			size_t n = r->sid_len < MC_MAX_KEY ? r->sid_len : MC_MAX_KEY;
			memcpy(d->sample[k].sid, r->sid, n);
			d->sample[k].sid[n] = '\0';
			d->sample[k].server = r->server;
			d->n_sample = d->misplaced < DOC_SAMPLE ? d->misplaced : DOC_SAMPLE;
		}
	}
	/* values read through mg: the size in memory from the value (metadump's is not there) */
	uint64_t size = r->item_size ? r->item_size : r->have_meta ?
			limit_item_size(r->key_len, r->flags, r->value_len, 1) : 0;
	int c = size ? doc_class_of(s, size) : -1;
	if (c > 0)
		s->cls[c].sessions++;
	s->session_bytes += size;
	if (r->exp < 0)
		doc_examples_add(&d->no_expiry, r->sid, r->sid_len, r->server, r->idle);
	else if (r->ttl > 30 * 86400)
		doc_examples_add(&d->long_expiry, r->sid, r->sid_len, r->server, r->ttl);
	if (r->exp >= 0 && r->la >= 0 && r->exp >= r->la) {
		long k = reservoir_slot(w, ++d->lifetimes_seen, DOC_LIFETIMES);
		if (k >= 0)
			d->lifetimes[k] = r->exp - r->la;
		d->n_lifetimes = d->lifetimes_seen < DOC_LIFETIMES ? d->lifetimes_seen : DOC_LIFETIMES;
	}
	if (s->item_size_max > 0 && size * 10 >= (uint64_t)s->item_size_max * 9)
		doc_examples_add(&d->near_limit, r->sid, r->sid_len, r->server, (int64_t)size);
	if (r->value)
		on_value(w, r);
	if (w->o->replicas > 0 && r->server == r->home && w->n_homes < REPLICA_CHECKS) {
		struct doc_placed *h = &w->homes[w->n_homes++];
		size_t n = r->sid_len < MC_MAX_KEY ? r->sid_len : MC_MAX_KEY;
		memcpy(h->sid, r->sid, n);
		h->sid[n] = '\0';
		h->server = r->server;
	}
}

static int on_rec(const struct sess_rec *r, void *arg)
{
	struct walk *w = arg;
	if (r->kind == REC_LOCK)
		on_lock(w, r);
	else if (r->kind == REC_SESSION)
		on_session(w, r);
	return 0;
}

/* A connection to server i from conns (opened on first use); NULL when it cannot be had. */
static struct conn *conn_of(const struct pool *p, struct conn *conns, int *open, size_t i)
{
	char *cause = NULL;
	if (open[i] == 0)
		open[i] = conn_open(&conns[i], &p->servers[i], p->timeout_ms, &cause) == 0 ? 1 : -1;
	free(cause);
	return open[i] > 0 ? &conns[i] : NULL;
}

/* Whether server i holds sid: 1, 0, or -1 unknown; with value, its bytes go there. */
static int holds(const struct pool *p, struct conn *conns, int *open, size_t i, const char *sid,
		 struct buf *value)
{
	struct conn *c = conn_of(p, conns, open, i);
	struct mg_reply rep;
	char *cause = NULL;
	if (!c)
		return -1;
	char *key = xasprintf("%s%s", p->prefix, sid);
	int r = meta_get(c, key, strlen(key), value != NULL, &rep, value, &cause);
	free(key);
	free(cause);
	if (r < 0) {
		conn_close(c);
		open[i] = -1;
		return -1;
	}
	return rep.found;
}

/* Marks the locks whose session is on none of the servers PHP reads it from. */
static void locks_gone(const struct pool *p, const struct doc_opts *o, struct doc_data *d,
		       struct conn *conns, int *open)
{
	for (size_t k = 0; k < d->n_locks; k++) {
		struct doc_lock *l = &d->locks_list[k];
		size_t h = pool_home(p, l->sid, strlen(l->sid));
		int found = 0, unknown = 0;
		for (size_t s = 0; s < p->n && !found; s++) {
			if (!placed(p, o, h, s))
				continue;
			int r = holds(p, conns, open, s, l->sid, NULL);
			found = r > 0;
			unknown |= r < 0;
		}
		l->session_gone = !found && !unknown;
	}
}

/* --replicas: compares each session seen at home with its copies on the servers after it. */
static void compare_replicas(struct walk *w, struct conn *conns, int *open)
{
	const struct pool *p = w->p;
	struct doc_data *d = w->d;
	size_t r = (size_t)w->o->replicas < p->n - 1 ? (size_t)w->o->replicas : p->n - 1;
	struct buf a = BUF_INIT, b = BUF_INIT;
	d->replica_sids = w->n_homes;
	for (size_t k = 0; k < w->n_homes; k++) {
		const struct doc_placed *h = &w->homes[k];
		buf_reset(&a);
		if (holds(p, conns, open, h->server, h->sid, &a) <= 0)
			continue;	/* gone meanwhile, or the server failed */
		d->replica_checked++;
		for (size_t i = 1; i <= r; i++) {
			size_t s = (h->server + i) % p->n;
			buf_reset(&b);
			int got = holds(p, conns, open, s, h->sid, &b);
			if (got < 0)
				continue;
			if (got == 0)
				d->replica_missing++;
			else if (a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0)
				d->replica_differ++;
			else
				continue;
			doc_examples_add(&d->replica_bad, h->sid, strlen(h->sid), s, got);
		}
	}
	buf_release(&a);
	buf_release(&b);
}

/* Walks the pool once; the servers that fail it get walk_failed. */
static void walk_pool(struct walk *w)
{
	const struct pool *p = w->p;
	struct doc_data *d = w->d;
	struct scan_opts so = { .values = w->o->deep, .meta = w->o->deep, .want_locks = 1,
				.cancel = w->o->cancel };
	struct scan_server *res = xcalloc(p->n, sizeof(*res));
	d->now = (int64_t)time(NULL);
	scan_pool(p, &so, on_rec, w, res);
	for (size_t i = 0; i < p->n; i++) {
		d->srv[i].method = res[i].method;
		d->srv[i].walk_failed = res[i].failed;
		if (res[i].failed) {
			d->srv[i].walk_error = res[i].error ? res[i].error : xstrdup("failed");
			res[i].error = NULL;
		}
	}
	scan_server_release(res, p->n);
	free(res);
}

int doc_gather(const struct pool *p, const struct doc_opts *o, struct doc_data *d, char **cause)
{
	memset(d, 0, sizeof(*d));
	if (p->sasl) {
		*cause = xstrdup("doctor: a SASL pool (memcached -S) cannot be listed or asked for its "
				 "settings over the text protocol");
		return -1;
	}
	d->n = p->n;
	d->deep = o->deep;
	d->srv = xcalloc(p->n, sizeof(*d->srv));
	d->sample = xcalloc(DOC_SAMPLE, sizeof(*d->sample));
	d->locks_list = xcalloc(DOC_LOCKS, sizeof(*d->locks_list));
	d->vars = o->deep ? xcalloc(DOC_VARS, sizeof(*d->vars)) : NULL;
	double t0 = stats_now();
	for (size_t i = 0; i < p->n; i++)
		d->reached += probe(p, i, &d->srv[i]) == 0;
	watch_all(p, d, o->cancel);
	struct walk w = { .p = p, .o = o, .d = d, .rng = (uint64_t)time(NULL) * 2654435761u | 1 };
	w.var_slots = o->deep ? xcalloc(VAR_SLOTS, sizeof(*w.var_slots)) : NULL;
	w.homes = o->replicas > 0 ? xcalloc(REPLICA_CHECKS, sizeof(*w.homes)) : NULL;
	if (d->reached)
		walk_pool(&w);
	struct conn *conns = xcalloc(p->n, sizeof(*conns));
	int *open = xcalloc(p->n, sizeof(*open));
	for (size_t i = 0; i < p->n; i++)
		open[i] = d->srv[i].reached ? 0 : -1;	/* no second wait on a dead server */
	locks_gone(p, o, d, conns, open);
	if (o->replicas > 0 && p->n > 1)
		compare_replicas(&w, conns, open);
	for (size_t i = 0; i < p->n; i++)
		if (open[i] > 0)
			conn_close(&conns[i]);
	/* no waiting for a rate: doctor costs about a walk (a short one gives no rate) */
	for (size_t i = 0; i < p->n; i++)
		if (d->srv[i].reached)
			sample_again(p, i, &d->srv[i], t0);
	free(conns);
	free(open);
	free(w.var_slots);
	free(w.homes);
	return 0;
}

void doc_data_release(struct doc_data *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->srv[i].error);
		free(d->srv[i].walk_error);
	}
	for (size_t i = 0; i < d->n_vars; i++)
		free(d->vars[i].name);
	free(d->srv);
	free(d->sample);
	free(d->locks_list);
	free(d->vars);
	memset(d, 0, sizeof(*d));
}
