/* views.h: the screens of memcsess top and what they share. Each screen is a constant table
 * of functions: update (takes in new data through src/, never waits on the network, never
 * draws), draw (formats into a window, no I/O) and key (returns reaction bits, never draws).
 * One loop (tui.c) runs them: wake -> update -> draw once. */
#ifndef MEMCSESS_VIEWS_H
#define MEMCSESS_VIEWS_H

#include <curses.h>
#include <stdint.h>
#include <time.h>
#include "mc/poller.h"
#include "mc/pool.h"
#include "util.h"

struct top;

/* What a key handler asks of the loop. */
#define TOP_REDRAW 0x1
#define TOP_QUIT 0x2
#define TOP_BACK 0x4		/* close this screen */
#define TOP_IGNORED 0x8		/* not a key of this screen: the loop may use it */

struct view {
	const char *name;
	void *(*init)(struct top *t);		/* returns the screen's new state */
	void (*release)(struct top *t, void *st);
	int (*update)(struct top *t, void *st);	/* 1 when there is something new to draw */
	void (*draw)(struct top *t, void *st, WINDOW *w);
	unsigned (*key)(struct top *t, void *st, int ch);
	void (*click)(struct top *t, void *st, int y);	/* selects the line at row y; may be NULL */
};

enum view_id { VIEW_PANEL, VIEW_SESSIONS, VIEW_INSPECT, VIEW_HELP, VIEW_ACTIVITY, VIEW_COUNT };
extern const struct view view_panel, view_sessions, view_inspect, view_help, view_activity;

/* The one-line prompt at the bottom: free text, or a yes/no confirmation. done is called
 * once with ok 0 (cancelled) or 1; it owns arg. */
typedef void (*prompt_fn)(struct top *t, int ok, const char *text, void *arg);
struct prompt {
	int active;
	int yesno;
	char label[512];
	struct buf text;
	prompt_fn done;
	void *arg;
};

/* The outcome of an action on one session, for the screens that show it. */
struct act_result {
	char *sid;
	size_t server;
	int deleted;		/* expired (deleted) */
	int touched;		/* new TTL set: exp below */
	int64_t exp;		/* new absolute expiry; -1 never */
};

struct act_job;

struct decode_opts;

struct top {
	const struct pool *pool;
	const struct decode_opts *dopts;	/* how values are decoded and decrypted */
	struct poller *poller;
	struct srv_snap *snap;	/* every server as last seen (pool->n), refreshed by the loop */
	double interval;
	double count_every;
	int readonly;
	int mouse;		/* --mouse: the wheel scrolls, a click selects, a double click opens */
	const char *reader;	/* who reads the sessions: "PHP", "Laravel", "Symfony" */
	int utf8, color;
	time_t now;		/* wall clock at the last update */
	double mono;		/* stats_now() at the last update */
	void (*wake)(void *arg);	/* for background work that has news */
	void *wake_arg;
	enum view_id stack[8];
	size_t depth;
	void *state[VIEW_COUNT];
	struct prompt prompt;
	char status[512];
	int status_err;
	double status_at;
	/* requests between screens */
	long list_server;	/* the session list shows this server only; -1 all */
	int list_server_set;	/* the panel changed list_server */
	char *insp_sid;		/* the inspector opens this session (owned) */
	size_t insp_server;
	int insp_new;
	/* actions */
	struct act_job *act;
	struct act_result *results;
	size_t n_results;
	unsigned results_gen;	/* bumped when results are replaced */
};

/* tui.c: the loop and the terminal. */
int tui_run(struct top *t, long iterations);
void top_open(struct top *t, enum view_id id);
void top_status(struct top *t, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Runs fn with the terminal given back (curses suspended, stderr shown), asks for Enter,
 * then resumes curses; the loop redraws everything. */
void top_outside(struct top *t, void (*fn)(struct top *t, void *arg), void *arg);

/* edit.c: the edit key (inspector, session list): session sid in the editor, outside curses. */
void view_edit_session(struct top *t, const char *sid);

/* prompt.c */
void prompt_ask(struct top *t, int yesno, prompt_fn done, void *arg, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
unsigned prompt_key(struct top *t, int ch);
/* Lines the prompt needs at cols columns (it wraps). */
int prompt_lines(struct top *t, int cols);
void prompt_draw(struct top *t, WINDOW *w);
void prompt_release(struct top *t);

/* act.c: expire and touch, confirmed, run on a background thread. */
struct act_target {
	const char *sid;
	size_t server;
};
void act_expire(struct top *t, const struct act_target *targets, size_t n);
void act_touch(struct top *t, const struct act_target *targets, size_t n);
/* Takes in a finished action (results, status line); 1 when one finished. */
int act_update(struct top *t);
void act_release(struct top *t);

/* draw.c: colours, characters and cells shared by the screens. */
enum ui_color {
	UI_NORMAL, UI_HEAD, UI_TITLE, UI_UP, UI_DOWN, UI_WARN, UI_AUTH, UI_SEL, UI_DIM,
	UI_BAR, UI_MARK, UI_ERROR, UI_KEY,
};
void ui_colors_init(struct top *t);
attr_t ui_attr(const struct top *t, enum ui_color c);
/* Writes s (UTF-8) at the cursor in at most cols columns; returns the columns used. */
int ui_text(WINDOW *w, const char *s, int cols);
/* Splits s into lines of at most cols columns, after a space where one is on the line;
 * stores where each line starts (byte offsets, at most max); returns the number of lines. */
int ui_wrap(const char *s, int cols, size_t *starts, int max);
/* ui_text at (y, x), padded with spaces to cols. */
void ui_cell(WINDOW *w, int y, int x, const char *s, int cols, int right);
/* Text columns s takes on the screen. */
int ui_width(const char *s);
/* A memory bar: used of limit in cols columns ("[####----]"). */
void ui_bar(int utf8, double frac, int cols, struct buf *out);
/* A sparkline of the last cols values (negative: unknown), scaled to their maximum. */
void ui_spark(int utf8, const double *v, size_t n, int cols, struct buf *out);
/* Fold markers and the ellipsis in the terminal's character set. */
const char *ui_glyph(const struct top *t, int which);
enum { GLYPH_OPEN, GLYPH_CLOSED, GLYPH_LEAF, GLYPH_MARK, GLYPH_UP, GLYPH_DOWN };
/* Number formats for cells: 1234 -> "1.2k"; bytes -> "64.0M"; rate with one decimal. */
void fmt_count(double v, char *out, size_t n);
void fmt_bytes(double v, char *out, size_t n);
void fmt_rate(double v, char *out, size_t n);
/* Parses a TTL typed by a person ("1440", "30m", "2h", "0"); returns 0 or -1. */
int ui_parse_ttl(const char *s, int64_t *ttl);
/* Moves a list cursor for the usual keys (arrows, j/k, PgUp/PgDn, Home/End, g/G) over n lines
 * with page lines a page; returns 1 when ch was one of them. */
int ui_cursor_key(int ch, size_t *cur, size_t n, long page);

/* panel.c: the pool panel as plain text (memcsess top --once). */
void panel_text(const struct pool *p, const struct srv_snap *snap, double interval,
		time_t now, struct buf *out);

#endif
