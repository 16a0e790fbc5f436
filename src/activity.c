/* activity.c: session events from memcached log lines (see activity.h). How php-memcached's
 * requests look in the log (memcached 1.6, binary protocol): the lock is an item_get of
 * <prefix>lock.<sid> (not_found) and an `add`; the session is read with an item_get, written
 * with a `set` that logs an item_get first; the lock is released with a binary delete, whose
 * look-up shows as an item_get of the lock key (found) by its holder. A request waiting on the
 * lock repeats the item_get (found) and the `add`. */
#include "activity.h"
#include "util.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONN_CAP 65536		/* client descriptors followed per server */
#define LOCK_CAP 4096		/* open locks followed (power of two) */
#define WAITERS 4		/* waiting requests followed per lock */

enum { READ_NONE, READ_FOUND, READ_MISSING, READ_WRITTEN };

struct aconn {
	char client[ACT_CLIENT_MAX];	/* "" unknown */
	uint32_t sid_hash;		/* the session this connection read last */
	uint8_t read_state;
	uint32_t wait_hash;		/* the lock it waits on; 0 none */
	uint64_t gid;			/* the conn_new or conn_close line that set it; 0 none */
};

struct asrv {
	struct aconn *conns;
	size_t n_conns;
	int mutations;
};

struct waiter {
	int cfd;
	unsigned retries;
	double first;
	int tentative;		/* found the lock with no holder seen: maybe its own release */
	int confirmed;		/* its add was refused (mutations) */
	int reported;		/* a "waiting" event was given */
	char client[ACT_CLIENT_MAX];
};

struct alock {
	int used;
	uint32_t hash;
	size_t server;
	char sid[WL_KEY_MAX + 1];
	int held, reported;
	int holder_cfd;
	char holder[ACT_CLIENT_MAX];
	double since;
	int nwait;
	struct waiter w[WAITERS];
};

struct activity {
	struct act_opts o;
	struct asrv *srv;
	struct alock *locks;	/* LOCK_CAP, open addressing, linear probing */
	size_t n_locks;
	unsigned long overflow;
	const char *prefix;
	size_t prefix_len;
};

static const char *const kind_names[ACT_KINDS] = {
	"read", "write", "new", "lock", "contention", "lock-held", "eviction", "refused",
	"misplaced", "skipped", "server"
};

const char *act_kind_name(enum act_kind k)
{
	return (unsigned)k < ACT_KINDS ? kind_names[k] : "?";
}

int act_kind_parse(const char *s, size_t n)
{
	for (int k = 0; k < ACT_KINDS; k++)
		if (strlen(kind_names[k]) == n && memcmp(kind_names[k], s, n) == 0)
			return k;
	return -1;
}

struct activity *activity_new(const struct act_opts *o)
{
	struct activity *a = xcalloc(1, sizeof(*a));
	a->o = *o;
	a->srv = xcalloc(o->pool->n, sizeof(*a->srv));
	a->prefix = o->pool->prefix;
	a->prefix_len = o->pool->prefix_len;
	return a;
}

void activity_free(struct activity *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->o.pool->n; i++)
		free(a->srv[i].conns);
	free(a->srv);
	free(a->locks);
	free(a);
}

unsigned long activity_overflow(const struct activity *a)
{
	return a->overflow;
}

static uint32_t hash_sid(size_t server, const char *s, size_t n)
{
	uint32_t h = 2166136261u ^ (uint32_t)server;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h ? h : 1;
}

/* The connection cfd of server i, or NULL when out of range. */
static struct aconn *conn_get(struct activity *a, size_t i, int cfd)
{
	struct asrv *s = &a->srv[i];
	if (cfd < 0 || cfd >= CONN_CAP)
		return NULL;
	if ((size_t)cfd >= s->n_conns) {
		size_t n = s->n_conns ? s->n_conns : 64;
		while (n <= (size_t)cfd)
			n *= 2;
		s->conns = xrealloc(s->conns, n * sizeof(*s->conns));
		memset(s->conns + s->n_conns, 0, (n - s->n_conns) * sizeof(*s->conns));
		s->n_conns = n;
	}
	return &s->conns[cfd];
}

static void event_init(struct act_event *e, enum act_kind k, double t, size_t server)
{
	memset(e, 0, sizeof(*e));
	e->kind = k;
	e->time = t;
	e->server = server;
	e->sid = "";
	e->size = e->ttl = e->idle = -1;
}

static void client_of(const struct aconn *c, char *out)
{
	snprintf(out, ACT_CLIENT_MAX, "%s", c ? c->client : "");
}

/* Finds the lock of (server, sid) by hash, or the free slot where it goes (*found 0);
 * NULL when the table is full. sid NULL: match on the hash alone. */
static struct alock *lock_slot(struct activity *a, size_t server, uint32_t h, const char *sid,
			       int *found)
{
	for (size_t k = 0, i = h & (LOCK_CAP - 1); k < LOCK_CAP; k++, i = (i + 1) & (LOCK_CAP - 1)) {
		struct alock *l = &a->locks[i];
		if (!l->used) {
			*found = 0;
			return l;
		}
		if (l->hash == h && l->server == server && (!sid || strcmp(l->sid, sid) == 0)) {
			*found = 1;
			return l;
		}
	}
	*found = 0;
	return NULL;
}

/* Frees slot l, moving later entries of its probe run back (no tombstones). */
static void lock_remove(struct activity *a, struct alock *l)
{
	size_t i = (size_t)(l - a->locks);
	l->used = 0;
	a->n_locks--;
	for (size_t j = (i + 1) & (LOCK_CAP - 1); a->locks[j].used; j = (j + 1) & (LOCK_CAP - 1)) {
		size_t want = a->locks[j].hash & (LOCK_CAP - 1);
		/* j's entry may move to i when i lies cyclically in [want, j) */
		if ((j > i && (want <= i || want > j)) || (j < i && want <= i && want > j)) {
			a->locks[i] = a->locks[j];
			a->locks[j].used = 0;
			i = j;
		}
	}
}

static struct alock *lock_get(struct activity *a, size_t server, const char *sid, size_t n,
			      int create)
{
	uint32_t h = hash_sid(server, sid, n);
	int found;
	if (!a->locks && !create)
		return NULL;
	if (!a->locks)	/* on first use: most watches of a quiet pool never need it */
		a->locks = xcalloc(LOCK_CAP, sizeof(*a->locks));
	struct alock *l = lock_slot(a, server, h, sid, &found);
	if (found || !create)
		return found ? l : NULL;
	if (!l || a->n_locks >= LOCK_CAP * 3 / 4) {
		a->overflow++;
		return NULL;
	}
	memset(l, 0, sizeof(*l));
	l->used = 1;
	l->hash = h;
	l->server = server;
	memcpy(l->sid, sid, n);
	l->sid[n] = '\0';
	l->holder_cfd = -1;
	a->n_locks++;
	return l;
}

/* Reports waiter w of lock l as a contention event at t with status st. */
static void emit_wait(struct activity *a, const struct alock *l, const struct waiter *w, double t,
		      const char *st)
{
	struct act_event e;
	event_init(&e, ACT_CONTENTION, t, l->server);
	e.sid = l->sid;
	snprintf(e.client, sizeof(e.client), "%s", w->client);
	snprintf(e.holder, sizeof(e.holder), "%s", l->holder);
	e.since = l->since;
	e.waited = t - w->first;
	e.retries = w->retries;
	e.inferred = !w->confirmed;
	e.status = st;
	a->o.emit(&e, a->o.arg);
}

/* Reports waiter k of lock l as a contention event with status st, and forgets it. */
static void waiter_end(struct activity *a, struct alock *l, int k, double t, const char *st)
{
	struct waiter *w = &l->w[k];
	if (!w->tentative || w->retries > 1) {
		emit_wait(a, l, w, t, st);
	}
	struct aconn *c = conn_get(a, l->server, w->cfd);
	if (c)
		c->wait_hash = 0;
	l->w[k] = l->w[--l->nwait];
}

/* Drops lock l when nothing about it is left to follow. */
static void lock_maybe_drop(struct activity *a, struct alock *l)
{
	if (!l->held && l->nwait == 0)
		lock_remove(a, l);
}

static int waiter_find(const struct alock *l, int cfd)
{
	for (int k = 0; k < l->nwait; k++)
		if (l->w[k].cfd == cfd)
			return k;
	return -1;
}

static void lock_acquire(struct activity *a, size_t i, const char *sid, size_t n,
			 const struct wl *ln, int inferred)
{
	struct aconn *c = conn_get(a, i, ln->cfd);
	struct alock *l = lock_get(a, i, sid, n, 1);
	struct act_event e;
	if (l) {
		int k = waiter_find(l, ln->cfd);
		if (k >= 0)
			waiter_end(a, l, k, ln->ts, "acquired");
		l->held = 1;
		l->reported = 0;
		l->holder_cfd = ln->cfd;
		client_of(c, l->holder);
		l->since = ln->ts;
	}
	if (c)
		c->read_state = READ_NONE;
	event_init(&e, ACT_LOCK, ln->ts, i);
	e.sid = l ? l->sid : "";
	client_of(c, e.client);
	e.inferred = inferred;
	if (l)
		a->o.emit(&e, a->o.arg);
}

/* The lock of sid found taken by connection cfd: its holder releasing it, or a wait. */
static void lock_found(struct activity *a, size_t i, const char *sid, size_t n, const struct wl *ln)
{
	struct aconn *c = conn_get(a, i, ln->cfd);
	struct alock *l = lock_get(a, i, sid, n, 1);
	if (!l)
		return;
	if (l->held && l->holder_cfd == ln->cfd) {	/* the holder's delete: released */
		double held = ln->ts - l->since;
		if (a->o.lock_slow > 0 && held > a->o.lock_slow && !l->reported) {
			struct act_event e;
			event_init(&e, ACT_LOCK_HELD, ln->ts, i);
			e.sid = l->sid;
			snprintf(e.client, sizeof(e.client), "%s", l->holder);
			e.since = l->since;
			e.held = held;
			e.status = "released";
			a->o.emit(&e, a->o.arg);
		}
		l->held = 0;
		l->holder_cfd = -1;
		if (c)
			c->read_state = READ_NONE;
		lock_maybe_drop(a, l);
		return;
	}
	int k = waiter_find(l, ln->cfd);
	if (k >= 0) {
		l->w[k].retries++;
		return;
	}
	if (l->nwait == WAITERS)
		return;
	struct waiter *w = &l->w[l->nwait++];
	memset(w, 0, sizeof(*w));
	w->cfd = ln->cfd;
	w->retries = 1;
	w->first = ln->ts;
	w->tentative = !l->held;
	client_of(c, w->client);
	if (c)
		c->wait_hash = l->hash;
}

/* An add of the lock key refused: a wait seen as such (mutations). */
static void lock_refused(struct activity *a, size_t i, const char *sid, size_t n, int cfd)
{
	struct alock *l = lock_get(a, i, sid, n, 0);
	int k = l ? waiter_find(l, cfd) : -1;
	if (k >= 0) {
		l->w[k].confirmed = 1;
		l->w[k].tentative = 0;
	}
}

static void lock_evicted(struct activity *a, size_t i, const char *sid, size_t n, double t)
{
	struct alock *l = lock_get(a, i, sid, n, 0);
	if (!l)
		return;
	while (l->nwait)
		waiter_end(a, l, l->nwait - 1, t, "lock-evicted");
	l->held = 0;
	lock_remove(a, l);
}

/* Emits misplaced when server i is not where PHP keeps this key (name: after the prefix). */
static void check_place(struct activity *a, size_t i, const char *name, size_t n, const char *sid,
			int lock, const char *what, const struct wl *ln)
{
	if (a->o.pool->n < 2)
		return;
	size_t home = pool_home(a->o.pool, name, n);
	if (home == i)
		return;
	struct act_event e;
	event_init(&e, ACT_MISPLACED, ln->ts, i);
	e.sid = sid;
	e.lock = lock;
	e.home = home;
	e.status = what;
	client_of(conn_get(a, i, ln->cfd), e.client);
	e.size = ln->size;
	a->o.emit(&e, a->o.arg);
}

static const char *read_status(enum wl_status s)
{
	switch (s) {
	case WLS_FOUND: return "found";
	case WLS_EXPIRED: return "expired";
	case WLS_FLUSHED: return "flushed";
	default: return "missing";
	}
}

/* An item_get of session sid. */
static void session_get(struct activity *a, size_t i, const char *sid, size_t n, const struct wl *ln)
{
	struct aconn *c = conn_get(a, i, ln->cfd);
	uint32_t h = hash_sid(i, sid, n);
	struct act_event e;
	int again = c && c->sid_hash == h && c->read_state != READ_NONE;
	if (again && a->srv[i].mutations)	/* a set's own look-up: the store line tells */
		return;
	if (again && c->read_state == READ_WRITTEN)
		return;
	check_place(a, i, sid, n, sid, 0, again ? "write" : "read", ln);
	if (again) {	/* a set (or a touch) looks the item up first */
		event_init(&e, c->read_state == READ_MISSING && ln->status != WLS_FOUND ?
			   ACT_NEW : ACT_WRITE, ln->ts, i);
		e.inferred = 1;
		c->read_state = READ_WRITTEN;
	} else {
		event_init(&e, ACT_READ, ln->ts, i);
		e.status = read_status(ln->status);
		e.size = ln->status == WLS_FOUND ? ln->size : -1;
		if (c) {
			c->sid_hash = h;
			c->read_state = ln->status == WLS_FOUND ? READ_FOUND : READ_MISSING;
		}
	}
	e.sid = sid;
	client_of(c, e.client);
	a->o.emit(&e, a->o.arg);
}

static void session_store(struct activity *a, size_t i, const char *sid, size_t n, const struct wl *ln)
{
	struct aconn *c = conn_get(a, i, ln->cfd);
	struct act_event e;
	if (ln->status == WLS_TOO_LARGE || ln->status == WLS_NO_MEMORY) {
		event_init(&e, ACT_REFUSED, ln->ts, i);
		e.status = wl_status_name(ln->status);
	} else if (ln->status == WLS_STORED) {
		int fresh = ln->cmd == WLC_ADD ||
			    (c && c->sid_hash == hash_sid(i, sid, n) && c->read_state == READ_MISSING);
		event_init(&e, fresh ? ACT_NEW : ACT_WRITE, ln->ts, i);
		e.ttl = ln->ttl;
		if (c) {
			c->sid_hash = hash_sid(i, sid, n);
			c->read_state = READ_WRITTEN;
		}
	} else {
		return;
	}
	e.sid = sid;
	e.size = ln->size;
	client_of(c, e.client);
	a->o.emit(&e, a->o.arg);
}

static void evicted(struct activity *a, size_t i, const char *sid, size_t n, int lock,
		    const struct wl *ln)
{
	struct act_event e;
	if (lock)
		lock_evicted(a, i, sid, n, ln->ts);
	event_init(&e, ACT_EVICTION, ln->ts, i);
	e.sid = sid;
	e.lock = lock;
	e.ttl = ln->ttl;
	e.idle = ln->la;
	e.size = ln->size;
	e.fetched = ln->fetched;
	a->o.emit(&e, a->o.arg);
}

static void conn_event(struct activity *a, size_t i, const struct wl *ln)
{
	struct aconn *c = conn_get(a, i, ln->cfd);
	if (!c)
		return;
	/* Worker threads log apart: the close of the connection that had this descriptor before
	 * (or its open) can come after the open of the next one. gid orders them. */
	if (ln->gid && c->gid > ln->gid)
		return;
	if (ln->type == WL_CONN_CLOSE && c->wait_hash && a->locks) {
		int found;
		struct alock *l = lock_slot(a, i, c->wait_hash, NULL, &found);
		int k = found ? waiter_find(l, ln->cfd) : -1;
		if (k >= 0) {
			waiter_end(a, l, k, ln->ts, "gave-up");
			lock_maybe_drop(a, l);
		}
	}
	memset(c, 0, sizeof(*c));
	c->gid = ln->gid;
	if (ln->type == WL_CONN_NEW) {
		if (strchr(ln->rip, ':'))
			snprintf(c->client, sizeof(c->client), "[%s]:%u", ln->rip, ln->rport);
		else if (ln->rip[0])
			snprintf(c->client, sizeof(c->client), "%s:%u", ln->rip, ln->rport);
	}
}

/* A key's session: its sid, whether it is the lock key; 0 when not a session key. */
static int session_of(const struct activity *a, const struct wl *ln, const char **sid, size_t *n,
		      int *lock)
{
	if (ln->key_len <= a->prefix_len || memcmp(ln->key, a->prefix, a->prefix_len) != 0)
		return 0;
	*sid = ln->key + a->prefix_len;
	*n = ln->key_len - a->prefix_len;
	*lock = *n > 5 && memcmp(*sid, "lock.", 5) == 0;
	if (*lock) {
		*sid += 5;
		*n -= 5;
	}
	return !a->o.glob || fnmatch(a->o.glob, *sid, 0) == 0;
}

static void lock_line(struct activity *a, size_t i, const char *sid, size_t n, const struct wl *ln)
{
	const char *name = sid - 5;	/* PHP places the lock by "lock.<sid>" */
	int mut = a->srv[i].mutations;
	if (ln->type == WL_GET) {
		check_place(a, i, name, n + 5, sid, 1, "lock", ln);
		if (ln->status == WLS_FOUND)
			lock_found(a, i, sid, n, ln);
		else if (!mut)
			lock_acquire(a, i, sid, n, ln, 1);
	} else if (ln->type == WL_STORE && ln->cmd == WLC_ADD) {
		if (ln->status == WLS_STORED)
			lock_acquire(a, i, sid, n, ln, 0);
		else if (ln->status == WLS_NOT_STORED || ln->status == WLS_EXISTS)
			lock_refused(a, i, sid, n, ln->cfd);
	} else if (ln->type == WL_DELETED) {
		struct alock *l = lock_get(a, i, sid, n, 0);
		if (l) {
			l->held = 0;
			lock_maybe_drop(a, l);
		}
	}
}

void activity_line(struct activity *a, size_t i, const struct wl *ln)
{
	const char *sid;
	size_t n;
	int lock;
	struct act_event e;
	switch (ln->type) {
	case WL_CONN_NEW:
	case WL_CONN_CLOSE:
		conn_event(a, i, ln);
		return;
	case WL_SKIPPED:
		/* a connection may have closed and its descriptor been reused unseen: clients
		 * become unknown rather than guessed */
		if (a->srv[i].conns)
			memset(a->srv[i].conns, 0, a->srv[i].n_conns * sizeof(*a->srv[i].conns));
		event_init(&e, ACT_SKIPPED, ln->ts, i);
		e.skipped = ln->skipped;
		a->o.emit(&e, a->o.arg);
		return;
	case WL_OTHER:
		return;
	default:
		break;
	}
	if (!session_of(a, ln, &sid, &n, &lock))
		return;
	if (ln->type == WL_EVICTION)
		evicted(a, i, sid, n, lock, ln);
	else if (lock)
		lock_line(a, i, sid, n, ln);
	else if (ln->type == WL_GET)
		session_get(a, i, sid, n, ln);
	else if (ln->type == WL_STORE)
		session_store(a, i, sid, n, ln);
}

void activity_server(struct activity *a, size_t i, double now, const char *status,
		     int mutations, const char *text)
{
	struct asrv *s = &a->srv[i];
	struct act_event e;
	/* a new watch connection: descriptors seen before say nothing of clients now */
	if (s->conns)
		memset(s->conns, 0, s->n_conns * sizeof(*s->conns));
	s->mutations = mutations;
	event_init(&e, ACT_SERVER, now, i);
	e.status = status;
	e.text = text;
	a->o.emit(&e, a->o.arg);
}

void activity_item(struct activity *a, const struct watch_item *it, double now)
{
	if (it->is_state)
		activity_server(a, it->server, now, watch_state_name(it->st.state),
				it->st.mutations, it->st.text);
	else
		activity_line(a, it->server, &it->line);
}

void activity_tick(struct activity *a, double now)
{
	if (a->o.lock_slow <= 0 || a->n_locks == 0)
		return;
	for (size_t i = 0; i < LOCK_CAP; i++) {
		struct alock *l = &a->locks[i];
		if (!l->used)
			continue;
		struct act_event e;
		if (l->held && !l->reported && now - l->since > a->o.lock_slow) {
			l->reported = 1;
			event_init(&e, ACT_LOCK_HELD, now, l->server);
			e.sid = l->sid;
			snprintf(e.client, sizeof(e.client), "%s", l->holder);
			e.since = l->since;
			e.held = now - l->since;
			e.status = "holding";
			a->o.emit(&e, a->o.arg);
		}
		for (int k = 0; k < l->nwait; k++) {
			struct waiter *w = &l->w[k];
			if (w->reported || (w->tentative && w->retries < 2) ||
			    now - w->first <= a->o.lock_slow)
				continue;
			w->reported = 1;
			emit_wait(a, l, w, now, "waiting");
		}
	}
}

void activity_finish(struct activity *a, double now)
{
	if (!a->locks)
		return;
	for (size_t i = 0; i < LOCK_CAP; i++) {
		struct alock *l = &a->locks[i];
		while (l->used && l->nwait)
			waiter_end(a, l, l->nwait - 1, now, "waiting");
	}
}
