/* expire.h: logging sessions out (deleting them) or giving them a new TTL, on every server a copy
 * is stored on: the one code path of memcsess expire and of top's expire and touch. */
#ifndef MEMCSESS_EXPIRE_H
#define MEMCSESS_EXPIRE_H

#include <stddef.h>
#include <stdint.h>
#include "mc/pool.h"

/* What became of one copy (in a dry run: what would). */
enum expire_state {
	EXPIRE_PENDING,
	EXPIRE_DONE,	/* deleted or touched */
	EXPIRE_GONE,	/* not there (already gone) */
	EXPIRE_FAILED,
};

/* One copy of a session on one server. */
struct expire_copy {
	char *key;		/* owned: the whole key, prefix included */
	size_t key_len;
	size_t sid_off;		/* the sid starts at key + sid_off */
	size_t server;
	enum expire_state state;
};

/* A line for the caller to show: what a dry run would do (standard output for the CLI), or a
 * failure naming the session ("session SID: cause"). */
enum expire_note { EXPIRE_WOULD, EXPIRE_ERROR };
typedef void (*expire_note_fn)(void *arg, enum expire_note kind, const char *text);

struct expire {
	const struct pool *pool;
	/* set by the caller after expire_init */
	int touch;		/* set a new TTL instead of deleting */
	int64_t ttl;		/* touch: seconds from now; 0 never expires */
	int locks;		/* also delete each session's PHP lock key (not with touch) */
	int dry_run;		/* change nothing: say what would be done */
	expire_note_fn note;	/* may be NULL */
	void *note_arg;
	/* the copies to act on, and after expire_run what became of them */
	struct expire_copy *c;
	size_t n, cap;
	int by_sid;		/* named by sid: every other server is asked for copies */
	int64_t exp;		/* touched copies' new absolute expiry; -1 never */
	size_t expired, gone, failed, locks_deleted;
};

void expire_init(struct expire *x, const struct pool *p);
void expire_release(struct expire *x);
/* Selects session sid (its copy on the server PHP reads it from; expire_run then asks every
 * other server for copies). Returns 0, or -1 with *cause (new) when sid cannot be a key. */
int expire_add_sid(struct expire *x, const char *sid, char **cause);
/* Selects the copy a scan found: key (len bytes, the sid at sid_off) on server. Not mixed with
 * expire_add_sid in one run. */
void expire_add_found(struct expire *x, const char *key, size_t len, size_t sid_off,
		      size_t server);
/* Deletes (or touches) every selected copy, with the lock keys when asked; in a dry run looks
 * them up instead. Counts the outcomes and reports each failure through note. */
void expire_run(struct expire *x);
/* The summary: "expire: N matched, N expired, N already gone, N failed" and what applies of
 * ", N locks deleted" and " (dry run: nothing done)". Returns new. */
char *expire_summary(const struct expire *x);

#endif
