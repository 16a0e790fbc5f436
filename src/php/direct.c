/* direct.c: a session's JSON straight from its serialize() bytes (see direct.h). It accepts
 * a subset of what unserialize.c accepts and writes what value_json.c would write for it; the
 * fuzz target and test_direct hold the two to that. igbinary sessions go to direct_igbinary.c. */
#include "php/direct.h"
#include "php/direct_igbinary.h"
#include "php/direct_json.h"
#include "php/float_text.h"
#include "php/handlers.h"
#include "php/json_escape.h"
#include "php/unserialize.h"
#include "php/value_json.h"
#include "util.h"

#include <string.h>

#define MAX_COUNT_DIGITS 15

struct fast {
	const char *buf;
	size_t len, pos;
	struct buf *out;
	enum crypt_scheme scheme;
	const char *cipher;
	size_t nodes;
	int depth;
	struct fast_keys keys;
};

static int take(struct fast *f, char c)
{
	if (f->pos < f->len && f->buf[f->pos] == c) {
		f->pos++;
		return 0;
	}
	return -1;
}

/* The type letter at pos and its ':'. */
static int take_type(struct fast *f)
{
	f->pos++;
	return take(f, ':');
}

/* The unsigned decimal digits at b[i..end), at least one, into *v: returns the index past them,
 * or 0 when there are none or more than MAX_COUNT_DIGITS (declined). */
static inline size_t scan_count(const char *b, size_t i, size_t end, size_t *v)
{
	size_t start = i, x = 0;
	for (; i < end && (unsigned char)(b[i] - '0') < 10; i++)
		x = x * 10 + (size_t)(b[i] - '0');	/* wraps only when declined below */
	*v = x;
	return i > start && i - start <= MAX_COUNT_DIGITS ? i : 0;
}

/* read_count_brace for any count. */
static int read_count_brace_any(struct fast *f, size_t *count)
{
	const char *b = f->buf;
	size_t end = f->len, i = scan_count(b, f->pos, end, count);
	if (!i || end - i < 2 || b[i] != ':' || b[i + 1] != '{')
		return -1;
	f->pos = i + 2;
	return 0;
}

/* `count:{` at pos, as open_level and custom_value read it. Counts of one or two digits (most)
 * are read with one bound check. */
static inline int read_count_brace(struct fast *f, size_t *count)
{
	const char *b = f->buf + f->pos;
	if (f->len - f->pos >= 4) {
		unsigned d = (unsigned)(unsigned char)b[0] - '0', e = (unsigned)(unsigned char)b[1] - '0';
		if (d < 10 && b[1] == ':' && b[2] == '{') {
			*count = d;
			f->pos += 3;
			return 0;
		}
		if (d < 10 && e < 10 && b[2] == ':' && b[3] == '{') {
			*count = d * 10 + e;
			f->pos += 4;
			return 0;
		}
	}
	return read_count_brace_any(f, count);
}

/* `[+-]digits;` as parse_int reads it (after "i:"). */
static int read_int(struct fast *f, int64_t *out)
{
	const char *b = f->buf;
	size_t i = f->pos, end = f->len;
	int neg = 0;
	if (i < end && (b[i] == '-' || b[i] == '+'))
		neg = b[i++] == '-';
	uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	size_t start = i;
	while (i < end && b[i] >= '0' && b[i] <= '9') {
		unsigned d = (unsigned)(b[i++] - '0');
		if (v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (i == start || i == end || b[i] != ';')
		return -1;
	f->pos = i + 1;
	*out = neg && v ? -(int64_t)(v - 1) - 1 : (int64_t)v;
	return 0;
}

/* read_quoted for any length. Reads through locals, as scan_count. */
static int read_quoted_any(struct fast *f, char after, const char **s, size_t *n)
{
	const char *b = f->buf;
	size_t end = f->len, i = f->pos + 1;
	if (i >= end || b[i] != ':')
		return -1;
	i = scan_count(b, i + 1, end, n);
	if (!i || end - i < 2 || b[i] != ':' || b[i + 1] != '"' || *n > end - i - 2)
		return -1;
	i += 2;
	*s = b + i;
	i += *n;	/* <= end */
	if (end - i < 2 || b[i] != '"' || b[i + 1] != after)
		return -1;
	f->pos = i + 2;
	return 0;
}

/* `T:len:"bytes"` from the type letter T at pos (s, O, C, E), and the byte after, which must be
 * after (';', or ':' after a class name). Lengths of one or two digits (most) are read with one
 * bound check for the header; what this takes, read_quoted_any takes the same. */
static inline int read_quoted(struct fast *f, char after, const char **s, size_t *n)
{
	const char *b = f->buf + f->pos;
	size_t room = f->len - f->pos;
	if (room >= 8 && b[1] == ':') {
		unsigned d = (unsigned)(unsigned char)b[2] - '0', e = (unsigned)(unsigned char)b[3] - '0';
		size_t h = 0, len = 0;	/* h: the header's length, T:len:" */
		if (d < 10 && b[3] == ':') {
			len = d;
			h = 5;
		} else if (d < 10 && e < 10 && b[4] == ':') {
			len = d * 10 + e;
			h = 6;
		}
		if (h && b[h - 1] == '"' && len + 2 <= room - h && b[h + len] == '"' &&
		    b[h + len + 1] == after) {
			*s = b + h;
			*n = len;
			f->pos += h + len + 2;
			return 0;
		}
	}
	return read_quoted_any(f, after, s, n);
}

/* ---- values ---- */

/* Each kind of value on its own, so that value, which every element passes through, is a
 * dispatch with no stack frame (tail calls only). */
#define NOINLINE __attribute__((noinline))

static int value(struct fast *f);

static NOINLINE int null_bool(struct fast *f)
{
	if (f->buf[f->pos] == 'N') {
		f->pos++;
		buf_add(f->out, "null", 4);
		return take(f, ';');
	}
	if (take_type(f) || f->pos >= f->len || (f->buf[f->pos] != '0' && f->buf[f->pos] != '1'))
		return -1;
	if (f->buf[f->pos++] == '1')
		buf_add(f->out, "true", 4);
	else
		buf_add(f->out, "false", 5);
	return take(f, ';');
}

/* Copies `[-]digits;` at pos to out as they stand and moves past the ';' when they are what
 * json_write_int would write (no '+', no leading zero, no "-0", 18 digits at most, so no
 * overflow): 1. Else 0, nothing done, and read_int decides. Most ints are such. */
static inline int copy_int(struct fast *f)
{
	const char *b = f->buf + f->pos;
	size_t room = f->len - f->pos, neg = room && b[0] == '-', i = neg;
	if (i >= room)
		return 0;
	if (b[i] == '0') {
		if (neg || room < 2 || b[1] != ';')
			return 0;
		i = 1;
	} else {
		if ((unsigned char)(b[i] - '1') > 8)
			return 0;
		for (i++; i < room && (unsigned char)(b[i] - '0') < 10; i++)
			;
		if (i - neg > 18 || i == room || b[i] != ';')
			return 0;
	}
	struct buf *out = f->out;
	buf_room(out, 20);
	char *o = out->ptr + out->len;
	if (room >= 20)
		memcpy(o, b, 20);	/* one fixed copy: i < 20 */
	else
		memcpy(o, b, i);
	o[i] = '\0';
	out->len += i;
	f->pos += i + 1;
	return 1;
}

static NOINLINE int int_value(struct fast *f)
{
	int64_t i;
	if (take_type(f))
		return -1;
	if (copy_int(f))
		return 0;
	if (read_int(f, &i))
		return -1;
	json_write_int(f->out, i);
	return 0;
}

static NOINLINE int float_value(struct fast *f)
{
	static const struct { const char *s; size_t n; const char *json; size_t len; } special[] = {
		{ "NAN;", 4, "\"NAN\"", 5 }, { "INF;", 4, "\"INF\"", 5 },
		{ "-INF;", 5, "\"-INF\"", 6 },
	};
	if (take_type(f))
		return -1;
	char c = f->pos < f->len ? f->buf[f->pos] : 0;
	for (size_t i = 0; (c == 'N' || c == 'I' || c == '-') && i < 3; i++) {
		if (f->len - f->pos >= special[i].n &&
		    memcmp(f->buf + f->pos, special[i].s, special[i].n) == 0) {
			f->pos += special[i].n;
			buf_add(f->out, special[i].json, special[i].len);
			return 0;
		}
	}
	size_t n = php_float_token(f->buf, f->len, f->pos);
	if (!n)
		return -1;
	double d = php_strtod(f->buf + f->pos, n);
	f->pos += n;
	if (take(f, ';'))
		return -1;
	json_write_float(f->out, d);
	return 0;
}

static NOINLINE int string_value(struct fast *f)
{
	const char *s;
	size_t n;
	if (read_quoted(f, ';', &s, &n) || fast_maybe_encrypted(f->scheme, f->cipher, s, n))
		return -1;
	if (fast_put_utf8(f->out, s, n) < 0)
		json_write_text(f->out, s, n);
	return 0;
}

/* An array key (numeric strings are ints, as in PHP): *is_int and *i, or the string s, n.
 * Inline in each caller: its results then stay in registers. */
static inline __attribute__((always_inline)) int array_key(struct fast *f, int *is_int,
							   int64_t *i, const char **s, size_t *n)
{
	char t = f->pos < f->len ? f->buf[f->pos] : 0;
	if (t == 'i') {
		*is_int = 1;
		return take_type(f) || read_int(f, i);
	}
	if (t != 's' || read_quoted(f, ';', s, n))
		return -1;
	/* most keys are words: no call for them */
	*is_int = *n > 0 && ((unsigned char)(**s - '0') < 10 || **s == '-') &&
		  php_numeric_key(*s, *n, i);
	return 0;
}

/* 1 when `i:k;` (k < 100, as most list keys) is at pos, moving past it; else 0 and nothing
 * read (array_key decides). */
static inline int list_key(struct fast *f, size_t k)
{
	const char *b = f->buf + f->pos;
	size_t room = f->len - f->pos;
	if (k < 10) {
		const char want[4] = { 'i', ':', (char)('0' + k), ';' };
		if (room < 4 || memcmp(b, want, 4) != 0)
			return 0;
		f->pos += 4;
		return 1;
	}
	if (k >= 100 || room < 5 || b[4] != ';')
		return 0;
	const char want[4] = { 'i', ':', decimal_pairs[2 * k], decimal_pairs[2 * k + 1] };
	if (memcmp(b, want, 4) != 0)
		return 0;
	f->pos += 5;
	return 1;
}

/* Elements 1..count-1 of an array whose first key was 0: keys must go on 1, 2, ... */
static int list_rest(struct fast *f, size_t count)
{
	for (size_t k = 1; k < count; k++) {
		int is_int = 0;
		int64_t i = 0;
		const char *s;
		size_t n;
		if (!list_key(f, k) &&
		    (array_key(f, &is_int, &i, &s, &n) || !is_int || i != (int64_t)k))
			return -1;
		buf_addc(f->out, ',');
		if (value(f))
			return -1;
	}
	buf_addc(f->out, ']');
	return 0;
}

/* An array that is no list: {"key":value,...}, the first key already read. */
static int assoc_rest(struct fast *f, size_t count, int is_int, int64_t i, const char *s,
		      size_t n)
{
	size_t base = f->keys.n;
	buf_addc(f->out, '{');
	for (size_t k = 0; k < count; k++) {
		if (k) {
			buf_addc(f->out, ',');
			if (array_key(f, &is_int, &i, &s, &n))
				return -1;
		}
		if (fast_put_key(&f->keys, f->out, is_int, i, s, n) || value(f))
			return -1;
	}
	buf_addc(f->out, '}');
	return fast_keys_close(&f->keys, f->out, base) ? -1 : 0;
}

/* Reads `count:{` and opens a level. */
static int open_level(struct fast *f, size_t *count)
{
	if (read_count_brace(f, count) || ++f->depth > FAST_MAX_DEPTH)
		return -1;
	return 0;
}

static int close_level(struct fast *f)
{
	f->depth--;
	return take(f, '}');
}

static NOINLINE int array_value(struct fast *f)
{
	size_t count;
	if (take_type(f) || open_level(f, &count))
		return -1;
	if (count == 0) {
		buf_add(f->out, "[]", 2);
		return close_level(f);
	}
	int is_int = 0;
	int64_t i = 0;
	const char *s = NULL;
	size_t n = 0;
	if (array_key(f, &is_int, &i, &s, &n))
		return -1;
	if (is_int && i == 0) {
		buf_addc(f->out, '[');
		if (value(f) || list_rest(f, count))
			return -1;
	} else if (assoc_rest(f, count, is_int, i, s, n)) {
		return -1;
	}
	return close_level(f);
}

/* `O:len:"Class":` (or C:), as read_class checks it; the name must hold no NUL (the tree
 * keeps it as a C string). */
static int class_name(struct fast *f, const char **cls, size_t *n)
{
	if (read_quoted(f, ':', cls, n))
		return -1;
	if (*n == 0 || (*cls)[0] == '\\' || find_byte(*cls, '\0', *n))
		return -1;
	return 0;
}

/* A property name: ints as text, mangled names (\0Class\0name, \0*\0name) plain; "__class"
 * is declined (the tree path drops it). */
static int property_key(struct fast *f)
{
	const char *s;
	size_t n;
	char t = f->pos < f->len ? f->buf[f->pos] : 0;
	if (t == 'i') {
		int64_t i;
		return take_type(f) || read_int(f, &i) || fast_put_key(&f->keys, f->out, 1, i, NULL, 0);
	}
	if (t != 's' || read_quoted(f, ';', &s, &n))
		return -1;
	const char *nul = NULL;
	if (n >= 3 && s[0] == '\0')	/* protected (\0*\0name, most) needs no search */
		nul = s[1] == '*' && s[2] == '\0' ? s + 2 : find_byte(s + 1, '\0', n - 1);
	if (nul && nul != s + 1) {
		n -= (size_t)(nul + 1 - s);
		s = nul + 1;
	}
	if (n == 7 && memcmp(s, "__class", 7) == 0)
		return -1;
	return fast_put_key(&f->keys, f->out, 0, 0, s, n);
}

static NOINLINE int object_value(struct fast *f)
{
	const char *cls;
	size_t n, count, base = f->keys.n;
	if (class_name(f, &cls, &n) || open_level(f, &count))
		return -1;
	fast_open_class(f->out, cls, n);
	for (size_t k = 0; k < count; k++) {
		buf_addc(f->out, ',');
		if (property_key(f) || value(f))
			return -1;
	}
	buf_addc(f->out, '}');
	return fast_keys_close(&f->keys, f->out, base) || close_level(f) ? -1 : 0;
}

/* C:len:"Class":len:{payload} as {"__class": C, "__serialized": payload}. */
static NOINLINE int custom_value(struct fast *f)
{
	const char *cls;
	size_t n, len;
	if (class_name(f, &cls, &n) || read_count_brace(f, &len) || len >= f->len - f->pos)
		return -1;
	const char *payload = f->buf + f->pos;
	f->pos += len;
	if (take(f, '}'))
		return -1;
	fast_put_named(f->out, cls, n, "__serialized", payload, len);
	return 0;
}

/* E:len:"Class:Case"; as {"__class": Class, "__case": Case}. */
static NOINLINE int enum_value(struct fast *f)
{
	const char *s;
	size_t n;
	if (read_quoted(f, ';', &s, &n))
		return -1;
	const char *colon = find_byte(s, ':', n);
	if (!colon || colon == s || find_byte(s, '\0', (size_t)(colon - s)))
		return -1;
	fast_put_named(f->out, s, (size_t)(colon - s), "__case", colon + 1,
		       n - (size_t)(colon - s) - 1);
	return 0;
}

static int value(struct fast *f)
{
	if (f->pos >= f->len || ++f->nodes > FAST_MAX_NODES)
		return -1;
	switch (f->buf[f->pos]) {
	case 'N': case 'b': return null_bool(f);
	case 'i': return int_value(f);
	case 'd': return float_value(f);
	case 's': return string_value(f);
	case 'a': return array_value(f);
	case 'O': return object_value(f);
	case 'C': return custom_value(f);
	case 'E': return enum_value(f);
	default: return -1;	/* references and anything else: the tree path */
	}
}

/* ---- handlers ---- */

/* name|value... as an object of the variables. */
static int php_vars(struct fast *f)
{
	buf_addc(f->out, '{');
	while (f->pos < f->len) {
		const char *name = f->buf + f->pos;
		const char *bar = find_byte(name, '|', f->len - f->pos);
		if (!bar)
			return -1;
		size_t n = (size_t)(bar - name);
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)name[i] < 0x20)
				return -1;	/* php or php_binary: sess_decode decides */
		if (f->keys.n)
			buf_addc(f->out, ',');
		if (fast_put_key(&f->keys, f->out, 0, 0, name, n))
			return -1;
		f->pos += n + 1;
		if (value(f))
			return -1;
	}
	buf_addc(f->out, '}');
	return fast_keys_close(&f->keys, f->out, 0) ? -1 : 0;
}

static int php_serialize_vars(struct fast *f)
{
	if (f->buf[0] != 'a' || array_value(f))
		return -1;
	return f->pos == f->len ? 0 : -1;
}

/* The handler sess_decode would use, when it is one of ours; else SESS_UNKNOWN. */
static enum sess_handler pick(const char *buf, size_t len, enum sess_handler handler)
{
	if (handler == SESS_PHP || handler == SESS_PHP_SERIALIZE || handler == SESS_IGBINARY)
		return handler;
	if (handler != SESS_UNKNOWN)
		return SESS_UNKNOWN;
	if (sess_is_igbinary(buf, len))
		return SESS_IGBINARY;
	if (buf[0] == '\0')	/* a php_binary length byte: sess_decode decides */
		return SESS_UNKNOWN;
	return len >= 2 && buf[0] == 'a' && buf[1] == ':' ? SESS_PHP_SERIALIZE : SESS_PHP;
}

int sess_fast_json(const char *buf, size_t len, enum sess_handler handler,
		   enum crypt_scheme scheme, const char *cipher, enum sess_handler *used,
		   struct buf *out)
{
	enum sess_handler h = len ? pick(buf, len, handler) : SESS_UNKNOWN;
	if (h == SESS_UNKNOWN)
		return -1;
	if (h == SESS_IGBINARY) {
		if (igbinary_fast_json(buf, len, scheme, cipher, out))
			return -1;
		*used = h;
		return 0;
	}
	struct fast f;	/* field by field: an initializer would clear keys.small */
	f.buf = buf;
	f.len = len;
	f.pos = 0;
	f.out = out;
	f.scheme = scheme;
	f.cipher = cipher;
	f.nodes = 0;
	f.depth = 0;
	fast_keys_init(&f.keys);
	size_t mark = out->len;
	int rc = h == SESS_PHP ? php_vars(&f) : php_serialize_vars(&f);
	fast_keys_release(&f.keys);
	if (rc) {
		fast_decline(out, mark);
		return -1;
	}
	*used = h;
	return 0;
}
