/* dumpline.c: parsing dump lines (see dumpline.h). */
#include "dumpline.h"
#include "codec/base64.h"
#include "mc/metadump.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void dump_entry_init(struct dump_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->exp = -1;
}

void dump_entry_release(struct dump_entry *e)
{
	buf_release(&e->key);
	buf_release(&e->value);
	buf_release(&e->scratch);
	dump_entry_init(e);
}

/* Empties e for the next line, keeping its buffers' memory. */
static void entry_reset(struct dump_entry *e)
{
	struct buf key = e->key, value = e->value, scratch = e->scratch;
	buf_reset(&key);
	buf_reset(&value);
	dump_entry_init(e);
	e->key = key;
	e->value = value;
	e->scratch = scratch;
}

/* Reads bytes from member name (a string) or name_b64 (base64) into out. */
static int get_bytes(json_t *o, const char *name, struct buf *out, char **cause)
{
	char b64name[64];
	snprintf(b64name, sizeof(b64name), "%s_b64", name);
	json_t *plain = json_object_get(o, name), *enc = json_object_get(o, b64name);
	if (plain && enc) {
		*cause = xasprintf("both \"%s\" and \"%s\" given", name, b64name);
		return -1;
	}
	if (!plain && !enc) {
		*cause = xasprintf("no \"%s\" (or \"%s\")", name, b64name);
		return -1;
	}
	json_t *v = plain ? plain : enc;
	if (!json_is_string(v)) {
		*cause = xasprintf("\"%s\" is not a string", plain ? name : b64name);
		return -1;
	}
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (plain) {
		buf_reset(out);
		buf_add(out, s, n);
		return 0;
	}
	if (base64_decode(s, n, out) != 0) {
		*cause = xasprintf("\"%s\" is not valid base64", b64name);
		return -1;
	}
	return 0;
}

/* Reads an optional integer member in [lo, hi]; null counts as absent. Returns 1 found, 0 absent,
 * -1 malformed. */
static int get_int(json_t *o, const char *name, json_int_t lo, json_int_t hi, json_int_t *out,
		   char **cause)
{
	json_t *v = json_object_get(o, name);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		*cause = xasprintf("\"%s\" must be an integer from %lld to %lld", name,
				   (long long)lo, (long long)hi);
		return -1;
	}
	*out = json_integer_value(v);
	return 1;
}

/* Fills the metadata fields of e from o. */
static int get_meta(json_t *o, struct dump_entry *e, char **cause)
{
	json_int_t v;
	int r;
	if ((r = get_int(o, "flags", 0, UINT32_MAX, &v, cause)) < 0)
		return -1;
	e->flags = r ? (uint32_t)v : 0;
	if ((r = get_int(o, "expiry", 0, INT64_MAX, &v, cause)) < 0)
		return -1;
	e->exp = r ? v : -1;
	if ((r = get_int(o, "cas", 0, INT64_MAX, &v, cause)) < 0)
		return -1;
	e->cas = r ? (uint64_t)v : 0;
	json_t *s = json_object_get(o, "server");
	if (s && (!json_is_string(s) || json_string_length(s) >= sizeof(e->server))) {
		*cause = xstrdup("\"server\" must be a server name");
		return -1;
	}
	if (s)
		snprintf(e->server, sizeof(e->server), "%s", json_string_value(s));
	e->locked = json_is_true(json_object_get(o, "locked"));
	e->misplaced = json_object_get(o, "php_server") != NULL;
	return 0;
}

/* ---- the fast path: a compact line of strings, integers, true, false and null ---- */

/* Anything else (whitespace, nesting, reals, long integers, doubtful escapes, repeated or
 * unusual member names, bad values) gives up, and jansson reads the line. */
struct lexer {
	const char *p, *end;
};

static int lex_hex4(struct lexer *l, uint32_t *cp)
{
	*cp = 0;
	for (int i = 0; i < 4; i++, l->p++) {
		int c = l->p < l->end ? (unsigned char)*l->p : -1;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		*cp = *cp << 4 | (uint32_t)d;
	}
	return 0;
}

/* Appends code point cp as UTF-8 (out has room: see lex_string). */
static void put_utf8(struct buf *out, uint32_t cp)
{
	char u[4];
	size_t n = 0;
	if (cp < 0x80) {
		u[n++] = (char)cp;
	} else if (cp < 0x800) {
		u[n++] = (char)(0xc0 | cp >> 6);
	} else if (cp < 0x10000) {
		u[n++] = (char)(0xe0 | cp >> 12);
	} else {
		u[n++] = (char)(0xf0 | cp >> 18);
		u[n++] = (char)(0x80 | (cp >> 12 & 0x3f));
	}
	if (cp >= 0x800)
		u[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
	if (cp >= 0x80)
		u[n++] = (char)(0x80 | (cp & 0x3f));
	memcpy(out->ptr + out->len, u, n);
	out->len += n;
}

/* One escape, after its backslash. */
static int lex_escape(struct lexer *l, struct buf *out)
{
	char c = l->p < l->end ? *l->p++ : '\0', plain;
	uint32_t cp, lo;
	switch (c) {
	case '"': case '\\': case '/': plain = c; break;
	case 'b': plain = '\b'; break;
	case 'f': plain = '\f'; break;
	case 'n': plain = '\n'; break;
	case 'r': plain = '\r'; break;
	case 't': plain = '\t'; break;
	default: plain = 0; break;
	}
	if (plain) {
		out->ptr[out->len++] = plain;
		return 0;
	}
	if (c != 'u' || lex_hex4(l, &cp) < 0 || (cp >= 0xdc00 && cp <= 0xdfff))
		return -1;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (l->end - l->p < 2 || l->p[0] != '\\' || l->p[1] != 'u')
			return -1;
		l->p += 2;
		if (lex_hex4(l, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
			return -1;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	put_utf8(out, cp);
	return 0;
}

/* Copies the bytes from l->p that a JSON string holds as they are (no '"', '\\', control
 * byte) to o, eight at a time while it can (o has room for 8 more than it keeps); returns the
 * end of the copy. */
static char *copy_plain(struct lexer *l, char *o)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (l->end - l->p >= 8) {
		uint64_t w;
		memcpy(&w, l->p, 8);
		memcpy(o, &w, 8);
		uint64_t m = json_special(w);
		size_t k = m ? (size_t)(__builtin_ctzll(m) >> 3) : 8;
		o += k;
		l->p += k;
		if (m)
			return o;
	}
#endif
	while (l->p < l->end && *l->p != '"' && *l->p != '\\' && (unsigned char)*l->p >= 0x20)
		*o++ = *l->p++;
	return o;
}

/* A string, its bytes into out (reset first); they must be UTF-8, as jansson wants. */
static int lex_string(struct lexer *l, struct buf *out)
{
	buf_reset(out);
	buf_grow(out, (size_t)(l->end - l->p) + 8);	/* escapes only shrink */
	if (l->p >= l->end || *l->p++ != '"')
		return -1;
	for (;;) {
		out->len = (size_t)(copy_plain(l, out->ptr + out->len) - out->ptr);
		if (l->p >= l->end || (unsigned char)*l->p < 0x20)
			return -1;
		if (*l->p++ == '"') {
			out->ptr[out->len] = '\0';
			return utf8_valid(out->ptr, out->len) ? 0 : -1;
		}
		if (lex_escape(l, out) < 0)
			return -1;
	}
}

enum { LEX_STRING, LEX_INT, LEX_TRUE, LEX_OTHER };

static int lex_literal(struct lexer *l, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(l->end - l->p) < n || memcmp(l->p, word, n) != 0)
		return 0;
	l->p += n;
	return 1;
}

/* An integer of at most 18 digits (no overflow), without leading zeros, fraction or exponent. */
static int lex_int(struct lexer *l, int64_t *out)
{
	int neg = l->p < l->end && *l->p == '-';
	const char *start = l->p += neg;
	int64_t v = 0;
	while (l->p < l->end && *l->p >= '0' && *l->p <= '9' && l->p - start < 18)
		v = v * 10 + (*l->p++ - '0');
	size_t n = (size_t)(l->p - start);
	if (n == 0 || (n > 1 && *start == '0'))
		return -1;
	if (l->p < l->end && strchr(".eE0123456789", *l->p))
		return -1;
	*out = neg ? -v : v;
	return 0;
}

/* A scalar value: returns its LEX_ kind (string bytes in s, integer in *i), or -1. */
static int lex_value(struct lexer *l, struct buf *s, int64_t *i)
{
	if (l->p >= l->end)
		return -1;
	if (*l->p == '"')
		return lex_string(l, s) == 0 ? LEX_STRING : -1;
	if (*l->p == '-' || (*l->p >= '0' && *l->p <= '9'))
		return lex_int(l, i) == 0 ? LEX_INT : -1;
	if (lex_literal(l, "true"))
		return LEX_TRUE;
	return lex_literal(l, "false") || lex_literal(l, "null") ? LEX_OTHER : -1;
}

/* ---- members the entry does not keep ("data"): checked as jansson would, and skipped ---- */

#define SKIP_MAX_DEPTH 32
#define SKIP_MAX_NAMES 64

static int skip_value(struct lexer *l, struct buf *s, int depth);

/* A number jansson reads without complaint: lex_int's integers, or digits '.' digits (no
 * exponent, at most 30 digits each side: no overflow, no underflow). */
static int skip_number(struct lexer *l)
{
	const char *start = l->p;
	int64_t v;
	if (lex_int(l, &v) == 0)
		return 0;
	l->p = start + (start < l->end && *start == '-');
	const char *digits = l->p;
	while (l->p < l->end && *l->p >= '0' && *l->p <= '9')
		l->p++;
	size_t whole = (size_t)(l->p - digits);
	if (!whole || whole > 30 || (whole > 1 && *digits == '0') || l->p >= l->end || *l->p++ != '.')
		return -1;
	const char *frac = l->p;
	while (l->p < l->end && *l->p >= '0' && *l->p <= '9')
		l->p++;
	size_t n = (size_t)(l->p - frac);
	if (!n || n > 30 || (l->p < l->end && (*l->p == 'e' || *l->p == 'E')))
		return -1;
	return 0;
}

/* {"name":value,...}: names without escapes, none repeated (JSON_REJECT_DUPLICATES). */
static int skip_object(struct lexer *l, struct buf *s, int depth)
{
	const char *names[SKIP_MAX_NAMES];
	size_t lens[SKIP_MAX_NAMES], n = 0;
	if (++l->p < l->end && *l->p == '}')
		return l->p++, 0;
	for (;;) {
		const char *name = l->p + 1;
		if (n == SKIP_MAX_NAMES || lex_string(l, s) < 0)
			return -1;
		size_t len = (size_t)(l->p - 1 - name);
		if (memchr(name, '\\', len))
			return -1;
		for (size_t i = 0; i < n; i++)
			if (lens[i] == len && memcmp(names[i], name, len) == 0)
				return -1;
		names[n] = name;
		lens[n++] = len;
		if (l->p >= l->end || *l->p++ != ':' || skip_value(l, s, depth + 1) < 0)
			return -1;
		if (l->p < l->end && *l->p == '}')
			return l->p++, 0;
		if (l->p >= l->end || *l->p++ != ',')
			return -1;
	}
}

static int skip_array(struct lexer *l, struct buf *s, int depth)
{
	if (++l->p < l->end && *l->p == ']')
		return l->p++, 0;
	for (;;) {
		if (skip_value(l, s, depth + 1) < 0)
			return -1;
		if (l->p < l->end && *l->p == ']')
			return l->p++, 0;
		if (l->p >= l->end || *l->p++ != ',')
			return -1;
	}
}

/* Any compact JSON value; -1 (the line goes to jansson) for what it is not sure of. */
static int skip_value(struct lexer *l, struct buf *s, int depth)
{
	if (depth > SKIP_MAX_DEPTH || l->p >= l->end)
		return -1;
	switch (*l->p) {
	case '{': return skip_object(l, s, depth);
	case '[': return skip_array(l, s, depth);
	case '"': return lex_string(l, s);
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9': return skip_number(l);
	default: break;
	}
	return lex_literal(l, "true") || lex_literal(l, "false") || lex_literal(l, "null") ? 0 : -1;
}

/* What the fast path found; the key and value go straight into the entry. */
struct fast_line {
	const char *names[32];	/* member names so far (raw: no escapes), for repeats */
	size_t name_len[32];
	size_t n_names;
	unsigned have;		/* FOUND_ bits */
};
enum { FOUND_KEY = 1, FOUND_KEY_B64 = 2, FOUND_VALUE = 4, FOUND_VALUE_B64 = 8 };

/* A member name: printable ASCII without escapes, not seen before. */
static int lex_name(struct lexer *l, struct fast_line *f, const char **name, size_t *len)
{
	if (l->p >= l->end || *l->p++ != '"' || f->n_names == 32)
		return -1;
	*name = l->p;
	while (l->p < l->end && *l->p != '"' && *l->p != '\\' && *l->p >= 0x20 && *l->p < 0x7f)
		l->p++;
	*len = (size_t)(l->p - *name);
	if (l->p + 1 >= l->end || *l->p != '"' || l->p[1] != ':')
		return -1;
	l->p += 2;
	for (size_t i = 0; i < f->n_names; i++)
		if (f->name_len[i] == *len && memcmp(f->names[i], *name, *len) == 0)
			return -1;
	f->names[f->n_names] = *name;
	f->name_len[f->n_names++] = *len;
	return 0;
}

static int is_name(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(name, want, len) == 0;
}

/* Bytes member: "name" as is, or "name_b64" decoded, into out. */
static int take_bytes(struct lexer *l, struct buf *out, int b64, struct buf *s)
{
	if (lex_value(l, b64 ? s : out, &(int64_t){ 0 }) != LEX_STRING)
		return -1;
	return b64 ? (base64_decode(s->ptr, s->len, out) == 0 ? 0 : -1) : 0;
}

/* An optional integer member in [0, hi] (null: absent, *out left). */
static int take_int(struct lexer *l, int64_t hi, int64_t *out, struct buf *s)
{
	int64_t v;
	const char *at = l->p;
	int kind = lex_value(l, s, &v);
	if (kind == LEX_OTHER && l->p - at == 4 && at[0] == 'n')
		return 0;
	if (kind != LEX_INT || v < 0 || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* One member's value, stored in e when it is one the entry keeps. */
static int take_member(struct lexer *l, const char *name, size_t len, struct fast_line *f,
		       struct dump_entry *e, struct buf *s)
{
	static const char *const bytes[] = { "key", "key_b64", "value", "value_b64" };
	int64_t v = 0;
	for (unsigned i = 0; i < 4; i++) {
		if (is_name(name, len, bytes[i])) {
			f->have |= 1u << i;
			return take_bytes(l, i < 2 ? &e->key : &e->value, i % 2, s);
		}
	}
	if (is_name(name, len, "flags")) {
		int r = take_int(l, UINT32_MAX, &v, s);
		e->flags = (uint32_t)v;
		return r;
	}
	if (is_name(name, len, "expiry"))
		return take_int(l, INT64_MAX, &e->exp, s);
	if (is_name(name, len, "cas")) {
		int r = take_int(l, INT64_MAX, &v, s);
		e->cas = (uint64_t)v;
		return r;
	}
	int kind;
	if (l->p < l->end && (*l->p == '{' || *l->p == '['))	/* "data" and the like */
		kind = skip_value(l, s, 0) == 0 ? LEX_OTHER : -1;
	else
		kind = lex_value(l, s, &v);
	if (is_name(name, len, "server")) {
		if (kind != LEX_STRING || s->len >= sizeof(e->server))
			return -1;
		snprintf(e->server, sizeof(e->server), "%s", s->ptr);
	}
	if (is_name(name, len, "locked"))
		e->locked = kind == LEX_TRUE;
	if (is_name(name, len, "php_server"))
		e->misplaced = 1;
	return kind < 0 ? -1 : 0;
}

/* Reads the line as dumpline_parse_json would, or returns -1 when it cannot be sure. */
static int fast_parse(const char *line, size_t len, struct dump_entry *e)
{
	struct lexer l = { line, line + len };
	struct fast_line f = { .n_names = 0 };
	struct buf *s = &e->scratch;
	int r = len > 2 && line[0] == '{' && line[len - 1] == '}' ? 0 : -1;
	l.p++;
	while (r == 0) {
		const char *name;
		size_t n;
		r = lex_name(&l, &f, &name, &n);
		if (r == 0)
			r = take_member(&l, name, n, &f, e, s);
		if (r == 0 && l.p < l.end && *l.p == '}' && l.p + 1 == l.end)
			break;
		if (r == 0 && (l.p >= l.end || *l.p++ != ','))
			r = -1;
	}
	unsigned keys = f.have & (FOUND_KEY | FOUND_KEY_B64), values = f.have & (FOUND_VALUE | FOUND_VALUE_B64);
	if (r == 0 && (keys == 0 || keys == (FOUND_KEY | FOUND_KEY_B64) || values == 0 ||
		       values == (FOUND_VALUE | FOUND_VALUE_B64) || e->key.len == 0 ||
		       e->key.len > MC_MAX_KEY))
		r = -1;
	return r;
}

int dumpline_parse_fast(const char *line, size_t len, struct dump_entry *e)
{
	entry_reset(e);
	return fast_parse(line, len, e);
}

int dumpline_parse(const char *line, size_t len, struct dump_entry *e, char **cause)
{
	entry_reset(e);
	if (fast_parse(line, len, e) == 0)
		return 0;
	return dumpline_parse_json(line, len, e, cause);
}

int dumpline_parse_json(const char *line, size_t len, struct dump_entry *e, char **cause)
{
	json_error_t jerr;
	entry_reset(e);
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!o) {
		*cause = xasprintf("not JSON at byte %d: %s", jerr.position, jerr.text);
		return -1;
	}
	int ret = -1;
	if (!json_is_object(o))
		*cause = xstrdup("not a JSON object");
	else if (get_bytes(o, "key", &e->key, cause) == 0 &&
		 get_bytes(o, "value", &e->value, cause) == 0 && get_meta(o, e, cause) == 0)
		ret = 0;
	if (ret == 0 && (e->key.len == 0 || e->key.len > MC_MAX_KEY)) {
		*cause = xasprintf("key of %zu bytes (memcached keys are 1 to %d bytes)", e->key.len,
				   MC_MAX_KEY);
		ret = -1;
	}
	json_decref(o);
	return ret;
}

enum { READ_CHUNKS = 1, READ_BYTES };
#define READ_AHEAD 65536

/* Skips the rest of an over-long line. */
static void skip_line(FILE *f)
{
	int ch;
	while ((ch = getc_unlocked(f)) != EOF && ch != '\n')
		;
}

/* Makes room in r->buf for n bytes; -1 past DUMP_MAX_LINE. */
static int line_room(struct dump_reader *r, size_t n)
{
	if (n < r->cap)
		return 0;
	if (n >= DUMP_MAX_LINE)
		return -1;
	while (r->cap <= n)
		r->cap = r->cap ? r->cap * 2 : 4096;
	r->buf = xrealloc(r->buf, r->cap);
	return 0;
}

/* Reads one line into r->buf byte by byte (a terminal: each line is handled as it is typed);
 * returns its length, -1 at the end, -2 on error, -3 too long. */
static long read_bytes(struct dump_reader *r)
{
	size_t n = 0;
	int ch;
	while ((ch = getc_unlocked(r->f)) != EOF) {
		if (ch == '\n')
			break;
		if (line_room(r, n + 1) < 0) {
			skip_line(r->f);
			return -3;
		}
		r->buf[n++] = (char)ch;
	}
	if (ch == EOF && ferror(r->f))
		return -2;
	if (ch == EOF && n == 0)
		return -1;
	return (long)n;
}

/* Reads ahead into r->in; returns the bytes there (0 at the end or on error). */
static size_t refill(struct dump_reader *r)
{
	if (!r->in)
		r->in = xmalloc(READ_AHEAD);
	r->in_pos = 0;
	r->in_len = fread(r->in, 1, READ_AHEAD, r->f);
	r->got += r->in_len;
	return r->in_len;
}

/* Takes the bytes up to the next newline (and it) from the read-ahead; *nl says whether the
 * line ended there. Returns where they start; *n gets how many (newline left out). */
static const char *take_run(struct dump_reader *r, size_t *n, int *nl)
{
	const char *start = r->in + r->in_pos;
	const char *end = memchr(start, '\n', r->in_len - r->in_pos);
	*nl = end != NULL;
	*n = end ? (size_t)(end - start) : r->in_len - r->in_pos;
	r->in_pos += *n + (size_t)*nl;
	return start;
}

/* Skips to the end of the line through the read-ahead. */
static void skip_chunks(struct dump_reader *r)
{
	size_t n;
	int nl = 0;
	while (!nl && (r->in_pos < r->in_len || refill(r)))
		take_run(r, &n, &nl);
}

/* Reads one line with large reads; *line points at it (in the read-ahead when it lies whole
 * there, else in r->buf). Returns its length, -1 at the end, -2 on error, -3 too long. */
static long read_chunks(struct dump_reader *r, const char **line)
{
	size_t n = 0, k;
	int nl = 0, spilled = 0;
	while (!nl) {
		if (r->in_pos == r->in_len && !refill(r)) {
			if (ferror(r->f))
				return -2;
			if (!spilled)
				return -1;
			break;
		}
		const char *run = take_run(r, &k, &nl);
		if (nl && !spilled) {
			*line = run;
			return (long)k;
		}
		if (line_room(r, n + k) < 0) {
			if (!nl)
				skip_chunks(r);
			return -3;
		}
		memcpy(r->buf + n, run, k);
		n += k;
		spilled = 1;
	}
	*line = r->buf;
	return (long)n;
}

/* One line, without its newline or a trailing CR. */
static long read_line(struct dump_reader *r, const char **line)
{
	if (!r->mode) {
		int fd = fileno(r->f);
		r->mode = fd >= 0 && isatty(fd) ? READ_BYTES : READ_CHUNKS;
	}
	long n;
	if (r->mode == READ_BYTES) {
		n = read_bytes(r);
		*line = r->buf;
	} else {
		n = read_chunks(r, line);
	}
	if (n > 0 && (*line)[n - 1] == '\r')
		n--;
	return n;
}

int dump_reader_next(struct dump_reader *r, struct dump_entry *e, char **cause)
{
	for (;;) {
		const char *line = NULL;
		long n = read_line(r, &line);
		if (n == -1)
			return 0;
		r->line++;
		if (n == -2) {
			*cause = xasprintf("%s: read error at line %zu", r->name, r->line);
			return -2;
		}
		if (n == -3) {
			*cause = xasprintf("%s: line %zu: longer than %u bytes", r->name, r->line,
					   DUMP_MAX_LINE);
			return -1;
		}
		if (n == 0)
			continue;
		char *inner = NULL;
		if (dumpline_parse(line, (size_t)n, e, &inner) == 0)
			return 1;
		*cause = xasprintf("%s: line %zu: %s", r->name, r->line, inner);
		free(inner);
		return -1;
	}
}

uint64_t dump_reader_offset(const struct dump_reader *r)
{
	return r->got - (r->in_len - r->in_pos);
}

void dump_reader_release(struct dump_reader *r)
{
	free(r->in);
	r->in = NULL;
	r->in_pos = r->in_len = 0;
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}
