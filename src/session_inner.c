/* session_inner.c: encrypted values inside a session being edited (see session_inner.h). */
#include "session_inner.h"
#include "codec/crypto_seal.h"
#include "php/serialize.h"
#include "php/unserialize.h"

#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

/* ---- opening ---- */

struct walk {
	struct sess_inner *in;
	enum crypt_scheme scheme;
	const char *cipher;
	const struct keyring *keys;
	const struct pv **keys_on_way;
	size_t depth, cap;
};

static struct pv *key_copy(const struct pv *k)
{
	return k->type == PV_INT ? pv_new_int(k->u.i) : pv_new_string(k->u.str.ptr, k->u.str.len);
}

static struct inner_value *note(struct walk *w, const struct crypt_envelope *env,
				const struct pv *v)
{
	struct sess_inner *in = w->in;
	if (in->n == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 8;
		in->v = xrealloc(in->v, in->cap * sizeof(*in->v));
	}
	struct inner_value *iv = &in->v[in->n++];
	memset(iv, 0, sizeof(*iv));
	iv->depth = w->depth;
	iv->path = xcalloc(w->depth ? w->depth : 1, sizeof(*iv->path));
	for (size_t i = 0; i < w->depth; i++) {
		const struct pv *k = w->keys_on_way[i];
		iv->path[i] = key_copy(k);
		if (i)
			buf_addc(&iv->where, '.');
		if (k->type == PV_INT)
			buf_printf(&iv->where, "%" PRId64, k->u.i);
		else
			buf_add_escaped(&iv->where, k->u.str.ptr, k->u.str.len);
	}
	iv->scheme = env->scheme;
	snprintf(iv->cipher, sizeof(iv->cipher), "%s", env->cipher);
	buf_add(&iv->stored, v->u.str.ptr, v->u.str.len);
	return iv;
}

/* Laravel's serialize()d plaintext as a value, when it reads whole; NULL otherwise. */
static struct pv *unserialized(const struct buf *plain)
{
	struct decode_error e;
	size_t pos = 0;
	struct phpser *p = phpser_new(plain->ptr ? plain->ptr : "", plain->len);
	struct pv *v = phpser_value(p, &pos, &e);
	phpser_free(p);
	if (v && (pos != plain->len || v->shared || v->type == PV_REF)) {
		pv_free(v);
		v = NULL;
	}
	return v;
}

/* Puts the plaintext in v's place (references to v stay valid). */
static void put_plain(struct inner_value *iv, struct pv *v)
{
	struct pv *parsed = iv->scheme == CRYPT_LARAVEL ? unserialized(&iv->plain) : NULL;
	OPENSSL_cleanse(v->u.str.ptr, v->u.str.len);
	free(v->u.str.ptr);
	if (parsed) {
		unsigned shared = v->shared, slot = v->slot;
		*v = *parsed;
		v->shared = shared;
		v->slot = slot;
		free(parsed);
		iv->serialized = 1;
	} else {
		v->u.str.ptr = xstrndup(iv->plain.ptr ? iv->plain.ptr : "", iv->plain.len);
		v->u.str.len = iv->plain.len;
	}
	v->decrypted = (unsigned char)iv->scheme;
}

static void open_string(struct walk *w, struct pv *v)
{
	struct crypt_envelope env;
	char *cause = NULL;
	int idx = 0;
	if (!crypt_inner_candidate(v->u.str.ptr, v->u.str.len))
		return;
	int r = crypt_parse(v->u.str.ptr, v->u.str.len, w->scheme, w->cipher, 0, &env, &cause);
	if (r != 0) {
		struct inner_value *iv = note(w, &env, v);
		if (r > 0 && w->keys && w->keys->n &&
		    crypt_open(&env, w->keys, NULL, NULL, &iv->plain, &idx, &cause) == 0) {
			iv->key = &w->keys->keys[idx - 1];
			snprintf(iv->cipher, sizeof(iv->cipher), "%s", env.cipher);
			put_plain(iv, v);
		} else {
			v->encrypted = (unsigned char)env.scheme;
		}
	}
	free(cause);
	crypt_envelope_release(&env);
}

static void walk(struct walk *w, struct pv *v)
{
	if (v->type == PV_STRING) {
		open_string(w, v);
		return;
	}
	if (v->type != PV_ARRAY && v->type != PV_OBJECT)
		return;
	for (size_t i = 0; i < v->n_items; i++) {
		if (w->depth == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 16;
			w->keys_on_way = xrealloc(w->keys_on_way, w->cap * sizeof(*w->keys_on_way));
		}
		w->keys_on_way[w->depth++] = v->items[i].key;
		walk(w, v->items[i].value);
		w->depth--;
	}
}

void sess_inner_open(struct sess_inner *in, struct pv *root, enum crypt_scheme scheme,
		     const char *cipher, const struct keyring *keys)
{
	struct walk w = { in, scheme, cipher, keys, NULL, 0, 0 };
	if (scheme == CRYPT_NONE || !root)
		return;
	walk(&w, root);
	free(w.keys_on_way);
}

/* ---- sealing ---- */

static int key_is(const struct pv *a, const struct pv *b)
{
	if (a->type != b->type)
		return 0;
	if (a->type == PV_INT)
		return a->u.i == b->u.i;
	return a->u.str.len == b->u.str.len && !memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len);
}

/* The value at iv's path in root now, or NULL when it is gone. */
static struct pv *find(struct pv *root, const struct inner_value *iv)
{
	struct pv *v = root;
	for (size_t d = 0; v && d < iv->depth; d++) {
		struct pv *next = NULL;
		if (v->type != PV_ARRAY && v->type != PV_OBJECT)
			return NULL;
		for (size_t i = 0; i < v->n_items && !next; i++)
			if (key_is(v->items[i].key, iv->path[d]))
				next = v->items[i].value;
		v = next;
	}
	return v;
}

static int same(const struct buf *b, const char *p, size_t n)
{
	return b->len == n && (!n || !memcmp(b->ptr, p, n));
}

/* The plaintext v stands for now. Returns 0, or -1 with *cause. */
static int plain_of(const struct inner_value *iv, struct pv *v, struct buf *out, char **cause)
{
	if (iv->serialized) {
		unsigned counter = 0;
		pv_serialize(out, v, &counter);
		return 0;
	}
	if (v->type != PV_STRING) {
		*cause = xasprintf("%s: encrypted (%s) as a string: it must stay a string",
				   iv->where.ptr ? iv->where.ptr : "(value)",
				   crypt_scheme_name(iv->scheme));
		return -1;
	}
	buf_add(out, v->u.str.ptr, v->u.str.len);
	return 0;
}

/* The envelope for iv's value v: the stored one when unchanged. Returns 0, or -1. */
static int envelope(const struct inner_value *iv, struct pv *v, struct buf *out, char **cause)
{
	const char *where = iv->where.ptr ? iv->where.ptr : "(value)";
	if (!iv->key) {
		if (v->type == PV_STRING && same(&iv->stored, v->u.str.ptr, v->u.str.len)) {
			buf_add(out, iv->stored.ptr, iv->stored.len);
			return 0;
		}
		*cause = xasprintf("%s: encrypted (%s) and not opened (no key given, or none fits): "
				   "it cannot be changed, only unset", where,
				   crypt_scheme_name(iv->scheme));
		return -1;
	}
	struct buf plain = BUF_INIT;
	int rc = plain_of(iv, v, &plain, cause);
	if (rc == 0 && same(&iv->plain, plain.ptr, plain.len))
		buf_add(out, iv->stored.ptr, iv->stored.len);
	else if (rc == 0 && crypt_seal(iv->scheme, iv->cipher, iv->key, plain.ptr ? plain.ptr : "",
				       plain.len, out, cause) < 0)
		rc = -1;
	if (plain.ptr)
		OPENSSL_cleanse(plain.ptr, plain.cap);
	buf_release(&plain);
	return rc;
}

int sess_inner_seal(struct sess_inner *in, struct pv *root, char **cause)
{
	for (size_t i = 0; i < in->n; i++) {
		struct inner_value *iv = &in->v[i];
		struct pv *v = find(root, iv);
		struct buf env = BUF_INIT;
		if (!v)
			continue;
		if (envelope(iv, v, &env, cause) < 0) {
			buf_release(&env);
			sess_inner_unseal(in);
			return -1;
		}
		iv->saved = *v;
		iv->node = v;
		memset(v, 0, sizeof(*v));
		v->type = PV_STRING;
		v->shared = iv->saved.shared;
		v->slot = iv->saved.slot;
		v->u.str.ptr = xstrndup(env.ptr ? env.ptr : "", env.len);
		v->u.str.len = env.len;
		buf_release(&env);
	}
	return 0;
}

void sess_inner_unseal(struct sess_inner *in)
{
	for (size_t i = 0; i < in->n; i++) {
		struct inner_value *iv = &in->v[i];
		if (!iv->node)
			continue;
		free(iv->node->u.str.ptr);
		*iv->node = iv->saved;
		iv->node = NULL;
	}
}

void sess_inner_release(struct sess_inner *in)
{
	for (size_t i = 0; i < in->n; i++) {
		struct inner_value *iv = &in->v[i];
		for (size_t d = 0; d < iv->depth; d++)
			pv_free(iv->path[d]);
		free(iv->path);
		buf_release(&iv->where);
		buf_release(&iv->stored);
		if (iv->plain.ptr)
			OPENSSL_cleanse(iv->plain.ptr, iv->plain.cap);
		buf_release(&iv->plain);
	}
	free(in->v);
	memset(in, 0, sizeof(*in));
}
