/* igbinary.c: decoding igbinary_serialize() output (php-igbinary 3.x, format 1 and 2) into a pv tree.
 *
 * The layout follows igbinary's src/php7/igbinary.c: a 4-byte big-endian version (1 or 2), then
 * one value. Every string written in full (values, keys, class names, enum case names) joins a
 * string table that later string_id/object_id bytes index. Every array, every object and every
 * scalar wrapped in igbinary_type_ref (0x25) gets the next id in a reference table that
 * ref/objref bytes index; the pv's slot is that id + 1. A ref/objref inside 0x25 is a PHP
 * reference (&, hard); without it, it is the same array copied or the same object (soft).
 */
#include "php/igbinary.h"
#include "php/igbinary_format.h"
#include "php/value.h"
#include "util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct igb_str {
	const char *ptr;	/* into the input buffer */
	size_t len;
};

struct igb {
	const unsigned char *buf;
	size_t len;
	size_t pos;
	struct igb_str *strings;	/* every string written in full, in order */
	size_t n_strings, cap_strings;
	struct pv **refs;		/* arrays, objects and &-wrapped scalars, in order; not owned */
	size_t n_refs, cap_refs;
	int depth;
	struct decode_error *err;
	struct pv_build b;	/* check mode: values are stand-ins (see igbinary_check) */
};

/* Records an error at offset; always returns NULL so callers can return it. */
__attribute__((format(printf, 3, 4)))
static void *fail(struct igb *d, size_t offset, const char *fmt, ...)
{
	va_list ap;
	d->err->offset = offset;
	va_start(ap, fmt);
	vsnprintf(d->err->msg, sizeof(d->err->msg), fmt, ap);
	va_end(ap);
	return NULL;
}

static size_t remaining(const struct igb *d)
{
	return d->len - d->pos;
}

/* Reads a big-endian unsigned number of width bytes; -1 when the data ends first. */
static int read_uint(struct igb *d, unsigned width, uint64_t *out)
{
	if (remaining(d) < width)
		return -1;
	*out = igb_uint(d->buf + d->pos, width);
	d->pos += width;
	return 0;
}

/* Adds a string written in full to the string table. */
static void add_string(struct igb *d, const char *ptr, size_t len)
{
	if (d->n_strings == d->cap_strings) {
		d->cap_strings = d->cap_strings ? d->cap_strings * 2 : 16;
		d->strings = xrealloc(d->strings, d->cap_strings * sizeof(*d->strings));
	}
	d->strings[d->n_strings].ptr = ptr;
	d->strings[d->n_strings].len = len;
	d->n_strings++;
}

/* Gives v the next id in the reference table. */
static void add_ref(struct igb *d, struct pv *v)
{
	if (d->n_refs == d->cap_refs) {
		d->cap_refs = d->cap_refs ? d->cap_refs * 2 : 16;
		d->refs = xrealloc(d->refs, d->cap_refs * sizeof(*d->refs));
	}
	d->refs[d->n_refs++] = v;
	if (!d->b.check)
		v->slot = (unsigned)d->n_refs;
}

/* Reads the length and bytes of a string8/16/32/64 or object8/16/32 (type byte at start). */
static int read_chararray(struct igb *d, unsigned t, size_t start, struct igb_str *s)
{
	unsigned width;
	uint64_t n;
	const char *what = "string";
	if (t == IGB_STRING64) {
		width = 8;
	} else if (t >= IGB_OBJECT8 && t <= IGB_OBJECT32) {
		width = igb_width(t, IGB_OBJECT8);
		what = "class name";
	} else {
		width = igb_width(t, IGB_STRING8);
	}
	if (read_uint(d, width, &n) < 0) {
		fail(d, start, "%s length past end of data", what);
		return -1;
	}
	if (n > remaining(d)) {
		fail(d, start, "%s of %" PRIu64 " bytes past end of data (%zu left)",
		     what, n, remaining(d));
		return -1;
	}
	s->ptr = (const char *)d->buf + d->pos;
	s->len = (size_t)n;
	d->pos += (size_t)n;
	add_string(d, s->ptr, s->len);
	return 0;
}

/* Looks up a string_id8/16/32 or object_id8/16/32 (type byte at start) in the string table. */
static int read_string_id(struct igb *d, unsigned t, size_t start, struct igb_str *s)
{
	unsigned width;
	uint64_t id;
	const char *what = "string";
	if (t >= IGB_OBJECT_ID8 && t <= IGB_OBJECT_ID32) {
		width = igb_width(t, IGB_OBJECT_ID8);
		what = "class";
	} else {
		width = igb_width(t, IGB_STRING_ID8);
	}
	if (read_uint(d, width, &id) < 0) {
		fail(d, start, "%s id past end of data", what);
		return -1;
	}
	if (id >= d->n_strings) {
		fail(d, start, "%s id %" PRIu64 " past string table (%zu entries)",
		     what, id, d->n_strings);
		return -1;
	}
	*s = d->strings[id];
	return 0;
}

/* Reads any string form (empty, full, or id); -1 with err set, or when t is no string type. */
static int read_any_string(struct igb *d, unsigned t, size_t start, struct igb_str *s)
{
	switch (t) {
	case IGB_STRING_EMPTY:
		s->ptr = "";
		s->len = 0;
		return 0;
	case IGB_STRING8: case IGB_STRING16: case IGB_STRING32: case IGB_STRING64:
		return read_chararray(d, t, start, s);
	case IGB_STRING_ID8: case IGB_STRING_ID16: case IGB_STRING_ID32:
		return read_string_id(d, t, start, s);
	}
	return -1;
}

/* Reads the number after a long type byte (at start); 64-bit values outside int64 are errors. */
static int read_long(struct igb *d, unsigned t, size_t start, int64_t *out)
{
	int neg;
	unsigned width = igb_long_width(t, &neg);
	uint64_t u;
	if (read_uint(d, width, &u) < 0) {
		fail(d, start, "integer past end of data");
		return -1;
	}
	if (u > (uint64_t)INT64_MAX + (neg ? 1 : 0)) {
		fail(d, start, "integer %s%" PRIu64 " out of range", neg ? "-" : "", u);
		return -1;
	}
	if (neg)
		*out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	else
		*out = (int64_t)u;
	return 0;
}

static struct pv *decode_value(struct igb *d, int hard);

/* Counts one more level of nesting; -1 with err set when that is too deep. */
static int enter(struct igb *d, size_t start)
{
	if (d->depth >= PV_MAX_DEPTH) {
		fail(d, start, "nesting deeper than %d levels", PV_MAX_DEPTH);
		return -1;
	}
	d->depth++;
	return 0;
}

/* Reads an array or property count after an array8/16/32 byte (at start). */
static int read_count(struct igb *d, unsigned t, size_t start, uint64_t *n)
{
	if (read_uint(d, igb_width(t, IGB_ARRAY8), n) < 0) {
		fail(d, start, "array count past end of data");
		return -1;
	}
	/* Each entry takes at least one byte, as igbinary itself checks. */
	if (*n > remaining(d)) {
		fail(d, start, "array count %" PRIu64 " past end of data (%zu bytes left)",
		     *n, remaining(d));
		return -1;
	}
	return 0;
}

/* Reads an entry key: 1 for a null key (a skipped entry, no value follows), 0, or -1. */
static int read_key(struct igb *d, int prop, struct pv **key, int *int_key)
{
	size_t start = d->pos;
	struct igb_str s;
	int64_t i;
	if (remaining(d) < 1) {
		fail(d, start, "unexpected end of data");
		return -1;
	}
	unsigned t = d->buf[d->pos++];
	if (t == IGB_NULL)
		return 1;
	*int_key = igb_is_long(t);
	if (igb_is_long(t)) {
		if (read_long(d, t, start, &i) < 0)
			return -1;
		if (!prop) {
			*key = pv_build_int(&d->b, i);
			return 0;
		}
		/* Object properties are named by strings, as igbinary converts them. */
		char tmp[24];
		int n = snprintf(tmp, sizeof(tmp), "%" PRId64, i);
		*key = pv_build_string(&d->b, tmp, (size_t)n);
		return 0;
	}
	if (read_any_string(d, t, start, &s) < 0) {
		if (!d->err->msg[0])
			fail(d, start, "unknown key type byte 0x%02x", t);
		return -1;
	}
	*key = pv_build_string(&d->b, s.ptr, s.len);
	return 0;
}

/* Turns a mangled property name (\0Class\0name, \0*\0name) into its plain name and visibility;
 * malformed names stay public and unchanged, as PHP keeps them. */
static void unmangle(struct pv_entry *e)
{
	char *p = e->key->u.str.ptr;
	size_t len = e->key->u.str.len;
	if (len < 3 || p[0] != '\0' || p[1] == '\0')
		return;
	char *end = memchr(p + 1, '\0', len - 2);
	if (!end)
		return;
	/* An anonymous class name holds one NUL of its own. */
	char *next = memchr(end + 1, '\0', len - (size_t)(end + 1 - p));
	if (next)
		end = next;
	size_t cls_len = (size_t)(end - (p + 1));
	if (cls_len == 1 && p[1] == '*') {
		e->vis = PV_PROTECTED;
	} else {
		e->vis = PV_PRIVATE;
		e->decl_class = xstrndup(p + 1, cls_len);
	}
	size_t name_len = len - cls_len - 2;
	memmove(p, end + 1, name_len);
	p[name_len] = '\0';
	e->key->u.str.len = name_len;
}

/* Reads n entries (key, value) into an array or object container. */
static int read_entries(struct igb *d, struct pv *c, uint64_t n)
{
	int prop = c->type == PV_OBJECT;
	unsigned skipped = 0;	/* null keys since the last entry, kept to write them back */
	for (uint64_t i = 0; i < n; i++) {
		struct pv *key = NULL;
		int int_key = 0;
		int r = read_key(d, prop, &key, &int_key);
		if (r < 0)
			return -1;
		if (r > 0) {
			skipped++;
			continue;
		}
		struct pv *value = decode_value(d, 0);
		if (!value) {
			pv_build_drop(&d->b, key);
			return -1;
		}
		struct pv_entry *e = pv_build_append(&d->b, c, key, value);
		if (e && prop && key->type == PV_STRING)
			unmangle(e);
		if (e) {
			e->igb_skipped = (unsigned short)skipped;
			e->int_key = (unsigned char)(prop && int_key);
		}
		skipped = 0;
	}
	if (prop && !d->b.check)
		c->u.i = skipped;
	return 0;
}

/* Decodes an array after its array8/16/32 byte (at start). */
static struct pv *decode_array(struct igb *d, unsigned t, size_t start)
{
	uint64_t n;
	if (read_count(d, t, start, &n) < 0 || enter(d, start) < 0)
		return NULL;
	struct pv *v = pv_build_node(&d->b, PV_ARRAY);
	add_ref(d, v);
	if (read_entries(d, v, n) < 0) {
		pv_build_drop(&d->b, v);
		return NULL;
	}
	d->depth--;
	return v;
}

/* Decodes an object's properties (or its __serialize() array) after an array8/16/32 byte. */
static int decode_props(struct igb *d, struct pv *obj, unsigned t, size_t start)
{
	uint64_t n;
	if (read_count(d, t, start, &n) < 0 || enter(d, start) < 0)
		return -1;
	if (read_entries(d, obj, n) < 0)
		return -1;
	d->depth--;
	return 0;
}

/* Decodes a Serializable object's payload after an object_ser8/16/32 byte (at start). */
static int decode_custom(struct igb *d, struct pv *obj, unsigned t, size_t start)
{
	uint64_t n;
	if (read_uint(d, igb_width(t, IGB_OBJECT_SER8), &n) < 0) {
		fail(d, start, "serialized object length past end of data");
		return -1;
	}
	if (n > remaining(d)) {
		fail(d, start, "serialized object of %" PRIu64 " bytes past end of data (%zu left)",
		     n, remaining(d));
		return -1;
	}
	obj->u.str.ptr = pv_build_text(&d->b, (const char *)d->buf + d->pos, (size_t)n);
	obj->u.str.len = (size_t)n;
	d->pos += (size_t)n;
	return 0;
}

/* Decodes an enum case's name after the enum_case byte; igbinary also takes object ids here. */
static int decode_enum(struct igb *d, struct pv *obj)
{
	size_t start = d->pos;
	struct igb_str s;
	if (remaining(d) < 1) {
		fail(d, start, "unexpected end of data");
		return -1;
	}
	unsigned t = d->buf[d->pos++];
	int r;
	if (t >= IGB_OBJECT_ID8 && t <= IGB_OBJECT_ID32)
		r = read_string_id(d, t, start, &s);
	else if (t == IGB_STRING_EMPTY)
		r = -1;
	else
		r = read_any_string(d, t, start, &s);
	if (r < 0) {
		if (!d->err->msg[0])
			fail(d, start, "unknown enum case type byte 0x%02x", t);
		return -1;
	}
	obj->u.str.ptr = pv_build_text(&d->b, s.ptr, s.len);
	obj->u.str.len = s.len;
	return 0;
}

/* Decodes an object (plain, __serialize, Serializable or enum case) after its type byte. */
static struct pv *decode_object(struct igb *d, unsigned t, size_t start)
{
	struct igb_str name;
	int r = t >= IGB_OBJECT_ID8 ? read_string_id(d, t, start, &name)
				     : read_chararray(d, t, start, &name);
	if (r < 0)
		return NULL;
	size_t inner_at = d->pos;
	if (remaining(d) < 1)
		return fail(d, inner_at, "unexpected end of data");
	unsigned inner = d->buf[d->pos++];
	enum pv_type type;
	if (inner >= IGB_ARRAY8 && inner <= IGB_ARRAY32)
		type = PV_OBJECT;
	else if (inner >= IGB_OBJECT_SER8 && inner <= IGB_OBJECT_SER32)
		type = PV_CUSTOM;
	else if (inner == IGB_ENUM_CASE)
		type = PV_ENUM;
	else
		return fail(d, inner_at, "unknown object type byte 0x%02x", inner);
	struct pv *v = pv_build_node(&d->b, type);
	v->class_name = pv_build_text(&d->b, name.ptr, name.len);
	add_ref(d, v);
	if (type == PV_OBJECT)
		r = decode_props(d, v, inner, inner_at);
	else if (type == PV_CUSTOM)
		r = decode_custom(d, v, inner, inner_at);
	else
		r = decode_enum(d, v);
	if (r < 0) {
		pv_build_drop(&d->b, v);
		return NULL;
	}
	return v;
}

/* Decodes a ref8/16/32 or objref8/16/32 (at start) into a PV_REF to an earlier value. */
static struct pv *decode_ref(struct igb *d, unsigned t, size_t start, int hard)
{
	unsigned base = t >= IGB_OBJREF8 ? IGB_OBJREF8 : IGB_REF8;
	uint64_t n;
	if (read_uint(d, igb_width(t, base), &n) < 0)
		return fail(d, start, "reference past end of data");
	if (n >= d->n_refs)
		return fail(d, start, "reference %" PRIu64 " past reference table (%zu entries)",
			    n, d->n_refs);
	struct pv *v = pv_build_node(&d->b, PV_REF);
	if (!d->b.check) {
		v->target = d->refs[n];
		v->target->shared++;
	}
	v->hard = hard;
	return v;
}

/* Decodes the value after an igbinary_type_ref byte (at start): the value a & points to. */
static struct pv *decode_wrapped(struct igb *d, size_t start)
{
	size_t refs_before = d->n_refs;
	if (enter(d, start) < 0)
		return NULL;
	struct pv *v = decode_value(d, 1);
	if (!v)
		return NULL;
	d->depth--;
	/* Arrays and objects (and a value wrapped twice) took an id already; a scalar takes
	 * one now. */
	if (v->type != PV_REF && d->n_refs == refs_before)
		add_ref(d, v);
	if (!d->b.check && v->type != PV_REF)
		v->php_ref = 1;
	return v;
}

/* Decodes a scalar (null, bool, integer, double, string) of type t; NULL when t is none. */
static struct pv *decode_scalar(struct igb *d, unsigned t, size_t start)
{
	struct pv *v;
	struct igb_str s;
	uint64_t u;
	int64_t i;
	if (t == IGB_NULL)
		return pv_build_node(&d->b, PV_NULL);
	if (t == IGB_FALSE || t == IGB_TRUE) {
		v = pv_build_node(&d->b, PV_BOOL);
		v->u.b = t == IGB_TRUE;
		return v;
	}
	if (igb_is_long(t))
		return read_long(d, t, start, &i) < 0 ? NULL : pv_build_int(&d->b, i);
	if (t == IGB_DOUBLE) {
		if (read_uint(d, 8, &u) < 0)
			return fail(d, start, "double past end of data");
		v = pv_build_node(&d->b, PV_FLOAT);
		memcpy(&v->u.d, &u, sizeof(v->u.d));
		return v;
	}
	if (read_any_string(d, t, start, &s) < 0)
		return NULL;
	return pv_build_string(&d->b, s.ptr, s.len);
}

/* Decodes one value of any type; hard is set inside igbinary_type_ref. */
static struct pv *decode_value(struct igb *d, int hard)
{
	size_t start = d->pos;
	if (remaining(d) < 1)
		return fail(d, start, "unexpected end of data");
	unsigned t = d->buf[d->pos++];
	switch (t) {
	case IGB_REF:
		return decode_wrapped(d, start);
	case IGB_REF8: case IGB_REF16: case IGB_REF32:
	case IGB_OBJREF8: case IGB_OBJREF16: case IGB_OBJREF32:
		return decode_ref(d, t, start, hard);
	case IGB_ARRAY8: case IGB_ARRAY16: case IGB_ARRAY32:
		return decode_array(d, t, start);
	case IGB_OBJECT8: case IGB_OBJECT16: case IGB_OBJECT32:
	case IGB_OBJECT_ID8: case IGB_OBJECT_ID16: case IGB_OBJECT_ID32:
		return decode_object(d, t, start);
	}
	struct pv *v = decode_scalar(d, t, start);
	if (!v && !d->err->msg[0])
		fail(d, start, "unknown type byte 0x%02x", t);
	return v;
}

/* Checks the 4-byte format version (1 or 2) at the start of the data. */
static int read_header(struct igb *d)
{
	uint64_t version = 0;
	if (d->len < 5) {
		fail(d, 0, "data too short for igbinary (%zu bytes)", d->len);
		return -1;
	}
	read_uint(d, 4, &version);
	if (version != 1 && version != 2) {
		fail(d, 0, "unsupported igbinary version 0x%08" PRIx64, version);
		return -1;
	}
	return 0;
}

/* Decodes (or with check set, only checks) the whole buffer; *type gets the value's type. */
static struct pv *decode_all(const char *buf, size_t len, int check, enum pv_type *type,
			     struct decode_error *err)
{
	struct igb d = { .buf = (const unsigned char *)buf, .len = len, .err = err };
	struct pv *v = NULL;
	pv_build_init(&d.b, check);
	err->offset = 0;
	err->msg[0] = '\0';
	if (read_header(&d) == 0)
		v = decode_value(&d, 0);
	if (v && d.pos < d.len) {
		fail(&d, d.pos, "%zu bytes of trailing data after the value", d.len - d.pos);
		pv_build_drop(&d.b, v);
		v = NULL;
	}
	if (v)
		*type = v->type;
	free(d.strings);
	free(d.refs);
	return v;
}

struct pv *igbinary_decode(const char *buf, size_t len, struct decode_error *err)
{
	enum pv_type type;
	return decode_all(buf, len, 0, &type, err);
}

int igbinary_check(const char *buf, size_t len, enum pv_type *type, struct decode_error *err)
{
	return decode_all(buf, len, 1, type, err) ? 0 : -1;
}
