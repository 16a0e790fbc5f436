/* crypto.c: encrypted session values taken apart and opened with libcrypto (see crypto.h).
 * No cipher code here: EVP does the decryption, HMAC() the MAC, CRYPTO_memcmp the compare. */
#include "codec/crypto.h"
#include "codec/base64.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DEFAULT_CIPHER "aes-256-cbc"
#define KEY_FILE_MAX (64 * 1024)
#define KEY_MAX 1024
#define GCM_TAG_LEN 16

static const char *const scheme_names[] = {
	[CRYPT_NONE] = "none",
	[CRYPT_OPENSSL] = "openssl",
	[CRYPT_LARAVEL] = "laravel",
	[CRYPT_AUTO] = "auto",
};

const char *crypt_scheme_name(enum crypt_scheme s)
{
	return (unsigned)s <= CRYPT_AUTO ? scheme_names[s] : "unknown";
}

int crypt_scheme_parse(const char *s, enum crypt_scheme *out)
{
	for (unsigned i = 0; i <= CRYPT_AUTO; i++)
		if (strcmp(s, scheme_names[i]) == 0) {
			*out = (enum crypt_scheme)i;
			return 0;
		}
	return -1;
}

/* Returns the cipher named (new reference), or NULL. */
static EVP_CIPHER *cipher_fetch(const char *name)
{
	return EVP_CIPHER_fetch(NULL, name, NULL);
}

int crypt_cipher_check(const char *name, char **cause)
{
	EVP_CIPHER *c = cipher_fetch(name);
	if (!c) {
		*cause = xasprintf("cipher '%s' is unknown to libcrypto (see openssl list "
				   "-cipher-algorithms)", name);
		return -1;
	}
	EVP_CIPHER_free(c);
	return 0;
}

/* ---- keys ---- */

/* Wipes and releases a buffer that held secrets. */
static void wipe(struct buf *b)
{
	if (b->ptr)
		OPENSSL_cleanse(b->ptr, b->cap);
	buf_release(b);
}

/* Appends one key (copied). */
static void keyring_push(struct keyring *kr, const void *p, size_t n)
{
	kr->keys = xrealloc(kr->keys, (kr->n + 1) * sizeof(*kr->keys));
	kr->keys[kr->n].ptr = xmalloc(n ? n : 1);
	memcpy(kr->keys[kr->n].ptr, p, n);
	kr->keys[kr->n].len = n;
	kr->n++;
}

/* Adds one line's key; returns 0 or -1 with *cause. */
static int add_line(struct keyring *kr, const char *line, size_t n, const char *origin,
		    size_t lineno, char **cause)
{
	if (n > KEY_MAX) {
		*cause = xasprintf("%s: line %zu: key longer than %d bytes", origin, lineno, KEY_MAX);
		return -1;
	}
	if (n > 7 && memcmp(line, "base64:", 7) == 0) {
		struct buf raw = BUF_INIT;
		int ok = base64_decode(line + 7, n - 7, &raw) == 0 && raw.len > 0;
		if (ok)
			keyring_push(kr, raw.ptr, raw.len);
		else
			*cause = xasprintf("%s: line %zu: 'base64:' key is not valid base64", origin,
					   lineno);
		wipe(&raw);
		return ok ? 0 : -1;
	}
	keyring_push(kr, line, n);
	return 0;
}

int keyring_add_text(struct keyring *kr, const char *text, size_t len, const char *origin,
		     char **cause)
{
	size_t lineno = 0, before = kr->n;
	for (size_t pos = 0; pos < len; ) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		size_t next = pos + n + (nl ? 1 : 0);
		lineno++;
		if (n && text[pos + n - 1] == '\r')
			n--;
		if (n && add_line(kr, text + pos, n, origin, lineno, cause) < 0)
			return -1;
		pos = next;
	}
	if (kr->n == before) {
		*cause = xasprintf("%s: no key in it", origin);
		return -1;
	}
	return 0;
}

/* Reads at most KEY_FILE_MAX bytes of fd into b (no stdio: no copies left in its buffers). */
static int read_all(int fd, char *b, size_t cap, size_t *len)
{
	*len = 0;
	for (;;) {
		ssize_t r = read(fd, b + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		*len += (size_t)r;
		if (*len == cap) {
			errno = EFBIG;
			return -1;
		}
	}
}

int keyring_load_file(struct keyring *kr, const char *path, char **cause)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*cause = xasprintf("key file %s: %s", path, strerror(errno));
		return -1;
	}
	char *b = xmalloc(KEY_FILE_MAX);
	size_t len = 0;
	int r = read_all(fd, b, KEY_FILE_MAX, &len);
	int saved = errno;
	close(fd);
	if (r < 0)
		*cause = xasprintf("key file %s: %s", path, saved == EFBIG ? "larger than 64 KiB" :
				   strerror(saved));
	else
		r = keyring_add_text(kr, b, len, path, cause);
	OPENSSL_cleanse(b, KEY_FILE_MAX);
	free(b);
	return r;
}

void keyring_release(struct keyring *kr)
{
	for (size_t i = 0; i < kr->n; i++) {
		OPENSSL_cleanse(kr->keys[i].ptr, kr->keys[i].len);
		free(kr->keys[i].ptr);
	}
	free(kr->keys);
	kr->keys = NULL;
	kr->n = 0;
}

/* ---- taking envelopes apart ---- */

void crypt_envelope_release(struct crypt_envelope *env)
{
	wipe(&env->ct);
	buf_release(&env->iv);
	buf_release(&env->tag);
	free(env->iv_b64);
	free(env->value_b64);
	free(env->mac);
	memset(env, 0, sizeof(*env));
}

/* Decodes base64 field what into out; returns 0, or -1 with *cause. */
static int field_b64(const char *what, const char *s, size_t n, struct buf *out, char **cause)
{
	int r = base64_decode(s, n, out);
	if (r == BASE64_BAD_LENGTH)
		*cause = xasprintf("truncated %s (base64 length %zu is not a multiple of 4)", what, n);
	else if (r < 0)
		*cause = xasprintf("%s is not base64", what);
	return r < 0 ? -1 : 0;
}

/* Checks the IV length; returns 0, or -1 with *cause. */
static int check_iv(const struct buf *iv, size_t want, const char *cipher, char **cause)
{
	if (iv->len == want)
		return 0;
	*cause = xasprintf("%s iv: %zu bytes, %s needs %zu", iv->len < want ? "short" : "long",
			   iv->len, cipher, want);
	return -1;
}

/* Checks a ciphertext's length for a cipher with block size block; 0 or -1 with *cause. */
static int check_ct(const struct buf *ct, size_t block, char **cause)
{
	if (ct->len == 0)
		*cause = xstrdup("empty ciphertext");
	else if (block > 1 && ct->len % block)
		*cause = xasprintf("truncated ciphertext (%zu bytes, not a multiple of %zu)",
				   ct->len, block);
	else if (ct->len > INT_MAX / 2)
		*cause = xstrdup("ciphertext too large");
	else
		return 0;
	return -1;
}

/* Names the cipher in env (cut to fit; no printf: this runs for every base64-looking string). */
static void set_cipher(struct crypt_envelope *env, const char *name)
{
	size_t n = strlen(name);
	if (n >= sizeof(env->cipher))
		n = sizeof(env->cipher) - 1;
	memcpy(env->cipher, name, n);
	env->cipher[n] = '\0';
}

/* The openssl scheme's parts once the outer base64 is undone; strict reports damage. */
static int parse_openssl_inner(const struct buf *raw, const char *cipher, int strict,
			       struct crypt_envelope *env, char **cause)
{
	const char *sep = raw->len >= 2 ? memmem(raw->ptr, raw->len, "::", 2) : NULL;
	if (!sep) {
		if (strict)
			*cause = xstrdup("no '::' between ciphertext and iv");
		return strict ? -1 : 0;
	}
	size_t ct_len = (size_t)(sep - raw->ptr);
	if (!strict && (ct_len < 4 || !base64_charset(raw->ptr, ct_len)))
		return 0;
	env->scheme = CRYPT_OPENSSL;
	set_cipher(env, cipher);
	EVP_CIPHER *c = cipher_fetch(cipher);
	if (!c) {
		*cause = xasprintf("cipher '%s' is unknown to libcrypto", cipher);
		return -1;
	}
	int r = -1;
	buf_add(&env->iv, sep + 2, raw->len - ct_len - 2);
	if (EVP_CIPHER_get_flags(c) & EVP_CIPH_FLAG_AEAD_CIPHER)
		*cause = xasprintf("%s needs a tag, which this scheme cannot carry", cipher);
	else if (field_b64("ciphertext", raw->ptr, ct_len, &env->ct, cause) == 0 &&
		 check_iv(&env->iv, (size_t)EVP_CIPHER_get_iv_length(c), cipher, cause) == 0 &&
		 check_ct(&env->ct, (size_t)EVP_CIPHER_get_block_size(c), cause) == 0)
		r = 1;
	EVP_CIPHER_free(c);
	return r;
}

/* Copies a string member of o into *out (new); returns 1, 0 when absent or null, -1 when
 * it is not a string. */
static int json_str(json_t *o, const char *name, char **out, size_t *len)
{
	json_t *v = json_object_get(o, name);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*len = json_string_length(v);
	*out = xstrndup(json_string_value(v), *len);
	return 1;
}

/* Takes Laravel's iv, value, mac and tag out of the JSON; returns 0 or -1 with *cause. */
static int laravel_fields(json_t *o, struct crypt_envelope *env, char **tag, size_t len[4],
			  char **cause)
{
	if (json_str(o, "iv", &env->iv_b64, &len[0]) != 1 ||
	    json_str(o, "value", &env->value_b64, &len[1]) != 1 ||
	    json_str(o, "mac", &env->mac, &len[2]) != 1) {
		*cause = xstrdup("payload lacks iv, value or mac");
		return -1;
	}
	if (json_str(o, "tag", tag, &len[3]) < 0) {
		*cause = xstrdup("payload's tag is not a string");
		return -1;
	}
	return 0;
}

/* Laravel's cipher: forced, or GCM when there is a tag, else CBC; AES size from the key. */
static int laravel_mode(const char *forced, int have_tag, struct crypt_envelope *env,
			char **cause)
{
	static const char *const ok[] = { "aes-128-cbc", "aes-256-cbc", "aes-128-gcm", "aes-256-gcm" };
	if (!forced) {
		set_cipher(env, have_tag ? "aes-gcm" : "aes-cbc");
		return 0;
	}
	for (size_t i = 0; i < 4; i++)
		if (strcasecmp(forced, ok[i]) == 0) {
			set_cipher(env, ok[i]);
			env->exact = 1;
			return 0;
		}
	*cause = xasprintf("laravel encrypts with aes-128-cbc, aes-256-cbc, aes-128-gcm or "
			   "aes-256-gcm, not %s", forced);
	return -1;
}

static int is_gcm(const struct crypt_envelope *env)
{
	return strstr(env->cipher, "gcm") != NULL;
}

/* Decodes and checks the GCM tag; returns 0 or -1 with *cause. */
static int laravel_tag(const char *tag, size_t len, struct crypt_envelope *env, char **cause)
{
	if (!tag || !len) {
		*cause = xstrdup("missing tag");
		return -1;
	}
	if (field_b64("tag", tag, len, &env->tag, cause) < 0)
		return -1;
	if (env->tag.len == GCM_TAG_LEN)
		return 0;
	*cause = xasprintf("tag: %zu bytes, %s needs %d", env->tag.len, env->cipher, GCM_TAG_LEN);
	return -1;
}

/* The Laravel payload's parts, from its JSON text. */
static int parse_laravel_json(const struct buf *raw, const char *cipher, int strict,
			      struct crypt_envelope *env, char **cause)
{
	json_t *o = json_loadb(raw->ptr, raw->len, 0, NULL);
	if (!json_is_object(o) || !json_object_get(o, "iv") || !json_object_get(o, "value")) {
		json_decref(o);
		if (strict)
			*cause = xstrdup(raw->len && raw->ptr[0] == '{' ? "payload is not valid JSON "
					 "(truncated?)" : "payload is not Laravel's JSON");
		return strict ? -1 : 0;
	}
	env->scheme = CRYPT_LARAVEL;
	char *tag = NULL;
	size_t len[4] = { 0, 0, 0, 0 };
	int r = laravel_fields(o, env, &tag, len, cause);
	json_decref(o);
	if (r == 0)
		r = laravel_mode(cipher, tag && len[3], env, cause);
	if (r == 0)
		r = field_b64("iv", env->iv_b64, len[0], &env->iv, cause);
	if (r == 0)
		r = check_iv(&env->iv, is_gcm(env) ? 12 : 16, env->cipher, cause);
	if (r == 0)
		r = field_b64("value", env->value_b64, len[1], &env->ct, cause);
	if (r == 0)
		r = check_ct(&env->ct, is_gcm(env) ? 1 : 16, cause);
	if (r == 0 && is_gcm(env))
		r = laravel_tag(tag, len[3], env, cause);
	free(tag);
	return r == 0 ? 1 : -1;
}

/* Undoes the outer base64; returns 0, or -1 (with *cause when strict). */
static int outer_b64(const char *s, size_t n, int strict, struct buf *raw, char **cause)
{
	if (n == 0) {
		if (strict)
			*cause = xstrdup("empty payload");
		return -1;
	}
	int r = base64_decode(s, n, raw);
	if (r < 0 && strict)
		*cause = r == BASE64_BAD_LENGTH ? xasprintf("truncated payload (base64 length %zu is "
			 "not a multiple of 4)", n) : xstrdup("payload is not base64");
	return r < 0 ? -1 : 0;
}

/* Scheme for a value: forced, or guessed ("eyJ" is base64 for '{"'). */
static enum crypt_scheme guess(const char *s, size_t n, enum crypt_scheme scheme)
{
	if (scheme != CRYPT_AUTO)
		return scheme;
	return n >= 3 && memcmp(s, "eyJ", 3) == 0 ? CRYPT_LARAVEL : CRYPT_OPENSSL;
}

/* The longest inner string crypt_inner_possible decodes on the stack. */
#define INNER_STACK 256

int crypt_inner_possible(const char *s, size_t n, enum crypt_scheme scheme)
{
	if (scheme == CRYPT_NONE || !crypt_inner_candidate(s, n))
		return 0;
	if (n > INNER_STACK || guess(s, n, scheme) == CRYPT_LARAVEL)
		return 1;
	/* the text before "::" is base64: most strings fail on their first four bytes */
	unsigned char head[4];	/* a candidate has eight digits or more, the first six no '=' */
	base64_head4(s, head);
	if (!(scheme == CRYPT_AUTO && head[0] == '{') && !base64_charset((const char *)head, 4))
		return 0;
	/* what outer_b64 and parse_openssl_inner look at first, without allocating */
	unsigned char raw[INNER_STACK / 4 * 3 + 3];
	long len = base64_decode_to(s, n, raw);
	if (len < 0)
		return 0;
	if (scheme == CRYPT_AUTO && len && raw[0] == '{')
		return 1;	/* parse_laravel_json decides */
	const unsigned char *sep = memmem(raw, (size_t)len, "::", 2);	/* as parse_openssl_inner */
	return sep && sep - raw >= 4 && base64_charset((const char *)raw, (size_t)(sep - raw));
}

int crypt_parse(const char *s, size_t n, enum crypt_scheme scheme, const char *cipher,
		int whole, struct crypt_envelope *env, char **cause)
{
	memset(env, 0, sizeof(*env));
	if (scheme == CRYPT_NONE)
		return 0;
	if (!whole && !crypt_inner_possible(s, n, scheme))
		return 0;
	/* nor, when detecting, a whole value that is not base64 (most: serialize handlers' bytes) */
	if (whole && scheme == CRYPT_AUTO && n && !base64_charset(s, n))
		return 0;
	/* a whole session of nothing but base64 characters is no serialize handler's output;
	 * a forced scheme takes every whole value for its own */
	int strict = whole && (scheme != CRYPT_AUTO || (n >= 8 && base64_charset(s, n)));
	enum crypt_scheme which = guess(s, n, scheme);
	struct buf raw = BUF_INIT;
	int r;
	env->scheme = which;
	/* --cipher names Laravel's cipher only when the scheme is forced (see laravel_mode) */
	const char *laravel = scheme == CRYPT_LARAVEL && cipher ? cipher : "aes-cbc";
	set_cipher(env, which == CRYPT_LARAVEL ? laravel : cipher ? cipher : DEFAULT_CIPHER);
	if (outer_b64(s, n, strict, &raw, cause) < 0)
		r = strict ? -1 : 0;
	else if (which == CRYPT_LARAVEL || (scheme == CRYPT_AUTO && !strict && raw.len &&
					    raw.ptr[0] == '{'))
		r = parse_laravel_json(&raw, scheme == CRYPT_LARAVEL ? cipher : NULL, strict, env, cause);
	else
		r = parse_openssl_inner(&raw, cipher ? cipher : DEFAULT_CIPHER, strict, env, cause);
	buf_release(&raw);
	if (r == 0)
		env->scheme = CRYPT_NONE;
	return r;
}

/* ---- opening them ---- */

/* Decrypts ct with cipher c, a key of klen bytes, iv and (AEAD) tag into out.
 * Returns 0, or -1 with *why: "bad padding", "tag mismatch" or a libcrypto failure. */
static int evp_open(const EVP_CIPHER *c, const unsigned char *key, size_t klen,
		    const struct crypt_envelope *env, struct buf *out, const char **why)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int aead = (EVP_CIPHER_get_flags(c) & EVP_CIPH_FLAG_AEAD_CIPHER) != 0;
	int n1 = 0, n2 = 0, ok = ctx && EVP_DecryptInit_ex2(ctx, c, NULL, NULL, NULL);
	if (ok && (size_t)EVP_CIPHER_CTX_get_key_length(ctx) != klen)
		ok = EVP_CIPHER_CTX_set_key_length(ctx, (int)klen);
	if (ok && aead)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, (int)env->iv.len, NULL);
	if (ok)
		ok = EVP_DecryptInit_ex2(ctx, NULL, key, (const unsigned char *)env->iv.ptr, NULL);
	*why = "libcrypto refused the key or iv";
	buf_reset(out);
	buf_grow(out, env->ct.len + 64);
	unsigned char *o = (unsigned char *)out->ptr;
	if (ok && !EVP_DecryptUpdate(ctx, o, &n1, (const unsigned char *)env->ct.ptr, (int)env->ct.len))
		ok = 0, *why = "libcrypto could not decrypt";
	if (ok && aead)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)env->tag.len, env->tag.ptr);
	if (ok && !EVP_DecryptFinal_ex(ctx, o + n1, &n2))
		ok = 0, *why = aead ? "tag mismatch" : "bad padding";
	EVP_CIPHER_CTX_free(ctx);
	out->len = ok ? (size_t)n1 + (size_t)n2 : 0;
	if (!ok)
		OPENSSL_cleanse(out->ptr, env->ct.len + 64);
	out->ptr[out->len] = '\0';
	return ok ? 0 : -1;
}

/* PHP's openssl_encrypt() key: padded with NULs to the cipher's key length, or cut to it
 * (kept whole for ciphers whose key length can change). Returns the length used. */
static size_t php_key(const EVP_CIPHER *c, const struct crypt_key *k, unsigned char *out, size_t cap)
{
	size_t want = (size_t)EVP_CIPHER_get_key_length(c);
	if (k->len > want && (EVP_CIPHER_get_flags(c) & EVP_CIPH_VARIABLE_LENGTH) && k->len <= cap)
		want = k->len;
	if (want > cap)
		want = cap;
	memset(out, 0, want);
	memcpy(out, k->ptr, k->len < want ? k->len : want);
	return want;
}

/* The openssl scheme: every key in turn; the first whose plaintext is accepted wins. */
static int open_openssl(struct crypt_envelope *env, const struct keyring *kr,
			crypt_accept_fn accept, void *arg, struct buf *out, int *key_index,
			const char **why)
{
	EVP_CIPHER *c = cipher_fetch(env->cipher);
	unsigned char key[KEY_MAX];
	int padded = 0;
	*why = "unknown cipher";
	for (size_t i = 0; c && i < kr->n && !*key_index; i++) {
		size_t klen = php_key(c, &kr->keys[i], key, sizeof(key));
		if (evp_open(c, key, klen, env, out, why) < 0)
			continue;
		padded = 1;
		if (!accept || accept(out->ptr, out->len, arg))
			*key_index = (int)i + 1;
	}
	OPENSSL_cleanse(key, sizeof(key));
	EVP_CIPHER_free(c);
	if (*key_index)
		return 0;
	if (padded) {
		*why = "wrong key or damaged data (padding right, plaintext unusable)";
		OPENSSL_cleanse(out->ptr, out->len);
	}
	return -1;
}

/* Laravel's MAC: lowercase hex HMAC-SHA256(key, iv . value), compared in constant time. */
static int laravel_mac_ok(const struct crypt_envelope *env, const struct crypt_key *k)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	struct buf msg = BUF_INIT;
	buf_adds(&msg, env->iv_b64);
	buf_adds(&msg, env->value_b64);
	int ok = HMAC(EVP_sha256(), k->ptr, (int)k->len, (const unsigned char *)msg.ptr, msg.len,
		      md, &md_len) != NULL;
	for (unsigned i = 0; ok && i < md_len; i++) {
		hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	}
	ok = ok && strlen(env->mac) == 2 * md_len && CRYPTO_memcmp(hex, env->mac, 2 * md_len) == 0;
	OPENSSL_cleanse(md, sizeof(md));
	OPENSSL_cleanse(hex, sizeof(hex));
	buf_release(&msg);
	return ok;
}

/* The exact Laravel cipher for a key, or NULL when the key does not fit. */
static const char *laravel_cipher(const struct crypt_envelope *env, size_t klen)
{
	static const char *const names[2][2] = { { "aes-128-cbc", "aes-256-cbc" },
						 { "aes-128-gcm", "aes-256-gcm" } };
	const char *name = klen == 16 ? names[is_gcm(env)][0] : klen == 32 ? names[is_gcm(env)][1] : NULL;
	/* a forced cipher ("aes-256-cbc") accepts its own key length only */
	if (name && env->exact && strcmp(name, env->cipher) != 0)
		return NULL;
	return name;
}

/* Laravel: for each key of the right length, the MAC first (CBC), then the decryption. */
static int open_laravel(struct crypt_envelope *env, const struct keyring *kr, struct buf *out,
			int *key_index, const char **why)
{
	int fitting = 0;
	*why = "mac mismatch";
	for (size_t i = 0; i < kr->n; i++) {
		const char *name = laravel_cipher(env, kr->keys[i].len);
		if (!name)
			continue;
		fitting++;
		if (!is_gcm(env) && !laravel_mac_ok(env, &kr->keys[i]))
			continue;
		EVP_CIPHER *c = cipher_fetch(name);
		int r = c ? evp_open(c, kr->keys[i].ptr, kr->keys[i].len, env, out, why) : -1;
		EVP_CIPHER_free(c);
		if (r == 0) {
			*key_index = (int)i + 1;
			set_cipher(env, name);
			return 0;
		}
		if (!is_gcm(env))
			return -1;	/* the MAC was right: the key is right, the data is bad */
	}
	if (!fitting)
		*why = "no key of 16 or 32 bytes (laravel's aes-128 or aes-256)";
	return -1;
}

int crypt_open(struct crypt_envelope *env, const struct keyring *kr, crypt_accept_fn accept,
	       void *arg, struct buf *out, int *key_index, char **cause)
{
	const char *why = "no key";
	int r = -1;
	*key_index = 0;
	if (kr && kr->n && env->scheme == CRYPT_OPENSSL)
		r = open_openssl(env, kr, accept, arg, out, key_index, &why);
	else if (kr && kr->n && env->scheme == CRYPT_LARAVEL)
		r = open_laravel(env, kr, out, key_index, &why);
	if (r < 0)
		*cause = xstrdup(why);
	return r;
}
