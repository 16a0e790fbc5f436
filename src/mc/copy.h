/* copy.h: copying sessions into a pool the safe way: write (add) to the server PHP will read
 * from, read the copy back to confirm it, and only then, when moving, delete the source copy
 * (with its CAS, so a session changed meanwhile is kept). Batched and pipelined. */
#ifndef MEMCSESS_MC_COPY_H
#define MEMCSESS_MC_COPY_H

#include <stdint.h>
#include <stddef.h>
#include "mc/pool.h"
#include "mc/store.h"

#define COPY_BATCH 256

struct copy_item {
	const char *key;
	size_t key_len;
	const char *sid;
	size_t sid_len;
	const char *value;
	size_t value_len;
	uint32_t flags;
	int64_t exp;		/* absolute; -1 never */
	uint64_t cas;		/* of the source copy; 0 unknown */
	const char *src_name;	/* server it comes from, or NULL */
	int locked;		/* PHP held its lock when it was read */
};

struct copy_stats {
	size_t read, copied, already, unchanged, conflicts, failed, expired, stray, locked;
	size_t moved, source_changed, source_gone, source_failed;
	size_t *per_target;	/* dry run: sessions that would go to each target server
				 * (moving: also those already there) */
};

enum copy_event {
	CE_FAILED,		/* not copied, or its source not deleted, because a server failed */
	CE_CONFLICT,		/* a different session with the same id is on the target */
	CE_LOCKED,		/* its lock was held when read */
	CE_SOURCE_CHANGED,	/* changed on the source during the copy: source kept */
	CE_STRAY,		/* a copy PHP does not read: skipped */
};

/* Called for each session that needs a person's attention; what says why. */
typedef void (*copy_report_fn)(const char *sid, size_t sid_len, enum copy_event ev,
			       const char *what, void *arg);

struct copier {
	const struct pool *dst;
	const struct pool *src;	/* for deleting source copies (move); may be NULL */
	int overwrite, move, dry_run;
	size_t replicas;	/* PHP's memcached.sess_number_of_replicas on the target pool */
	struct store dst_store, src_store;
	struct copy_item items[COPY_BATCH];
	struct buf keys[COPY_BATCH], values[COPY_BATCH], names[COPY_BATCH];
	size_t n;
	struct copy_stats st;
	copy_report_fn report;
	void *report_arg;
	int failed_now;		/* a failure happened in the last flush */
};

void copier_init(struct copier *c, const struct pool *dst, const struct pool *src);
void copier_release(struct copier *c);
/* Copies the item's bytes into the batch and flushes when the batch is full. */
void copier_add(struct copier *c, const struct copy_item *it);
/* Writes, confirms and (when moving) deletes the sources of every batched item. */
void copier_flush(struct copier *c);

#endif
