/* session_decode.h: the one way every command reads a stored session value: decompress
 * (php-memcached flags) -> decrypt the whole value -> decode (serialize handlers) -> decrypt
 * string values inside it. Commands, views and filters all call session_decode. */
#ifndef MEMCSESS_SESSION_DECODE_H
#define MEMCSESS_SESSION_DECODE_H

#include <stdint.h>
#include "codec/compress.h"
#include "codec/crypto.h"
#include "mc/scan.h"
#include "php/handlers.h"

struct decode_opts {
	enum sess_handler handler;	/* SESS_UNKNOWN: detect */
	enum crypt_scheme scheme;	/* CRYPT_AUTO: detect; CRYPT_NONE: take every byte as is */
	const char *cipher;		/* NULL: the scheme's default (openssl: aes-256-cbc) */
	const struct keyring *keys;	/* NULL or empty: encryption is found and named, not opened */
};

enum decode_status {
	DECODE_OK,		/* a tree was returned */
	DECODE_ENCRYPTED,	/* the whole value is encrypted and no key was given (no error) */
	DECODE_CRYPT_FAILED,	/* keys were given but none opened it: info->error */
	DECODE_UNCOMPRESS_FAILED, /* info->error */
	DECODE_FAILED,		/* the (decrypted) bytes are no session: info->err */
};

/* What happened on the way; filled by every call. */
struct decode_info {
	enum decode_status status;
	enum sess_handler handler;	/* the handler used (or detected) */
	enum compress_kind compression;	/* how the stored bytes were compressed */
	enum crypt_scheme scheme;	/* the whole value's encryption, CRYPT_NONE if none */
	char cipher[48];
	int key_index;			/* 1-based key that opened the whole value; 0 none */
	char error[160];		/* decompression or decryption failure */
	struct decode_error err;	/* decoding failure */
	size_t inner_found;		/* encrypted string values inside the session */
	size_t inner_decrypted;
	size_t inner_failed;
	char inner_error[200];		/* the first failure: "path: message" */
	size_t trailing;		/* php_serialize: bytes after the array, which PHP
					 * ignores (a warning, not a failure) */
};

/* Decodes r's value (r->flags tell the compression when r->have_meta). Decrypted string values
 * inside get pv->decrypted set to their scheme, those left encrypted pv->encrypted. Returns a
 * new tree, or NULL (see info->status). o may be NULL (detect everything, no keys). */
struct pv *session_decode(const struct sess_rec *r, const struct decode_opts *o,
			   struct decode_info *info);
/* The same for bytes and item flags. */
struct pv *session_decode_value(const char *value, size_t len, uint32_t flags,
				 const struct decode_opts *o, struct decode_info *info);
/* session_decode_value, the tree written as pv_write_json would write it: appends the JSON
 * to out and returns 1, or returns 0 (see info->status). Plain sessions take a path that
 * builds no tree (php/direct.h). */
int session_write_json(const char *value, size_t len, uint32_t flags,
			const struct decode_opts *o, struct decode_info *info, struct buf *out);
/* Only the handler, compression and whole-value encryption: cheap enough for a listing. With
 * keys, the session is also decoded so that the values inside are opened and counted (a
 * listing must say when one cannot be). Fills info like session_decode. */
void session_probe(const struct sess_rec *r, const struct decode_opts *o,
		    struct decode_info *info);

/* 1 when info says something went wrong that the exit code must show (no key is not wrong). */
int session_failed(const struct decode_info *info);
/* Appends what went wrong, for a message: "cannot decrypt (laravel aes-cbc): mac mismatch". */
void session_describe(const struct decode_info *info, struct buf *out);
/* The handler column: "php", ..., or "encrypted" while the whole value stays encrypted. */
const char *session_handler(const struct decode_info *info);
/* Laravel serialize()s what it encrypts: the session string inside s:N:"...";. Unwraps plain
 * in place (the bytes left over are cleansed); returns 1 when it did, 0 when plain is no such
 * string. */
int session_unwrap_serialized(struct buf *plain);

#endif
