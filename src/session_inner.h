/* session_inner.h: the string values of a session being edited that are encrypted one by one
 * (crypto.h's schemes): opened for the change with the key, and sealed again for the write
 * (unchanged ones as stored, changed ones with a fresh IV); without a key, kept as stored and
 * never changed. */
#ifndef MEMCSESS_SESSION_INNER_H
#define MEMCSESS_SESSION_INNER_H

#include <stddef.h>
#include "codec/crypto.h"
#include "php/value.h"
#include "util.h"

/* One encrypted value, found at path (the keys from the session's variables down). */
struct inner_value {
	struct pv **path;		/* owned copies of the keys */
	size_t depth;
	struct buf where;		/* the path as text, for messages */
	enum crypt_scheme scheme;
	char cipher[48];
	const struct crypt_key *key;	/* the key that opened it (not owned); NULL: closed */
	int serialized;			/* laravel: the plaintext is serialize()d */
	struct buf stored;		/* the envelope as stored */
	struct buf plain;		/* what it held (wiped on release) */
	struct pv saved;		/* while sealed: the value in the tree */
	struct pv *node;		/* while sealed: where the envelope stands */
};

struct sess_inner {
	struct inner_value *v;
	size_t n, cap;
};

/* Finds the encrypted strings of root; with keys, opens each in place (its plaintext, or
 * Laravel's unserialize()d value, marked ->decrypted), else marks it ->encrypted. scheme and
 * cipher as decode_opts takes them (CRYPT_NONE: none is looked for). */
void sess_inner_open(struct sess_inner *in, struct pv *root, enum crypt_scheme scheme,
		     const char *cipher, const struct keyring *keys);
/* Puts an envelope in place of each value found: the stored one when the value is unchanged,
 * else a new one (same scheme, cipher and key, fresh IV and MAC). Returns 0; -1 with *cause
 * (nothing left sealed) when a value without its key was changed, or cannot be sealed. */
int sess_inner_seal(struct sess_inner *in, struct pv *root, char **cause);
/* Puts the values back after sess_inner_seal. */
void sess_inner_unseal(struct sess_inner *in);
void sess_inner_release(struct sess_inner *in);

#endif
