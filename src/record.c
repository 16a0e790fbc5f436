/* record.c: session records as JSON (see record.h). */
#include "record.h"
#include "php/direct_json.h"
#include "codec/base64.h"
#include "session_decode.h"
#include "util.h"
#include "php/handlers.h"
#include "php/json_escape.h"
#include "php/value.h"
#include "php/value_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *record_handler(const struct sess_rec *r)
{
	if (!r->value)
		return "-";
	return sess_handler_name(r->value_len ? sess_detect(r->value, r->value_len) : SESS_EMPTY);
}

static void set_int_or_null(json_t *o, const char *name, int64_t v)
{
	json_object_set_new(o, name, v < 0 ? json_null() : json_integer(v));
}

/* Adds bytes as member name when valid UTF-8, else as name_b64 in base64. */
static void add_bytes(json_t *o, const char *name, const char *p, size_t n)
{
	if (utf8_valid(p, n)) {
		json_object_set_new(o, name, json_stringn_nocheck(p, n));
		return;
	}
	char *b = base64_encode(p, n, NULL);
	char *bname = xasprintf("%s_b64", name);
	json_object_set_new(o, bname, json_string_nocheck(b));
	free(bname);
	free(b);
}

/* Adds what compression and encryption were found, and how decrypting went. */
static void add_crypto(json_t *o, const struct decode_info *d)
{
	if (d->compression != COMPRESS_NONE)
		json_object_set_new(o, "compression", json_string(compress_name(d->compression)));
	if (d->scheme != CRYPT_NONE) {
		json_t *e = json_pack("{s:s,s:s,s:b}", "scheme", crypt_scheme_name(d->scheme),
				      "cipher", d->cipher, "decrypted", d->key_index > 0);
		if (d->key_index)
			json_object_set_new(e, "key", json_integer(d->key_index));
		if (d->error[0] && d->status != DECODE_UNCOMPRESS_FAILED)
			json_object_set_new(e, "error", json_string(d->error));
		json_object_set_new(o, "encryption", e);
	}
	if (d->inner_found) {
		json_t *e = json_pack("{s:I,s:I,s:I}", "found", (json_int_t)d->inner_found,
				      "decrypted", (json_int_t)d->inner_decrypted,
				      "failed", (json_int_t)d->inner_failed);
		if (d->inner_error[0])
			json_object_set_new(e, "error", json_string(d->inner_error));
		json_object_set_new(o, "inner_encryption", e);
	}
}

/* The handler, compression and encryption, and the decode error when there is no data (none
 * while the value stays encrypted). */
static void add_outcome(json_t *o, const struct decode_info *d, int have_data)
{
	json_object_set_new(o, "handler", json_string(session_handler(d)));
	add_crypto(o, d);
	if (have_data) {
		return;
	} else if (d->status == DECODE_FAILED) {
		json_object_set_new(o, "decode_error", json_pack("{s:I,s:s}", "offset",
					(json_int_t)d->err.offset, "message", d->err.msg));
	} else if (d->status == DECODE_UNCOMPRESS_FAILED) {
		json_object_set_new(o, "decode_error", json_pack("{s:I,s:s}", "offset",
					(json_int_t)0, "message", d->error));
	}
}

/* Decodes r: returns the tree (new) for "data", or NULL after adding the decode error. */
static struct pv *add_data(json_t *o, const struct sess_rec *r, const struct decode_opts *opts,
			   struct decode_info *d)
{
	struct pv *v = session_decode(r, opts, d);
	add_outcome(o, d, v != NULL);
	return v;
}

/* The fields every record has, values and data aside. */
static json_t *record_meta(const struct pool *p, const struct sess_rec *r)
{
	json_t *o = json_object();
	add_bytes(o, "key", r->key, r->key_len);
	add_bytes(o, "sid", r->sid, r->sid_len);
	json_object_set_new(o, "server", json_string(p->servers[r->server].name));
	if (r->kind == REC_SESSION && r->home != r->server)
		json_object_set_new(o, "php_server", json_string(p->servers[r->home].name));
	set_int_or_null(o, "expiry", r->exp);
	set_int_or_null(o, "ttl", r->ttl);
	set_int_or_null(o, "last_access", r->la);
	set_int_or_null(o, "idle", r->idle);
	if (r->ttl == TTL_UNKNOWN)	/* read over the binary protocol (SASL): null is not "never" */
		json_object_set_new(o, "times_known", json_false());
	if (r->have_meta) {
		json_object_set_new(o, "flags", json_integer(r->flags));
		json_object_set_new(o, "cas", json_integer((json_int_t)r->cas));
		json_object_set_new(o, "size", json_integer((json_int_t)r->value_len));
	} else if (r->item_size) {	/* list --fast: the item's size on the server, from its dump */
		json_object_set_new(o, "item_size", json_integer((json_int_t)r->item_size));
	}
	if (r->locked >= 0)
		json_object_set_new(o, "locked", json_boolean(r->locked));
	if (r->locked == 1)
		set_int_or_null(o, "lock_ttl", r->lock_ttl);
	return o;
}

/* What follows the value: the handler, compression and encryption, or the decode error;
 * *data gets the tree for "data", the last member (new), or NULL. */
static void add_rest(json_t *o, const struct sess_rec *r, unsigned what,
		     const struct decode_opts *opts, struct decode_info *d, struct pv **data)
{
	memset(d, 0, sizeof(*d));
	*data = NULL;
	if (r->value && (what & RECORD_DATA)) {
		*data = add_data(o, r, opts, d);
	} else if (r->value) {
		session_probe(r, opts, d);
		add_outcome(o, d, 1);
	}
}

json_t *record_to_json_opts(const struct pool *p, const struct sess_rec *r, unsigned what,
			    const struct decode_opts *opts, struct decode_info *info)
{
	struct decode_info tmp;
	struct pv *v;
	json_t *o = record_meta(p, r);
	if (r->value && (what & RECORD_VALUE))
		add_bytes(o, "value", r->value, r->value_len);
	add_rest(o, r, what, opts, info ? info : &tmp, &v);
	if (v) {
		json_object_set_new(o, "data", pv_to_json(v));
		pv_free(v);
	}
	return o;
}

static int dump_to_buf(const char *s, size_t n, void *arg)
{
	buf_add(arg, s, n);
	return 0;
}

/* Appends o's members as jansson's compact dump writes them, first in place of the opening
 * brace and without the closing one; nothing for an empty o when first is ','. Frees o. */
static void write_members(struct buf *out, json_t *o, char first)
{
	size_t start = out->len;
	json_dump_callback(o, dump_to_buf, out, JSON_COMPACT);
	json_decref(o);
	out->len--;
	if (first == ',' && out->len == start + 1)
		out->len = start;
	else
		out->ptr[start] = first;
	out->ptr[out->len] = '\0';
}

/* ,"name": (names are plain ASCII; inline, so that their lengths are known when compiling) */
static inline void put_name(struct buf *out, const char *name)
{
	size_t n = strlen(name);
	buf_room(out, n + 4);
	char *o = out->ptr + out->len;
	o[0] = ',';
	o[1] = '"';
	memcpy(o + 2, name, n);
	o[n + 2] = '"';
	o[n + 3] = ':';
	out->len += n + 4;
	out->ptr[out->len] = '\0';
}

/* add_bytes, written: name when the bytes are UTF-8, else name_b64 in base64. */
static void write_bytes(struct buf *out, const char *name, const char *p, size_t n)
{
	size_t start = out->len;
	put_name(out, name);
	if (fast_put_utf8(out, p, n) == 0)	/* plain ASCII in one pass, else json_write_utf8 */
		return;
	out->len = start;
	buf_printf(out, ",\"%s_b64\":\"", name);
	base64_append(out, p, n);	/* base64 needs no escapes */
	buf_addc(out, '"');
}

/* ---- the same record written straight into a buffer ---- */

/* Inline, as put_name: the names are constants, their lengths known when compiling. */
static inline __attribute__((always_inline)) void put_int(struct buf *out, const char *name,
							   int64_t v)
{
	put_name(out, name);
	json_write_int(out, v);
}

static inline __attribute__((always_inline)) void put_int_or_null(struct buf *out,
								   const char *name, int64_t v)
{
	if (v < 0) {
		put_name(out, name);
		buf_add(out, "null", 4);
	} else {
		put_int(out, name, v);
	}
}

/* json_string's member: left out when the text is not UTF-8 (json_string gives NULL). */
static void put_string(struct buf *out, const char *name, const char *text)
{
	size_t n = strlen(text);
	if (!utf8_valid(text, n))
		return;
	put_name(out, name);
	json_write_string(out, text, n);
}

/* A member whose text is one of our own ASCII words ("php", "igbinary", ...): nothing to check
 * or escape. */
static void put_word(struct buf *out, const char *name, const char *word)
{
	put_name(out, name);
	buf_addc(out, '"');
	buf_adds(out, word);
	buf_addc(out, '"');
}

/* The "server" member of the server named name, as put_string writes it: kept per thread for
 * the last name, which most records of a walk share (compared by its text: a pool's names
 * live no longer than the pool). */
struct server_member {
	char name[256];		/* "" before the first, or for a name too long to keep */
	char json[512];
	size_t len;
};

static void put_server(struct buf *out, const char *name)
{
	static _Thread_local struct server_member m;
	if (!m.name[0] || strcmp(m.name, name) != 0) {
		struct buf b = BUF_INIT;
		put_string(&b, "server", name);
		m.name[0] = '\0';
		if (strlen(name) < sizeof(m.name) && b.len < sizeof(m.json)) {
			memcpy(m.json, b.ptr ? b.ptr : "", b.len);
			m.len = b.len;
			strcpy(m.name, name);
		} else {
			buf_add(out, b.ptr ? b.ptr : "", b.len);
		}
		buf_release(&b);
		if (!m.name[0])
			return;
	}
	buf_add(out, m.json, m.len);
}

/* record_meta, written as jansson writes it, the leading comma included. */
static void write_meta(struct buf *out, const struct pool *p, const struct sess_rec *r)
{
	write_bytes(out, "key", r->key, r->key_len);
	write_bytes(out, "sid", r->sid, r->sid_len);
	put_server(out, p->servers[r->server].name);
	if (r->kind == REC_SESSION && r->home != r->server)
		put_string(out, "php_server", p->servers[r->home].name);
	put_int_or_null(out, "expiry", r->exp);
	put_int_or_null(out, "ttl", r->ttl);
	put_int_or_null(out, "last_access", r->la);
	put_int_or_null(out, "idle", r->idle);
	if (r->ttl == TTL_UNKNOWN)
		buf_adds(out, ",\"times_known\":false");
	if (r->have_meta) {
		put_int(out, "flags", r->flags);
		put_int(out, "cas", (int64_t)r->cas);
		put_int(out, "size", (int64_t)r->value_len);
	} else if (r->item_size) {
		put_int(out, "item_size", (int64_t)r->item_size);
	}
	if (r->locked >= 0)
		buf_adds(out, r->locked ? ",\"locked\":true" : ",\"locked\":false");
	if (r->locked == 1)
		put_int_or_null(out, "lock_ttl", r->lock_ttl);
}

/* The members after the value: by hand when there is only the handler to say. */
static void write_outcome(struct buf *out, const struct decode_info *d, int have_data)
{
	if (d->compression != COMPRESS_NONE || d->scheme != CRYPT_NONE || d->inner_found ||
	    (!have_data && (d->status == DECODE_FAILED || d->status == DECODE_UNCOMPRESS_FAILED))) {
		json_t *rest = json_object();
		add_outcome(rest, d, have_data);
		write_members(out, rest, ',');
		return;
	}
	put_word(out, "handler", session_handler(d));
}

void record_write(const struct pool *p, const struct sess_rec *r, unsigned what,
		  const struct decode_opts *opts, struct decode_info *info, struct buf *out,
		  struct buf *scratch)
{
	struct decode_info tmp, *d = info ? info : &tmp;
	struct buf own = BUF_INIT, *data = scratch ? scratch : &own;
	int have_data = 0;
	memset(d, 0, sizeof(*d));
	buf_reset(data);
	if (r->value && (what & RECORD_DATA))
		have_data = session_write_json(r->value, r->value_len, r->have_meta ? r->flags : 0,
						opts, d, data);
	else if (r->value)
		session_probe(r, opts, d);
	size_t start = out->len;
	write_meta(out, p, r);
	out->ptr[start] = '{';	/* the first member's comma */
	if (r->value && (what & RECORD_VALUE))
		write_bytes(out, "value", r->value, r->value_len);
	if (r->value)
		write_outcome(out, d, have_data || !(what & RECORD_DATA));
	if (have_data) {
		buf_adds(out, ",\"data\":");
		buf_add(out, data->ptr, data->len);
	}
	buf_release(&own);
	buf_addc(out, '}');
}

json_t *record_to_json(const struct pool *p, const struct sess_rec *r, unsigned what,
		       enum sess_handler handler, struct decode_error *err)
{
	struct decode_opts opts = { handler, CRYPT_AUTO, NULL, NULL };
	struct decode_info d;
	json_t *o = record_to_json_opts(p, r, what, &opts, &d);
	if (err) {
		memset(err, 0, sizeof(*err));
		if (d.status == DECODE_FAILED)
			*err = d.err;
		else if (d.status == DECODE_UNCOMPRESS_FAILED)
			snprintf(err->msg, sizeof(err->msg), "%s", d.error);
	}
	return o;
}
