/* crypto_seal.h: encrypting a value again the way it was found encrypted (crypto.h's schemes),
 * with the same key and cipher and a fresh IV (and MAC or tag). */
#ifndef MEMCSESS_CRYPTO_SEAL_H
#define MEMCSESS_CRYPTO_SEAL_H

#include <stddef.h>
#include "codec/crypto.h"
#include "util.h"

/* Appends the envelope of plain to out: CRYPT_OPENSSL as base64(openssl_encrypt(plain, cipher,
 * key, 0, iv) . '::' . iv), CRYPT_LARAVEL as Laravel's Encrypter::encrypt() payload (cipher
 * aes-128/256-cbc with its MAC, or -gcm with its tag; plain as given: serialize() it first
 * when Laravel did). Returns 0, or -1 with *cause (new). */
int crypt_seal(enum crypt_scheme scheme, const char *cipher, const struct crypt_key *key,
	       const char *plain, size_t n, struct buf *out, char **cause);

#endif
