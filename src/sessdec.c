/* sessdec.c: session values of every serialize handler, as ext/session/session.c writes
 * them, decoded into a pv tree (see sessdec.h). */
#include "sessdec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const handler_names[] = {
	[SESS_UNKNOWN] = "unknown",
	[SESS_EMPTY] = "empty",
	[SESS_PHP] = "php",
	[SESS_PHP_BINARY] = "php_binary",
	[SESS_PHP_SERIALIZE] = "php_serialize",
	[SESS_IGBINARY] = "igbinary",
};

const char *sess_handler_name(enum sess_handler h)
{
	if ((size_t)h >= sizeof(handler_names) / sizeof(handler_names[0]))
		return "unknown";
	return handler_names[h];
}

int sess_handler_parse(const char *name, enum sess_handler *h)
{
	for (enum sess_handler i = SESS_PHP; i <= SESS_IGBINARY; i++) {
		if (strcmp(name, handler_names[i]) == 0) {
			*h = i;
			return 0;
		}
	}
	return -1;
}

static struct pv *fail(struct decode_error *err, size_t offset, const char *msg)
{
	err->offset = offset;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
	return NULL;
}

/* Offset of the next '|' at or after pos, or len. */
static size_t next_bar(const char *buf, size_t len, size_t pos)
{
	const char *bar = pos < len ? memchr(buf + pos, '|', len - pos) : NULL;
	return bar ? (size_t)(bar - buf) : len;
}

/* `name|value` repeated. PHP before 5.4 wrote an undefined variable as `!name|` with no
 * value, so the next name follows at once; a `!` name whose value fails before the next
 * `|` is read that way, as NULL. (Failing there also keeps retries linear.) */
static struct pv *decode_php(const char *buf, size_t len, struct decode_error *err)
{
	struct phpser *p = phpser_new(buf, len);
	struct pv *root = pv_new(PV_ARRAY);
	size_t pos = 0;
	while (pos < len) {
		const char *bar = memchr(buf + pos, '|', len - pos);
		if (!bar) {
			fail(err, pos, "variable name without '|'");
			goto bad;
		}
		size_t name_len = (size_t)(bar - (buf + pos)), at = pos + name_len + 1;
		struct pv *v = phpser_value(p, &at, err);
		int undef = !v && name_len && buf[pos] == '!' && err->offset <= next_bar(buf, len, at);
		if (!v && !undef)
			goto bad;
		if (undef)
			v = pv_new(PV_NULL);
		pv_append(root, pv_new_string(buf + pos + undef, name_len - undef), v);
		pos = at;
	}
	phpser_free(p);
	return root;
bad:
	phpser_free(p);
	pv_free(root);
	return NULL;
}

/* (length byte, name, value) repeated; a length byte with 0x80 set (PHP before 5.4)
 * marks an undefined variable, which has no value. */
static struct pv *decode_php_binary(const char *buf, size_t len, struct decode_error *err)
{
	struct phpser *p = phpser_new(buf, len);
	struct pv *root = pv_new(PV_ARRAY);
	size_t pos = 0;
	while (pos < len) {
		unsigned char b = (unsigned char)buf[pos];
		size_t name_len = b & 0x7f, at = pos + 1 + name_len;
		if (name_len > len - pos - 1) {
			snprintf(err->msg, sizeof(err->msg),
				 "variable name length %zu past end of data", name_len);
			err->offset = pos;
			goto bad;
		}
		struct pv *v = (b & 0x80) ? pv_new(PV_NULL) : phpser_value(p, &at, err);
		if (!v)
			goto bad;
		pv_append(root, pv_new_string(buf + pos + 1, name_len), v);
		pos = at;
	}
	phpser_free(p);
	return root;
bad:
	phpser_free(p);
	pv_free(root);
	return NULL;
}

/* serialize($_SESSION): one array that must fill the whole value. */
static struct pv *decode_php_serialize(const char *buf, size_t len, struct decode_error *err)
{
	struct phpser *p = phpser_new(buf, len);
	size_t pos = 0;
	struct pv *v = phpser_value(p, &pos, err);
	phpser_free(p);
	if (!v)
		return NULL;
	if (v->type != PV_ARRAY) {
		pv_free(v);
		return fail(err, 0, "php_serialize data is not an array");
	}
	if (pos != len) {
		pv_free(v);
		snprintf(err->msg, sizeof(err->msg), "%zu bytes of trailing data after the array",
			 len - pos);
		err->offset = pos;
		return NULL;
	}
	return v;
}

static struct pv *decode_igbinary(const char *buf, size_t len, struct decode_error *err)
{
	struct pv *v = igbinary_decode(buf, len, err);
	if (v && v->type != PV_ARRAY) {
		pv_free(v);
		return fail(err, 0, "igbinary data is not an array");
	}
	return v;
}

static struct pv *decode_with(const char *buf, size_t len, enum sess_handler h,
			      struct decode_error *err)
{
	if (len == 0)
		return pv_new(PV_ARRAY);
	switch (h) {
	case SESS_PHP: return decode_php(buf, len, err);
	case SESS_PHP_BINARY: return decode_php_binary(buf, len, err);
	case SESS_PHP_SERIALIZE: return decode_php_serialize(buf, len, err);
	case SESS_IGBINARY: return decode_igbinary(buf, len, err);
	case SESS_EMPTY: return fail(err, 0, "session data is not empty");
	case SESS_UNKNOWN: break;
	}
	return fail(err, 0, "unknown session handler");
}

static int igbinary_header(const char *buf, size_t len)
{
	return len >= 4 && buf[0] == 0 && buf[1] == 0 && buf[2] == 0 &&
	       (buf[3] == 1 || buf[3] == 2);
}

/* 1 when a variable name has a byte that no php-handler name would hold but a
 * php_binary length byte would: a sign the php reading is the wrong one. */
static int has_control_names(const struct pv *root)
{
	for (size_t i = 0; i < root->n_items; i++) {
		const struct pv *k = root->items[i].key;
		for (size_t j = 0; k->type == PV_STRING && j < k->u.str.len; j++)
			if ((unsigned char)k->u.str.ptr[j] < 0x20)
				return 1;
	}
	return 0;
}

/* Tries each text handler; keeps the first that reads the whole value, or else the
 * error of the one that got furthest. */
static struct pv *decode_guess(const char *buf, size_t len, enum sess_handler *used,
			       struct decode_error *err)
{
	static const enum sess_handler order[] = { SESS_PHP_SERIALIZE, SESS_PHP, SESS_PHP_BINARY };
	struct pv *php = NULL;
	int have_err = 0;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct decode_error e = { 0, "" };
		if (order[i] == SESS_PHP_SERIALIZE && (len < 2 || memcmp(buf, "a:", 2) != 0))
			continue;
		struct pv *v = decode_with(buf, len, order[i], &e);
		if (v && order[i] == SESS_PHP && has_control_names(v)) {
			php = v;	/* keep it, unless php_binary reads the bytes too */
			continue;
		}
		if (v) {
			pv_free(php);
			*used = order[i];
			return v;
		}
		if (!have_err || e.offset > err->offset) {
			*err = e;
			*used = order[i];
			have_err = 1;
		}
	}
	if (php)
		*used = SESS_PHP;
	return php;
}

struct pv *sess_decode(const char *buf, size_t len, enum sess_handler handler,
		       enum sess_handler *used, struct decode_error *err)
{
	enum sess_handler dummy;
	struct decode_error err_dummy;
	if (!used)
		used = &dummy;
	if (!err)
		err = &err_dummy;
	*used = handler;
	if (handler != SESS_UNKNOWN)
		return decode_with(buf, len, handler, err);
	if (len == 0) {
		*used = SESS_EMPTY;
		return pv_new(PV_ARRAY);
	}
	if (igbinary_header(buf, len)) {
		*used = SESS_IGBINARY;
		return decode_igbinary(buf, len, err);
	}
	return decode_guess(buf, len, used, err);
}

enum sess_handler sess_detect(const char *buf, size_t len)
{
	enum sess_handler used;
	struct decode_error err;
	pv_free(sess_decode(buf, len, SESS_UNKNOWN, &used, &err));
	return used;
}
