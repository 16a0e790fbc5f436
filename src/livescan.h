/* livescan.h: the session walk of scan.h run on a background thread for a display that must
 * not wait: rows are handed over in batches as servers deliver them, each with a one-line
 * preview of its decoded data (values themselves are not kept). */
#ifndef MEMCSESS_LIVESCAN_H
#define MEMCSESS_LIVESCAN_H

#include <stddef.h>
#include <stdint.h>
#include "php/value.h"
#include "mc/pool.h"
#include "mc/scan.h"
#include "session_decode.h"
#include "util.h"

struct live_row {
	char *sid;		/* owned */
	char *preview;		/* one line of decoded data; owned */
	size_t server;		/* where it is stored */
	size_t home;		/* where PHP reads it */
	int64_t size;		/* value bytes */
	int64_t exp;		/* absolute expiry; -1 never */
	int64_t la;		/* absolute last access (before the walk read it); -1 unknown */
	const char *handler;	/* static name: "php", "empty", "encrypted", ... */
};

void live_row_release(struct live_row *r);

struct livescan;

/* Starts walking p (which, like o, must outlive the walk); values are read with session_decode
 * and o (NULL: detect everything, no keys). field "path=pattern" keeps only sessions whose
 * decoded field path (pv_lookup) has a value matching the fnmatch() pattern; NULL keeps all.
 * wake is called from the walk's threads when rows are waiting (coalesced until the next
 * livescan_take). Returns new. */
struct livescan *livescan_start(const struct pool *p, const struct decode_opts *o,
				const char *field, void (*wake)(void *), void *wake_arg);
/* Appends the rows found since the last call to *rows (n used, cap allocated; grown here);
 * the rows' strings become the caller's. Returns how many were appended. */
size_t livescan_take(struct livescan *ls, struct live_row **rows, size_t *n, size_t *cap);
/* Sessions walked so far, matching the field or not. */
size_t livescan_seen(struct livescan *ls);
/* 1 once the walk has ended; *res (may be NULL) then points at the p->n server results. */
int livescan_done(struct livescan *ls, const struct scan_server **res);
/* Asks the walk to stop soon; does not wait. */
void livescan_cancel(struct livescan *ls);
/* Stops the walk, waits for its threads (at most about the pool's timeout) and frees it. */
void livescan_free(struct livescan *ls);

/* The one-line preview of a decoded session, at most about max bytes: key=value ... */
void live_preview(const struct pv *root, size_t max, struct buf *out);
/* 1 when the decoded session matches "path=pattern" ("path" alone: the field exists). */
int live_field_match(const struct pv *root, const char *expr);

#endif
