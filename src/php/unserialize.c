/* unserialize.c: a parser for PHP's serialize() format, numbering reference slots as
 * ext/standard/var_unserializer.re does (see unserialize.h). */
#include "php/unserialize.h"
#include "php/unserialize_int.h"
#include "php/float_text.h"
#include "php/value.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct phpser *parser_new(const char *buf, size_t len, int check)
{
	struct phpser *p = xmalloc(sizeof(*p));
	*p = (struct phpser){ .buf = buf, .len = len, .end = len };
	pv_build_init(&p->b, check);
	/* A slot holding a reference is an r:, whose target is always an object. */
	if (check)
		p->b.stand_in[PV_REF].target = &p->b.stand_in[PV_OBJECT];
	return p;
}

struct phpser *phpser_new(const char *buf, size_t len)
{
	return parser_new(buf, len, 0);
}

struct phpser *phpser_new_check(const char *buf, size_t len)
{
	return parser_new(buf, len, 1);
}

void phpser_free(struct phpser *p)
{
	if (!p)
		return;
	free(p->slots);
	free(p);
}

/* Fills err (which may be NULL) and returns NULL, so callers can `return fail(...)`. */
__attribute__((format(printf, 3, 4)))
static struct pv *fail(struct decode_error *err, size_t offset, const char *fmt, ...)
{
	if (!err)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	err->offset = offset;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return NULL;
}

/* Describes the byte at pos for a message: "'x'", "byte 0x01" or "end of data". */
static const char *what_is_at(const struct phpser *p, size_t pos, char tmp[16])
{
	if (pos >= p->end)
		return "end of data";
	unsigned char c = (unsigned char)p->buf[pos];
	if (c > 0x20 && c < 0x7f)
		snprintf(tmp, 16, "'%c'", c);
	else
		snprintf(tmp, 16, "byte 0x%02x", c);
	return tmp;
}

/* expect's failure, out of line: expect itself is on every token's path. */
__attribute__((noinline, cold))
static int expect_failed(const struct phpser *p, size_t pos, char c, struct decode_error *err)
{
	char tmp[16];
	fail(err, pos, "expected '%c' but found %s", c, what_is_at(p, pos, tmp));
	return -1;
}

static inline int expect(const struct phpser *p, size_t *pos, char c, struct decode_error *err)
{
	if (*pos < p->end && p->buf[*pos] == c) {
		(*pos)++;
		return 0;
	}
	return expect_failed(p, *pos, c, err);
}

/* Reads unsigned decimal digits (at least one); what names the number in messages. */
static int read_uint(const struct phpser *p, size_t *pos, const char *what, size_t *out,
		     struct decode_error *err)
{
	size_t start = *pos, at = start, v = 0;
	char tmp[16];
	while (at < p->end && is_digit(p->buf[at])) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (size_t)(p->buf[at] - '0'), &v)) {
			*pos = at;
			fail(err, start, "%s out of range", what);
			return -1;
		}
		at++;
	}
	*pos = at;
	if (at == start) {
		fail(err, start, "expected digits for %s but found %s", what,
		     what_is_at(p, start, tmp));
		return -1;
	}
	*out = v;
	return 0;
}

static void set_slot(struct phpser *p, size_t slot, struct pv *v)
{
	p->slots[slot - 1] = v;
	if (!p->b.check)
		v->slot = (unsigned)slot;
}

static struct pv *parse_value(struct phpser *p, size_t *pos, struct decode_error *err);

/* "N;" "b:0;" "b:1;" */
static struct pv *parse_null_bool(struct phpser *p, size_t *pos, struct decode_error *err)
{
	if (p->buf[*pos] == 'N') {
		(*pos)++;
		return expect(p, pos, ';', err) ? NULL : pv_build_node(&p->b, PV_NULL);
	}
	*pos += 1;
	if (expect(p, pos, ':', err))
		return NULL;
	if (*pos >= p->end || (p->buf[*pos] != '0' && p->buf[*pos] != '1'))
		return fail(err, *pos, "boolean must be 0 or 1");
	struct pv *v = pv_build_node(&p->b, PV_BOOL);
	v->u.b = p->buf[(*pos)++] == '1';
	if (expect(p, pos, ';', err)) {
		pv_build_drop(&p->b, v);
		return NULL;
	}
	return v;
}

/* "i:-12;" : an optional sign, digits, and a value that fits in 64 bits. */
static struct pv *parse_int(struct phpser *p, size_t *pos, struct decode_error *err)
{
	*pos += 1;
	if (expect(p, pos, ':', err))
		return NULL;
	size_t start = *pos;
	int neg = 0;
	if (*pos < p->end && (p->buf[*pos] == '-' || p->buf[*pos] == '+'))
		neg = p->buf[(*pos)++] == '-';
	uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	size_t digits = *pos, at = digits;
	while (at < p->end && is_digit(p->buf[at])) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(p->buf[at] - '0'), &v) || v > limit) {
			*pos = at;
			return fail(err, start, "integer out of range");
		}
		at++;
	}
	*pos = at;
	if (*pos == digits) {
		char tmp[16];
		return fail(err, *pos, "expected digits for integer but found %s",
			    what_is_at(p, *pos, tmp));
	}
	if (expect(p, pos, ';', err))
		return NULL;
	/* -(v - 1) - 1 avoids overflow for INT64_MIN. */
	return pv_build_int(&p->b, neg && v ? -(int64_t)(v - 1) - 1 : (int64_t)v);
}

/* "d:0.1;" "d:1.0E+25;" "d:INF;" "d:-INF;" "d:NAN;" */
static struct pv *parse_float(struct phpser *p, size_t *pos, struct decode_error *err)
{
	static const struct { const char *s; double d; } special[] = {
		{ "NAN;", NAN }, { "INF;", INFINITY }, { "-INF;", -INFINITY },
	};
	*pos += 1;
	if (expect(p, pos, ':', err))
		return NULL;
	struct pv *v = pv_build_node(&p->b, PV_FLOAT);
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		size_t n = strlen(special[i].s);
		if (p->end - *pos >= n && memcmp(p->buf + *pos, special[i].s, n) == 0) {
			v->u.d = special[i].d;
			*pos += n;
			return v;
		}
	}
	size_t n = php_float_token(p->buf, p->end, *pos);
	if (!n) {
		pv_build_drop(&p->b, v);
		return fail(err, *pos, "malformed float");
	}
	if (!p->b.check)
		v->u.d = php_strtod(p->buf + *pos, n);
	*pos += n;
	if (expect(p, pos, ';', err)) {
		pv_build_drop(&p->b, v);
		return NULL;
	}
	return v;
}

/* Reads `len:"bytes"` (the part after "s:", "O:", "C:" or "E:"); sets *start to the bytes. */
static int read_quoted(const struct phpser *p, size_t *pos, const char *what, size_t *start,
		       size_t *len, struct decode_error *err)
{
	size_t at = *pos;
	if (read_uint(p, pos, what, len, err) || expect(p, pos, ':', err) ||
	    expect(p, pos, '"', err))
		return -1;
	if (*len > p->end - *pos) {
		fail(err, at, "%s %zu past end of data", what, *len);
		return -1;
	}
	*start = *pos;
	*pos += *len;
	return expect(p, pos, '"', err);
}

/* s:5:"bytes"; (the length counts bytes; the bytes may hold anything) */
static struct pv *parse_string(struct phpser *p, size_t *pos, struct decode_error *err)
{
	size_t start, len, past = plain_string(p, *pos, &start, &len);
	if (past) {
		*pos = past;
		return pv_build_string(&p->b, p->buf + start, len);
	}
	*pos += 1;
	if (expect(p, pos, ':', err) ||
	    read_quoted(p, pos, "string length", &start, &len, err) ||
	    expect(p, pos, ';', err))
		return NULL;
	return pv_build_string(&p->b, p->buf + start, len);
}

int php_numeric_key(const char *s, size_t len, int64_t *out)
{
	size_t i = s[0] == '-';
	if (len == i || len - i > 19 || !is_digit(s[i]))
		return 0;
	if (s[i] == '0' && (len - i > 1 || i))
		return 0;
	uint64_t v = 0, limit = i ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (size_t j = i; j < len; j++) {
		if (!is_digit(s[j]))
			return 0;
		unsigned d = (unsigned)(s[j] - '0');
		if (v > (limit - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = i && v ? -(int64_t)(v - 1) - 1 : (int64_t)v;
	return 1;
}

/* An array or object key: i: or s:, which take no slot. Array keys that are numeric
 * strings become ints and object keys that are ints become strings, as in PHP. */
static struct pv *parse_key(struct phpser *p, size_t *pos, int object, struct decode_error *err)
{
	char tmp[16];
	struct pv *k;
	if (*pos < p->end && p->buf[*pos] == 'i')
		k = parse_int(p, pos, err);
	else if (*pos < p->end && p->buf[*pos] == 's')
		k = parse_string(p, pos, err);
	else
		return fail(err, *pos, "key must be an int or a string but found %s",
			    what_is_at(p, *pos, tmp));
	if (!k || p->b.check)	/* keys are only ints or strings: nothing more to check */
		return k;
	int64_t i;
	if (!object && k->type == PV_STRING && php_numeric_key(k->u.str.ptr, k->u.str.len, &i)) {
		pv_free(k);
		k = pv_new_int(i);
	} else if (object && k->type == PV_INT) {
		char num[32];
		int n = snprintf(num, sizeof(num), "%lld", (long long)k->u.i);
		pv_free(k);
		k = pv_new_string(num, (size_t)n);
	}
	return k;
}

/* Splits a mangled property name (\0Class\0name, \0*\0name) into visibility and plain name. */
static void unmangle(struct pv_entry *e)
{
	struct pv *k = e->key;
	if (k->u.str.len < 3 || k->u.str.ptr[0] != '\0')
		return;
	const char *cls = k->u.str.ptr + 1;
	const char *nul = memchr(cls, '\0', k->u.str.len - 1);
	if (!nul || nul == cls)
		return;
	size_t cls_len = (size_t)(nul - cls);
	if (cls_len == 1 && cls[0] == '*') {
		e->vis = PV_PROTECTED;
	} else {
		e->vis = PV_PRIVATE;
		e->decl_class = xstrndup(cls, cls_len);
	}
	size_t name_len = k->u.str.len - cls_len - 2;
	memmove(k->u.str.ptr, nul + 1, name_len);
	k->u.str.ptr[name_len] = '\0';
	k->u.str.len = name_len;
}

/* Reads `count:{` and checks the count against the bytes left and the depth. */
static int open_container(struct phpser *p, size_t *pos, size_t start, const char *what,
			  size_t *count, struct decode_error *err)
{
	size_t at = *pos;
	if (read_uint(p, pos, "element count", count, err) || expect(p, pos, ':', err) ||
	    expect(p, pos, '{', err))
		return -1;
	size_t room = (p->end - *pos) / MIN_ELEMENT_BYTES;
	if (*count > room) {
		fail(err, at, "%s count %zu larger than the remaining %zu bytes can hold", what,
		     *count, p->end - *pos);
		return -1;
	}
	if (p->depth >= PV_MAX_DEPTH) {
		fail(err, start, "nesting deeper than %d levels", PV_MAX_DEPTH);
		return -1;
	}
	return 0;
}

/* Reads count key/value pairs and the closing '}' into c. */
static int read_elements(struct phpser *p, size_t *pos, struct pv *c, size_t count,
			 struct decode_error *err)
{
	const char *what = c->type == PV_ARRAY ? "array" : "object";
	int rc = -1;
	p->depth++;
	for (size_t i = 0; i < count; i++) {
		if (*pos < p->end && p->buf[*pos] == '}') {
			fail(err, *pos, "%s count %zu but only %zu elements", what, count, i);
			goto out;
		}
		int int_key = *pos < p->end && p->buf[*pos] == 'i';
		struct pv *k = parse_key(p, pos, c->type != PV_ARRAY, err);
		if (!k)
			goto out;
		struct pv *v = parse_value(p, pos, err);
		if (!v) {
			pv_build_drop(&p->b, k);
			goto out;
		}
		struct pv_entry *e = pv_build_append(&p->b, c, k, v);
		if (e && c->type == PV_OBJECT)
			unmangle(e);
		if (e && c->type == PV_OBJECT)
			e->int_key = (unsigned char)int_key;
	}
	if (*pos < p->end && (p->buf[*pos] == 'i' || p->buf[*pos] == 's'))
		fail(err, *pos, "%s count %zu but more elements follow", what, count);
	else
		rc = expect(p, pos, '}', err);
out:
	p->depth--;
	return rc;
}

/* Gives the new container v its slot and reads its count elements; on failure frees v
 * (and its slot) and returns NULL. */
static struct pv *fill_container(struct phpser *p, size_t *pos, struct pv *v, size_t slot,
				 size_t count, struct decode_error *err)
{
	set_slot(p, slot, v);
	if (read_elements(p, pos, v, count, err)) {
		p->slots[slot - 1] = NULL;
		pv_build_drop(&p->b, v);
		return NULL;
	}
	return v;
}

/* a:N:{key;value...} */
static struct pv *parse_array(struct phpser *p, size_t *pos, size_t slot,
			      struct decode_error *err)
{
	size_t start = *pos, count;
	*pos += 1;
	if (expect(p, pos, ':', err) || open_container(p, pos, start, "array", &count, err))
		return NULL;
	return fill_container(p, pos, pv_build_node(&p->b, PV_ARRAY), slot, count, err);
}

/* Reads `len:"Class":` after O: or C: into *cls (new; NULL in check mode). */
static int read_class(struct phpser *p, size_t *pos, char **cls, struct decode_error *err)
{
	size_t start, len, at = *pos;
	*pos += 1;
	if (expect(p, pos, ':', err) || read_quoted(p, pos, "class name length", &start, &len, err))
		return -1;
	if (len == 0 || p->buf[start] == '\0' || p->buf[start] == '\\') {
		fail(err, at, "invalid class name");
		return -1;
	}
	if (expect(p, pos, ':', err))
		return -1;
	*cls = pv_build_text(&p->b, p->buf + start, len);
	return 0;
}

/* O:len:"Class":N:{props} */
static struct pv *parse_object(struct phpser *p, size_t *pos, size_t slot,
			       struct decode_error *err)
{
	size_t start = *pos, count;
	char *cls;
	if (read_class(p, pos, &cls, err))
		return NULL;
	if (open_container(p, pos, start, "object", &count, err)) {
		free(cls);
		return NULL;
	}
	struct pv *v = pv_build_node(&p->b, PV_OBJECT);
	v->class_name = cls;
	return fill_container(p, pos, v, slot, count, err);
}

/* A C: payload written by a nested serialize() call shares the outer slot numbering
 * (PHP's nested unserialize() pushes onto the same var_hash), and later references
 * may point into it. When the payload reads completely as serialize() values, they
 * take their slots and become the object's items (keys 0, 1, ...); otherwise the
 * payload stays opaque and takes none. */
static void parse_payload(struct phpser *p, struct pv *obj, size_t start, size_t len)
{
	if (!len || p->depth >= PV_MAX_DEPTH || len > 4 * p->len - p->payload_bytes)
		return;
	p->payload_bytes += len;
	size_t old_end = p->end, old_slots = p->n_slots, pos = start;
	struct pv *list = pv_build_node(&p->b, PV_ARRAY);
	struct decode_error ignored;
	int ok = 1;
	p->end = start + len;
	p->depth++;
	for (int64_t i = 0; ok && pos < p->end; i++) {
		struct pv *v = parse_value(p, &pos, &ignored);
		if (v)
			pv_build_append(&p->b, list, pv_build_int(&p->b, i), v);
		ok = v != NULL;
	}
	p->depth--;
	p->end = old_end;
	if (ok && !p->b.check) {
		obj->items = list->items;
		obj->n_items = list->n_items;
		obj->cap_items = list->cap_items;
		list->items = NULL;
		list->n_items = list->cap_items = 0;
	} else if (!ok) {
		p->n_slots = old_slots;
	}
	pv_build_drop(&p->b, list);
}

/* C:len:"Class":len:{payload} */
static struct pv *parse_custom(struct phpser *p, size_t *pos, size_t slot,
			       struct decode_error *err)
{
	size_t len, at;
	char *cls;
	if (read_class(p, pos, &cls, err))
		return NULL;
	at = *pos;
	if (read_uint(p, pos, "custom data length", &len, err) || expect(p, pos, ':', err) ||
	    expect(p, pos, '{', err))
		goto bad;
	if (len >= p->end - *pos) {
		fail(err, at, "custom data length %zu past end of data", len);
		goto bad;
	}
	size_t start = *pos;
	*pos += len;
	if (expect(p, pos, '}', err))
		goto bad;
	struct pv *v = pv_build_node(&p->b, PV_CUSTOM);
	v->class_name = cls;
	v->u.str.ptr = pv_build_text(&p->b, p->buf + start, len);
	v->u.str.len = len;
	set_slot(p, slot, v);
	parse_payload(p, v, start, len);
	return v;
bad:
	free(cls);
	return NULL;
}

/* E:len:"Class:Case"; */
static struct pv *parse_enum(struct phpser *p, size_t *pos, struct decode_error *err)
{
	size_t start, len, at = *pos;
	*pos += 1;
	if (expect(p, pos, ':', err) || read_quoted(p, pos, "enum name length", &start, &len, err) ||
	    expect(p, pos, ';', err))
		return NULL;
	const char *colon = memchr(p->buf + start, ':', len);
	if (!colon || colon == p->buf + start)
		return fail(err, at, "malformed enum name (expected Class:Case)");
	size_t cls_len = (size_t)(colon - (p->buf + start));
	struct pv *v = pv_build_node(&p->b, PV_ENUM);
	v->class_name = pv_build_text(&p->b, p->buf + start, cls_len);
	v->u.str.ptr = pv_build_text(&p->b, colon + 1, len - cls_len - 1);
	v->u.str.len = len - cls_len - 1;
	return v;
}

static int is_object(const struct pv *v)
{
	return v->type == PV_OBJECT || v->type == PV_CUSTOM || v->type == PV_ENUM;
}

/* R:n; (hard reference, takes no slot) or r:n; (object reference, own_slot is its slot). */
static struct pv *parse_ref(struct phpser *p, size_t *pos, size_t own_slot,
			    struct decode_error *err)
{
	size_t start = *pos, n;
	int hard = p->buf[*pos] == 'R';
	char c = hard ? 'R' : 'r';
	*pos += 1;
	if (expect(p, pos, ':', err) || read_uint(p, pos, "reference slot", &n, err) ||
	    expect(p, pos, ';', err))
		return NULL;
	if (n == 0)
		return fail(err, start, "reference %c:0 (slots start at 1)", c);
	if (!hard && n == own_slot)
		return fail(err, start, "object reference r:%zu to itself", n);
	size_t known = hard ? p->n_slots : own_slot - 1;
	if (n > known)
		return fail(err, start, "reference %c:%zu past the %zu values read so far", c, n,
			    known);
	struct pv *t = p->slots[n - 1];
	if (!t)
		return fail(err, start, "reference %c:%zu to a value not yet complete", c, n);
	if (t->type == PV_REF)
		t = t->target;	/* an r: slot holds the object it names */
	if (!hard && !is_object(t))
		return fail(err, start, "object reference r:%zu to a non-object (%s)", n,
			    pv_type_name(t->type));
	struct pv *v = pv_build_node(&p->b, PV_REF);
	if (!p->b.check)
		v->target = t;
	v->hard = hard;
	return v;
}

/* One value; every value but R: takes the next slot before it is read, as in PHP. */
static struct pv *parse_value(struct phpser *p, size_t *pos, struct decode_error *err)
{
	char tmp[16];
	if (*pos >= p->end)
		return fail(err, *pos, "unexpected end of data");
	char t = p->buf[*pos];
	if (t == 'R')
		return parse_ref(p, pos, 0, err);
	if (p->b.check && p->depth == 0 && (t == 'a' || t == 'O')) {
		enum pv_type type;
		size_t past = phpser_skip_plain(p, *pos, &type);
		if (past) {
			*pos = past;
			return &p->b.stand_in[type];
		}
	}
	size_t slot = push_slot(p);
	struct pv *v;
	switch (t) {
	case 'N': case 'b': v = parse_null_bool(p, pos, err); break;
	case 'i': v = parse_int(p, pos, err); break;
	case 'd': v = parse_float(p, pos, err); break;
	case 's': v = parse_string(p, pos, err); break;
	case 'a': v = parse_array(p, pos, slot, err); break;
	case 'O': v = parse_object(p, pos, slot, err); break;
	case 'C': v = parse_custom(p, pos, slot, err); break;
	case 'E': v = parse_enum(p, pos, err); break;
	case 'r': v = parse_ref(p, pos, slot, err); break;
	case '}': v = fail(err, *pos, "unexpected '}'"); break;
	default: v = fail(err, *pos, "unknown value type %s", what_is_at(p, *pos, tmp)); break;
	}
	if (v)
		set_slot(p, slot, v);
	return v;
}

/* Counts, on each reference target, the PV_REF nodes pointing at it. */
static void count_refs(struct pv *v)
{
	if (v->type == PV_REF) {
		v->target->shared++;
		return;
	}
	for (size_t i = 0; i < v->n_items; i++)
		count_refs(v->items[i].value);
}

struct pv *phpser_value(struct phpser *p, size_t *pos, struct decode_error *err)
{
	size_t at = *pos, old_slots = p->n_slots;
	if (at > p->len)
		return fail(err, at, "offset past end of data");
	struct pv *v = parse_value(p, &at, err);
	if (!v) {
		/* Forget the failed value's slots: a later value cannot refer to them. */
		p->n_slots = old_slots;
		return NULL;
	}
	if (!p->b.check)
		count_refs(v);
	*pos = at;
	return v;
}
