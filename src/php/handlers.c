/* handlers.c: session values of every serialize handler, as ext/session/session.c writes
 * them, decoded into a pv tree (see handlers.h). */
#include "php/handlers.h"
#include "util.h"
#include "php/igbinary.h"
#include "php/unserialize.h"
#include "php/value.h"

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

/* What one decoding reads: the session's variables when building a tree, else only what
 * detection needs to know. */
struct vars {
	int check;		/* build nothing (sess_check, sess_detect) */
	struct pv *root;	/* not check: the PV_ARRAY of name => value; owned */
	int control_names;	/* a name holds a byte below 0x20 */
	int trailing;		/* php_serialize: bytes after the array (PHP ignores them) */
};

static struct phpser *vars_parser(const struct vars *s, const char *buf, size_t len)
{
	return s->check ? phpser_new_check(buf, len) : phpser_new(buf, len);
}

static void vars_begin(struct vars *s)
{
	s->root = s->check ? NULL : pv_new(PV_ARRAY);
	s->control_names = 0;
	s->trailing = 0;
}

/* Adds the variable name => v; v NULL is an undefined variable, read as NULL. Notes a name
 * with a byte that no php-handler name would hold but a php_binary length byte would. */
static void vars_add(struct vars *s, const char *name, size_t len, struct pv *v)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20)
			s->control_names = 1;
	if (!s->check)
		pv_append(s->root, pv_new_string(name, len), v ? v : pv_new(PV_NULL));
}

/* `name|value` repeated. PHP before 5.4 wrote an undefined variable as `!name|` with no
 * value, so the next name follows at once; a `!` name whose value fails before the next
 * `|` is read that way, as NULL. (Failing there also keeps retries linear.) */
static int decode_php(const char *buf, size_t len, struct vars *s, struct decode_error *err)
{
	struct phpser *p = vars_parser(s, buf, len);
	size_t pos = 0;
	int rc = 0;
	vars_begin(s);
	while (pos < len && rc == 0) {
		const char *bar = memchr(buf + pos, '|', len - pos);
		if (!bar) {
			fail(err, pos, "variable name without '|'");
			rc = -1;
			break;
		}
		size_t name_len = (size_t)(bar - (buf + pos)), at = pos + name_len + 1;
		struct pv *v = phpser_value(p, &at, err);
		int undef = !v && name_len && buf[pos] == '!' && err->offset <= next_bar(buf, len, at);
		if (!v && !undef)
			rc = -1;
		else
			vars_add(s, buf + pos + undef, name_len - undef, v);
		pos = at;
	}
	phpser_free(p);
	return rc;
}

/* (length byte, name, value) repeated; a length byte with 0x80 set (PHP before 5.4)
 * marks an undefined variable, which has no value. */
static int decode_php_binary(const char *buf, size_t len, struct vars *s,
			     struct decode_error *err)
{
	struct phpser *p = vars_parser(s, buf, len);
	size_t pos = 0;
	int rc = 0;
	vars_begin(s);
	while (pos < len && rc == 0) {
		unsigned char b = (unsigned char)buf[pos];
		size_t name_len = b & 0x7f, at = pos + 1 + name_len;
		struct pv *v = NULL;
		if (name_len > len - pos - 1) {
			snprintf(err->msg, sizeof(err->msg),
				 "variable name length %zu past end of data", name_len);
			err->offset = pos;
			rc = -1;
		} else if (!(b & 0x80) && !(v = phpser_value(p, &at, err))) {
			rc = -1;
		} else {
			vars_add(s, buf + pos + 1, name_len, v);
		}
		pos = at;
	}
	phpser_free(p);
	return rc;
}

/* serialize($_SESSION): one array. PHP's decoder ignores bytes after it; they are kept in the
 * root's u.str. */
static int decode_php_serialize(const char *buf, size_t len, struct vars *s,
				struct decode_error *err)
{
	struct phpser *p = vars_parser(s, buf, len);
	size_t pos = 0;
	struct pv *v = phpser_value(p, &pos, err);
	enum pv_type type = v ? v->type : PV_NULL;
	phpser_free(p);	/* in check mode v was p's: only its type is left */
	s->root = s->check ? NULL : v;
	if (!v)
		return -1;
	if (type != PV_ARRAY) {
		fail(err, 0, "php_serialize data is not an array");
		return -1;
	}
	s->trailing = pos != len;
	if (s->trailing && !s->check) {
		v->u.str.ptr = xstrndup(buf + pos, len - pos);
		v->u.str.len = len - pos;
	}
	return 0;
}

static int decode_igbinary(const char *buf, size_t len, struct vars *s, struct decode_error *err)
{
	enum pv_type type;
	s->root = NULL;
	if (s->check ? igbinary_check(buf, len, &type, err) :
	    !(s->root = igbinary_decode(buf, len, err)))
		return -1;
	if ((s->check ? type : s->root->type) != PV_ARRAY) {
		fail(err, 0, "igbinary data is not an array");
		return -1;
	}
	return 0;
}

/* Decodes with handler h into s; on failure s->root is NULL. Returns 0 or -1. */
static int decode_with(const char *buf, size_t len, enum sess_handler h, struct vars *s,
		       struct decode_error *err)
{
	int rc = -1;
	s->root = NULL;
	s->control_names = 0;
	s->trailing = 0;
	if (len == 0) {
		vars_begin(s);
		return 0;
	}
	switch (h) {
	case SESS_PHP: rc = decode_php(buf, len, s, err); break;
	case SESS_PHP_BINARY: rc = decode_php_binary(buf, len, s, err); break;
	case SESS_PHP_SERIALIZE: rc = decode_php_serialize(buf, len, s, err); break;
	case SESS_IGBINARY: rc = decode_igbinary(buf, len, s, err); break;
	case SESS_EMPTY: fail(err, 0, "session data is not empty"); break;
	case SESS_UNKNOWN: fail(err, 0, "unknown session handler"); break;
	}
	if (rc) {
		pv_free(s->root);
		s->root = NULL;
	}
	return rc;
}

int sess_is_igbinary(const char *buf, size_t len)
{
	return len >= 4 && buf[0] == 0 && buf[1] == 0 && buf[2] == 0 &&
	       (buf[3] == 1 || buf[3] == 2);
}

/* Tries each text handler; keeps the first that reads the whole value, or else the
 * error of the one that got furthest. A php reading whose names hold control bytes, or a
 * php_serialize reading that leaves bytes after the array, is kept only when no later
 * handler reads the bytes in full. */
static int decode_guess(const char *buf, size_t len, struct vars *s, enum sess_handler *used,
			struct decode_error *err)
{
	static const enum sess_handler order[] = { SESS_PHP_SERIALIZE, SESS_PHP, SESS_PHP_BINARY };
	struct vars php = { .check = s->check };	/* a doubtful reading, kept for last */
	enum sess_handler php_used = SESS_PHP;
	int have_php = 0, have_err = 0;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct decode_error e = { 0, "" };
		struct vars v = { .check = s->check };
		if (order[i] == SESS_PHP_SERIALIZE && (len < 2 || memcmp(buf, "a:", 2) != 0))
			continue;
		int rc = decode_with(buf, len, order[i], &v, &e);
		if (rc == 0 && !have_php && (v.trailing || (order[i] == SESS_PHP &&
							    v.control_names))) {
			php = v;
			php_used = order[i];
			have_php = 1;
			continue;
		}
		if (rc == 0) {
			pv_free(php.root);
			*s = v;
			*used = order[i];
			return 0;
		}
		if (!have_err || e.offset > err->offset) {
			*err = e;
			*used = order[i];
			have_err = 1;
		}
	}
	if (!have_php)
		return -1;
	*s = php;
	*used = php_used;
	return 0;
}

/* sess_decode and sess_check: decodes into s (building a tree unless s->check). */
static int decode_session(const char *buf, size_t len, enum sess_handler handler,
			  struct vars *s, enum sess_handler *used, struct decode_error *err)
{
	*used = handler;
	if (handler != SESS_UNKNOWN)
		return decode_with(buf, len, handler, s, err);
	if (len == 0) {
		*used = SESS_EMPTY;
		return decode_with(buf, len, SESS_EMPTY, s, err);
	}
	if (sess_is_igbinary(buf, len)) {
		*used = SESS_IGBINARY;
		return decode_with(buf, len, SESS_IGBINARY, s, err);
	}
	return decode_guess(buf, len, s, used, err);
}

struct pv *sess_decode(const char *buf, size_t len, enum sess_handler handler,
		       enum sess_handler *used, struct decode_error *err)
{
	enum sess_handler dummy;
	struct decode_error err_dummy;
	struct vars s = { .check = 0 };
	if (decode_session(buf, len, handler, &s, used ? used : &dummy, err ? err : &err_dummy))
		return NULL;
	return s.root;
}

int sess_check(const char *buf, size_t len, enum sess_handler handler, enum sess_handler *used,
	       struct decode_error *err)
{
	enum sess_handler dummy;
	struct decode_error err_dummy;
	struct vars s = { .check = 1 };
	return decode_session(buf, len, handler, &s, used ? used : &dummy, err ? err : &err_dummy);
}

enum sess_handler sess_detect(const char *buf, size_t len)
{
	enum sess_handler used;
	/* decode_session takes igbinary's header as igbinary whether or not the rest reads:
	 * the answer is known without reading the rest (a quarter of a listing's time) */
	if (len > 0 && sess_is_igbinary(buf, len))
		return SESS_IGBINARY;
	sess_check(buf, len, SESS_UNKNOWN, &used, NULL);
	return used;
}
