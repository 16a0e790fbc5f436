/* panel.c: the pool panel, memcsess top's first screen: one row per server and a total row,
 * columns chosen by priority to fit the width, sortable by any column. Also its plain-text
 * form for --once. */
#include "views.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum col_id {
	C_SERVER, C_STATE, C_VERSION, C_UPTIME, C_CONN, C_GET, C_SET, C_HIT, C_HITALL, C_MEM,
	C_USED, C_ITEMS, C_SESS, C_EVICT, C_EXP, C_IN, C_OUT, C_HIST, C_COUNT
};

struct col {
	const char *head;
	int width;		/* 0: fitted to the server names; -1: the rest of the line */
	int prio;		/* 0 always shown; higher ones go first when the line is short */
	int right;
};

static const struct col cols[C_COUNT] = {
	[C_SERVER] = { "SERVER", 0, 0, 0 },	[C_STATE] = { "STATE", 7, 0, 0 },
	[C_VERSION] = { "VERSION", 7, 7, 0 },	[C_UPTIME] = { "UPTIME", 6, 5, 1 },
	[C_CONN] = { "CONN", 5, 4, 1 },		[C_GET] = { "GET/s", 6, 1, 1 },
	[C_SET] = { "SET/s", 6, 1, 1 },		[C_HIT] = { "HIT%", 4, 1, 1 },
	[C_HITALL] = { "HIT%ALL", 7, 3, 1 },	[C_MEM] = { "MEM", 12, 1, 0 },
	[C_USED] = { "USED/LIMIT", 11, 6, 1 },	[C_ITEMS] = { "ITEMS", 7, 2, 1 },
	[C_SESS] = { "SESS", 7, 0, 1 },		[C_EVICT] = { "EVICT/s", 7, 2, 1 },
	[C_EXP] = { "EXP/s", 6, 3, 1 },		[C_IN] = { "IN/s", 6, 4, 1 },
	[C_OUT] = { "OUT/s", 6, 4, 1 },		[C_HIST] = { "GET/s-HISTORY", -1, 3, 0 },
};

#define SERVER_MAX 24	/* widest server column on screen; longer names are cut */
#define HIST_MIN 10

/* What a cell needs besides the server's snapshot. */
struct cellctx {
	int utf8;
	int total;		/* the total row */
	size_t up, n;		/* total row: servers UP of all */
	const char *name;
};

struct panel {
	size_t *order;		/* server indexes in display order */
	size_t sel;		/* selected row; pool->n is the total row */
	size_t top;		/* first server row shown */
	int sort;		/* 0 pool order, else column + 1 */
	int reverse;
	int rows;		/* server rows that fit, from the last draw */
	int drawn;		/* shown[] is from a draw */
	unsigned char shown[C_COUNT];	/* columns the last draw had room for */
};

static const char *state_name(enum srv_state s)
{
	static const char *const names[] = { "...", "UP", "DOWN", "TIMEOUT", "AUTH" };
	return names[s];
}

/* An exact count when it fits in width, else a scaled one. */
static void fmt_fit(double v, int width, char *out, size_t n)
{
	if (v < 0)
		snprintf(out, n, "-");
	else if (snprintf(out, n, "%.0f", v) > width)
		fmt_count(v, out, n);
}

static void fmt_pct(double frac, char *out, size_t n)
{
	if (frac < 0)
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%.0f", frac * 100);
}

/* The memory bar with its percentage. */
static void mem_cell(const struct cellctx *x, const struct srv_snap *s, struct buf *out)
{
	double lim = (double)s->cur.limit_maxbytes;
	double frac = lim > 0 ? (double)s->cur.bytes / lim : 0;
	ui_bar(x->utf8, frac, 8, out);
	buf_printf(out, "%3.0f%%", frac * 100);
}

/* A cell from the rates between the last two samples. */
static void rate_cell(int c, const struct stats_rates *r, char *tmp, size_t n)
{
	switch (c) {
	case C_GET: fmt_rate(r->get_s, tmp, n); break;
	case C_SET: fmt_rate(r->set_s, tmp, n); break;
	case C_HIT: fmt_pct(r->hit_interval, tmp, n); break;
	case C_EVICT: fmt_rate(r->evict_s, tmp, n); break;
	case C_EXP: fmt_rate(r->expired_s, tmp, n); break;
	case C_IN: fmt_bytes(r->in_s, tmp, n); break;
	case C_OUT: fmt_bytes(r->out_s, tmp, n); break;
	}
}

/* A cell from the latest sample of a server that is UP (or the total row). */
static void sample_cell(int c, const struct cellctx *x, const struct srv_snap *s, int width,
			char *tmp, size_t n)
{
	const struct stats_sample *v = &s->cur;
	char a[24], b[24];
	switch (c) {
	case C_VERSION: snprintf(tmp, n, "%s", x->total ? "" : v->version); break;
	case C_UPTIME:
		if (x->total)
			tmp[0] = '\0';
		else
			fmt_duration(v->uptime, tmp, n);
		break;
	case C_CONN: fmt_fit((double)v->curr_connections, width, tmp, n); break;
	case C_HITALL: fmt_pct(s->rates.hit_overall, tmp, n); break;
	case C_ITEMS: fmt_fit((double)v->curr_items, width, tmp, n); break;
	case C_USED:
		fmt_bytes((double)v->bytes, a, sizeof(a));
		fmt_bytes((double)v->limit_maxbytes, b, sizeof(b));
		snprintf(tmp, n, "%s/%s", a, b);
		break;
	default:
		if (s->have_rates)
			rate_cell(c, &s->rates, tmp, n);
	}
}

/* The text of column c for server s (or the total row). */
static void cell(int c, const struct cellctx *x, const struct srv_snap *s, int width,
		 struct buf *out)
{
	char tmp[64] = "-";
	int live = (s->state == SRV_UP || x->total) && s->have;
	if (c == C_SERVER) {
		buf_adds(out, x->name);
	} else if (c == C_STATE) {
		if (x->total)
			buf_printf(out, "%zu/%zuup", x->up, x->n);
		else
			buf_adds(out, state_name(s->state));
	} else if (c == C_HIST) {
		ui_spark(x->utf8, s->hist, s->hist_n, width, out);
	} else if (c == C_MEM && live) {
		mem_cell(x, s, out);
	} else {
		if (c == C_SESS)
			fmt_fit(live && s->sessions >= 0 ? (double)s->sessions : -1, width, tmp,
				sizeof(tmp));
		else if (live)
			sample_cell(c, x, s, width, tmp, sizeof(tmp));
		buf_adds(out, tmp);
	}
}

/* Adds b's rate to *a; an unknown b leaves a as it is, a known b makes an unknown a 0. */
static void add_rate(double *a, double b)
{
	if (b >= 0)
		*a = (*a < 0 ? 0 : *a) + b;
}

/* Adds one UP server's figures to the total. */
static void add_server(struct srv_snap *t, const struct srv_snap *s)
{
	struct stats_sample *c = &t->cur;
	c->curr_connections += s->cur.curr_connections;
	c->bytes += s->cur.bytes;
	c->limit_maxbytes += s->cur.limit_maxbytes;
	c->curr_items += s->cur.curr_items;
	c->get_hits += s->cur.get_hits;
	c->get_misses += s->cur.get_misses;
	if (s->sessions >= 0)
		t->sessions = (t->sessions < 0 ? 0 : t->sessions) + s->sessions;
	if (!s->have_rates)
		return;
	struct stats_rates *to = &t->rates;
	const struct stats_rates *from = &s->rates;
	t->have_rates = 1;
	add_rate(&to->get_s, from->get_s);
	add_rate(&to->set_s, from->set_s);
	add_rate(&to->hit_s, from->hit_s);
	add_rate(&to->miss_s, from->miss_s);
	add_rate(&to->evict_s, from->evict_s);
	add_rate(&to->expired_s, from->expired_s);
	add_rate(&to->in_s, from->in_s);
	add_rate(&to->out_s, from->out_s);
}

/* The total row: sums over the servers that are UP. */
static void make_total(const struct srv_snap *snap, size_t n, struct srv_snap *t, size_t *up)
{
	memset(t, 0, sizeof(*t));
	stats_sample_clear(&t->cur);
	t->cur.curr_connections = 0;
	t->sessions = -1;
	struct stats_rates *r = &t->rates;
	r->get_s = r->set_s = r->hit_s = r->miss_s = -1;
	r->evict_s = r->expired_s = r->in_s = r->out_s = -1;
	*up = 0;
	size_t hist = 0;
	for (size_t i = 0; i < n; i++)
		hist = snap[i].hist_n > hist ? snap[i].hist_n : hist;
	t->hist_n = hist;
	for (size_t k = 0; k < hist; k++)
		t->hist[k] = -1;
	for (size_t i = 0; i < n; i++) {
		const struct srv_snap *s = &snap[i];
		for (size_t k = 0; k < s->hist_n; k++)	/* aligned at the newest */
			add_rate(&t->hist[hist - s->hist_n + k], s->hist[k]);
		if (s->state != SRV_UP || !s->have)
			continue;
		(*up)++;
		t->have = 1;
		add_server(t, s);
	}
	double hits = t->rates.hit_s, gets = hits + t->rates.miss_s;
	t->rates.hit_interval = hits >= 0 && t->rates.miss_s >= 0 && gets > 0 ? hits / gets : -1;
	uint64_t all = t->cur.get_hits + t->cur.get_misses;
	t->rates.hit_overall = all ? (double)t->cur.get_hits / (double)all : -1;
}

/* Sort value of server s by column c (larger first unless reversed). */
static double sort_value(int c, const struct srv_snap *s)
{
	const struct stats_rates *r = &s->rates;
	int up = s->state == SRV_UP && s->have;
	switch (c) {
	case C_STATE: return -(double)s->state;
	case C_UPTIME: return up ? (double)s->cur.uptime : -1;
	case C_CONN: return up ? (double)s->cur.curr_connections : -1;
	case C_GET: return up && s->have_rates ? r->get_s : -1;
	case C_SET: return up && s->have_rates ? r->set_s : -1;
	case C_HIT: return up && s->have_rates ? r->hit_interval : -1;
	case C_HITALL: return up ? r->hit_overall : -1;
	case C_MEM: return up && s->cur.limit_maxbytes ?
		(double)s->cur.bytes / (double)s->cur.limit_maxbytes : -1;
	case C_USED: return up ? (double)s->cur.bytes : -1;
	case C_ITEMS: return up ? (double)s->cur.curr_items : -1;
	case C_SESS: return up ? (double)s->sessions : -1;
	case C_EVICT: return up && s->have_rates ? r->evict_s : -1;
	case C_EXP: return up && s->have_rates ? r->expired_s : -1;
	case C_IN: return up && s->have_rates ? r->in_s : -1;
	case C_OUT: return up && s->have_rates ? r->out_s : -1;
	default: return 0;
	}
}

/* What qsort_r compares with. */
struct sort_ctx {
	const struct top *t;
	const struct panel *p;
};

static int order_cmp(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *x = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = x->p->sort - 1, d = 0;
	if (c == C_SERVER) {
		d = strcmp(x->t->pool->servers[i].name, x->t->pool->servers[j].name);
	} else if (c >= 0) {
		double u = sort_value(c, &x->t->snap[i]), v = sort_value(c, &x->t->snap[j]);
		d = u > v ? -1 : u < v;
	}
	if (x->p->reverse)
		d = -d;
	return d ? d : (i > j) - (i < j);
}

static void *panel_init(struct top *t)
{
	struct panel *p = xcalloc(1, sizeof(*p));
	p->order = xcalloc(t->pool->n, sizeof(*p->order));
	for (size_t i = 0; i < t->pool->n; i++)
		p->order[i] = i;
	p->sel = t->pool->n;
	return p;
}

static void panel_release(struct top *t, void *st)
{
	struct panel *p = st;
	(void)t;
	free(p->order);
	free(p);
}

static int panel_update(struct top *t, void *st)
{
	struct panel *p = st;
	size_t sel = p->sel < t->pool->n ? p->order[p->sel] : (size_t)-1;
	struct sort_ctx x = { t, p };
	qsort_r(p->order, t->pool->n, sizeof(*p->order), order_cmp, &x);
	for (size_t i = 0; i < t->pool->n && sel != (size_t)-1; i++)
		if (p->order[i] == sel)
			p->sel = i;
	return 0;	/* what it shows changes with the poller's news, told by tui.c */
}

/* The STATE column's width: its own, or wider for the total row's "256/256up" (pools of
 * 100 servers and more). */
static int state_width(size_t n)
{
	char tmp[48];
	int w = snprintf(tmp, sizeof(tmp), "%zu/%zuup", n, n);
	return w > cols[C_STATE].width ? w : cols[C_STATE].width;
}

/* Chooses the columns that fit in width; widths[c] 0 for a column left out. */
static void fit_columns(int width, int server_w, int state_w, int widths[C_COUNT])
{
	int used = 0;
	for (int c = 0; c < C_COUNT; c++)
		widths[c] = 0;
	for (int prio = 0; prio <= 7; prio++) {
		for (int c = 0; c < C_COUNT; c++) {
			if (cols[c].prio != prio)
				continue;
			int w = cols[c].width == 0 ? server_w : cols[c].width < 0 ? HIST_MIN : cols[c].width;
			if (c == C_STATE)
				w = state_w;
			if (used + w + (used > 0) > width)
				continue;
			widths[c] = w;
			used += w + (used > 0);
		}
	}
	if (widths[C_HIST])
		widths[C_HIST] += width - used > POLL_HIST - HIST_MIN ? POLL_HIST - HIST_MIN : width - used;
}

/* The server name cut to width in the middle (the port stays readable). */
static void cut_name(const char *name, int width, char *out, size_t n)
{
	int len = (int)strlen(name);
	if (len <= width || width < 5) {
		snprintf(out, n, "%.*s", width, name);
		return;
	}
	int tail = width / 2, head = width - tail - 1;
	snprintf(out, n, "%.*s~%s", head, name, name + len - tail);
}

static attr_t state_attr(const struct top *t, enum srv_state s)
{
	static const enum ui_color colors[] = { UI_DIM, UI_UP, UI_DOWN, UI_WARN, UI_AUTH };
	return ui_attr(t, colors[s]);
}

/* Draws one table line (a server, or the total when s is the total). */
static void draw_row(struct top *t, WINDOW *w, int y, const int widths[C_COUNT],
		     const struct cellctx *x, const struct srv_snap *s, attr_t base)
{
	struct buf b = BUF_INIT;
	int xpos = 0;
	for (int c = 0; c < C_COUNT; c++) {
		if (!widths[c])
			continue;
		buf_reset(&b);
		cell(c, x, s, widths[c], &b);
		attr_t a = base;
		if (c == C_STATE && !x->total)
			a |= state_attr(t, s->state);
		wattrset(w, a);
		ui_cell(w, y, xpos, b.ptr ? b.ptr : "", widths[c], cols[c].right || c == C_HIST);
		xpos += widths[c];
		if (xpos < getmaxx(w)) {
			wattrset(w, base);
			waddch(w, ' ');
			xpos++;
		}
	}
	wattrset(w, base);
	for (; xpos < getmaxx(w); xpos++)
		waddch(w, ' ');
	wattrset(w, A_NORMAL);
	buf_release(&b);
}

static void draw_head(struct top *t, struct panel *p, WINDOW *w, const int widths[C_COUNT])
{
	int xpos = 0;
	wattrset(w, ui_attr(t, UI_HEAD));
	wmove(w, 0, 0);
	for (int i = 0; i < getmaxx(w); i++)
		waddch(w, ' ');
	for (int c = 0; c < C_COUNT; c++) {
		if (!widths[c])
			continue;
		char head[40];
		int sorted = p->sort == c + 1;
		snprintf(head, sizeof(head), "%s%s", cols[c].head,
			 sorted ? ui_glyph(t, p->reverse ? GLYPH_UP : GLYPH_DOWN) : "");
		if (sorted)
			wattron(w, A_BOLD | A_UNDERLINE);
		ui_cell(w, 0, xpos, head, widths[c], cols[c].right && ui_width(head) <= widths[c]);
		if (sorted)
			wattroff(w, A_BOLD | A_UNDERLINE);
		xpos += widths[c] + 1;
	}
	wattrset(w, A_NORMAL);
}

/* The lines under the table: when sessions were counted, the sort when its column is not
 * shown, and why servers are not UP. */
static void draw_notes(struct top *t, const struct panel *p, WINDOW *w, int y)
{
	int h = getmaxy(w), width = getmaxx(w);
	double next;
	int busy = poller_counting(t->poller, &next);
	double newest = 0;
	for (size_t i = 0; i < t->pool->n; i++)
		newest = t->snap[i].counted_at > newest ? t->snap[i].counted_at : newest;
	char when[32] = "", nxt[32] = "";
	fmt_duration((int64_t)(t->mono - newest), when, sizeof(when));
	fmt_duration((int64_t)next, nxt, sizeof(nxt));
	struct buf b = BUF_INIT;
	buf_printf(&b, "SESS: %s", busy ? "counting now (key dump)" : newest > 0 ? "" : "not counted");
	if (!busy && newest > 0)
		buf_printf(&b, "counted %s ago", when);
	if (next >= 0)
		buf_printf(&b, ", next in %s", nxt);
	buf_adds(&b, " (key dumps cost; c counts now)");
	wattrset(w, ui_attr(t, UI_DIM));
	if (y < h)
		ui_cell(w, y++, 0, b.ptr, width, 0);
	if (p->sort && !p->shown[p->sort - 1] && y < h) {
		buf_reset(&b);
		buf_printf(&b, "sorted by %s%s, a column not shown at this width", cols[p->sort - 1].head,
			   p->reverse ? " (reversed)" : "");
		ui_cell(w, y++, 0, b.ptr, width, 0);
	}
	wattrset(w, ui_attr(t, UI_ERROR));
	for (size_t i = 0; i < t->pool->n && y < h; i++)
		if (t->snap[i].state != SRV_UP && t->snap[i].error[0])
			ui_cell(w, y++, 0, t->snap[i].error, width, 0);
	for (size_t i = 0; i < t->pool->n && y < h; i++)
		if (t->snap[i].count_error[0] && t->snap[i].state == SRV_UP)
			ui_cell(w, y++, 0, t->snap[i].count_error, width, 0);
	wattrset(w, A_NORMAL);
	buf_release(&b);
}

static int server_width(const struct pool *pl, int max)
{
	int wd = 6;
	for (size_t i = 0; i < pl->n; i++)
		wd = (int)strlen(pl->servers[i].name) > wd ? (int)strlen(pl->servers[i].name) : wd;
	return wd > max ? max : wd;
}

/* Keeps the selected row in view. */
static void scroll_to_sel(struct panel *p, size_t n)
{
	size_t rows = p->rows > 0 ? (size_t)p->rows : 1;
	if (p->sel < n && p->sel < p->top)
		p->top = p->sel;
	if (p->sel < n && p->sel >= p->top + rows)
		p->top = p->sel - rows + 1;
	if (p->top + rows > n)
		p->top = n > rows ? n - rows : 0;
}

static void panel_draw(struct top *t, void *st, WINDOW *w)
{
	struct panel *p = st;
	int widths[C_COUNT];
	size_t n = t->pool->n;
	int h = getmaxy(w);
	fit_columns(getmaxx(w), server_width(t->pool, SERVER_MAX), state_width(n), widths);
	for (int c = 0; c < C_COUNT; c++)
		p->shown[c] = widths[c] > 0;
	p->drawn = 1;
	draw_head(t, p, w, widths);
	int room = h - 3;	/* header, total, notes line */
	p->rows = room < 1 ? 1 : room > (int)n ? (int)n : room;
	scroll_to_sel(p, n);
	struct cellctx x = { .utf8 = t->utf8, .n = n };
	char name[SERVER_MAX + 8];
	int y = 1;
	for (size_t k = p->top; k < n && y <= p->rows; k++, y++) {
		size_t i = p->order[k];
		cut_name(t->pool->servers[i].name, widths[C_SERVER], name, sizeof(name));
		x.name = name;
		draw_row(t, w, y, widths, &x, &t->snap[i], k == p->sel ? ui_attr(t, UI_SEL) : 0);
	}
	struct srv_snap total;
	make_total(t->snap, n, &total, &x.up);
	x.total = 1;
	x.name = "TOTAL";
	draw_row(t, w, y++, widths, &x, &total,
		 (p->sel == n ? ui_attr(t, UI_SEL) : 0) | A_BOLD);
	draw_notes(t, p, w, y);
}

/* Sorts by the next (dir 1) or previous (-1) column on the screen, or the pool's order. */
static void sort_step(struct panel *p, int dir)
{
	for (int k = 0; k < C_HIST; k++) {
		p->sort = (p->sort + C_HIST + dir) % C_HIST;
		if (p->sort == 0 || !p->drawn || p->shown[p->sort - 1])
			return;
	}
}

/* Moves the selection by delta rows (the total row is the last). */
static void move_sel(struct panel *p, size_t n, long delta)
{
	long s = (long)p->sel + delta;
	p->sel = s < 0 ? 0 : s > (long)n ? n : (size_t)s;
}

static unsigned panel_key(struct top *t, void *st, int ch)
{
	struct panel *p = st;
	size_t n = t->pool->n;
	long page = p->rows > 1 ? p->rows - 1 : 1;
	switch (ch) {
	case KEY_UP: case 'k': move_sel(p, n, -1); break;
	case KEY_DOWN: case 'j': move_sel(p, n, 1); break;
	case KEY_PPAGE: move_sel(p, n, -page); break;
	case KEY_NPAGE: move_sel(p, n, page); break;
	case KEY_HOME: case 'g': p->sel = 0; break;
	case KEY_END: case 'G': p->sel = n; break;
	case '>': case '.': sort_step(p, 1); break;
	case '<': case ',': sort_step(p, -1); break;
	case 'r': p->reverse = !p->reverse; break;
	case 'c': poller_count_now(t->poller); top_status(t, 0, "counting sessions now"); break;
	case 'a': top_open(t, VIEW_ACTIVITY); break;
	case '\n': case '\r': case KEY_ENTER: case 'l':
		t->list_server = p->sel < n ? (long)p->order[p->sel] : -1;
		t->list_server_set = 1;
		top_open(t, VIEW_SESSIONS);
		break;
	default: return TOP_IGNORED;
	}
	panel_update(t, p);
	return TOP_REDRAW;
}

/* Rows: the header, the server rows from top, then the total. */
static void panel_click(struct top *t, void *st, int y)
{
	struct panel *p = st;
	size_t n = t->pool->n, shown = n - p->top < (size_t)p->rows ? n - p->top : (size_t)p->rows;
	if (y >= 1 && (size_t)y <= shown)
		p->sel = p->top + (size_t)y - 1;
	else if ((size_t)y == shown + 1)
		p->sel = n;
}

const struct view view_panel = {
	.name = "pool",
	.init = panel_init,
	.release = panel_release,
	.update = panel_update,
	.draw = panel_draw,
	.key = panel_key,
	.click = panel_click,
};

/* Plain-text table for --once: every column but the history. */
void panel_text(const struct pool *p, const struct srv_snap *snap, double interval,
		time_t now, struct buf *out)
{
	int widths[C_COUNT];
	char when[48], every[32];
	for (int c = 0; c < C_COUNT; c++)
		widths[c] = cols[c].width > 0 ? cols[c].width : 0;
	widths[C_SERVER] = server_width(p, 1 << 20);
	widths[C_STATE] = state_width(p->n);
	fmt_time(now, when, sizeof(when));
	snprintf(every, sizeof(every), "%g", interval);
	buf_printf(out, "memcsess top: %s, pool of %zu server%s, rates over %ss\n", when, p->n,
		   p->n == 1 ? "" : "s", every);
	struct buf b = BUF_INIT;
	for (int c = 0; c < C_COUNT; c++)
		if (widths[c])
			buf_printf(out, cols[c].right ? "%*s%s" : "%-*s%s", widths[c], cols[c].head,
				   c == C_OUT ? "\n" : " ");
	struct cellctx x = { .n = p->n };
	struct srv_snap total;
	make_total(snap, p->n, &total, &x.up);
	for (size_t i = 0; i <= p->n; i++) {
		const struct srv_snap *s = i < p->n ? &snap[i] : &total;
		x.total = i == p->n;
		x.name = i < p->n ? p->servers[i].name : "TOTAL";
		for (int c = 0; c < C_COUNT; c++) {
			if (!widths[c])
				continue;
			buf_reset(&b);
			cell(c, &x, s, widths[c], &b);
			buf_printf(out, cols[c].right ? "%*s%s" : "%-*s%s", widths[c], b.ptr ? b.ptr : "",
				   c == C_OUT ? "\n" : " ");
		}
	}
	for (size_t i = 0; i < p->n; i++)
		if (snap[i].state != SRV_UP)
			buf_printf(out, "%s\n", snap[i].error[0] ? snap[i].error : "no answer yet");
	buf_release(&b);
}
