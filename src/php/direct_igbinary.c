/* direct_igbinary.c: an igbinary session's JSON straight from its bytes (see direct.h). It
 * accepts a subset of what igbinary.c accepts (no references of any kind) and writes what
 * value_json.c would write for igbinary.c's tree; the fuzz targets and test_direct hold the two
 * to that. */
#include "php/direct_igbinary.h"
#include "php/direct_json.h"
#include "php/igbinary_format.h"
#include "php/json_escape.h"
#include "php/value_json.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define SMALL_STRINGS 64

/* A string read: its bytes, and where they come from in the string table. */
struct ig_str {
	const char *ptr;	/* into the input */
	size_t len;
	/* its entry in the string table, NULL for the empty string; good only until the next
	 * string is read (the table may move) */
	struct ig_entry *e;
};

/* A string of the table, and the JSON last written for bytes of it: the bytes from done, as a
 * JSON string (quotes included) at out->ptr + off (json_len 0: none yet). Names of properties
 * are written unmangled, so done may lie inside the string. */
struct ig_entry {
	const char *ptr;
	size_t len;
	const char *done;
	size_t done_len, off, json_len;
};

struct ig {
	const unsigned char *buf;
	size_t len, pos;
	struct buf *out;
	enum crypt_scheme scheme;
	const char *cipher;
	size_t nodes;
	int depth;
	struct fast_keys keys;
	struct ig_entry *strings;	/* every string written in full, in order: small, or new */
	size_t n_strings, cap_strings;
	struct ig_entry small[SMALL_STRINGS];
};

/* ---- reading ---- */

/* The type byte at pos, taken; -1 at the end of the data. */
static int next_type(struct ig *g)
{
	return g->pos < g->len ? g->buf[g->pos++] : -1;
}

/* A big-endian unsigned number of width bytes. */
static int read_uint(struct ig *g, unsigned width, uint64_t *out)
{
	if (g->len - g->pos < width)
		return -1;
	*out = igb_uint(g->buf + g->pos, width);
	g->pos += width;
	return 0;
}

/* A length of width bytes and that many bytes (a string or class name written in full),
 * which join the string table. */
static int read_chars(struct ig *g, unsigned width, struct ig_str *s)
{
	uint64_t n;
	if (read_uint(g, width, &n) || n > g->len - g->pos)
		return -1;
	s->ptr = (const char *)g->buf + g->pos;
	s->len = (size_t)n;
	g->pos += (size_t)n;
	if (g->n_strings == g->cap_strings)
		g->strings = fast_grow(g->strings, g->small, &g->cap_strings, sizeof(*g->strings));
	struct ig_entry *e = s->e = &g->strings[g->n_strings++];
	e->ptr = s->ptr;
	e->len = s->len;
	e->json_len = 0;	/* done and off are read only once json_len is set */
	return 0;
}

/* An id of width bytes into the string table. */
static int read_id(struct ig *g, unsigned width, struct ig_str *s)
{
	uint64_t id;
	if (read_uint(g, width, &id) || id >= g->n_strings)
		return -1;
	s->e = &g->strings[id];
	s->ptr = s->e->ptr;
	s->len = s->e->len;
	return 0;
}

/* Any string form after type byte t (empty, in full, or a string id); -1 for other types. */
static __attribute__((noinline)) int read_string_any(struct ig *g, int t, struct ig_str *s)
{
	switch (t) {
	case IGB_STRING_EMPTY:
		s->ptr = "";
		s->len = 0;
		s->e = NULL;
		return 0;
	case IGB_STRING8: case IGB_STRING16: case IGB_STRING32:
		return read_chars(g, igb_width((unsigned)t, IGB_STRING8), s);
	case IGB_STRING64:
		return read_chars(g, 8, s);
	case IGB_STRING_ID8: case IGB_STRING_ID16: case IGB_STRING_ID32:
		return read_id(g, igb_width((unsigned)t, IGB_STRING_ID8), s);
	default:
		return -1;
	}
}

/* read_string, where a one-byte id or length (most strings) is read with no call. */
static inline __attribute__((always_inline)) int read_string(struct ig *g, int t, struct ig_str *s)
{
	size_t pos = g->pos, left = g->len - pos;
	if (t == IGB_STRING_ID8 && left && g->buf[pos] < g->n_strings) {
		struct ig_entry *e = s->e = &g->strings[g->buf[pos]];
		s->ptr = e->ptr;
		s->len = e->len;
		g->pos = pos + 1;
		return 0;
	}
	if (t == IGB_STRING8 && left && g->buf[pos] < left && g->n_strings < g->cap_strings) {
		struct ig_entry *e = s->e = &g->strings[g->n_strings++];
		s->ptr = e->ptr = (const char *)g->buf + pos + 1;
		s->len = e->len = g->buf[pos];
		e->json_len = 0;
		g->pos = pos + 1 + s->len;
		return 0;
	}
	return read_string_any(g, t, s);
}

/* The integer after long type byte t; 64-bit values outside int64 are declined. */
static __attribute__((noinline)) int read_long_any(struct ig *g, int t, int64_t *out)
{
	int neg;
	unsigned width = igb_long_width((unsigned)t, &neg);
	uint64_t u;
	if (read_uint(g, width, &u) || u > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return -1;
	*out = neg && u ? -(int64_t)(u - 1) - 1 : (int64_t)u;
	return 0;
}

/* read_long, where a one-byte magnitude (most integers) is read with no call. */
static inline __attribute__((always_inline)) int read_long(struct ig *g, int t, int64_t *out)
{
	if ((t == IGB_LONG8P || t == IGB_LONG8N) && g->pos < g->len) {
		int64_t u = g->buf[g->pos++];
		*out = t == IGB_LONG8P ? u : -u;
		return 0;
	}
	return read_long_any(g, t, out);
}

/* ---- strings, written once ---- */

/* Copies the n bytes at src (earlier in out, which has room for 16 at o) to o: up to sixteen
 * in two loads, both taken before the stores. */
static inline void copy_earlier(char *o, const char *src, size_t n)
{
	if (n <= 16) {
		uint64_t a, b;
		memcpy(&a, src, 8);
		memcpy(&b, src + 8, 8);
		memcpy(o, &a, 8);
		memcpy(o + 8, &b, 8);
	} else {
		memcpy(o, src, n);
	}
}

/* Appends the n bytes of out at off (before out->len), from out's own room (made first: it may
 * move out->ptr). */
static inline void copy_json(struct buf *out, size_t off, size_t n)
{
	buf_room(out, n + 16);
	char *o = out->ptr + out->len;
	copy_earlier(o, out->ptr + off, n);
	out->len += n;
	o[n] = '\0';
}

/* s as a JSON string when it is UTF-8 (else -1, out unchanged): copied from what was written
 * for the same bytes of the same table string before, if anything was. */
static inline int put_string(struct ig *g, const struct ig_str *s)
{
	struct buf *out = g->out;
	struct ig_entry *e = s->e;
	if (e && e->json_len && e->done == s->ptr && e->done_len == s->len) {
		copy_json(out, e->off, e->json_len);
		return 0;
	}
	size_t off = out->len;
	if (fast_put_utf8(out, s->ptr, s->len) < 0)
		return -1;
	if (e) {
		e->done = s->ptr;
		e->done_len = s->len;
		e->off = off;
		e->json_len = out->len - off;
	}
	return 0;
}

/* fast_put_text through put_string. */
static void put_text(struct ig *g, const struct ig_str *s)
{
	if (put_string(g, s) < 0)
		json_write_text(g->out, s->ptr, s->len);
}

/* fast_open_class through put_string. */
static void open_class(struct ig *g, const struct ig_str *cls)
{
	buf_add(g->out, "{\"__class\":", 11);
	put_text(g, cls);
}

/* The JSON of e, written before at off, again: sep, it and ':', its span noted. Up to sixteen
 * bytes go in two loads from out's own room (made first, once: it may move out->ptr), both
 * taken before the store. */
static __attribute__((noinline)) void copy_key_any(struct ig *g, char sep,
						   const struct ig_entry *e)
{
	struct buf *out = g->out;
	struct fast_keys *k = &g->keys;
	size_t n = e->json_len;
	if (k->n == k->cap)
		k->spans = fast_grow(k->spans, k->small, &k->cap, sizeof(*k->spans));
	buf_room(out, n + 18);
	char *o = out->ptr + out->len;
	*o++ = sep;
	copy_earlier(o, out->ptr + e->off, n);
	o[n] = ':';
	o[n + 1] = '\0';
	k->spans[k->n++] = (struct fast_span){ out->len + 1, n };
	out->len += n + 2;
}

/* copy_key_any where the name is short and out and the spans have room (most): here, where
 * the only call is a tail call, so nothing is saved on the stack. */
static void copy_key(struct ig *g, char sep, const struct ig_entry *e)
{
	struct buf *out = g->out;
	struct fast_keys *k = &g->keys;
	size_t n = e->json_len, len = out->len;
	if (n > 16 || k->n == k->cap || 18 >= out->cap - len)
		return copy_key_any(g, sep, e);
	char *o = out->ptr + len;
	const char *src = out->ptr + e->off;
	uint64_t a, b;
	memcpy(&a, src, 8);
	memcpy(&b, src + 8, 8);
	o[0] = sep;
	memcpy(o + 1, &a, 8);
	memcpy(o + 9, &b, 8);
	o[n + 1] = ':';
	o[n + 2] = '\0';
	k->spans[k->n++] = (struct fast_span){ len + 1, n };
	out->len = len + n + 2;
}

/* sep and the name s as fast_put_member writes them, through the string table's JSON. */
static inline int put_key(struct ig *g, char sep, const struct ig_str *s)
{
	struct ig_entry *e = s->e;
	if (e && e->json_len && e->done == s->ptr && e->done_len == s->len) {
		copy_key(g, sep, e);
		return 0;
	}
	if (fast_put_member(&g->keys, g->out, sep, s->ptr, s->len) < 0)
		return -1;
	if (e) {
		const struct fast_span *sp = &g->keys.spans[g->keys.n - 1];
		e->done = s->ptr;
		e->done_len = s->len;
		e->off = sp->off;
		e->json_len = sp->len;
	}
	return 0;
}

/* sep and the integer name i. */
static int put_int_key(struct ig *g, char sep, int64_t i)
{
	buf_addc(g->out, sep);
	return fast_put_key(&g->keys, g->out, 1, i, NULL, 0);
}

/* ---- values ---- */

static int value(struct ig *g);

/* A mangled property name (\0Class\0name, \0*\0name) made plain as igbinary.c's unmangle does
 * it: an anonymous class name holds a NUL of its own; malformed names stay as they are. */
static __attribute__((noinline)) void unmangle(struct ig_str *s)
{
	const char *p = s->ptr;
	const char *end = find_byte(p + 1, '\0', s->len - 2);
	if (!end)
		return;
	const char *next = find_byte(end + 1, '\0', s->len - (size_t)(end + 1 - p));
	if (next)
		end = next;
	s->len -= (size_t)(end + 1 - p);
	s->ptr = end + 1;
}

/* An integer key i (prop, list and items as for member). */
static int int_member(struct ig *g, int prop, int *list, size_t items, int64_t i)
{
	char sep = ',';
	if (!prop && !items) {
		*list = i == 0;
		sep = *list ? '[' : '{';
	}
	if (!prop && *list) {
		buf_addc(g->out, sep);
		return i == (int64_t)items ? 0 : -1;
	}
	return put_int_key(g, sep, i);
}

/* The key after its type byte t and what comes before the entry's value, items entries in.
 * Object properties: ',' and the plain name (integers as their text; "__class" is declined,
 * the tree path drops it). Arrays: a list while the keys go 0, 1, ... (a string key never
 * does: igbinary.c keeps it a string), else an object; a list that breaks off is declined. */
static inline __attribute__((always_inline)) int member(struct ig *g, int t, int prop, int *list,
							  size_t items)
{
	struct ig_str s;
	/* most names are strings: those two types are ruled out first */
	if (t != IGB_STRING_ID8 && t != IGB_STRING8 && igb_is_long((unsigned)t)) {
		int64_t i;
		return read_long(g, t, &i) ? -1 : int_member(g, prop, list, items, i);
	}
	if (read_string(g, t, &s))
		return -1;
	char sep = ',';
	if (prop) {
		if (s.len >= 3 && s.ptr[0] == '\0' && s.ptr[1] != '\0')
			unmangle(&s);
		if (s.len == 7 && memcmp(s.ptr, "__class", 7) == 0)
			return -1;
	} else if (!items) {
		*list = 0;
		sep = '{';
	} else if (*list) {
		return -1;
	}
	return put_key(g, sep, &s);
}

/* The count entries of an array, or with prop an object's properties (after "__class"), as
 * entries_value writes them; always inline, so that each kind has its own loop. */
static inline __attribute__((always_inline)) int entries(struct ig *g, uint64_t count, int prop)
{
	size_t base = g->keys.n, items = 0;
	int list = 0;
	for (uint64_t n = 0; n < count; n++) {
		int kt = next_type(g);
		if (kt == IGB_NULL)
			continue;	/* a skipped entry: no value follows */
		if (member(g, kt, prop, &list, items++) || value(g))
			return -1;
	}
	if (prop || items)
		buf_addc(g->out, list ? ']' : '}');
	else
		buf_add(g->out, "[]", 2);
	g->depth--;
	return fast_keys_close(&g->keys, g->out, base) ? -1 : 0;
}

/* The entries after an array8/16/32 byte t: an array's, or with cls an object's properties
 * as {"__class": C, ...}. */
static __attribute__((noinline)) int entries_value(struct ig *g, int t, const struct ig_str *cls)
{
	uint64_t count;
	/* Each entry takes at least one byte, as igbinary.c checks. */
	if (read_uint(g, igb_width((unsigned)t, IGB_ARRAY8), &count) || count > g->len - g->pos ||
	    ++g->depth > FAST_MAX_DEPTH)
		return -1;
	if (!cls)
		return entries(g, count, 0);
	open_class(g, cls);
	return entries(g, count, 1);
}

/* An object (plain or __serialize(), Serializable, enum case) after its type byte t. */
static __attribute__((noinline)) int object_value(struct ig *g, int t)
{
	struct ig_str cls, s;
	uint64_t n;
	int r = t >= IGB_OBJECT_ID8 ? read_id(g, igb_width((unsigned)t, IGB_OBJECT_ID8), &cls) :
		read_chars(g, igb_width((unsigned)t, IGB_OBJECT8), &cls);
	/* the tree keeps the class name as a C string */
	if (r || find_byte(cls.ptr, '\0', cls.len))
		return -1;
	int inner = next_type(g);
	if (inner >= IGB_ARRAY8 && inner <= IGB_ARRAY32)
		return entries_value(g, inner, &cls);
	if (inner >= IGB_OBJECT_SER8 && inner <= IGB_OBJECT_SER32) {
		if (read_uint(g, igb_width((unsigned)inner, IGB_OBJECT_SER8), &n) ||
		    n > g->len - g->pos)
			return -1;
		fast_put_named(g->out, cls.ptr, cls.len, "__serialized",
			       (const char *)g->buf + g->pos, (size_t)n);
		g->pos += (size_t)n;
		return 0;
	}
	if (inner != IGB_ENUM_CASE)
		return -1;
	/* the case name: any string but the empty one, or an object id */
	int c = next_type(g);
	r = c >= IGB_OBJECT_ID8 && c <= IGB_OBJECT_ID32 ?
	    read_id(g, igb_width((unsigned)c, IGB_OBJECT_ID8), &s) :
	    c == IGB_STRING_EMPTY ? -1 : read_string(g, c, &s);
	if (r)
		return -1;
	fast_put_named(g->out, cls.ptr, cls.len, "__case", s.ptr, s.len);
	return 0;
}

/* A string value after its type byte t. */
static __attribute__((noinline)) int string_value(struct ig *g, int t)
{
	struct ig_str s;
	if (read_string(g, t, &s) || fast_maybe_encrypted(g->scheme, g->cipher, s.ptr, s.len))
		return -1;
	put_text(g, &s);
	return 0;
}

/* An integer value; one of a byte (below 256 either way) written here. */
static __attribute__((noinline)) int long_value(struct ig *g, int t)
{
	int64_t i;
	if ((t == IGB_LONG8P || t == IGB_LONG8N) && g->pos < g->len) {
		struct buf *out = g->out;
		unsigned u = g->buf[g->pos++];
		buf_room(out, 4);
		char *o = out->ptr + out->len;
		if (t == IGB_LONG8N && u)
			*o++ = '-';
		if (u >= 100)
			*o++ = (char)('0' + u / 100);
		if (u >= 10)
			*o++ = (char)('0' + u / 10 % 10);
		*o++ = (char)('0' + u % 10);
		*o = '\0';
		out->len = (size_t)(o - out->ptr);
		return 0;
	}
	if (read_long(g, t, &i))
		return -1;
	json_write_int(g->out, i);
	return 0;
}

/* A double, null, false or true after its type byte t; -1 for other types. */
static __attribute__((noinline)) int other_value(struct ig *g, int t)
{
	uint64_t u;
	double d;
	switch (t) {
	case IGB_NULL:
		buf_add(g->out, "null", 4);
		return 0;
	case IGB_FALSE:
		buf_add(g->out, "false", 5);
		return 0;
	case IGB_TRUE:
		buf_add(g->out, "true", 4);
		return 0;
	case IGB_DOUBLE:
		if (read_uint(g, 8, &u))
			return -1;
		memcpy(&d, &u, sizeof(d));
		json_write_float(g->out, d);
		return 0;
	default:
		return -1;	/* references and anything else: the tree path */
	}
}

/* The kinds of value apart, so that this, which every value passes through, ends in tail
 * calls and keeps no stack frame. */
static int value(struct ig *g)
{
	if (++g->nodes > FAST_MAX_NODES)
		return -1;
	int t = next_type(g);
	switch (t) {
	case IGB_LONG8P: case IGB_LONG8N: case IGB_LONG16P: case IGB_LONG16N:
	case IGB_LONG32P: case IGB_LONG32N: case IGB_LONG64P: case IGB_LONG64N:
		return long_value(g, t);
	case IGB_STRING_EMPTY: case IGB_STRING_ID8: case IGB_STRING_ID16: case IGB_STRING_ID32:
	case IGB_STRING8: case IGB_STRING16: case IGB_STRING32: case IGB_STRING64:
		return string_value(g, t);
	case IGB_ARRAY8: case IGB_ARRAY16: case IGB_ARRAY32:
		return entries_value(g, t, NULL);
	case IGB_OBJECT8: case IGB_OBJECT16: case IGB_OBJECT32:
	case IGB_OBJECT_ID8: case IGB_OBJECT_ID16: case IGB_OBJECT_ID32:
		return object_value(g, t);
	default:
		return other_value(g, t);
	}
}

int igbinary_fast_json(const char *buf, size_t len, enum crypt_scheme scheme, const char *cipher,
		       struct buf *out)
{
	/* the header (version 1 or 2), then the array sess_decode requires */
	if (len < 5 || buf[0] || buf[1] || buf[2] || (buf[3] != 1 && buf[3] != 2) ||
	    buf[4] < IGB_ARRAY8 || buf[4] > IGB_ARRAY32)
		return -1;
	struct ig g;	/* field by field: an initializer would clear the two small arrays */
	g.buf = (const unsigned char *)buf;
	g.len = len;
	g.pos = 4;
	g.out = out;
	g.scheme = scheme;
	g.cipher = cipher;
	g.nodes = 0;
	g.depth = 0;
	g.strings = g.small;
	g.n_strings = 0;
	g.cap_strings = SMALL_STRINGS;
	fast_keys_init(&g.keys);
	size_t mark = out->len;
	int rc = value(&g) || g.pos != len ? -1 : 0;
	fast_keys_release(&g.keys);
	if (g.strings != g.small)
		free(g.strings);
	if (rc)
		fast_decline(out, mark);
	return rc;
}
