/* scan.h: walking every session of a pool: all servers in parallel, keys streamed from
 * metadump, values fetched in pipelined batches, one record at a time to a callback. */
#ifndef MEMCSESS_MC_SCAN_H
#define MEMCSESS_MC_SCAN_H

#include <signal.h>
#include <stdint.h>
#include <stddef.h>
#include "mc/metadump.h"
#include "mc/pool.h"

enum rec_kind { REC_SESSION, REC_LOCK, REC_OTHER };

struct sess_rec {
	enum rec_kind kind;
	size_t server;		/* index of the server the item is stored on */
	size_t worker;		/* the walk's thread that delivers it, below scan_threads(): a
				 * callback keeps what it buffers per thread with it, not per
				 * server (a thread's records come one at a time) */
	size_t home;		/* index of the server PHP reads this sid from */
	const char *key;	/* full key */
	size_t key_len;
	const char *sid;	/* the key without the prefix (and without "lock.") */
	size_t sid_len;
	int64_t exp;		/* absolute expiry; -1 never */
	int64_t ttl;		/* seconds left; -1 never */
	int64_t la;		/* absolute last access; -1 unknown */
	int64_t idle;		/* seconds since last access; -1 unknown */
	uint64_t cas;
	uint64_t item_size;	/* whole item on the server; 0 unknown */
	int have_meta;		/* flags, cas, value_len below come from the server's mg reply */
	uint32_t flags;
	size_t value_len;
	const char *value;	/* when values were asked for; valid during the callback only */
	int locked;		/* 1 locked, 0 not, -1 not checked or unknown */
	int64_t lock_ttl;	/* lock's seconds left; -1 never (PHP CLI locks) */
};

struct scan_opts {
	int values;		/* fetch values */
	int meta;		/* fetch flags/size/cas/ttl via mg (implied by values) */
	int locks;		/* look up each session's lock key */
	int want_locks;		/* deliver lock keys as records too */
	int want_other;		/* deliver keys without the session prefix too */
	const char *sid_glob;	/* only sids matching this fnmatch() pattern */
	volatile sig_atomic_t *cancel;	/* stop soon when it becomes non-zero */
	int parallel;		/* the callback may run in several threads at once (it locks what
				 * it shares itself): formatting then uses every core */
	/* NULL, or called with each connection the walk reads values or locks on, once open
	 * (server index, socket, scan_pool's arg), from that walk's thread: a watcher of the same
	 * servers can then tell the walk's own requests from the clients'. */
	void (*on_connect)(size_t server, int fd, void *arg);
};

struct scan_server {
	int failed;		/* the server could not be walked (completely) */
	char *error;		/* why; owned */
	enum enum_method method;
	size_t sessions, locks, other, gone;
};

/* Called for each record, one call at a time unless scan_opts.parallel; even then the records
 * of one server come one at a time, from one thread. A positive return stops the whole scan
 * and becomes scan_pool's return value. */
typedef int (*scan_fn)(const struct sess_rec *r, void *arg);

/* Walks the pool (a SASL pool fails at once: it cannot list keys). out has p->n entries (caller releases with scan_server_release); a server
 * that could not be walked completely has failed set. Returns 0, or fn's positive value. */
int scan_pool(const struct pool *p, const struct scan_opts *o, scan_fn fn, void *arg,
	      struct scan_server *out);
void scan_server_release(struct scan_server *s, size_t n);
/* How many threads scan_pool walks p with (its threads setting, else one a core, at least two,
 * never more than servers). */
size_t scan_threads(const struct pool *p);
/* Classifies key against prefix: fills kind, sid, sid_len. */
void scan_classify(const char *prefix, size_t prefix_len, struct sess_rec *r);

#endif
