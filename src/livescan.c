/* livescan.c: a session walk on a background thread (see livescan.h). */
#include "livescan.h"
#include "php/value.h"
#include "session_decode.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREVIEW_MAX 160		/* bytes of preview kept per session */
#define PREVIEW_STRING 40	/* bytes of a string shown in a preview */

struct livescan {
	const struct pool *p;
	const struct decode_opts *o;
	char *field;
	void (*wake)(void *);
	void *wake_arg;
	pthread_t tid;
	int started;
	volatile sig_atomic_t cancel;
	int done;		/* atomic */
	int pending;		/* a wake is outstanding (atomic) */
	struct scan_server *res;
	pthread_mutex_t lock;
	/* under lock: */
	struct live_row *rows;
	size_t n, cap;
	size_t seen;
};

void live_row_release(struct live_row *r)
{
	free(r->sid);
	free(r->preview);
	r->sid = r->preview = NULL;
}

/* The shortest %g form of d that reads back as d. */
static void add_double(struct buf *out, double d)
{
	char tmp[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	buf_adds(out, tmp);
}

/* A string cut to PREVIEW_STRING bytes (on a character boundary), quoted, controls escaped;
 * bytes that are not UTF-8 as bin(N). */
static void add_short_string(struct buf *out, const char *s, size_t len)
{
	if (!utf8_valid(s, len)) {
		buf_printf(out, "bin(%zu)", len);
		return;
	}
	size_t show = len > PREVIEW_STRING ? PREVIEW_STRING : len;
	while (show < len && show > 0 && ((unsigned char)s[show] & 0xc0) == 0x80)
		show--;
	buf_addc(out, '"');
	for (size_t i = 0; i < show; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			buf_printf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			buf_printf(out, "\\x%02x", c);
		else
			buf_addc(out, (char)c);
	}
	buf_adds(out, show < len ? "\"..." : "\"");
}

static void add_short(struct buf *out, const struct pv *v)
{
	const char *cls = v->class_name ? v->class_name : "";
	switch (v->type) {
	case PV_NULL: buf_adds(out, "null"); break;
	case PV_BOOL: buf_adds(out, v->u.b ? "true" : "false"); break;
	case PV_INT: buf_printf(out, "%" PRId64, v->u.i); break;
	case PV_FLOAT: add_double(out, v->u.d); break;
	case PV_STRING:
		if (v->encrypted)	/* an envelope left closed: its base64 says nothing */
			buf_printf(out, "(encrypted %s)", crypt_scheme_name(v->encrypted));
		else
			add_short_string(out, v->u.str.ptr, v->u.str.len);
		break;
	case PV_ARRAY: buf_printf(out, "[%zu]", v->n_items); break;
	case PV_OBJECT: buf_printf(out, "%s{%zu}", cls, v->n_items); break;
	case PV_CUSTOM: buf_printf(out, "%s{...}", cls); break;
	case PV_ENUM: buf_printf(out, "%s::%s", cls, v->u.str.ptr); break;
	case PV_REF: buf_printf(out, "&%u", v->target ? v->target->slot : 0); break;
	}
}

void live_preview(const struct pv *root, size_t max, struct buf *out)
{
	if (root->type != PV_ARRAY) {
		add_short(out, root);
		return;
	}
	if (root->n_items == 0)
		buf_adds(out, "(empty)");
	for (size_t i = 0; i < root->n_items; i++) {
		if (out->len >= max) {
			buf_adds(out, " ...");
			return;
		}
		const struct pv *k = root->items[i].key;
		if (i)
			buf_addc(out, ' ');
		if (k->type == PV_INT)
			buf_printf(out, "%" PRId64, k->u.i);
		else
			buf_add_escaped(out, k->u.str.ptr, k->u.str.len);
		buf_addc(out, '=');
		add_short(out, root->items[i].value);
	}
}

/* The text a scalar is matched as; NULL for arrays and objects. */
static const char *match_text(const struct pv *v, struct buf *tmp)
{
	switch (v->type) {
	case PV_NULL: return "null";
	case PV_BOOL: return v->u.b ? "true" : "false";
	case PV_INT: buf_printf(tmp, "%" PRId64, v->u.i); return tmp->ptr;
	case PV_FLOAT: add_double(tmp, v->u.d); return tmp->ptr;
	case PV_STRING: return v->u.str.ptr;
	case PV_ENUM: return v->u.str.ptr;
	default: return NULL;
	}
}

int live_field_match(const struct pv *root, const char *expr)
{
	const char *eq = strchr(expr, '=');
	char *path = eq ? xstrndup(expr, (size_t)(eq - expr)) : xstrdup(expr);
	const struct pv *v = *path ? pv_lookup(root, path) : NULL;
	free(path);
	if (!v || !eq)
		return v != NULL;
	struct buf tmp = BUF_INIT;
	const char *text = match_text(v, &tmp);
	int ok = text && fnmatch(eq + 1, text, 0) == 0;
	buf_release(&tmp);
	return ok;
}

/* Builds the row of r (which matches) with its preview. */
static void make_row(const struct sess_rec *r, const struct pv *v, const struct decode_info *d,
		     struct live_row *w)
{
	struct buf pre = BUF_INIT;
	if (v) {
		live_preview(v, PREVIEW_MAX, &pre);
	} else {
		buf_addc(&pre, '(');
		session_describe(d, &pre);
		buf_addc(&pre, ')');
	}
	w->sid = xstrndup(r->sid, r->sid_len);
	w->preview = buf_detach(&pre, NULL);
	w->server = r->server;
	w->home = r->home;
	w->size = (int64_t)r->value_len;
	w->exp = r->exp;
	w->la = r->la;
	w->handler = session_handler(d);
}

/* Scan callback: decode, filter, queue the row. */
static int on_rec(const struct sess_rec *r, void *arg)
{
	struct livescan *ls = arg;
	struct decode_info d;
	struct pv *v = session_decode(r, ls->o, &d);
	int keep = !ls->field || (v && live_field_match(v, ls->field));
	struct live_row w;
	if (keep)
		make_row(r, v, &d, &w);
	pv_free(v);
	pthread_mutex_lock(&ls->lock);
	ls->seen++;
	if (keep) {
		if (ls->n == ls->cap) {
			ls->cap = ls->cap ? ls->cap * 2 : 256;
			ls->rows = xrealloc(ls->rows, ls->cap * sizeof(*ls->rows));
		}
		ls->rows[ls->n++] = w;
	}
	pthread_mutex_unlock(&ls->lock);
	if (keep && ls->wake && !__atomic_exchange_n(&ls->pending, 1, __ATOMIC_ACQ_REL))
		ls->wake(ls->wake_arg);
	return 0;
}

static void *run(void *arg)
{
	struct livescan *ls = arg;
	struct scan_opts so = { .values = 1, .meta = 1, .cancel = &ls->cancel };
	scan_pool(ls->p, &so, on_rec, ls, ls->res);
	__atomic_store_n(&ls->done, 1, __ATOMIC_RELEASE);
	if (ls->wake)
		ls->wake(ls->wake_arg);
	return NULL;
}

struct livescan *livescan_start(const struct pool *p, const struct decode_opts *o,
				const char *field, void (*wake)(void *), void *wake_arg)
{
	struct livescan *ls = xcalloc(1, sizeof(*ls));
	ls->p = p;
	ls->o = o;
	ls->field = field ? xstrdup(field) : NULL;
	ls->wake = wake;
	ls->wake_arg = wake_arg;
	ls->res = xcalloc(p->n, sizeof(*ls->res));
	pthread_mutex_init(&ls->lock, NULL);
	ls->started = pthread_create(&ls->tid, NULL, run, ls) == 0;
	if (!ls->started)
		run(ls);
	return ls;
}

size_t livescan_take(struct livescan *ls, struct live_row **rows, size_t *n, size_t *cap)
{
	__atomic_store_n(&ls->pending, 0, __ATOMIC_RELEASE);
	pthread_mutex_lock(&ls->lock);
	size_t k = ls->n;
	if (*n + k > *cap) {
		*cap = *n + k > *cap * 2 ? *n + k : *cap * 2;
		*rows = xrealloc(*rows, *cap * sizeof(**rows));
	}
	if (k)
		memcpy(*rows + *n, ls->rows, k * sizeof(**rows));
	*n += k;
	ls->n = 0;
	pthread_mutex_unlock(&ls->lock);
	return k;
}

size_t livescan_seen(struct livescan *ls)
{
	pthread_mutex_lock(&ls->lock);
	size_t n = ls->seen;
	pthread_mutex_unlock(&ls->lock);
	return n;
}

int livescan_done(struct livescan *ls, const struct scan_server **res)
{
	int done = __atomic_load_n(&ls->done, __ATOMIC_ACQUIRE);
	if (res)
		*res = done ? ls->res : NULL;
	return done;
}

void livescan_cancel(struct livescan *ls)
{
	ls->cancel = 1;
}

void livescan_free(struct livescan *ls)
{
	if (!ls)
		return;
	ls->cancel = 1;
	if (ls->started)
		pthread_join(ls->tid, NULL);
	for (size_t i = 0; i < ls->n; i++)
		live_row_release(&ls->rows[i]);
	free(ls->rows);
	scan_server_release(ls->res, ls->p->n);
	free(ls->res);
	free(ls->field);
	pthread_mutex_destroy(&ls->lock);
	free(ls);
}
