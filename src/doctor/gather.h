/* doctor/gather.h: what memcsess doctor learns of a pool before judging it: each server's
 * statistics and settings (stats, stats settings, stats items, stats slabs), its round-trip time
 * and address, and one key walk (lru_crawler metadump, no values unless deep) summarised. */
#ifndef MEMCSESS_DOCTOR_GATHER_H
#define MEMCSESS_DOCTOR_GATHER_H

#include <signal.h>
#include <stdint.h>
#include "doctor/net.h"
#include "mc/metadump.h"
#include "mc/pool.h"

#define DOC_CLASSES 64		/* memcached's slab classes (MAX_NUMBER_OF_SLAB_CLASSES) */
#define DOC_EXAMPLES 5		/* sids named in a finding */
#define DOC_SAMPLE 2000		/* misplaced sessions kept to try other placements on */
#define DOC_LIFETIMES 4096	/* lifetimes kept to estimate the usual one */
#define DOC_LOCKS 1000		/* lock keys kept */
#define DOC_VARS 4096		/* --deep: distinct top-level session variables counted */
#define DOC_RATE_MIN_S 0.5	/* samples closer than this give no memory growth rate */

struct doc_opts {
	int deep;		/* read values: the largest sessions and variables */
	int64_t lock_age;	/* seconds after which a held lock is stuck */
	int replicas;		/* memcached.sess_number_of_replicas to expect, compare copies */
	double sample;		/* seconds to watch the pool for (sample.c); 0 none */
	volatile sig_atomic_t *cancel;	/* set: stop; during the sample it ends the sample
					 * only, and is cleared */
};

/* One sid named as an example, with the figure it is named for. */
struct doc_sid {
	char sid[MC_MAX_KEY + 1];
	size_t server;
	int64_t value;
};

/* The examples kept for one condition: the DOC_EXAMPLES with the largest values. */
struct doc_examples {
	struct doc_sid s[DOC_EXAMPLES];
	size_t n;
	uint64_t count;		/* how many there were in all */
};

struct doc_class {
	uint64_t chunk_size;	/* stats slabs; 0: the class is not in use */
	uint64_t sessions;	/* sessions the walk found in it (by size) */
	int have_items;		/* stats items said something of it */
	uint64_t number, evicted, evicted_nonzero, evicted_unfetched, evicted_time, outofmemory;
};

struct doc_srv {
	int reached;		/* stats answered */
	char *error;		/* why not; owned */
	double rtt_ms;		/* median round trip of a few "version"s; -1 unknown */
	char version[32];
	enum net_scope scope;
	char addr[64];
	/* stats settings; -1 where the server did not say */
	int64_t item_size_max, udpport, dump_enabled, slab_reassign, slab_automove, auth;
	int watch;		/* 1 allowed, 0 refused (-W), -1 unknown */
	int64_t cert_not_after;	/* TLS: unix time its certificate expires; 0 plaintext */
	/* stats, at the start and after the walk */
	uint64_t limit_maxbytes, bytes, malloced, evictions, curr_items;
	uint64_t bytes_after, evictions_after;
	double dt;		/* seconds between the two samples; 0 no second sample */
	struct doc_class cls[DOC_CLASSES];
	/* the walk */
	int walk_failed;
	char *walk_error;	/* owned */
	enum enum_method method;
	uint64_t sessions, locks, home;	/* home: sessions PHP reads from this server */
	uint64_t session_bytes;
};

/* One lock key. */
struct doc_lock {
	char sid[MC_MAX_KEY + 1];
	size_t server;
	int64_t ttl;		/* -1 never expires */
	int64_t idle;		/* seconds since it was taken; -1 unknown */
	int session_gone;	/* 1 its session is on none of the servers PHP reads it from */
};

/* A misplaced session: the server it sits on. */
struct doc_placed {
	char sid[MC_MAX_KEY + 1];
	size_t server;
};

struct doc_var {
	char *name;		/* owned */
	uint64_t bytes;		/* as serialize() writes it, summed over the pool */
	uint64_t sessions;
};

struct doc_data {
	size_t n;
	struct doc_srv *srv;	/* n entries */
	size_t reached;		/* servers that answered stats */
	int64_t now;		/* unix time of the walk */
	uint64_t sessions, locks;
	uint64_t misplaced;	/* sessions on no server PHP reads them from */
	struct doc_placed *sample;	/* up to DOC_SAMPLE misplaced sessions (reservoir) */
	size_t n_sample;
	int64_t lifetimes[DOC_LIFETIMES];	/* expiry - last write of sessions (reservoir) */
	size_t n_lifetimes;
	uint64_t lifetimes_seen;
	struct doc_examples no_expiry, long_expiry, near_limit;
	struct doc_lock *locks_list;	/* up to DOC_LOCKS */
	size_t n_locks;
	/* deep */
	int deep;
	uint64_t deep_sessions, deep_undecoded, deep_bytes;
	struct doc_examples largest;
	struct doc_var *vars;
	size_t n_vars;
	uint64_t vars_dropped;	/* variables not counted past DOC_VARS names */
	/* replicas */
	uint64_t replica_sids, replica_checked, replica_differ, replica_missing;
	struct doc_examples replica_bad;
};

/* Asks every server and walks the pool into d. Fails only when nothing can be done (-1 with
 * *cause); servers that fail are recorded in d. */
int doc_gather(const struct pool *p, const struct doc_opts *o, struct doc_data *d, char **cause);
void doc_data_release(struct doc_data *d);
/* Keeps (sid, server, value) among ex's largest values, and counts it. */
void doc_examples_add(struct doc_examples *ex, const char *sid, size_t sid_len, size_t server,
		      int64_t value);
/* Appends the examples' sids ("a, b, c and 12 more") to out. */
struct buf;
void doc_examples_text(const struct doc_examples *ex, struct buf *out);
/* The usual session lifetime (median of the kept lifetimes), or -1 when none was seen. */
int64_t doc_lifetime(struct doc_data *d);
/* The slab class whose chunks hold items of size bytes on s, or -1. */
int doc_class_of(const struct doc_srv *s, uint64_t size);
/* Parses "1.6.18" into a comparable number (1006018); -1 when it is no version. */
long doc_version_num(const char *v);

#endif
