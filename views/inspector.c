/* inspector.c: the view of one session: it is fetched on a background thread
 * (inspector_fetch.c) and decoded, drawn as the lines inspector_layout.c makes of it (where it
 * lives, its metadata, its data as a tree whose arrays and objects fold and unfold), and moved
 * through with keys: fold, find, fetch again, expire, touch. */
#include "inspector.h"
#include "inspector_layout.h"

#include <stdlib.h>
#include <string.h>

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
	inspect_lines_clear(s);
	free(s->lines);
	free(s->toggled);
	free(s->find);
	free(s);
}

/* Fetches (again) the session the inspector shows, keeping a running fetch until it ends. */
static void refetch(struct top *t, struct inspect *s, const char *sid, size_t server)
{
	struct fetch *f = fetch_start(t->pool, sid, server, t->wake, t->wake_arg);
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

/* Flips container v between open and folded. */
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

static void inspect_draw(struct top *t, void *st, WINDOW *w)
{
	struct inspect *s = st;
	int h = getmaxy(w), cols = getmaxx(w);
	inspect_layout(t, s, cols);
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
	if (v && (ch != KEY_RIGHT || !inspect_is_open(s, v, depth)) && (ch != KEY_LEFT || inspect_is_open(s, v, depth))) {
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
