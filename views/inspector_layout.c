/* inspector_layout.c: the session the inspector shows, as lines for the window's width: where
 * it lives and its metadata, then its decoded data as a tree whose arrays and objects fold.
 * Long strings wrap; bytes that are not UTF-8 are shown as hex. Formatting only: no I/O. */
#include "inspector_layout.h"
#include "php/value.h"
#include "php/value_text.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEX_MAX_LINES 256	/* hex lines shown of one binary string */
#define TEXT_MAX_LINES 400	/* wrapped lines shown of one long string */
#define OPEN_DEPTH 4		/* containers deeper than this start folded */
#define OPEN_ITEMS 100		/* ... and so do bigger ones */

void inspect_lines_clear(struct inspect *s)
{
	for (size_t i = 0; i < s->n_lines; i++)
		free(s->lines[i].text);
	s->n_lines = 0;
}

struct layout {
	struct top *t;
	struct inspect *s;
	int width;
};

static struct line *add_line(struct inspect *s, enum line_kind kind, int depth,
			     const struct pv *node, char *text)
{
	if (s->n_lines == s->cap_lines) {
		s->cap_lines = s->cap_lines ? s->cap_lines * 2 : 64;
		s->lines = xrealloc(s->lines, s->cap_lines * sizeof(*s->lines));
	}
	struct line *l = &s->lines[s->n_lines++];
	l->kind = kind;
	l->depth = depth;
	l->node = node;
	l->text = text;
	return l;
}

static void add_text_line(struct inspect *s, enum line_kind kind, int depth, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add_text_line(struct inspect *s, enum line_kind kind, int depth, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	add_line(s, kind, depth, NULL, buf_detach(&b, NULL));
}

static int is_container(const struct pv *v)
{
	return v && (v->type == PV_ARRAY || v->type == PV_OBJECT) && v->n_items > 0;
}

int inspect_is_open(const struct inspect *s, const struct pv *v, int depth)
{
	int open = s->all ? s->all > 0 : depth < OPEN_DEPTH && v->n_items <= OPEN_ITEMS;
	for (size_t i = 0; i < s->n_toggled; i++)
		if (s->toggled[i] == v)
			return !open;
	return open;
}

/* Appends the escaped text of a UTF-8 string (controls as \n, \t, \xNN). */
static void add_escaped_text(struct buf *out, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\n')
			buf_adds(out, "\\n");
		else if (c == '\t')
			buf_adds(out, "\\t");
		else if (c == '"' || c == '\\')
			buf_printf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			buf_printf(out, "\\x%02x", c);
		else
			buf_addc(out, (char)c);
	}
}

/* Splits text into lines of at most cols columns (on character boundaries). */
static void add_wrapped(struct layout *L, const char *head, const char *text, int depth)
{
	int indent = depth * 2 + 4, cols = L->width - indent;
	struct buf line = BUF_INIT;
	buf_adds(&line, head);
	const char *p = text;
	int first = 1, n_lines = 0;
	cols = cols < 16 ? 16 : cols;
	while (*p || first) {
		int room = first ? L->width - depth * 2 - ui_width(head) : cols;
		const char *q = p;
		int used = 0;
		while (*q && used < (room < 8 ? 8 : room)) {
			const char *next = q + 1;
			while ((*next & 0xc0) == 0x80)
				next++;
			char tmp[8] = { 0 };
			memcpy(tmp, q, (size_t)(next - q) < 7 ? (size_t)(next - q) : 7);
			used += ui_width(tmp);
			q = next;
		}
		buf_add(&line, p, (size_t)(q - p));
		if (++n_lines > TEXT_MAX_LINES) {
			add_text_line(L->s, L_NOTE, depth + 2, "... %zu more bytes", strlen(p));
			break;
		}
		add_line(L->s, first ? L_ENTRY : L_CONT, first ? depth : depth + 2, NULL,
			 buf_detach(&line, NULL));
		first = 0;
		p = q;
	}
	buf_release(&line);
}

/* Hex dump lines of binary bytes: offset, hex, and the printable ASCII. */
static void add_hex(struct layout *L, const unsigned char *p, size_t n, int depth)
{
	int per = L->width - depth * 2 - 4 >= 76 ? 16 : 8;
	size_t lines = 0;
	for (size_t off = 0; off < n; off += (size_t)per) {
		if (++lines > HEX_MAX_LINES) {
			add_text_line(L->s, L_NOTE, depth + 2, "... %zu more bytes", n - off);
			return;
		}
		struct buf b = BUF_INIT;
		buf_printf(&b, "%04zx ", off);
		for (int k = 0; k < per; k++) {
			if (off + (size_t)k < n)
				buf_printf(&b, " %02x", p[off + (size_t)k]);
			else
				buf_adds(&b, "   ");
		}
		buf_adds(&b, "  |");
		for (int k = 0; k < per && off + (size_t)k < n; k++) {
			unsigned char c = p[off + (size_t)k];
			buf_addc(&b, c >= 0x20 && c < 0x7f ? (char)c : '.');
		}
		buf_addc(&b, '|');
		add_line(L->s, L_CONT, depth + 2, NULL, buf_detach(&b, NULL));
	}
}

/* The key part of an entry: visibility sign, name, declaring class. */
static void add_key(struct buf *b, const struct pv_entry *e)
{
	const struct pv *k = e->key;
	if (e->vis == PV_PRIVATE)
		buf_addc(b, '-');
	else if (e->vis == PV_PROTECTED)
		buf_addc(b, '*');
	if (k->type == PV_INT)
		buf_printf(b, "%" PRId64, k->u.i);
	else if (utf8_valid(k->u.str.ptr, k->u.str.len))
		add_escaped_text(b, k->u.str.ptr, k->u.str.len);
	else
		buf_add_escaped(b, k->u.str.ptr, k->u.str.len);
	if (e->vis == PV_PRIVATE)
		buf_printf(b, " (private %s)", e->decl_class ? e->decl_class : "");
	else if (e->vis == PV_PROTECTED)
		buf_adds(b, " (protected)");
	buf_adds(b, ": ");
}

/* A float as PHP shows it: the shortest digits that read back, whole numbers with ".0". */
static void add_double(struct buf *b, double d)
{
	char tmp[40];
	if (isnan(d) || isinf(d)) {
		buf_adds(b, isnan(d) ? "NAN" : d > 0 ? "INF" : "-INF");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*G", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	buf_adds(b, tmp);
	if (!strpbrk(tmp, ".E"))
		buf_adds(b, ".0");
}

/* The summary after "key: " for values that are not strings. */
static void add_summary(struct buf *b, const struct pv *v)
{
	const char *cls = v->class_name ? v->class_name : "";
	const struct pv *t;
	switch (v->type) {
	case PV_NULL: buf_adds(b, "null"); break;
	case PV_BOOL: buf_adds(b, v->u.b ? "bool true" : "bool false"); break;
	case PV_INT: buf_printf(b, "int %" PRId64, v->u.i); break;
	case PV_FLOAT: buf_adds(b, "float "); add_double(b, v->u.d); break;
	case PV_ARRAY: buf_printf(b, "array(%zu)", v->n_items); break;
	case PV_OBJECT: buf_printf(b, "object(%s) (%zu)", cls, v->n_items); break;
	case PV_ENUM: buf_printf(b, "enum %s::%s", cls, v->u.str.ptr); break;
	case PV_REF:
		t = pv_deref(v);
		buf_printf(b, "%sref #%u", v->hard ? "&" : "", t ? t->slot : 0);
		if (t && t->type == PV_OBJECT)
			buf_printf(b, " (object %s)", t->class_name ? t->class_name : "");
		else if (t && t->type == PV_ARRAY)
			buf_printf(b, " (array(%zu))", t->n_items);
		break;
	default: break;
	}
	if (v->shared)
		buf_printf(b, " #%u", v->slot);
	pv_add_crypt_mark(b, v);
}

static void layout_entries(struct layout *L, const struct pv *v, int depth);

/* One entry: its line(s), then its children when open. */
static void layout_entry(struct layout *L, const struct pv_entry *e, int depth)
{
	const struct pv *v = e->value;
	struct buf head = BUF_INIT;
	int cont = is_container(v);
	int open = cont && inspect_is_open(L->s, v, depth);
	buf_printf(&head, "%s ", ui_glyph(L->t, cont ? (open ? GLYPH_OPEN : GLYPH_CLOSED) : GLYPH_LEAF));
	add_key(&head, e);
	if (v->type == PV_STRING || v->type == PV_CUSTOM) {
		const char *p = v->u.str.ptr;
		size_t n = v->u.str.len;
		if (v->type == PV_CUSTOM)
			buf_printf(&head, "custom(%s) ", v->class_name ? v->class_name : "");
		buf_printf(&head, "string(%zu) ", n);
		if (utf8_valid(p, n)) {
			struct buf text = BUF_INIT;
			buf_addc(&text, '"');
			add_escaped_text(&text, p, n);
			buf_addc(&text, '"');
			pv_add_crypt_mark(&text, v);
			add_wrapped(L, head.ptr, text.ptr, depth);
			buf_release(&text);
		} else {
			buf_adds(&head, "binary");
			pv_add_crypt_mark(&head, v);
			buf_adds(&head, ", hex:");
			add_line(L->s, L_ENTRY, depth, NULL, buf_detach(&head, NULL));
			add_hex(L, (const unsigned char *)p, n, depth);
		}
		buf_release(&head);
		return;
	}
	add_summary(&head, v);
	add_line(L->s, L_ENTRY, depth, cont ? v : NULL, buf_detach(&head, NULL));
	if (open)
		layout_entries(L, v, depth + 1);
}

static void layout_entries(struct layout *L, const struct pv *v, int depth)
{
	for (size_t i = 0; i < v->n_items; i++)
		layout_entry(L, &v->items[i], depth);
}

/* The metadata lines: live TTL and idle time from the fetch. */
static void layout_meta(struct layout *L, const struct fetch *f)
{
	struct inspect *s = L->s;
	const struct pool *p = L->t->pool;
	char a[48], b[48];
	size_t home = pool_home(p, f->sid, strlen(f->sid));
	add_text_line(s, L_META, 0, "session      %s", f->sid);
	add_text_line(s, L_META, 0, "key          %s%s", p->prefix, f->sid);
	if (home == f->server)
		add_text_line(s, L_META, 0, "server       %s (where %s reads it)",
			      p->servers[f->server].name, L->t->reader);
	else
		add_text_line(s, L_ERROR, 0, "server       %s (misplaced: %s reads %s)",
			      p->servers[f->server].name, L->t->reader, p->servers[home].name);
	if (f->r != 1)
		return;
	int64_t exp = f->rep.ttl < 0 ? -1 : (int64_t)f->at + f->rep.ttl;
	fmt_duration(exp < 0 ? -1 : exp > L->t->now ? exp - L->t->now : 0, a, sizeof(a));
	fmt_time(exp, b, sizeof(b));
	add_text_line(s, L_META, 0, "ttl          %s%s%s%s", a, exp >= 0 ? " (expires " : "",
		      exp >= 0 ? b : "", exp >= 0 ? ")" : "");
	fmt_duration(f->rep.idle < 0 ? -1 : f->rep.idle + (L->t->now - f->at), a, sizeof(a));
	add_text_line(s, L_META, 0, "idle         %s", f->rep.idle < 0 ? "unknown" : a);
	add_text_line(s, L_META, 0, "size         %zu bytes, flags %u, cas %" PRIu64, f->value.len,
		      f->rep.flags, f->rep.cas);
	fmt_duration(f->lock_ttl, a, sizeof(a));
	if (f->locked == 1)
		add_text_line(s, L_META, 0, "lock         held (expires: %s)", a);
	else
		add_text_line(s, L_META, 0, "lock         %s", f->locked == 0 ? "none" : "unknown");
	add_text_line(s, L_META, 0, "handler      %s", session_handler(&s->info));
	const struct decode_info *d = &s->info;
	if (d->compression != COMPRESS_NONE)
		add_text_line(s, L_META, 0, "compression  %s", compress_name(d->compression));
	if (d->key_index)
		add_text_line(s, L_META, 0, "encryption   %s %s, opened with key %d",
			      crypt_scheme_name(d->scheme), d->cipher, d->key_index);
	if (d->inner_found)
		add_text_line(s, d->inner_failed ? L_ERROR : L_META, 0, "encrypted    %zu value%s "
			      "inside, %zu decrypted%s%s", d->inner_found, d->inner_found == 1 ? "" : "s",
			      d->inner_decrypted, d->inner_failed ? "; cannot decrypt " : "",
			      d->inner_error);
}

void inspect_layout(struct top *t, struct inspect *s, int width)
{
	struct layout L = { t, s, width };
	const struct fetch *f = s->f;
	inspect_lines_clear(s);
	if (!f)
		return;
	if (!fetch_done(f)) {
		add_text_line(s, L_NOTE, 0, "fetching session %s from %s...", f->sid,
			      t->pool->servers[f->server].name);
		return;
	}
	layout_meta(&L, f);
	if (f->r < 0) {
		add_text_line(s, L_ERROR, 0, "%s", f->cause ? f->cause : "failed");
		return;
	}
	if (f->r == 0) {
		add_text_line(s, L_ERROR, 0, "not found: the session is not on this server (expired, "
			      "deleted, or never written); PHP starts an empty session for this id");
		return;
	}
	if (!s->root) {
		struct buf why = BUF_INIT;
		session_describe(&s->info, &why);
		add_text_line(s, L_ERROR, 0, "data         %s", why.ptr ? why.ptr : "cannot decode");
		buf_release(&why);
		add_hex(&L, (const unsigned char *)f->value.ptr, f->value.len, -1);
		return;
	}
	add_text_line(s, L_META, 0, "data%s", s->root->n_items ? "" : "         (empty)");
	if (s->root->type == PV_ARRAY)
		layout_entries(&L, s->root, 1);
}
