/* session_edit.h: changing one session in place as PHP would have written it: read with its
 * CAS token, decoded, changed, encoded again in its own handler (and compression), written
 * back only if nobody wrote it meanwhile, under PHP's session lock, to every copy. */
#ifndef MEMCSESS_SESSION_EDIT_H
#define MEMCSESS_SESSION_EDIT_H

#include <stddef.h>
#include <stdint.h>
#include "mc/pool.h"
#include "php/value.h"
#include "session_decode.h"
#include "session_inner.h"
#include "util.h"

struct sess_edit_opts {
	enum sess_handler handler;	/* SESS_UNKNOWN: the session's own (an empty session
					 * needs one) */
	size_t replicas;		/* PHP's memcached.sess_number_of_replicas */
	int force;			/* write even while PHP holds the session's lock */
	int64_t ttl;			/* new TTL in seconds (0 never), or -1 to keep */
	int64_t lock_ttl;		/* how long memcsess's own lock may live, seconds */
	/* a session encrypted as a whole is opened and sealed again with its key */
	enum crypt_scheme scheme;	/* CRYPT_AUTO: detect; CRYPT_NONE: take bytes as they are */
	const char *cipher;		/* NULL: the scheme's default */
	const struct keyring *keys;	/* NULL or empty: an encrypted session is refused */
};

struct sess_edit {
	const struct pool *pool;
	char *sid;			/* owned */
	struct buf key;			/* prefix + sid */
	struct buf lock_key;		/* prefix + "lock." + sid */
	size_t home, lock_home;
	struct buf stored;		/* the bytes as stored */
	uint32_t flags;
	int64_t ttl;			/* seconds left, -1 never */
	uint64_t cas;
	enum sess_handler handler;	/* what it is encoded with */
	enum compress_kind compression;
	int locked;			/* PHP's lock was held when read */
	int64_t lock_age;		/* seconds since it was taken (-1 unknown) */
	struct pv *root;		/* the decoded variables; owned */
	enum crypt_scheme scheme;	/* how the whole value was encrypted, CRYPT_NONE if not */
	char cipher[48];
	const struct crypt_key *crypt_key;	/* the key that opened it; not owned */
	int wrapped;			/* laravel: the plaintext was serialize()d once more */
	struct sess_inner inner;	/* string values encrypted one by one */
};

enum sess_write_status {
	SW_WRITTEN,		/* every copy written */
	SW_CONFLICT,		/* the session changed since it was read: nothing written */
	SW_LOCKED,		/* PHP holds the lock (and no --force): nothing written */
	SW_GONE,		/* the session is gone: nothing written */
	SW_FAILED,		/* a server failed or refused: *cause says which; the home copy
				 * may be written when only a replica failed */
};

/* Reads session sid from the server PHP reads it from and decodes it for editing (strings
 * inside encrypted one by one are opened with o's keys, else kept as stored). Returns 0; 1 when there is no such session; -1
 * with *cause: a server failed, the value is encrypted as a whole, it does not decode. */
int sess_edit_read(struct sess_edit *e, const struct pool *p, const char *sid,
		   const struct sess_edit_opts *o, char **cause);
void sess_edit_release(struct sess_edit *e);
/* The bytes and flags to store for e->root: inner encrypted values sealed again, encoded with
 * e->handler, compressed as php-memcached would under the session's flags. Returns 0 or -1
 * with *cause (a changed inner value without its key, too). */
int sess_edit_encode(struct sess_edit *e, struct buf *value, uint32_t *flags, char **cause);
/* Writes value under PHP's lock with the CAS token read, then to each replica. *cause
 * (new) explains every status but SW_WRITTEN. */
enum sess_write_status sess_edit_write(struct sess_edit *e, const char *value, size_t len,
				       uint32_t flags, const struct sess_edit_opts *o,
				       char **cause);

#endif
