/* session_decode.c: stored bytes -> session tree, through decompression and decryption (see
 * session_decode.h). */
#include "session_decode.h"
#include "php/direct.h"
#include "php/handlers.h"
#include "php/unserialize.h"
#include "php/value.h"
#include "php/value_json.h"
#include "util.h"

#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct decode_opts defaults = { SESS_UNKNOWN, CRYPT_AUTO, NULL, NULL };

/* Buffers one decoding owns; wiped when they held plaintext. */
struct work {
	const struct decode_opts *o;
	struct decode_info *info;
	struct buf unz;		/* decompressed bytes */
	struct buf plain;	/* decrypted bytes */
	const struct pv **keys;	/* inner walk: the keys down to where we are (not owned) */
	size_t n_keys, cap_keys;
};

static void work_release(struct work *w)
{
	if (w->plain.ptr)
		OPENSSL_cleanse(w->plain.ptr, w->plain.cap);
	buf_release(&w->plain);
	buf_release(&w->unz);
	free(w->keys);
}

static int have_keys(const struct decode_opts *o)
{
	return o->keys && o->keys->n;
}

/* Undoes php-memcached's compression when the flags say so; *p, *n then name the bytes. */
static int uncompress_stage(struct work *w, uint32_t flags, const char **p, size_t *n)
{
	char *cause = NULL;
	w->info->compression = compress_kind_of(flags);
	if (w->info->compression == COMPRESS_NONE)
		return 0;
	if (compress_unwrap(w->info->compression, *p, *n, &w->unz, &cause) < 0) {
		snprintf(w->info->error, sizeof(w->info->error), "%s", cause);
		w->info->status = DECODE_UNCOMPRESS_FAILED;
		free(cause);
		return -1;
	}
	*p = w->unz.ptr;
	*n = w->unz.len;
	return 0;
}

int session_unwrap_serialized(struct buf *plain)
{
	struct decode_error e;
	size_t pos = 0;
	if (plain->len < 4 || memcmp(plain->ptr, "s:", 2) != 0)
		return 0;
	struct phpser *p = phpser_new(plain->ptr, plain->len);
	struct pv *v = phpser_value(p, &pos, &e);
	phpser_free(p);
	int ok = v && v->type == PV_STRING && pos == plain->len;
	if (ok) {
		memmove(plain->ptr, v->u.str.ptr, v->u.str.len);
		OPENSSL_cleanse(plain->ptr + v->u.str.len, plain->len - v->u.str.len);
		plain->len = v->u.str.len;
		plain->ptr[plain->len] = '\0';
		OPENSSL_cleanse(v->u.str.ptr, v->u.str.len);
	}
	pv_free(v);
	return ok;
}

/* A wrong key can pass the padding check of a MAC-less scheme: its plaintext is no session. */
static int accept_session(const char *plain, size_t n, void *arg)
{
	const struct decode_opts *o = arg;
	return sess_check(plain, n, o->handler, NULL, NULL) == 0;
}

static void set_error(struct decode_info *info, enum decode_status st, char *cause)
{
	info->status = st;
	snprintf(info->error, sizeof(info->error), "%s", cause ? cause : "");
	free(cause);
}

/* Opens a whole-value envelope; *p, *n then name the plaintext. Returns 0 (not encrypted, or
 * opened) or -1 (still encrypted: info->status says why). */
static int decrypt_stage(struct work *w, const char **p, size_t *n)
{
	struct decode_info *info = w->info;
	struct crypt_envelope env;
	char *cause = NULL;
	if (*n == 0)	/* PHP's placeholder for a new id */
		return 0;
	int r = crypt_parse(*p, *n, w->o->scheme, w->o->cipher, 1, &env, &cause);
	if (r == 0) {
		crypt_envelope_release(&env);
		return 0;
	}
	info->scheme = env.scheme;
	if (r > 0 && !have_keys(w->o))
		info->status = DECODE_ENCRYPTED;
	else if (r > 0 && crypt_open(&env, w->o->keys, env.scheme == CRYPT_OPENSSL ?
				     accept_session : NULL, (void *)w->o, &w->plain,
				     &info->key_index, &cause) == 0)
		r = 0;
	else
		set_error(info, have_keys(w->o) ? DECODE_CRYPT_FAILED : DECODE_ENCRYPTED, cause);
	snprintf(info->cipher, sizeof(info->cipher), "%s", env.cipher);
	crypt_envelope_release(&env);
	if (r)
		return -1;
	if (info->scheme == CRYPT_LARAVEL)
		session_unwrap_serialized(&w->plain);
	*p = w->plain.ptr;
	*n = w->plain.len;
	return 0;
}

/* Stages before decoding; returns 0 with the session bytes in *p, *n, or -1. */
static int open_stages(struct work *w, uint32_t flags, const char **p, size_t *n)
{
	if (uncompress_stage(w, flags, p, n) < 0)
		return -1;
	if (w->o->scheme == CRYPT_NONE)
		return 0;
	return decrypt_stage(w, p, n);
}

/* ---- string values inside the session ---- */

/* Moves a decrypted, unserialize()d value into v's place (references to v stay valid). */
static void transplant(struct pv *v, struct pv *parsed)
{
	unsigned shared = v->shared, slot = v->slot;
	free(v->u.str.ptr);
	*v = *parsed;
	v->shared = shared;
	v->slot = slot;
	free(parsed);
}

/* Puts the plaintext in v: Laravel's unserialize()d value when it parses whole, else text. */
static void replace_value(struct pv *v, const struct buf *plain, enum crypt_scheme scheme)
{
	struct decode_error e;
	size_t pos = 0;
	struct pv *parsed = NULL;
	if (scheme == CRYPT_LARAVEL) {
		struct phpser *p = phpser_new(plain->ptr, plain->len);
		parsed = phpser_value(p, &pos, &e);
		phpser_free(p);
		if (parsed && (pos != plain->len || parsed->shared || parsed->type == PV_REF)) {
			pv_free(parsed);
			parsed = NULL;
		}
	}
	if (parsed) {
		transplant(v, parsed);
	} else {
		OPENSSL_cleanse(v->u.str.ptr, v->u.str.len);
		free(v->u.str.ptr);
		v->u.str.ptr = xstrndup(plain->ptr, plain->len);
		v->u.str.len = plain->len;
	}
	v->decrypted = scheme;
}

/* Appends an entry's key to the path. */
static void path_push(struct buf *path, const struct pv *key)
{
	if (path->len)
		buf_addc(path, '.');
	if (key->type == PV_INT)
		buf_printf(path, "%" PRId64, key->u.i);
	else
		buf_add_escaped(path, key->u.str.ptr, key->u.str.len);
}

/* Notes the first inner failure as "path: message", the path as "cart.0.card". */
static void inner_failure(struct work *w, const char *cause)
{
	struct buf path = BUF_INIT;
	w->info->inner_failed++;
	if (w->info->inner_error[0])
		return;
	for (size_t i = 0; i < w->n_keys; i++)
		path_push(&path, w->keys[i]);
	snprintf(w->info->inner_error, sizeof(w->info->inner_error), "%s: %s",
		 path.len ? path.ptr : "(value)", cause);
	buf_release(&path);
}

/* Looks at one string value; opens it when it is an envelope and keys are given, else marks it
 * with its scheme. */
static void inner_string(struct work *w, struct pv *v)
{
	struct crypt_envelope env;
	char *cause = NULL;
	int idx = 0;
	int r = crypt_parse(v->u.str.ptr, v->u.str.len, w->o->scheme, w->o->cipher, 0, &env, &cause);
	if (r != 0)
		w->info->inner_found++;
	if (r != 0 && have_keys(w->o)) {
		if (r > 0 && crypt_open(&env, w->o->keys, NULL, NULL, &w->plain, &idx, &cause) == 0) {
			replace_value(v, &w->plain, env.scheme);
			w->info->inner_decrypted++;
		} else {
			inner_failure(w, cause ? cause : "cannot decrypt");
		}
	}
	if (r != 0 && !v->decrypted)
		v->encrypted = env.scheme;
	free(cause);
	crypt_envelope_release(&env);
}

/* Every string value of arrays and objects, depth first (references are not followed). */
static void walk(struct work *w, struct pv *v)
{
	if (v->type == PV_STRING && !v->decrypted) {
		inner_string(w, v);
		return;
	}
	if ((v->type != PV_ARRAY && v->type != PV_OBJECT) || v->decrypted)
		return;
	for (size_t i = 0; i < v->n_items; i++) {
		if (w->n_keys == w->cap_keys) {
			w->cap_keys = w->cap_keys ? w->cap_keys * 2 : 16;
			w->keys = xrealloc(w->keys, w->cap_keys * sizeof(*w->keys));
		}
		w->keys[w->n_keys++] = v->items[i].key;
		walk(w, v->items[i].value);
		w->n_keys--;
	}
}

/* ---- entry points ---- */

static void info_init(struct decode_info *info)
{
	memset(info, 0, sizeof(*info));
	info->status = DECODE_OK;
}

struct pv *session_decode_value(const char *value, size_t len, uint32_t flags,
				 const struct decode_opts *o, struct decode_info *info)
{
	struct work w = { .o = o ? o : &defaults, .info = info };
	struct pv *v = NULL;
	info_init(info);
	if (open_stages(&w, flags, &value, &len) == 0) {
		v = sess_decode(value, len, w.o->handler, &info->handler, &info->err);
		if (v)
			info->trailing = v->type == PV_ARRAY ? v->u.str.len : 0;
		if (!v)
			info->status = DECODE_FAILED;
		else if (w.o->scheme != CRYPT_NONE)
			walk(&w, v);
	}
	work_release(&w);
	return v;
}

int session_write_json(const char *value, size_t len, uint32_t flags,
			const struct decode_opts *o, struct decode_info *info, struct buf *out)
{
	struct work w = { .o = o ? o : &defaults, .info = info };
	int wrote = 0;
	info_init(info);
	if (open_stages(&w, flags, &value, &len) == 0) {
		wrote = sess_fast_json(value, len, w.o->handler, w.o->scheme, w.o->cipher,
				       &info->handler, out) == 0;
		struct pv *v = wrote ? NULL : sess_decode(value, len, w.o->handler, &info->handler,
							  &info->err);
		if (!wrote && !v) {
			info->status = DECODE_FAILED;
		} else if (v) {
			info->trailing = v->type == PV_ARRAY ? v->u.str.len : 0;
			if (w.o->scheme != CRYPT_NONE)
				walk(&w, v);
			pv_write_json(out, v);
			pv_free(v);
			wrote = 1;
		}
	}
	work_release(&w);
	return wrote;
}

struct pv *session_decode(const struct sess_rec *r, const struct decode_opts *o,
			   struct decode_info *info)
{
	return session_decode_value(r->value ? r->value : "", r->value ? r->value_len : 0,
				     r->have_meta ? r->flags : 0, o, info);
}

/* Opens and counts the values inside session bytes p, n (a probe with keys); a session that
 * does not decode has none. */
static void probe_inner(struct work *w, const char *p, size_t n)
{
	struct decode_error e;
	enum sess_handler used;
	struct pv *v = sess_decode(p, n, w->o->handler, &used, &e);
	if (v)
		walk(w, v);	/* the tree holds copies: w->plain may be reused */
	pv_free(v);
}

void session_probe(const struct sess_rec *r, const struct decode_opts *o,
		    struct decode_info *info)
{
	struct work w = { .o = o ? o : &defaults, .info = info };
	const char *p = r->value ? r->value : "";
	size_t n = r->value ? r->value_len : 0;
	info_init(info);
	if (open_stages(&w, r->have_meta ? r->flags : 0, &p, &n) == 0) {
		info->handler = w.o->handler != SESS_UNKNOWN ? w.o->handler :
				n ? sess_detect(p, n) : SESS_EMPTY;
		if (n && have_keys(w.o) && w.o->scheme != CRYPT_NONE)
			probe_inner(&w, p, n);
	}
	work_release(&w);
}

int session_failed(const struct decode_info *info)
{
	return info->status == DECODE_CRYPT_FAILED || info->status == DECODE_UNCOMPRESS_FAILED ||
	       info->status == DECODE_FAILED || info->inner_failed > 0;
}

void session_describe(const struct decode_info *info, struct buf *out)
{
	switch (info->status) {
	case DECODE_CRYPT_FAILED:
		buf_printf(out, "cannot decrypt (%s %s): %s", crypt_scheme_name(info->scheme),
			   info->cipher, info->error);
		break;
	case DECODE_ENCRYPTED:
		buf_printf(out, "encrypted (%s %s)%s%s", crypt_scheme_name(info->scheme),
			   info->cipher, info->error[0] ? ": " : "", info->error);
		break;
	case DECODE_UNCOMPRESS_FAILED:
		buf_printf(out, "cannot decompress: %s", info->error);
		break;
	case DECODE_FAILED:
		buf_printf(out, "cannot decode%s at byte %zu: %s", info->key_index ? " the plaintext" : "",
			   info->err.offset, info->err.msg);
		break;
	case DECODE_OK:
		break;
	}
	if (info->inner_failed)
		buf_printf(out, "%scannot decrypt %zu value%s: %s", out->len ? "; " : "",
			   info->inner_failed, info->inner_failed == 1 ? "" : "s", info->inner_error);
}

const char *session_handler(const struct decode_info *info)
{
	if (info->status == DECODE_ENCRYPTED || info->status == DECODE_CRYPT_FAILED)
		return "encrypted";
	if (info->status == DECODE_UNCOMPRESS_FAILED)
		return "unknown";
	return sess_handler_name(info->handler);
}
