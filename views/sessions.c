/* sessions.c: the session list. Rows stream in from a background walk (livescan.h) and are
 * merged into the sorted, filtered view as they come, so a big pool never freezes the screen.
 * The sid glob and the server filter apply to the rows already here; a decoded-field filter
 * needs the data, so it walks the pool again with the filter. */
#include "views.h"
#include "livescan.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sort_key { SORT_FOUND, SORT_SID, SORT_TTL, SORT_SIZE, SORT_IDLE, SORT_SERVER, SORT_N };
static const char *const sort_names[SORT_N] = { "found", "sid", "ttl", "size", "idle", "server" };

/* While a walk runs, new rows are merged into a sorted view at most this often (a merge
 * costs a pass over the view); in the order found they are appended at once. */
#define MERGE_GAP 0.5

#define FLAG_MARKED 0x1
#define FLAG_GONE 0x2

struct sessions {
	struct livescan *scan;
	struct livescan **retired;	/* cancelled walks still winding down */
	size_t n_retired;
	int paused;		/* we asked the poller not to count */
	double started, ended;	/* stats_now() of the walk's start and end (0 running) */
	struct live_row *rows;
	unsigned char *flags;
	size_t n, cap;
	size_t *view;		/* indexes of rows shown, in order */
	size_t nview, capview;
	size_t merged;		/* rows[0..merged) have been through the filter */
	double merged_at;	/* stats_now() of the last merge */
	int sort, reverse;
	char *glob;		/* sid filter (fnmatch) or NULL */
	char *field;		/* decoded-field filter "path=pattern" or NULL */
	long server;		/* only this server; -1 all */
	size_t cur, top;
	int rows_shown;
	size_t marked;
	size_t gone;		/* rows expired from here */
	unsigned results_gen;
	int want_rebuild;
};

static void rows_clear(struct sessions *s)
{
	for (size_t i = 0; i < s->n; i++)
		live_row_release(&s->rows[i]);
	s->n = s->merged = s->nview = s->marked = s->gone = 0;
	s->cur = s->top = 0;
}

/* Starts a new walk, retiring the one running. */
static void scan_start(struct top *t, struct sessions *s)
{
	if (s->scan) {
		livescan_cancel(s->scan);
		s->retired = xrealloc(s->retired, (s->n_retired + 1) * sizeof(*s->retired));
		s->retired[s->n_retired++] = s->scan;
	}
	rows_clear(s);
	s->scan = livescan_start(t->pool, t->dopts, s->field, t->wake, t->wake_arg);
	s->started = stats_now();
	s->ended = 0;
}

static void *sessions_init(struct top *t)
{
	struct sessions *s = xcalloc(1, sizeof(*s));
	s->server = -1;
	s->results_gen = t->results_gen;
	return s;
}

static void sessions_release(struct top *t, void *st)
{
	struct sessions *s = st;
	(void)t;
	if (s->scan)
		livescan_cancel(s->scan);
	for (size_t i = 0; i < s->n_retired; i++)
		livescan_cancel(s->retired[i]);
	livescan_free(s->scan);
	for (size_t i = 0; i < s->n_retired; i++)
		livescan_free(s->retired[i]);
	rows_clear(s);
	free(s->retired);
	free(s->rows);
	free(s->flags);
	free(s->view);
	free(s->glob);
	free(s->field);
	free(s);
}

/* Orders rows i and j by the chosen key; ties by the order found. */
static int row_cmp(const void *a, const void *b, void *arg)
{
	const struct sessions *s = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct live_row *x = &s->rows[i], *y = &s->rows[j];
	int c = 0;
	switch (s->sort) {
	case SORT_SID: c = strcmp(x->sid, y->sid); break;
	case SORT_TTL: {
		int64_t ex = x->exp < 0 ? INT64_MAX : x->exp, ey = y->exp < 0 ? INT64_MAX : y->exp;
		c = (ex > ey) - (ex < ey);
		break;
	}
	case SORT_SIZE: c = (x->size < y->size) - (x->size > y->size); break;
	case SORT_IDLE: c = (x->la < y->la) - (x->la > y->la); break;
	case SORT_SERVER: c = (x->server > y->server) - (x->server < y->server); break;
	default: break;
	}
	if (s->reverse)
		c = -c;
	return c ? c : (i > j) - (i < j);
}

static int row_shown(const struct sessions *s, size_t i)
{
	const struct live_row *r = &s->rows[i];
	if (s->flags[i] & FLAG_GONE)
		return 0;
	if (s->server >= 0 && r->server != (size_t)s->server)
		return 0;
	return !s->glob || fnmatch(s->glob, r->sid, 0) == 0;
}

/* Merges the rows not yet filtered into the sorted view. The selected session stays selected
 * and where it was on the screen, unless the cursor is on the first row (it stays there). */
static void view_merge(struct sessions *s)
{
	size_t keep = s->cur > 0 && s->cur < s->nview ? s->cur : (size_t)-1;
	size_t k = 0, *add = xmalloc((s->n - s->merged + 1) * sizeof(*add));
	for (size_t i = s->merged; i < s->n; i++)
		if (row_shown(s, i))
			add[k++] = i;
	s->merged = s->n;
	qsort_r(add, k, sizeof(*add), row_cmp, s);
	size_t total = s->nview + k;
	if (total > s->capview) {
		s->capview = total * 2;
		s->view = xrealloc(s->view, s->capview * sizeof(*s->view));
	}
	/* merge from the back, in place */
	size_t a = s->nview, b = k, o = total;
	while (b > 0) {
		if (a > 0 && row_cmp(&s->view[a - 1], &add[b - 1], s) > 0) {
			s->view[--o] = s->view[--a];
			if (a == keep) {
				s->top += o - a;
				s->cur = o;
			}
		} else {
			s->view[--o] = add[--b];
		}
	}
	s->nview = total;
	free(add);
}

/* Rebuilds the view from scratch, keeping the selected row selected. */
static void view_rebuild(struct sessions *s)
{
	size_t keep = s->cur < s->nview ? s->view[s->cur] : (size_t)-1;
	s->merged = 0;
	s->nview = 0;
	view_merge(s);
	for (size_t i = 0; i < s->nview && keep != (size_t)-1; i++)
		if (s->view[i] == keep)
			s->cur = i;	/* else the cursor stays where it was */
	s->want_rebuild = 0;
}

/* Applies finished actions: expired rows leave, touched rows get their new expiry. */
static int take_results(struct top *t, struct sessions *s)
{
	if (s->results_gen == t->results_gen)
		return 0;
	s->results_gen = t->results_gen;
	for (size_t k = 0; k < t->n_results; k++) {
		const struct act_result *r = &t->results[k];
		for (size_t i = 0; i < s->n; i++) {
			if (s->rows[i].server != r->server || strcmp(s->rows[i].sid, r->sid) != 0)
				continue;
			if (r->deleted && !(s->flags[i] & FLAG_GONE)) {
				s->marked -= (s->flags[i] & FLAG_MARKED) != 0;
				s->flags[i] = FLAG_GONE;
				s->gone++;
			} else if (r->touched) {
				s->rows[i].exp = r->exp;
			}
		}
	}
	s->want_rebuild = 1;
	return 1;
}

/* Retires finished walks, and lets the poller count again when no walk runs. */
static void scans_tidy(struct top *t, struct sessions *s)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n_retired; i++) {
		if (livescan_done(s->retired[i], NULL))
			livescan_free(s->retired[i]);
		else
			s->retired[k++] = s->retired[i];
	}
	s->n_retired = k;
	int running = k > 0 || (s->scan && !livescan_done(s->scan, NULL));
	if (running != s->paused) {
		poller_pause_count(t->poller, running);
		s->paused = running;
	}
}

/* When a full walk ends, its per-server session counts are as good as a count pass. */
static void walk_ended(struct top *t, struct sessions *s)
{
	const struct scan_server *res;
	if (s->ended || !s->scan || !livescan_done(s->scan, &res))
		return;
	s->ended = stats_now();
	for (size_t i = 0; i < t->pool->n && !s->field; i++)
		if (!res[i].failed && res[i].method != ENUM_CACHEDUMP)
			poller_set_sessions(t->poller, i, res[i].sessions);
}

static int sessions_update(struct top *t, void *st)
{
	struct sessions *s = st;
	int changed = 0;
	if (t->list_server_set) {
		t->list_server_set = 0;
		s->server = t->list_server;
		s->want_rebuild = 1;
	}
	if (!s->scan)
		scan_start(t, s);
	size_t before = s->n;
	if (livescan_take(s->scan, &s->rows, &s->n, &s->cap) || s->n != before) {
		s->flags = xrealloc(s->flags, s->cap ? s->cap : 1);
		memset(s->flags + before, 0, s->n - before);
		changed = 1;
	}
	changed |= take_results(t, s);
	if (!s->ended && livescan_done(s->scan, NULL)) {
		walk_ended(t, s);
		changed = 1;
	}
	scans_tidy(t, s);
	if (s->want_rebuild) {
		view_rebuild(s);
		s->merged_at = t->mono;
	} else if (s->merged < s->n && (s->sort == SORT_FOUND || s->ended ||
					t->mono - s->merged_at >= MERGE_GAP)) {
		view_merge(s);
		s->merged_at = t->mono;
	}
	if (s->cur >= s->nview)
		s->cur = s->nview ? s->nview - 1 : 0;
	return changed;
}

/* Column widths chosen to fit; 0 leaves a column out. */
struct widths {
	int sid, server, size, ttl, idle, handler, data;
};

static void fit(const struct top *t, int cols, struct widths *w)
{
	int srv = 6;
	for (size_t i = 0; i < t->pool->n; i++)
		if ((int)strlen(t->pool->servers[i].name) > srv)
			srv = (int)strlen(t->pool->servers[i].name);
	srv = srv > 24 ? 24 : srv;
	w->sid = cols >= 110 ? 32 : 26;
	if (2 + w->sid + 24 > cols)
		w->sid = cols - 26 > 8 ? cols - 26 : 8;
	w->size = w->ttl = w->idle = 7;
	int used = 2 + w->sid + 1 + 3 * 8;
	w->server = used + srv + 1 + 20 <= cols ? srv : 0;
	used += w->server ? w->server + 1 : 0;
	w->handler = used + 14 + 20 <= cols ? 13 : 0;
	used += w->handler ? 14 : 0;
	w->data = cols - used > 0 ? cols - used : 0;
}

static void draw_info(struct top *t, struct sessions *s, WINDOW *w)
{
	struct buf b = BUF_INIT;
	const struct scan_server *res = NULL;
	int done = s->scan && livescan_done(s->scan, &res);
	buf_printf(&b, "%zu shown of %zu", s->nview, s->n - s->gone);
	if (s->field)
		buf_printf(&b, " matching %s (of %zu walked)", s->field, s->scan ? livescan_seen(s->scan) : 0);
	if (done)
		buf_printf(&b, "; walk done in %.1fs", s->ended - s->started);
	else
		buf_printf(&b, "; walking the pool: %zu sessions so far (%.0fs)...",
			   s->scan ? livescan_seen(s->scan) : 0, t->mono - s->started);
	if (s->glob)
		buf_printf(&b, "; sid %s", s->glob);
	if (s->server >= 0)
		buf_printf(&b, "; server %s", t->pool->servers[s->server].name);
	buf_printf(&b, "; sort %s%s", sort_names[s->sort], ui_glyph(t, s->reverse ? GLYPH_DOWN : GLYPH_UP));
	if (s->marked)
		buf_printf(&b, "; %zu marked", s->marked);
	for (size_t i = 0; res && i < t->pool->n; i++)
		if (res[i].failed && res[i].error)
			buf_printf(&b, "; %s", res[i].error);
	ui_cell(w, 0, 0, b.ptr, getmaxx(w), 0);
	buf_release(&b);
}

/* Appends one column (text cut or padded to width) to the line at x. */
static int put(WINDOW *w, int y, int x, const char *s, int width, int right)
{
	if (!width)
		return x;
	ui_cell(w, y, x, s, width, right);
	return x + width + 1;
}

static void draw_head(struct top *t, WINDOW *w, const struct widths *c)
{
	int x = 2;
	wattrset(w, ui_attr(t, UI_HEAD));
	ui_cell(w, 1, 0, "", getmaxx(w), 0);
	x = put(w, 1, x, "SID", c->sid, 0);
	x = put(w, 1, x, "SERVER", c->server, 0);
	x = put(w, 1, x, "SIZE", c->size, 1);
	x = put(w, 1, x, "TTL", c->ttl, 1);
	x = put(w, 1, x, "IDLE", c->idle, 1);
	x = put(w, 1, x, "HANDLER", c->handler, 0);
	put(w, 1, x, "DATA", c->data, 0);
	wattrset(w, A_NORMAL);
}

static void draw_row(struct top *t, struct sessions *s, WINDOW *w, int y, size_t k,
		     const struct widths *c)
{
	size_t i = s->view[k];
	const struct live_row *r = &s->rows[i];
	char size[24], ttl[24] = "never", idle[24] = "-";
	snprintf(size, sizeof(size), "%lld", (long long)r->size);
	if (r->exp >= 0 && r->exp <= t->now)
		snprintf(ttl, sizeof(ttl), "expired");
	else if (r->exp >= 0)
		fmt_duration(r->exp - t->now, ttl, sizeof(ttl));
	if (r->la >= 0)
		fmt_duration(t->now > r->la ? t->now - r->la : 0, idle, sizeof(idle));
	attr_t a = k == s->cur ? ui_attr(t, UI_SEL) : 0;
	if (s->flags[i] & FLAG_MARKED)
		a |= ui_attr(t, UI_MARK);
	wattrset(w, a);
	ui_cell(w, y, 0, s->flags[i] & FLAG_MARKED ? ui_glyph(t, GLYPH_MARK) : " ", 2, 0);
	int x = put(w, y, 2, r->sid, c->sid, 0);
	x = put(w, y, x, t->pool->servers[r->server].name, c->server, 0);
	x = put(w, y, x, size, c->size, 1);
	x = put(w, y, x, ttl, c->ttl, 1);
	x = put(w, y, x, idle, c->idle, 1);
	x = put(w, y, x, r->handler, c->handler, 0);
	if (c->data)
		ui_cell(w, y, x, r->preview, getmaxx(w) - x, 0);
	wattrset(w, A_NORMAL);
}

static void sessions_draw(struct top *t, void *st, WINDOW *w)
{
	struct sessions *s = st;
	struct widths c;
	int h = getmaxy(w);
	fit(t, getmaxx(w), &c);
	draw_info(t, s, w);
	draw_head(t, w, &c);
	s->rows_shown = h - 2 > 1 ? h - 2 : 1;
	size_t rows = (size_t)s->rows_shown;
	if (s->top + rows > s->nview)	/* a shorter list fills the screen again */
		s->top = s->nview > rows ? s->nview - rows : 0;
	if (s->cur < s->top)
		s->top = s->cur;
	if (s->cur >= s->top + rows)
		s->top = s->cur - rows + 1;
	for (size_t k = s->top; k < s->nview && k < s->top + rows; k++)
		draw_row(t, s, w, 2 + (int)(k - s->top), k, &c);
	if (s->nview == 0) {
		wattrset(w, ui_attr(t, UI_DIM));
		ui_cell(w, 2, 2, s->ended ? "no session matches" : "waiting for the first sessions...",
			getmaxx(w) - 2, 0);
		wattrset(w, A_NORMAL);
	}
}

/* The answer to "/": a field filter (has '='), a sid glob, or nothing (clears). */
static void got_filter(struct top *t, int ok, const char *text, void *arg)
{
	struct sessions *s = t->state[VIEW_SESSIONS];
	(void)arg;
	if (!ok)
		return;
	int rescan = s->field != NULL;
	free(s->glob);
	free(s->field);
	s->glob = s->field = NULL;
	if (strchr(text, '=')) {
		s->field = xstrdup(text);
		rescan = 1;
	} else if (*text) {
		s->glob = strpbrk(text, "*?[") ? xstrdup(text) : xasprintf("*%s*", text);
	}
	if (rescan)
		scan_start(t, s);
	s->want_rebuild = 1;
	top_status(t, 0, "%s%s%s", s->field ? "walking the pool again for " : "",
		   s->field ? s->field : s->glob ? "sid filter " : "filter cleared",
		   s->glob ? s->glob : "");
}

/* The sessions an action applies to: the marked ones, else the selected one. Returns new. */
static struct act_target *targets(struct sessions *s, size_t *n)
{
	struct act_target *tg = xcalloc(s->marked ? s->marked : 1, sizeof(*tg));
	*n = 0;
	for (size_t i = 0; i < s->n && s->marked; i++)
		if (s->flags[i] & FLAG_MARKED) {
			tg[*n].sid = s->rows[i].sid;
			tg[(*n)++].server = s->rows[i].server;
		}
	if (!s->marked && s->cur < s->nview) {
		tg[0].sid = s->rows[s->view[s->cur]].sid;
		tg[0].server = s->rows[s->view[s->cur]].server;
		*n = 1;
	}
	return tg;
}

static void act(struct top *t, struct sessions *s, int expire)
{
	size_t n;
	struct act_target *tg = targets(s, &n);
	if (expire)
		act_expire(t, tg, n);
	else
		act_touch(t, tg, n);
	free(tg);
}

static void open_selected(struct top *t, struct sessions *s)
{
	if (s->cur >= s->nview)
		return;
	const struct live_row *r = &s->rows[s->view[s->cur]];
	free(t->insp_sid);
	t->insp_sid = xstrdup(r->sid);
	t->insp_server = r->server;
	t->insp_new = 1;
	top_open(t, VIEW_INSPECT);
}

/* The edit key: the selected session (not the marked ones) in the editor, as the inspector
 * does it (R walks the pool again to show its new size). */
static void edit_selected(struct top *t, struct sessions *s)
{
	if (s->cur >= s->nview)
		return;
	char *sid = xstrdup(s->rows[s->view[s->cur]].sid);
	view_edit_session(t, sid);
	free(sid);
}

static void toggle_mark(struct sessions *s)
{
	if (s->cur >= s->nview)
		return;
	unsigned char *f = &s->flags[s->view[s->cur]];
	*f ^= FLAG_MARKED;
	s->marked += (*f & FLAG_MARKED) ? 1 : (size_t)-1;
	if (s->cur + 1 < s->nview)
		s->cur++;
}

static unsigned sessions_key(struct top *t, void *st, int ch)
{
	struct sessions *s = st;
	long page = s->rows_shown > 1 ? s->rows_shown - 1 : 1;
	if (ui_cursor_key(ch, &s->cur, s->nview, page))
		return TOP_REDRAW;
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER: case KEY_RIGHT: case 'i': open_selected(t, s); break;
	case '/':
		prompt_ask(t, 0, got_filter, NULL, "filter (sid glob, or field=value like "
			   "user_id=12345; empty clears): ");
		break;
	case 's': s->sort = (s->sort + 1) % SORT_N; s->want_rebuild = 1; break;
	case 'r': s->reverse = !s->reverse; s->want_rebuild = 1; break;
	case 'R': case KEY_F(5): scan_start(t, s); break;
	case ' ': toggle_mark(s); break;
	case 'u':
		for (size_t i = 0; i < s->n; i++)
			s->flags[i] &= (unsigned char)~FLAG_MARKED;
		s->marked = 0;
		break;
	case 'x': case KEY_DC: act(t, s, 1); break;
	case 't': act(t, s, 0); break;
	case 'e': edit_selected(t, s); break;
	default: return TOP_IGNORED;
	}
	if (s->want_rebuild)
		view_rebuild(s);
	return TOP_REDRAW;
}

static void sessions_click(struct top *t, void *st, int y)
{
	struct sessions *s = st;
	(void)t;
	if (y >= 2 && s->top + (size_t)(y - 2) < s->nview)
		s->cur = s->top + (size_t)(y - 2);
}

const struct view view_sessions = {
	.name = "sessions",
	.init = sessions_init,
	.release = sessions_release,
	.update = sessions_update,
	.draw = sessions_draw,
	.key = sessions_key,
	.click = sessions_click,
};
