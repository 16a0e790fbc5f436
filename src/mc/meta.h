/* meta.h: memcached meta commands (mg, md, mn) on a conn, pipelined. libmemcached lacks them. */
#ifndef MEMCSESS_MC_META_H
#define MEMCSESS_MC_META_H

#include <stdint.h>
#include <stddef.h>
#include "mc/conn.h"

struct mg_reply {
	int found;		/* 1 hit, 0 miss */
	uint32_t flags;		/* client flags */
	int64_t ttl;		/* seconds left; -1 never expires */
	int64_t idle;		/* seconds since the previous access; -1 unknown */
	uint64_t cas;
	size_t size;		/* value length */
	const char *value;	/* the value when it came: in the connection's buffer, valid until
				 * the next read on it */
};

/* Queues "<cmd> <key>", the key base64-encoded when it has bytes the text protocol cannot
 * carry; returns 1 when it was (the request then needs the b flag). */
int meta_queue_key(struct conn *c, const char *cmd, const char *key, size_t len);
/* Queues an mg for key (base64-encoded on the wire when it has bytes the text protocol cannot
 * carry), asking for ttl, flags, last access, cas, and the value or (without it) the size; without
 * bumping the item in the LRU or touching its last access time (the u flag). */
void meta_queue_get(struct conn *c, const char *key, size_t len, int value);
/* Reads the reply to one queued mg. The value (when asked for and found) is at r->value and,
 * when value is not NULL, copied there too. Returns 0, or -1 with *cause naming the server
 * and key. */
int meta_read_get(struct conn *c, const char *key, struct mg_reply *r, struct buf *value,
		  char **cause);
/* 1 when meta_read_get would not wait: the next reply is buffered whole (or is bad enough to
 * be refused without reading on); 0 when more must come first. */
int meta_reply_ready(const struct conn *c);
/* Sends one mg for key and reads it. */
int meta_get(struct conn *c, const char *key, size_t len, int value, struct mg_reply *r,
	     struct buf *out, char **cause);

#endif
