/* help.c: every key of every screen (? or F1). */
#include "views.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const help_lines[] = {
	"memcsess top: the pool and its sessions, live. Every key:",
	"",
	"Everywhere",
	"  q               quit (the terminal is restored; actions taken are then listed",
	"                  on stderr)",
	"  ? h F1          this help (Up Down PgUp PgDn scroll it; any other key leaves)",
	"  Esc Backspace   back to the previous screen",
	"  Tab             pool panel <-> session list",
	"  Up Down j k     move;  PgUp PgDn: a page;  Home End g G: first, last",
	"  (--mouse)       the wheel moves; a click selects; a double click opens",
	"",
	"Pool panel (one row per server, and the total)",
	"  Enter l         the session list of the selected server (TOTAL: every server)",
	"  > . and < ,     sort by the next / previous column (first: pool order)",
	"  r               reverse the sort",
	"  c               count the sessions now (a key dump of every server: costly on",
	"                  big pools)",
	"  a               activity: session events live, from memcached's watch",
	"  States: UP, DOWN (refused/closed), TIMEOUT (no answer in --timeout), AUTH",
	"  (needs auth), ... (no answer yet). Rates are per second between the last two",
	"  samples; HIT% over the last interval, HIT%ALL since the server started; MEM",
	"  is memory used of the limit.",
	"",
	"Activity (a; its watch takes one of a server's 20 watcher slots until top ends)",
	"  Enter Right i   inspect the selected event's session (Up Down: move)",
	"",
	"Session list (streamed in while the pool is walked)",
	"  Enter Right i   inspect the selected session",
	"  /               filter: a sid glob (t00*; plain text matches anywhere in the",
	"                  sid), or a decoded field: user_id=12345, cart.0.sku=A-*;",
	"                  empty clears",
	"  s               sort by: found, sid, ttl, size, idle, server;  r: reverse",
	"  Space           mark / unmark the session (actions apply to the marked ones)",
	"  u               unmark all",
	"  x Delete        expire (delete) the marked or selected sessions, after",
	"                  confirmation",
	"  t               set a new TTL (touch), after confirmation",
	"  e               edit the selected session (as in the inspector)",
	"  R F5            walk the pool again",
	"",
	"Session inspector",
	"  Enter Space     fold / unfold the array or object under the cursor",
	"  Right Left      unfold / fold (Left on a value: to its parent)",
	"  + * -           unfold everything / fold everything",
	"  / n             find text / find the next match",
	"  x Delete t      expire / touch this session, after confirmation",
	"  e               edit this session in $VISUAL/$EDITOR (as memcsess edit;",
	"                  the screen comes back after Enter)",
	"  R F5            fetch the session again",
	"",
	"Actions are disabled with --readonly. A confirmation shows what will happen;",
	"y confirms, any other key cancels.",
};

#define N_LINES (sizeof(help_lines) / sizeof(help_lines[0]))

struct help {
	size_t top;
	int rows;
};

static void *help_init(struct top *t)
{
	(void)t;
	return xcalloc(1, sizeof(struct help));
}

static void help_release(struct top *t, void *st)
{
	(void)t;
	free(st);
}

static int help_update(struct top *t, void *st)
{
	(void)t;
	(void)st;
	return 0;
}

/* Draws the lines from the top one; when more follow, the last row says so. */
static void help_draw(struct top *t, void *st, WINDOW *w)
{
	struct help *h = st;
	h->rows = getmaxy(w);
	size_t max = N_LINES > (size_t)h->rows ? N_LINES - (size_t)h->rows : 0;
	if (h->top > max)
		h->top = max;
	size_t shown = h->top < max ? (size_t)h->rows - 1 : (size_t)h->rows;
	for (size_t k = h->top; k < N_LINES && k - h->top < shown; k++) {
		const char *s = help_lines[k];
		int title = s[0] && s[0] != ' ';
		wattrset(w, title ? ui_attr(t, UI_TITLE) : A_NORMAL);
		ui_cell(w, (int)(k - h->top), 0, s, getmaxx(w), 0);
	}
	if (h->top < max) {
		char more[64];
		snprintf(more, sizeof(more), "... %zu more lines (Down, PgDn)", N_LINES - h->top - shown);
		wattrset(w, ui_attr(t, UI_DIM));
		ui_cell(w, (int)shown, 0, more, getmaxx(w), 0);
	}
	wattrset(w, A_NORMAL);
}

static unsigned help_key(struct top *t, void *st, int ch)
{
	struct help *h = st;
	size_t page = h->rows > 1 ? (size_t)h->rows - 1 : 1;
	(void)t;
	switch (ch) {
	case KEY_DOWN: case 'j': h->top++; break;
	case KEY_UP: case 'k': h->top = h->top ? h->top - 1 : 0; break;
	case KEY_NPAGE: case ' ': h->top += page; break;
	case KEY_PPAGE: h->top = h->top > page ? h->top - page : 0; break;
	default: return TOP_BACK;
	}
	return TOP_REDRAW;
}

const struct view view_help = {
	.name = "help",
	.init = help_init,
	.release = help_release,
	.update = help_update,
	.draw = help_draw,
	.key = help_key,
};
