/* crypto.h: encrypted session data as PHP applications write it, recognised and opened with
 * libcrypto (EVP). Keys are never printed or put into messages; key buffers are wiped. */
#ifndef MEMCSESS_CODEC_CRYPTO_H
#define MEMCSESS_CODEC_CRYPTO_H

#include <stddef.h>
#include "codec/base64.h"
#include "util.h"

enum crypt_scheme {
	CRYPT_NONE = 0,		/* not encrypted; as an option: never look for encryption */
	CRYPT_OPENSSL,		/* base64(openssl_encrypt($data, $cipher, $key, 0, $iv) . '::' . $iv) */
	CRYPT_LARAVEL,		/* Laravel's Encrypter: base64 of JSON {iv, value, mac, tag} */
	CRYPT_AUTO,		/* as an option: detect from the bytes */
};

/* One key: raw bytes, owned, wiped on release. */
struct crypt_key {
	unsigned char *ptr;
	size_t len;
};

/* Keys tried in order (Laravel's current key, then its previous keys). */
struct keyring {
	struct crypt_key *keys;
	size_t n;
};

/* Appends the keys of text: one a line, "base64:..." lines (Laravel's APP_KEY form) decoded,
 * other lines taken as they are; empty lines skipped, a trailing "\r" dropped. origin names
 * the source in messages. Returns 0, or -1 with *cause (new; names the line, never the key). */
int keyring_add_text(struct keyring *kr, const char *text, size_t len, const char *origin,
		     char **cause);
/* Reads the keys of a key file (see keyring_add_text). Returns 0 or -1 with *cause. */
int keyring_load_file(struct keyring *kr, const char *path, char **cause);
/* Wipes and frees every key. */
void keyring_release(struct keyring *kr);

/* An encrypted value, taken apart (owned parts; release with crypt_envelope_release). */
struct crypt_envelope {
	enum crypt_scheme scheme;
	char cipher[48];	/* what is known of the cipher: "aes-256-cbc", or "aes-cbc" until
				 * a key says which AES (Laravel) */
	int exact;		/* cipher was forced: only keys of its length fit */
	struct buf ct;		/* raw ciphertext */
	struct buf iv;
	struct buf tag;		/* Laravel GCM */
	char *iv_b64;		/* Laravel: the payload's iv and value as written (MAC input) */
	char *value_b64;
	char *mac;		/* Laravel CBC: hex HMAC-SHA256 */
};

/* 0 when crypt_parse of the string value (whole 0) returns 0 at once: it cannot be an
 * envelope (too short, or not base64); 1 when it must look. */
static inline int crypt_inner_candidate(const char *s, size_t n)
{
	/* most strings in a session: no base64 that could hold "::" and 4 bytes of ciphertext
	 * (the shortest envelope); inline, as every string of a session asks */
	return n >= 8 && n % 4 == 0 && base64_charset(s, n);
}
/* 0 when crypt_parse of a candidate string inside a session (whole 0) would surely return 0:
 * short OpenSSL-scheme strings are decoded on the stack and need "::" and base64 before it.
 * 1 when crypt_parse must look (long strings, Laravel payloads, anything that may be one). */
int crypt_inner_possible(const char *s, size_t n, enum crypt_scheme scheme);
/* Recognises an encrypted value. scheme CRYPT_AUTO detects, another scheme looks for that one
 * only. whole asks for the looser test of a whole session value (anything made only of base64
 * characters, or anything at all under a forced scheme, is taken as encrypted, so damage is
 * reported); else only a well-formed envelope counts (a string inside a session).
 * cipher names the OpenSSL cipher of CRYPT_OPENSSL (NULL: aes-256-cbc) or forces Laravel's.
 * Returns 1 (env filled), 0 (not encrypted), or -1: encrypted but damaged, env->scheme set
 * and *cause (new) saying what is wrong ("short iv", "truncated payload", ...). */
int crypt_parse(const char *s, size_t n, enum crypt_scheme scheme, const char *cipher,
		int whole, struct crypt_envelope *env, char **cause);
void crypt_envelope_release(struct crypt_envelope *env);

/* Says whether a plaintext is right (used for schemes without a MAC, where a wrong key can
 * pass the padding check by chance): 1 yes, 0 try the next key. */
typedef int (*crypt_accept_fn)(const char *plain, size_t n, void *arg);

/* Decrypts env with each key in turn (Laravel: the MAC is checked in constant time before
 * decrypting). Plaintext replaces out's contents; *key_index gets the 1-based key used, and
 * env->cipher the exact cipher. accept may be NULL. Returns 0, or -1 with *cause
 * ("mac mismatch", "bad padding", "tag mismatch", "no key", ...). */
int crypt_open(struct crypt_envelope *env, const struct keyring *kr, crypt_accept_fn accept,
	       void *arg, struct buf *out, int *key_index, char **cause);

const char *crypt_scheme_name(enum crypt_scheme s);
/* Parses "auto", "none", "openssl", "laravel"; returns 0 or -1. */
int crypt_scheme_parse(const char *s, enum crypt_scheme *out);
/* Checks that libcrypto knows the cipher; returns 0, or -1 with *cause. */
int crypt_cipher_check(const char *name, char **cause);

#endif
