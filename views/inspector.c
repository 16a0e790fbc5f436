/* inspector.c: one session: where it lives, its metadata, and its decoded data as a tree
 * whose arrays and objects fold and unfold. Long strings wrap; bytes that are not UTF-8 are
 * shown as hex. The session is fetched on a background thread. */
#include "views.h"
#include "mc/meta.h"
#include "session_decode.h"
#include "php/value.h"
#include "php/value_text.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEX_MAX_LINES 256	/* hex lines shown of one binary string */
#define TEXT_MAX_LINES 400	/* wrapped lines shown of one long string */
#define OPEN_DEPTH 4		/* containers deeper than this start folded */
#define OPEN_ITEMS 100		/* ... and so do bigger ones */

/* One fetch of a session (and its lock) from the network. */
struct fetch {
	const struct pool *pool;
	char *sid;
	size_t server;
	void (*wake)(void *);
	void *wake_arg;
	pthread_t tid;
	int started;
	int done;		/* atomic */
	int r;			/* 1 found, 0 not found, -1 failed (cause) */
	struct mg_reply rep;
	struct buf value;
	char *cause;
	int locked;		/* 1, 0, -1 unknown */
	int64_t lock_ttl;
	time_t at;
};

enum line_kind { L_META, L_ENTRY, L_CONT, L_NOTE, L_ERROR };

struct line {
	enum line_kind kind;
	int depth;
	const struct pv *node;	/* the container this line folds; NULL if none */
	char *text;
};

struct inspect {
	struct fetch *f;		/* the shown one */
	struct fetch **old;		/* superseded fetches still running */
	size_t n_old;
	struct pv *root;
	int decoded;			/* root (or info's reason) is from the shown fetch */
	struct decode_info info;
	int all;			/* 1 everything open, -1 everything folded, 0 default */
	const struct pv **toggled;	/* containers flipped from the default */
	size_t n_toggled, cap_toggled;
	struct line *lines;		/* from the last draw */
	size_t n_lines, cap_lines;
	size_t cur, top;
	int rows_shown;
	char *find;
	unsigned results_gen;
};

static int tcp_ask(struct fetch *f, size_t server, const char *key, size_t len, int value,
		   struct mg_reply *rep, struct buf *out)
{
	struct conn c;
	char *cause = NULL;
	int r = conn_open(&c, &f->pool->servers[server], f->pool->timeout_ms, &cause);
	if (r == 0)
		r = meta_get(&c, key, len, value, rep, out, &cause);
	if (c.fd >= 0 || r == 0)
		conn_close(&c);
	if (r < 0 && !f->cause)
		f->cause = cause;
	else
		free(cause);
	return r;
}

static void *fetch_run(void *arg)
{
	struct fetch *f = arg;
	const struct pool *p = f->pool;
	struct buf key = BUF_INIT, lock = BUF_INIT;
	struct mg_reply lr;
	buf_printf(&key, "%s%s", p->prefix, f->sid);
	f->locked = -1;
	f->r = tcp_ask(f, f->server, key.ptr, key.len, 1, &f->rep, &f->value);
	if (f->r == 0)
		f->r = f->rep.found;
	buf_printf(&lock, "lock.%s", f->sid);
	size_t home = pool_home(p, lock.ptr, lock.len);
	buf_reset(&key);
	buf_printf(&key, "%slock.%s", p->prefix, f->sid);
	if (f->r == 1 && tcp_ask(f, home, key.ptr, key.len, 0, &lr, NULL) == 0) {
		f->locked = lr.found;
		f->lock_ttl = lr.ttl;
	}
	f->at = time(NULL);
	buf_release(&key);
	buf_release(&lock);
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
	if (f->wake)
		f->wake(f->wake_arg);
	return NULL;
}

static struct fetch *fetch_start(struct top *t, const char *sid, size_t server)
{
	struct fetch *f = xcalloc(1, sizeof(*f));
	f->pool = t->pool;
	f->sid = xstrdup(sid);
	f->server = server;
	f->wake = t->wake;
	f->wake_arg = t->wake_arg;
	f->started = pthread_create(&f->tid, NULL, fetch_run, f) == 0;
	if (!f->started)
		fetch_run(f);
	return f;
}

static void fetch_free(struct fetch *f)
{
	if (!f)
		return;
	if (f->started)
		pthread_join(f->tid, NULL);
	free(f->sid);
	free(f->cause);
	buf_release(&f->value);
	free(f);
}

static int fetch_done(const struct fetch *f)
{
	return __atomic_load_n(&f->done, __ATOMIC_ACQUIRE);
}

static void lines_clear(struct inspect *s)
{
	for (size_t i = 0; i < s->n_lines; i++)
		free(s->lines[i].text);
	s->n_lines = 0;
}

static void *inspect_init(struct top *t)
{
	struct inspect *s = xcalloc(1, sizeof(*s));
	s->results_gen = t->results_gen;
	return s;
}

static void inspect_release(struct top *t, void *st)
{
	struct inspect *s = st;
	(void)t;
	fetch_free(s->f);
	for (size_t i = 0; i < s->n_old; i++)
		fetch_free(s->old[i]);
	free(s->old);
	pv_free(s->root);
	lines_clear(s);
	free(s->lines);
	free(s->toggled);
	free(s->find);
	free(s);
}

/* Fetches (again) the session the inspector shows, keeping a running fetch until it ends. */
static void refetch(struct top *t, struct inspect *s, const char *sid, size_t server)
{
	struct fetch *f = fetch_start(t, sid, server);
	if (s->f && !fetch_done(s->f)) {
		s->old = xrealloc(s->old, (s->n_old + 1) * sizeof(*s->old));
		s->old[s->n_old++] = s->f;
	} else {
		fetch_free(s->f);
	}
	s->f = f;
	pv_free(s->root);
	s->root = NULL;
	s->decoded = 0;
}

/* A new session to show: folds and position start over. */
static void open_new(struct top *t, struct inspect *s)
{
	t->insp_new = 0;
	refetch(t, s, t->insp_sid, t->insp_server);
	s->all = 0;
	s->n_toggled = 0;
	s->cur = s->top = 0;
}

/* Finished actions on this session: fetch it again to show what they did. */
static int take_results(struct top *t, struct inspect *s)
{
	if (s->results_gen == t->results_gen)
		return 0;
	s->results_gen = t->results_gen;
	for (size_t k = 0; s->f && k < t->n_results; k++)
		if (t->results[k].server == s->f->server && strcmp(t->results[k].sid, s->f->sid) == 0) {
			char *sid = xstrdup(s->f->sid);
			refetch(t, s, sid, s->f->server);
			free(sid);
			return 1;
		}
	return 0;
}

static int inspect_update(struct top *t, void *st)
{
	struct inspect *s = st;
	int changed = 0;
	if (t->insp_new && t->insp_sid) {
		open_new(t, s);
		changed = 1;
	}
	changed |= take_results(t, s);
	size_t k = 0;
	for (size_t i = 0; i < s->n_old; i++) {
		if (fetch_done(s->old[i]))
			fetch_free(s->old[i]);
		else
			s->old[k++] = s->old[i];
	}
	s->n_old = k;
	if (s->f && fetch_done(s->f) && !s->decoded && s->f->r == 1) {
		s->decoded = 1;
		s->root = session_decode_value(s->f->value.ptr ? s->f->value.ptr : "",
						s->f->value.len, s->f->rep.flags, t->dopts, &s->info);
		changed = 1;
	}
	return changed;
}

/* ---- layout: the tree as lines for a given width ---- */

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

static int is_open(const struct inspect *s, const struct pv *v, int depth)
{
	int open = s->all ? s->all > 0 : depth < OPEN_DEPTH && v->n_items <= OPEN_ITEMS;
	for (size_t i = 0; i < s->n_toggled; i++)
		if (s->toggled[i] == v)
			return !open;
	return open;
}

static void toggle(struct inspect *s, const struct pv *v)
{
	for (size_t i = 0; i < s->n_toggled; i++)
		if (s->toggled[i] == v) {
			s->toggled[i] = s->toggled[--s->n_toggled];
			return;
		}
	if (s->n_toggled == s->cap_toggled) {
		s->cap_toggled = s->cap_toggled ? s->cap_toggled * 2 : 16;
		s->toggled = xrealloc(s->toggled, s->cap_toggled * sizeof(*s->toggled));
	}
	s->toggled[s->n_toggled++] = v;
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
	int open = cont && is_open(L->s, v, depth);
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

/* Rebuilds every line for width (called from draw: formatting only). */
static void layout(struct top *t, struct inspect *s, int width)
{
	struct layout L = { t, s, width };
	const struct fetch *f = s->f;
	lines_clear(s);
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

static void inspect_draw(struct top *t, void *st, WINDOW *w)
{
	struct inspect *s = st;
	int h = getmaxy(w), cols = getmaxx(w);
	layout(t, s, cols);
	s->rows_shown = h > 1 ? h : 1;
	size_t rows = (size_t)s->rows_shown;
	if (s->cur >= s->n_lines)
		s->cur = s->n_lines ? s->n_lines - 1 : 0;
	if (s->top + rows > s->n_lines)	/* a shorter tree fills the screen again */
		s->top = s->n_lines > rows ? s->n_lines - rows : 0;
	if (s->cur < s->top)
		s->top = s->cur;
	if (s->cur >= s->top + rows)
		s->top = s->cur - rows + 1;
	for (size_t k = s->top; k < s->n_lines && k < s->top + rows; k++) {
		const struct line *l = &s->lines[k];
		attr_t a = l->kind == L_ERROR ? ui_attr(t, UI_ERROR) : l->kind == L_NOTE ?
			   ui_attr(t, UI_DIM) : 0;
		if (k == s->cur)
			a |= ui_attr(t, UI_SEL);
		wattrset(w, a);
		int indent = l->depth > 0 ? l->depth * 2 : 0;
		ui_cell(w, (int)(k - s->top), 0, "", indent, 0);
		ui_cell(w, (int)(k - s->top), indent, l->text, cols - indent, 0);
	}
	wattrset(w, A_NORMAL);
}

/* Moves to the next line (after the cursor, wrapping) that contains the search text. */
static void find_next(struct top *t, struct inspect *s)
{
	for (size_t k = 1; s->find && k <= s->n_lines; k++) {
		size_t i = (s->cur + k) % s->n_lines;
		if (strcasestr(s->lines[i].text, s->find)) {
			s->cur = i;
			return;
		}
	}
	if (s->find)
		top_status(t, 1, "'%s' not found", s->find);
}

static void got_find(struct top *t, int ok, const char *text, void *arg)
{
	struct inspect *s = t->state[VIEW_INSPECT];
	(void)arg;
	if (!ok || !*text)
		return;
	free(s->find);
	s->find = xstrdup(text);
	find_next(t, s);
}

/* The container of the cursor line (or of the entry it continues). */
static const struct pv *cursor_node(const struct inspect *s)
{
	return s->cur < s->n_lines ? s->lines[s->cur].node : NULL;
}

static void fold_key(struct inspect *s, int ch)
{
	const struct pv *v = cursor_node(s);
	int depth = s->cur < s->n_lines ? s->lines[s->cur].depth : 0;
	if (v && (ch != KEY_RIGHT || !is_open(s, v, depth)) && (ch != KEY_LEFT || is_open(s, v, depth))) {
		toggle(s, v);
		return;
	}
	if (ch == KEY_LEFT)	/* to the parent line */
		for (size_t k = s->cur; k-- > 0;)
			if (s->lines[k].kind == L_ENTRY && s->lines[k].depth < s->lines[s->cur].depth) {
				s->cur = k;
				return;
			}
}

static void act(struct top *t, struct inspect *s, int expire)
{
	if (!s->f)
		return;
	struct act_target tg = { s->f->sid, s->f->server };
	if (expire)
		act_expire(t, &tg, 1);
	else
		act_touch(t, &tg, 1);
}

static unsigned inspect_key(struct top *t, void *st, int ch)
{
	struct inspect *s = st;
	long page = s->rows_shown > 1 ? s->rows_shown - 1 : 1;
	if (ui_cursor_key(ch, &s->cur, s->n_lines, page))
		return TOP_REDRAW;
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER: case ' ': case KEY_RIGHT: case KEY_LEFT:
		fold_key(s, ch);
		break;
	case '+': case '*': s->all = 1; s->n_toggled = 0; break;
	case '-': s->all = -1; s->n_toggled = 0; break;
	case '/': prompt_ask(t, 0, got_find, NULL, "find: "); break;
	case 'n': find_next(t, s); break;
	case 'R': case KEY_F(5):
		if (s->f) {
			char *sid = xstrdup(s->f->sid);
			refetch(t, s, sid, s->f->server);
			free(sid);
		}
		break;
	case 'x': case KEY_DC: act(t, s, 1); break;
	case 't': act(t, s, 0); break;
	case 'e':
		if (s->f) {
			char *sid = xstrdup(s->f->sid);
			size_t server = s->f->server;
			view_edit_session(t, sid);
			refetch(t, s, sid, server);
			free(sid);
		}
		break;
	default: return TOP_IGNORED;
	}
	return TOP_REDRAW;
}

static void inspect_click(struct top *t, void *st, int y)
{
	struct inspect *s = st;
	(void)t;
	if (y >= 0 && s->top + (size_t)y < s->n_lines)
		s->cur = s->top + (size_t)y;
}

const struct view view_inspect = {
	.name = "session",
	.init = inspect_init,
	.release = inspect_release,
	.update = inspect_update,
	.draw = inspect_draw,
	.key = inspect_key,
	.click = inspect_click,
};
