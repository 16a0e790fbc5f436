/* unserialize.c: a parser for PHP's serialize() format, numbering reference slots as
 * ext/standard/var_unserializer.re does (see unserialize.h). */
#include "php/unserialize.h"
#include "php/value.h"
#include "util.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shortest array or object element is "i:0;N;". */
#define MIN_ELEMENT_BYTES 6

struct phpser {
	const char *buf;
	size_t len;
	size_t end;		/* parse limit: len, or the end of the C: payload being read */
	struct pv **slots;	/* slot n (1-based) is slots[n - 1]; NULL until its value exists */
	size_t n_slots;
	size_t cap_slots;
	int depth;		/* containers and C: payloads open around the cursor */
	size_t payload_bytes;	/* C: payload bytes read as nested serialize() data so far */
	struct pv_build b;	/* check mode: values are stand-ins (see phpser_new_check) */
};

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

/* isdigit without the locale table (the same ten bytes in every locale). */
static inline int is_digit(char c)
{
	return c >= '0' && c <= '9';
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

/* Appends a slot for the value about to be read; returns its 1-based number. */
static size_t push_slot(struct phpser *p)
{
	if (p->n_slots == p->cap_slots) {
		p->cap_slots = p->cap_slots ? p->cap_slots * 2 : 64;	/* one allocation for most sessions */
		p->slots = xrealloc(p->slots, p->cap_slots * sizeof(*p->slots));
	}
	p->slots[p->n_slots++] = NULL;
	return p->n_slots;
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

size_t php_float_token(const char *b, size_t end, size_t pos)
{
	size_t i = pos, n_int = 0, n_frac = 0;
	if (i < end && (b[i] == '+' || b[i] == '-'))
		i++;
	while (i < end && is_digit(b[i]))
		i++, n_int++;
	if (i < end && b[i] == '.') {
		i++;
		while (i < end && is_digit(b[i]))
			i++, n_frac++;
	}
	if (n_int + n_frac == 0)
		return 0;
	if (i < end && (b[i] == 'e' || b[i] == 'E')) {
		size_t j = i + 1, n_exp = 0;
		if (j < end && (b[j] == '+' || b[j] == '-'))
			j++;
		while (j < end && is_digit(b[j]))
			j++, n_exp++;
		if (!n_exp)
			return 0;
		i = j;
	}
	return i - pos;
}

static locale_t c_locale;	/* made once: dump's server threads all read floats */
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

__extension__ typedef unsigned __int128 u128;

/* The double nearest m / 10^k (ties to even), for 1 <= m < 2^64 and k <= 21, as strtod rounds
 * it; 0 when m has too many bits for k = 0. A quotient of 55 or 56 bits is cut to 53, the
 * remainder deciding ties. */
static int nearest(uint64_t m, unsigned k, double *out)
{
	static const uint64_t p10[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
		100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
		10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
		100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
	};
	u128 den = k < 20 ? p10[k] : (u128)p10[19] * p10[k - 19];
	int t = 128 - (den >> 64 ? __builtin_clzll((uint64_t)(den >> 64)) :
		       64 + __builtin_clzll((uint64_t)den));
	int b = 64 - __builtin_clzll(m);
	int e = 55 + t - b;	/* m << e over den lies in [2^54, 2^56) */
	if (e < 0)
		return 0;
	u128 num = (u128)m << e, q = num / den;
	int sticky = num - q * den != 0;
	int cut = q >> 55 ? 3 : 2;
	uint64_t low = (uint64_t)q & ((1u << cut) - 1), half = 1u << (cut - 1);
	uint64_t mant = (uint64_t)(q >> cut);
	if (low > half || (low == half && (sticky || (mant & 1))))
		mant++;
	if (mant >> 53) {
		mant >>= 1;
		cut++;
	}
	/* value = mant * 2^(cut - e), mant in [2^52, 2^53): a normal double */
	uint64_t bits = (uint64_t)(cut - e + 52 + 1023) << 52 | (mant & ((1ull << 52) - 1));
	memcpy(out, &bits, sizeof(*out));
	return 1;
}

/* m / 10^k in doubles rounds once, as strtod, where double arithmetic is done in doubles. */
#define EXACT_DOUBLES (FLT_EVAL_METHOD == 0)
/* The powers of ten a double holds exactly. */
static const double pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* strtod of the n bytes of a php_float_token without an exponent, of at most 19 significant
 * digits and 21 after the point; 0 for any other token. */
static int strtod_short(const char *s, size_t n, double *out)
{
	size_t i = 0;
	int neg = 0, point = 0;
	unsigned digits = 0, k = 0;
	uint64_t m = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	for (; i < n; i++) {
		if (s[i] == '.' && !point) {
			point = 1;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return 0;	/* an exponent */
		k += point;
		if (m == 0 && s[i] == '0')
			continue;	/* a leading zero */
		if (++digits > 19)
			return 0;
		m = m * 10 + (uint64_t)(s[i] - '0');
	}
	if (k > 21)
		return 0;
	double d = 0;
	if (EXACT_DOUBLES && m < (1ull << 53) && k <= 22)	/* exact operands, one rounding */
		d = (double)m / pow10_exact[k];
	else if (!nearest(m, k, &d))
		return 0;
	*out = neg ? -d : d;
	return 1;
}

double php_strtod(const char *s, size_t n)
{
	double quick;
	if (strtod_short(s, n, &quick))
		return quick;
	char small[64];
	char *tmp = n < sizeof(small) ? small : xmalloc(n + 1);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	pthread_once(&c_locale_once, make_c_locale);
	double d = c_locale ? strtod_l(tmp, NULL, c_locale) : strtod(tmp, NULL);
	if (tmp != small)
		free(tmp);
	return d;
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

/* A well-formed `len:"bytes"` at i, as read_quoted reads it: returns the index past it with
 * the bytes at *start, *len, or 0 when anything is unusual. */
static inline size_t plain_quoted(const struct phpser *p, size_t i, size_t *start, size_t *len)
{
	const char *b = p->buf;
	size_t end = p->end, digits = i, n = 0;
	for (; i < end && is_digit(b[i]) && i - digits < 15; i++)
		n = n * 10 + (size_t)(b[i] - '0');	/* under 10^15: no overflow */
	if (i == digits || end - i < 2 || b[i] != ':' || b[i + 1] != '"')
		return 0;
	i += 2;
	if (n > end - i || end - i - n < 1 || b[i + n] != '"')
		return 0;
	*start = i;
	*len = n;
	return i + n + 1;
}

/* The length of a well-formed `s:len:"bytes";` at pos, whose bytes then start at *start:
 * returns the index past it, or 0 when anything is unusual (parse_string then reads it the
 * slow way, which decides and says why). Local indexes: a string is most of a session. */
static inline size_t plain_string(const struct phpser *p, size_t pos, size_t *start,
				  size_t *len)
{
	size_t i;
	if (p->end - pos < 2 || p->buf[pos + 1] != ':' ||
	    !(i = plain_quoted(p, pos + 2, start, len)) || i >= p->end || p->buf[i] != ';')
		return 0;
	return i + 1;
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

/* ---- check mode: plain values skipped in one loop ---- */

/* Containers the skip below keeps open at most; deeper ones go the slow way. */
#define SKIP_DEPTH 64

/* The slot of the next value, holding the stand-in of its type (set at once: with no
 * reference among the values skipped, none can see a slot before its value is whole). */
static void skip_slot(struct phpser *p, enum pv_type type)
{
	size_t slot = push_slot(p);	/* first: it may move the table */
	p->slots[slot - 1] = &p->b.stand_in[type];
}

/* `i:digits;` or `s:len:"bytes";` at i, a key or a value, as parse_int and parse_string
 * accept them (ints of at most 18 digits, which cannot overflow): returns the index past it,
 * or 0 when anything is unusual. *type gets its type. */
static inline size_t skip_scalar(const struct phpser *p, size_t i, enum pv_type *type)
{
	const char *b = p->buf;
	size_t end = p->end, start, len, digits;
	if (b[i] == 's') {
		*type = PV_STRING;
		return plain_string(p, i, &start, &len);
	}
	*type = PV_INT;
	if (b[i] != 'i' || end - i < 4 || b[i + 1] != ':')
		return 0;
	i += 2;
	i += b[i] == '-' || b[i] == '+';
	for (digits = i; i < end && is_digit(b[i]) && i - digits < 18; i++)
		;
	return i > digits && i < end && b[i] == ';' ? i + 1 : 0;
}

/* `count:{` at i (after "a:" or after O:'s class and ':'), as open_container accepts it at
 * depth 0 with sp containers open: returns the index past '{' with *count, or 0. */
static size_t skip_count(const struct phpser *p, size_t i, int sp, size_t *count)
{
	const char *b = p->buf;
	size_t end = p->end, digits = i, n = 0;
	for (; i < end && is_digit(b[i]) && i - digits < 15; i++)
		n = n * 10 + (size_t)(b[i] - '0');
	if (i == digits || end - i < 2 || b[i] != ':' || b[i + 1] != '{' || sp >= SKIP_DEPTH)
		return 0;
	i += 2;
	*count = n;
	return n <= (end - i) / MIN_ELEMENT_BYTES ? i : 0;
}

/* The value at i, taking its slot (a container's elements come after): N;, b:, i:, d:, s:,
 * a: and O: as parse_value accepts them. Returns the index past it (past `count:{` for a
 * container, with *count), or 0 for anything else or unusual. */
static inline size_t skip_value(struct phpser *p, size_t i, int sp, enum pv_type *type,
				 size_t *count)
{
	static const char *const special[] = { "NAN;", "INF;", "-INF;" };
	const char *b = p->buf;
	size_t end = p->end, start, len, n;
	*count = 0;
	switch (b[i]) {
	case 'N':
		*type = PV_NULL;
		return end - i >= 2 && b[i + 1] == ';' ? i + 2 : 0;
	case 'b':
		*type = PV_BOOL;
		return end - i >= 4 && b[i + 1] == ':' && (b[i + 2] == '0' || b[i + 2] == '1') &&
		       b[i + 3] == ';' ? i + 4 : 0;
	case 'd':
		*type = PV_FLOAT;
		if (end - i < 2 || b[i + 1] != ':')
			return 0;
		i += 2;
		for (size_t k = 0; k < sizeof(special) / sizeof(special[0]); k++) {
			n = strlen(special[k]);
			if (end - i >= n && memcmp(b + i, special[k], n) == 0)
				return i + n;
		}
		n = php_float_token(b, end, i);
		return n && end - i > n && b[i + n] == ';' ? i + n + 1 : 0;
	case 'a':
		*type = PV_ARRAY;
		return end - i >= 2 && b[i + 1] == ':' ? skip_count(p, i + 2, sp, count) : 0;
	case 'O':
		*type = PV_OBJECT;
		if (end - i < 2 || b[i + 1] != ':')
			return 0;
		i = plain_quoted(p, i + 2, &start, &len);
		if (!i || len == 0 || b[start] == '\0' || b[start] == '\\' || i >= end || b[i] != ':')
			return 0;
		return skip_count(p, i + 1, sp, count);
	default:
		return skip_scalar(p, i, type);
	}
}

/* Check mode, at depth 0: an array or object at pos made only of N, b, i, d, s, a and O
 * values (most sessions), read in one loop, its slots taken as parse_value would take them.
 * Returns the index past it with *type, or 0 (nothing taken) when anything else or anything
 * unusual comes: parse_value then reads it the slow way, which decides and says why. */
static size_t skip_plain(struct phpser *p, size_t pos, enum pv_type *type)
{
	size_t left[SKIP_DEPTH], old_slots = p->n_slots, count;
	const char *b = p->buf;
	int sp = 0, first = 1;
	enum pv_type t;
	for (;;) {
		size_t past = pos < p->end ? skip_value(p, pos, sp, &t, &count) : 0;
		if (!past)
			break;
		skip_slot(p, t);
		if (first)
			*type = t;
		first = 0;
		pos = past;
		if (t == PV_ARRAY || t == PV_OBJECT)
			left[sp++] = count;
		while (sp > 0 && left[sp - 1] == 0) {	/* whole containers: their '}' */
			if (pos >= p->end || b[pos] != '}')
				goto unusual;
			pos++;
			sp--;
		}
		if (sp == 0)
			return pos;
		left[sp - 1]--;		/* the next element: its key, then its value */
		if (pos >= p->end || !(pos = skip_scalar(p, pos, &t)))
			break;
	}
unusual:
	p->n_slots = old_slots;
	return 0;
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
		size_t past = skip_plain(p, *pos, &type);
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
