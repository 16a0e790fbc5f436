/* crypto_seal.c: the encrypting side of crypto.c's schemes (see crypto_seal.h). */
#include "codec/crypto_seal.h"
#include "codec/base64.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <string.h>

/* openssl_encrypt()'s raw ciphertext (PKCS#7 padding; GCM: tag into tag). */
static int evp_seal(const EVP_CIPHER *c, const unsigned char *key, const unsigned char *iv,
		    size_t iv_len, const char *plain, size_t n, struct buf *ct, struct buf *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int aead = (EVP_CIPHER_get_flags(c) & EVP_CIPH_FLAG_AEAD_CIPHER) != 0;
	int n1 = 0, n2 = 0;
	buf_reset(ct);
	buf_grow(ct, n + 64);
	int ok = ctx && EVP_EncryptInit_ex(ctx, c, NULL, NULL, NULL) &&
		 (!aead || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, (int)iv_len, NULL)) &&
		 EVP_EncryptInit_ex(ctx, NULL, NULL, key, iv) &&
		 EVP_EncryptUpdate(ctx, (unsigned char *)ct->ptr, &n1, (const unsigned char *)plain,
				   (int)n) &&
		 EVP_EncryptFinal_ex(ctx, (unsigned char *)ct->ptr + n1, &n2);
	ct->len = ok ? (size_t)n1 + (size_t)n2 : 0;
	ct->ptr[ct->len] = '\0';
	if (ok && aead) {
		unsigned char t[16];
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, t) == 1;
		buf_add(tag, t, 16);
	}
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* PHP's openssl_encrypt() key: padded with NULs to the cipher's key length or cut to it. */
static size_t php_key(const EVP_CIPHER *c, const struct crypt_key *k, unsigned char *out,
		      size_t cap)
{
	size_t want = (size_t)EVP_CIPHER_get_key_length(c);
	if (want > cap)
		want = cap;
	memset(out, 0, want);
	memcpy(out, k->ptr, k->len < want ? k->len : want);
	return want;
}

static void hex_hmac(const struct crypt_key *k, const struct buf *msg, struct buf *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	HMAC(EVP_sha256(), k->ptr, (int)k->len, (const unsigned char *)msg->ptr, msg->len, md,
	     &len);
	for (unsigned i = 0; i < len; i++)
		buf_printf(out, "%02x", md[i]);
	OPENSSL_cleanse(md, sizeof(md));
}

int crypt_seal(enum crypt_scheme scheme, const char *cipher, const struct crypt_key *key,
	       const char *plain, size_t n, struct buf *out, char **cause)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, cipher, NULL);
	unsigned char k[1024], iv[32];
	struct buf ct = BUF_INIT, tag = BUF_INIT, inner = BUF_INIT, ct64 = BUF_INIT;
	int rc = -1;
	if (!c || (scheme != CRYPT_OPENSSL && scheme != CRYPT_LARAVEL)) {
		*cause = xasprintf("cannot encrypt with %s %s", crypt_scheme_name(scheme), cipher);
		goto out;
	}
	size_t iv_len = (size_t)EVP_CIPHER_get_iv_length(c);
	int aead = (EVP_CIPHER_get_flags(c) & EVP_CIPH_FLAG_AEAD_CIPHER) != 0;
	if (iv_len > sizeof(iv) || RAND_bytes(iv, (int)iv_len) != 1) {
		*cause = xstrdup("cannot make an iv");
		goto out;
	}
	const unsigned char *kp = key->ptr;
	if (scheme == CRYPT_OPENSSL) {
		php_key(c, key, k, sizeof(k));
		kp = k;
	}
	if (evp_seal(c, kp, iv, iv_len, plain, n, &ct, &tag) < 0) {
		*cause = xasprintf("%s: encryption failed", cipher);
		goto out;
	}
	base64_append(&ct64, ct.ptr, ct.len);
	if (scheme == CRYPT_OPENSSL) {
		buf_add(&inner, ct64.ptr, ct64.len);
		buf_adds(&inner, "::");
		buf_add(&inner, iv, iv_len);
	} else {
		struct buf iv64 = BUF_INIT, mac = BUF_INIT, msg = BUF_INIT;
		base64_append(&iv64, iv, iv_len);
		if (!aead) {
			buf_add(&msg, iv64.ptr, iv64.len);
			buf_add(&msg, ct64.ptr, ct64.len);
			hex_hmac(key, &msg, &mac);
		}
		buf_printf(&inner, "{\"iv\":\"%s\",\"value\":\"%s\",\"mac\":\"%s\",\"tag\":\"", iv64.ptr,
			   ct64.ptr, mac.ptr ? mac.ptr : "");
		if (tag.len)
			base64_append(&inner, tag.ptr, tag.len);
		buf_adds(&inner, "\"}");
		buf_release(&iv64);
		buf_release(&mac);
		buf_release(&msg);
	}
	base64_append(out, inner.ptr, inner.len);
	rc = 0;
out:
	OPENSSL_cleanse(k, sizeof(k));
	EVP_CIPHER_free(c);
	buf_release(&ct);
	buf_release(&tag);
	buf_release(&inner);
	buf_release(&ct64);
	return rc;
}
