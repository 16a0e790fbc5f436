/* activity.c: the activity screen of memcsess top: per server, the rate of each kind of session
 * event with a sparkline of the last minute, and the last notable events (evictions with TTL
 * left, contention, held locks, refused writes, misplaced clients, watch losses), from
 * memcached's log stream (src/activity_feed.c). The watch starts when the screen is first
 * opened and runs until top ends. Enter on an event inspects its session. */
#include "views.h"
#include "activity_feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOCK_SLOW 1.0

/* The kinds given a rate line, in this order; the rarer ones only once they were seen. */
static const enum act_kind shown_kinds[] = {
	ACT_READ, ACT_WRITE, ACT_NEW, ACT_LOCK, ACT_CONTENTION, ACT_LOCK_HELD, ACT_EVICTION,
	ACT_REFUSED, ACT_MISPLACED, ACT_SKIPPED,
};
#define ALWAYS 2	/* read and write always have a line */

struct activity_view {
	struct feed *feed;
	struct feed_srv *srv;
	struct feed_event *ev;
	size_t n_ev;
	unsigned long gen;
	size_t cur, top;
	int rows;		/* event rows shown at the last draw */
};

static void *activity_init(struct top *t)
{
	struct activity_view *a = xcalloc(1, sizeof(*a));
	struct feed_opts o = { .timeout_ms = t->pool->timeout_ms, .lock_slow = LOCK_SLOW,
			       .wake = t->wake, .wake_arg = t->wake_arg };
	a->srv = xcalloc(t->pool->n, sizeof(*a->srv));
	a->ev = xcalloc(FEED_RECENT, sizeof(*a->ev));
	a->gen = (unsigned long)-1;
	a->feed = feed_start(t->pool, &o);
	return a;
}

static void activity_release(struct top *t, void *st)
{
	struct activity_view *a = st;
	(void)t;
	feed_free(a->feed);
	free(a->srv);
	free(a->ev);
	free(a);
}

static int activity_update(struct top *t, void *st)
{
	struct activity_view *a = st;
	unsigned long gen;
	(void)t;
	a->n_ev = feed_snapshot(a->feed, a->srv, a->ev, &gen);
	if (a->cur >= a->n_ev)
		a->cur = a->n_ev ? a->n_ev - 1 : 0;
	int news = gen != a->gen;
	a->gen = gen;
	return news;
}

/* Lines of rates server s takes. */
static int kind_lines(const struct feed_srv *s, enum act_kind *out)
{
	int n = 0;
	for (size_t k = 0; k < sizeof(shown_kinds) / sizeof(shown_kinds[0]); k++)
		if (k < ALWAYS || s->total[shown_kinds[k]])
			out[n++] = shown_kinds[k];
	return n;
}

static int draw_server(struct top *t, struct activity_view *a, WINDOW *w, int y, int ymax,
		       size_t i)
{
	const struct feed_srv *s = &a->srv[i];
	int cols = getmaxx(w);
	char line[512];
	snprintf(line, sizeof(line), "%s  %s", t->pool->servers[i].name,
		 s->state[0] ? s->state : "connecting...");
	wattrset(w, ui_attr(t, s->watching ? UI_TITLE : UI_WARN));
	ui_cell(w, y++, 0, line, cols, 0);
	wattrset(w, A_NORMAL);
	enum act_kind kinds[ACT_KINDS];
	int n = kind_lines(s, kinds);
	for (int k = 0; k < n && y < ymax; k++, y++) {
		char rate[32];
		const double *h = s->hist[kinds[k]];
		fmt_rate(h[FEED_HIST - 2], rate, sizeof(rate));	/* the last whole second */
		snprintf(line, sizeof(line), "  %-11s %8s/s %8lu ", act_kind_name(kinds[k]), rate,
			 s->total[kinds[k]]);
		ui_cell(w, y, 0, line, cols, 0);
		int used = ui_width(line);
		if (cols - used > 4) {
			struct buf b = BUF_INIT;
			ui_spark(t->utf8, h, FEED_HIST - 1, cols - used - 1, &b);
			ui_cell(w, y, used, b.ptr ? b.ptr : "", cols - used, 0);
			buf_release(&b);
		}
	}
	return y;
}

static void draw_event(struct top *t, WINDOW *w, int y, const struct feed_event *e, int sel)
{
	char when[16], line[768];
	time_t s = (time_t)e->time;
	struct tm tm;
	localtime_r(&s, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(line, sizeof(line), "%s %-10s %s %s%s %s  %s", when, act_kind_name(e->kind),
		 t->pool->servers[e->server].name, e->sid[0] ? "sid " : "", e->sid,
		 e->kind == ACT_SERVER || e->kind == ACT_SKIPPED || e->kind == ACT_EVICTION ? "" :
		 e->client[0] ? e->client : "client unknown", e->detail);
	attr_t a = e->kind == ACT_EVICTION || e->kind == ACT_REFUSED || e->kind == ACT_SERVER ?
		   ui_attr(t, UI_WARN) : 0;
	wattrset(w, sel ? ui_attr(t, UI_SEL) : a);
	ui_cell(w, y, 0, line, getmaxx(w), 0);
	wattrset(w, A_NORMAL);
}

static void activity_draw(struct top *t, void *st, WINDOW *w)
{
	struct activity_view *a = st;
	int h = getmaxy(w), cols = getmaxx(w), y = 0;
	wattrset(w, ui_attr(t, UI_HEAD));
	ui_cell(w, y++, 0, "Activity (memcached watch): events a second, the last minute", cols, 0);
	wattrset(w, A_NORMAL);
	int half = h / 2 > 4 ? h / 2 : 4;
	for (size_t i = 0; i < t->pool->n && y < half; i++)
		y = draw_server(t, a, w, y, half, i);
	wattrset(w, ui_attr(t, UI_HEAD));
	ui_cell(w, y++, 0, "Last notable events, newest first (Enter: inspect the session)", cols, 0);
	wattrset(w, A_NORMAL);
	a->rows = h - y > 1 ? h - y : 1;
	if (a->cur < a->top)
		a->top = a->cur;
	if (a->cur >= a->top + (size_t)a->rows)
		a->top = a->cur - (size_t)a->rows + 1;
	if (a->n_ev == 0)
		ui_cell(w, y, 0, "  none yet", cols, 0);
	for (size_t k = a->top; k < a->n_ev && y < h; k++, y++)
		draw_event(t, w, y, &a->ev[k], k == a->cur);
}

static void open_event(struct top *t, struct activity_view *a)
{
	if (a->cur >= a->n_ev || !a->ev[a->cur].sid[0]) {
		top_status(t, 1, "no session for this event");
		return;
	}
	const struct feed_event *e = &a->ev[a->cur];
	free(t->insp_sid);
	t->insp_sid = xstrdup(e->sid);
	/* where PHP reads it (a misplaced copy is not what PHP sees) */
	t->insp_server = pool_home(t->pool, e->sid, strlen(e->sid));
	t->insp_new = 1;
	top_open(t, VIEW_INSPECT);
}

static unsigned activity_key(struct top *t, void *st, int ch)
{
	struct activity_view *a = st;
	if (ui_cursor_key(ch, &a->cur, a->n_ev, a->rows > 1 ? a->rows - 1 : 1))
		return TOP_REDRAW;
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER: case KEY_RIGHT: case 'i': open_event(t, a); break;
	default: return TOP_IGNORED;
	}
	return TOP_REDRAW;
}

const struct view view_activity = {
	.name = "activity",
	.init = activity_init,
	.release = activity_release,
	.update = activity_update,
	.draw = activity_draw,
	.key = activity_key,
};
