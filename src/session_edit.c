/* session_edit.c: one session read, changed and written back safely (see session_edit.h). */
#include "session_edit.h"
#include "codec/compress_write.h"
#include "codec/crypto_seal.h"
#include "mc/cas_write.h"
#include "mc/conn.h"
#include "mc/limit.h"
#include "mc/meta.h"
#include "mc/store.h"
#include "php/session_encode.h"
#include "php/unserialize.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One mg on server i; value into out when out. Returns 0 or -1 with *cause. */
static int get_on(const struct pool *p, size_t i, const struct buf *key, struct mg_reply *r,
		  struct buf *out, char **cause)
{
	struct conn c;
	if (conn_open(&c, &p->servers[i], p->timeout_ms, cause) < 0)
		return -1;
	int rc = meta_get(&c, key->ptr, key->len, out != NULL, r, out, cause);
	if (rc == 0)
		conn_park(&c);
	else
		conn_close(&c);
	return rc;
}

/* Is PHP's lock on the session held? Fills e->locked and e->lock_age. */
static int read_lock(struct sess_edit *e, char **cause)
{
	struct mg_reply r;
	if (get_on(e->pool, e->lock_home, &e->lock_key, &r, NULL, cause) < 0)
		return -1;
	e->locked = r.found;
	e->lock_age = r.found ? r.idle : -1;
	return 0;
}

/* A wrong key can pass the padding check of the openssl scheme: its plaintext is no session. */
static int accept_session(const char *plain, size_t n, void *arg)
{
	const struct sess_edit_opts *o = arg;
	return sess_check(plain, n, o->handler, NULL, NULL) == 0;
}

/* Opens a value encrypted as a whole into plain (*p, *n then name it); 0 when it is not
 * encrypted or opened, -1 with *cause. */
static int open_whole(struct sess_edit *e, const struct sess_edit_opts *o, const char **p,
		      size_t *n, struct buf *plain, char **cause)
{
	struct crypt_envelope env;
	char *why = NULL;
	int index = 0;
	if (o->scheme == CRYPT_NONE || *n == 0)
		return 0;
	int r = crypt_parse(*p, *n, o->scheme, o->cipher, 1, &env, &why);
	if (r == 0) {
		crypt_envelope_release(&env);
		return 0;
	}
	e->scheme = env.scheme;
	if (r > 0 && (!o->keys || !o->keys->n))
		*cause = xasprintf("session %s is encrypted (%s) and no key was given (--key-file "
				   "or MEMCSESS_KEY): it cannot be edited", e->sid,
				   crypt_scheme_name(env.scheme));
	else if (r > 0 && crypt_open(&env, o->keys, env.scheme == CRYPT_OPENSSL ? accept_session :
				     NULL, (void *)o, plain, &index, &why) == 0)
		r = 0;
	else
		*cause = xasprintf("session %s is encrypted (%s) and cannot be opened: %s", e->sid,
				   crypt_scheme_name(env.scheme), why ? why : "no key fits");
	snprintf(e->cipher, sizeof(e->cipher), "%s", env.cipher);
	crypt_envelope_release(&env);
	free(why);
	if (r)
		return -1;
	e->crypt_key = &o->keys->keys[index - 1];
	if (e->scheme == CRYPT_LARAVEL)
		e->wrapped = session_unwrap_serialized(plain);
	*p = plain->ptr;
	*n = plain->len;
	return 0;
}

/* Decodes e->stored into e->root for editing: decompressed, opened when encrypted as a whole;
 * strings inside stay as stored (an encrypted one too). */
static int decode_stored(struct sess_edit *e, const struct sess_edit_opts *o, char **cause)
{
	struct buf unz = BUF_INIT, plain = BUF_INIT;
	struct decode_error err;
	const char *p = e->stored.ptr ? e->stored.ptr : "";
	size_t n = e->stored.len;
	int rc = -1;
	char *why = NULL;
	e->compression = compress_kind_of(e->flags);
	if (e->compression != COMPRESS_NONE) {
		if (compress_unwrap(e->compression, p, n, &unz, &why) < 0) {
			*cause = xasprintf("session %s: %s", e->sid, why);
			goto out;
		}
		p = unz.ptr;
		n = unz.len;
	}
	if (open_whole(e, o, &p, &n, &plain, cause) < 0)
		goto out;
	e->root = sess_decode(p, n, o->handler, &e->handler, &err);
	if (!e->root) {
		*cause = xasprintf("session %s: cannot decode as %s at byte %zu: %s", e->sid,
				   sess_handler_name(e->handler), err.offset, err.msg);
		goto out;
	}
	rc = 0;
	if (e->handler == SESS_EMPTY && o->handler == SESS_UNKNOWN) {
		*cause = xasprintf("session %s is empty: say its handler with --handler", e->sid);
		rc = -1;
	} else if (e->handler == SESS_EMPTY) {
		e->handler = o->handler;
	}
out:
	free(why);
	if (plain.ptr)
		OPENSSL_cleanse(plain.ptr, plain.cap);
	buf_release(&plain);
	buf_release(&unz);
	return rc;
}

int sess_edit_read(struct sess_edit *e, const struct pool *p, const char *sid,
		   const struct sess_edit_opts *o, char **cause)
{
	struct mg_reply r;
	memset(e, 0, sizeof(*e));
	e->pool = p;
	e->sid = xstrdup(sid);
	buf_printf(&e->key, "%s%s", p->prefix, sid);
	buf_printf(&e->lock_key, "%slock.%s", p->prefix, sid);
	e->home = pool_home(p, sid, strlen(sid));
	char *hashed = xasprintf("lock.%s", sid);
	e->lock_home = pool_home(p, hashed, strlen(hashed));
	free(hashed);
	if (p->sasl) {
		*cause = xstrdup("editing needs the text protocol (CAS with ms): not over SASL");
		return -1;
	}
	if (get_on(p, e->home, &e->key, &r, &e->stored, cause) < 0)
		return -1;
	if (!r.found)
		return 1;
	e->flags = r.flags;
	e->ttl = r.ttl;
	e->cas = r.cas;
	if (read_lock(e, cause) < 0)
		return -1;
	if (decode_stored(e, o, cause) < 0)
		return -1;
	sess_inner_open(&e->inner, e->root, o->scheme, o->cipher, o->keys);
	return 0;
}

void sess_edit_release(struct sess_edit *e)
{
	free(e->sid);
	buf_release(&e->key);
	buf_release(&e->lock_key);
	buf_release(&e->stored);
	pv_free(e->root);
	sess_inner_release(&e->inner);
	memset(e, 0, sizeof(*e));
}

int sess_edit_encode(struct sess_edit *e, struct buf *value, uint32_t *flags, char **cause)
{
	struct buf plain = BUF_INIT, sealed = BUF_INIT;
	if (sess_inner_seal(&e->inner, e->root, cause) < 0)
		return -1;
	int rc = sess_encode(e->root, e->handler, &plain, cause);
	sess_inner_unseal(&e->inner);
	const struct buf *out = &plain;
	*flags = e->flags;
	if (rc == 0 && e->scheme != CRYPT_NONE) {
		struct buf wrap = BUF_INIT;
		if (e->wrapped) {	/* as Laravel's encrypt() serialize()s */
			buf_printf(&wrap, "s:%zu:\"", plain.len);
			buf_add(&wrap, plain.ptr ? plain.ptr : "", plain.len);
			buf_adds(&wrap, "\";");
		}
		const struct buf *in = e->wrapped ? &wrap : &plain;
		rc = crypt_seal(e->scheme, e->cipher, e->crypt_key, in->ptr ? in->ptr : "", in->len,
				&sealed, cause);
		if (wrap.ptr)
			OPENSSL_cleanse(wrap.ptr, wrap.cap);
		buf_release(&wrap);
		out = &sealed;
	}
	if (rc == 0)
		rc = compress_as_php(e->compression, out->ptr ? out->ptr : "", out->len, flags,
				     value, cause);
	if (plain.ptr)
		OPENSSL_cleanse(plain.ptr, plain.cap);
	buf_release(&plain);
	buf_release(&sealed);
	return rc;
}

/* memcached's TTL argument: the new one, or what was left. */
static int64_t ttl_arg(const struct sess_edit *e, const struct sess_edit_opts *o)
{
	int64_t now = (int64_t)time(NULL);
	int64_t ttl = o->ttl >= 0 ? o->ttl : e->ttl;
	if (ttl <= 0)
		return 0;
	return store_ttl_arg(now + ttl, now);
}

/* Refuses a value over server i's item limit (memcached would drop the session). */
static int fits(struct sess_edit *e, struct conn *c, size_t i, size_t len, uint32_t flags,
		char **cause)
{
	struct item_limit l = { 0 };
	if (limit_fetch(c, &l, cause) < 0)
		return -1;
	char *why = limit_check(&l, e->pool->servers[i].name, e->key.ptr, e->key.len, flags, len);
	if (why) {
		*cause = why;
		return -1;
	}
	return 0;
}

/* Writes one copy on server i: with the CAS read there (cas), or added when it had none. */
static int write_copy(struct sess_edit *e, size_t i, uint64_t cas, const char *value,
		      size_t len, uint32_t flags, int64_t ttl, char **cause)
{
	struct conn c;
	if (conn_open(&c, &e->pool->servers[i], e->pool->timeout_ms, cause) < 0)
		return -1;
	int rc = fits(e, &c, i, len, flags, cause);
	if (rc == 0)
		rc = cas_set(&c, e->key.ptr, e->key.len, value, len, flags, ttl, cas, cause);
	if (rc >= 0)
		conn_park(&c);
	else
		conn_close(&c);
	return rc;
}

/* Takes PHP's lock on the lock server: 1 taken, 0 held by PHP, -1 failed. */
static int take_lock(struct sess_edit *e, const struct sess_edit_opts *o, char **cause)
{
	struct conn c;
	if (conn_open(&c, &e->pool->servers[e->lock_home], e->pool->timeout_ms, cause) < 0)
		return -1;
	int rc = cas_lock(&c, e->lock_key.ptr, o->lock_ttl, cause);
	if (rc >= 0)
		conn_park(&c);
	else
		conn_close(&c);
	return rc;
}

static void give_lock(struct sess_edit *e, char **cause)
{
	struct conn c;
	char *why = NULL;
	if (conn_open(&c, &e->pool->servers[e->lock_home], e->pool->timeout_ms, &why) == 0 &&
	    cas_unlock(&c, e->lock_key.ptr, &why) == 0) {
		conn_park(&c);
		return;
	}
	conn_close(&c);
	if (!*cause)
		*cause = xasprintf("releasing the lock: %s (it expires by itself)", why);
	free(why);
}

/* The replicas: the servers after the home one, in the pool's order, wrapping. */
static size_t replica_server(const struct sess_edit *e, size_t k)
{
	return (e->home + 1 + k) % e->pool->n;
}

/* Writes every replica with the CAS each has now (the home copy was just written). */
static enum sess_write_status write_replicas(struct sess_edit *e, const char *value, size_t len,
					     uint32_t flags, int64_t ttl,
					     const struct sess_edit_opts *o, char **cause)
{
	size_t n = o->replicas < e->pool->n - 1 ? o->replicas : e->pool->n - 1;
	for (size_t k = 0; k < n; k++) {
		size_t i = replica_server(e, k);
		struct mg_reply r;
		char *why = NULL;
		int rc = get_on(e->pool, i, &e->key, &r, NULL, &why);
		if (rc == 0)
			rc = write_copy(e, i, r.found ? r.cas : 0, value, len, flags, ttl, &why);
		if (rc != CAS_STORED) {
			*cause = xasprintf("replica on %s: %s; the copy PHP reads (%s) is written",
					   e->pool->servers[i].name, rc < 0 ? why :
					   "changed meanwhile, not written", e->pool->servers[e->home].name);
			free(why);
			return SW_FAILED;
		}
	}
	return SW_WRITTEN;
}

enum sess_write_status sess_edit_write(struct sess_edit *e, const char *value, size_t len,
				       uint32_t flags, const struct sess_edit_opts *o,
				       char **cause)
{
	*cause = NULL;
	int ours = take_lock(e, o, cause);	/* with --force, a lock PHP holds stays PHP's */
	if (ours < 0)
		return SW_FAILED;
	if (ours == 0 && !o->force) {
		if (read_lock(e, cause) < 0)
			return SW_FAILED;
		*cause = xasprintf("session %s is locked by PHP (lock taken %llds ago): a request "
				   "is using it; retry, or --force", e->sid,
				   (long long)(e->lock_age < 0 ? 0 : e->lock_age));
		return SW_LOCKED;
	}
	int64_t ttl = ttl_arg(e, o);
	int rc = write_copy(e, e->home, e->cas, value, len, flags, ttl, cause);
	enum sess_write_status st = rc == CAS_STORED ? SW_WRITTEN : rc == CAS_EXISTS ? SW_CONFLICT :
				    rc == CAS_NOT_FOUND ? SW_GONE : SW_FAILED;
	if (st == SW_CONFLICT)
		*cause = xasprintf("session %s changed on %s since it was read: nothing written",
				   e->sid, e->pool->servers[e->home].name);
	else if (st == SW_GONE)
		*cause = xasprintf("session %s is gone from %s: nothing written", e->sid,
				   e->pool->servers[e->home].name);
	if (st == SW_WRITTEN)
		st = write_replicas(e, value, len, flags, ttl, o, cause);
	if (ours)
		give_lock(e, cause);
	return st;
}
