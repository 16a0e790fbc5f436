/* record.c: session records as JSON (see record.h). */
#include "record.h"
#include "base64.h"
#include "util.h"

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

/* Adds the decoded data, or the decode error. */
static void add_data(json_t *o, const struct sess_rec *r, enum sess_handler handler,
		     struct decode_error *err)
{
	enum sess_handler used = SESS_UNKNOWN;
	struct decode_error e;
	memset(&e, 0, sizeof(e));
	struct pv *v = sess_decode(r->value, r->value_len, handler, &used, &e);
	json_object_set_new(o, "handler", json_string(sess_handler_name(used)));
	if (v) {
		json_object_set_new(o, "data", pv_to_json(v));
		pv_free(v);
		return;
	}
	json_object_set_new(o, "decode_error", json_pack("{s:I,s:s}", "offset",
				(json_int_t)e.offset, "message", e.msg));
	if (err)
		*err = e;
}

json_t *record_to_json(const struct pool *p, const struct sess_rec *r, unsigned what,
		       enum sess_handler handler, struct decode_error *err)
{
	json_t *o = json_object();
	if (err)
		memset(err, 0, sizeof(*err));
	add_bytes(o, "key", r->key, r->key_len);
	add_bytes(o, "sid", r->sid, r->sid_len);
	json_object_set_new(o, "server", json_string(p->servers[r->server].name));
	if (r->kind == REC_SESSION && r->home != r->server)
		json_object_set_new(o, "php_server", json_string(p->servers[r->home].name));
	set_int_or_null(o, "expiry", r->exp);
	set_int_or_null(o, "ttl", r->ttl);
	set_int_or_null(o, "last_access", r->la);
	set_int_or_null(o, "idle", r->idle);
	if (r->have_meta) {
		json_object_set_new(o, "flags", json_integer(r->flags));
		json_object_set_new(o, "cas", json_integer((json_int_t)r->cas));
		json_object_set_new(o, "size", json_integer((json_int_t)r->value_len));
	}
	if (r->locked >= 0)
		json_object_set_new(o, "locked", json_boolean(r->locked));
	if (r->locked == 1)
		set_int_or_null(o, "lock_ttl", r->lock_ttl);
	if (r->value && (what & RECORD_VALUE))
		add_bytes(o, "value", r->value, r->value_len);
	if (r->value && (what & RECORD_DATA))
		add_data(o, r, handler, err);
	else if (r->value)
		json_object_set_new(o, "handler", json_string(record_handler(r)));
	return o;
}
