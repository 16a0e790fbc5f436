/* tui.c: the terminal and the one loop of memcsess top (see views.h).
 *
 * The loop sleeps in poll() on the keyboard and a wake-up pipe. Background threads (the stats
 * poller, the session walk, actions) write a byte to the pipe when they have news; signal
 * handlers do the same (SIGWINCH, SIGINT, SIGTERM, SIGHUP). Each turn: take in news (update),
 * then draw once if anything changed, at most every DRAW_GAP seconds for background news.
 * The terminal is restored on every way out: q, the signals above, a fatal signal, and an
 * allocation failure (util_fatal_hook). While curses owns the terminal, stderr goes to a
 * temporary file that is copied to the real stderr afterwards. */
#include "views.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

#ifdef SANITIZED
#include <sanitizer/common_interface_defs.h>
#endif

#define DRAW_GAP 0.05		/* seconds between draws caused by background news */
#define STATUS_KEEP 10.0	/* seconds a status message stays */

static int wake_fd[2] = { -1, -1 };
static volatile sig_atomic_t got_winch, got_quit;
static volatile sig_atomic_t curses_on;
static int saved_stderr = -1, capture_fd = -1;
static WINDOW *title_w, *body_w, *foot_w;
static SCREEN *screen;

static const struct view *const views[VIEW_COUNT] = {
	[VIEW_PANEL] = &view_panel, [VIEW_SESSIONS] = &view_sessions,
	[VIEW_INSPECT] = &view_inspect, [VIEW_HELP] = &view_help,
	[VIEW_ACTIVITY] = &view_activity,
};

/* Wakes the loop (from any thread or a signal handler). */
static void wake(void *arg)
{
	char c = 0;
	int e = errno;
	(void)arg;
	if (wake_fd[1] >= 0 && write(wake_fd[1], &c, 1) < 0) {
		/* full pipe: the loop is awake anyway */
	}
	errno = e;
}

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		got_winch = 1;
	else
		got_quit = sig;
	wake(NULL);
}

/* Sends stderr to a temporary file while curses owns the terminal. */
static void stderr_capture(void)
{
	if (!isatty(STDERR_FILENO))
		return;
	FILE *f = tmpfile();
	if (!f)
		return;
	capture_fd = dup(fileno(f));
	fclose(f);
	saved_stderr = capture_fd >= 0 ? dup(STDERR_FILENO) : -1;
	if (saved_stderr < 0 || dup2(capture_fd, STDERR_FILENO) < 0) {
		if (capture_fd >= 0)
			close(capture_fd);
		capture_fd = -1;
	}
}

/* Puts stderr back and copies what was written meanwhile (async-signal-safe). */
static void stderr_release(void)
{
	char b[4096];
	ssize_t n;
	if (capture_fd < 0)
		return;
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	lseek(capture_fd, 0, SEEK_SET);
	while ((n = read(capture_fd, b, sizeof(b))) > 0)
		if (write(STDERR_FILENO, b, (size_t)n) < 0)
			break;
	close(capture_fd);
	capture_fd = -1;
}

/* Gives the terminal back; safe to call more than once, and from a fatal path. */
static void restore_terminal(void)
{
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
	stderr_release();
}

static void on_fatal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}


static void signals_start(void)
{
#ifdef SANITIZED	/* a sanitizer's report must reach the restored terminal */
	__sanitizer_set_death_callback(restore_terminal);
#endif
	set_handler(SIGWINCH, on_signal, 0);
	set_handler(SIGINT, on_signal, 0);
	set_handler(SIGTERM, on_signal, 0);
	set_handler(SIGHUP, on_signal, 0);
#ifdef SANITIZED	/* the sanitizers report SIGSEGV, SIGBUS and SIGFPE themselves */
	static const int fatal[] = { SIGILL, SIGABRT };
#else
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
#endif
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		set_handler(fatal[i], on_fatal, SA_RESETHAND);
}

static void signals_stop(void)
{
	static const int sigs[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGFPE,
				    SIGILL, SIGABRT };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
}

/* Puts the foot on the last h lines (more than one while a long question is asked: it
 * covers the end of the body); returns 1 when it moved. */
static int foot_place(int h)
{
	int rows = LINES < 3 ? 3 : LINES, cols = COLS < 1 ? 1 : COLS;
	h = h < 1 ? 1 : h > rows - 1 ? rows - 1 : h;
	if (foot_w && getmaxy(foot_w) == h && getmaxx(foot_w) == cols && getbegy(foot_w) == rows - h)
		return 0;
	WINDOW *w = newwin(h, cols, rows - h, 0);
	if (!w)
		return 0;	/* keep the old one */
	if (foot_w)
		delwin(foot_w);
	foot_w = w;
	return 1;
}

/* Places the windows for the current size. */
static void layout(void)
{
	int rows = LINES < 3 ? 3 : LINES, cols = COLS < 1 ? 1 : COLS;
	if (!title_w) {
		title_w = newwin(1, cols, 0, 0);
		body_w = newwin(rows - 2, cols, 1, 0);
		keypad(body_w, TRUE);
		nodelay(body_w, TRUE);
	} else {
		wresize(title_w, 1, cols);
		wresize(body_w, rows - 2, cols);
	}
	foot_place(1);
}

static int screen_start(struct top *t)
{
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	stderr_capture();
	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		stderr_release();
		return -1;
	}
	curses_on = 1;
	util_fatal_hook = restore_terminal;
	cbreak();
	noecho();
	nonl();
	curs_set(0);
	set_escdelay(25);
	if (t->mouse)
		mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED,
			  NULL);
	ui_colors_init(t);
	layout();
	if (!title_w || !body_w || !foot_w) {
		restore_terminal();
		delscreen(screen);
		screen = NULL;
		return -1;
	}
	signals_start();
	return 0;
}

void top_outside(struct top *t, void (*fn)(struct top *t, void *arg), void *arg)
{
	char c;
	def_prog_mode();
	endwin();
	stderr_release();
	fn(t, arg);
	fputs("-- press Enter to go back to memcsess top --", stdout);
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n' && c != '\r')
		;
	stderr_capture();
	reset_prog_mode();
	clearok(curscr, TRUE);
}

/* Follows a terminal resize. */
static void resize(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	layout();
	clearok(curscr, TRUE);
}

void top_status(struct top *t, int error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->status, sizeof(t->status), fmt, ap);
	va_end(ap);
	t->status_err = error;
	t->status_at = stats_now();
}

static enum view_id current(const struct top *t)
{
	return t->stack[t->depth - 1];
}

void top_open(struct top *t, enum view_id id)
{
	size_t k = 0;
	while (k < t->depth && t->stack[k] != id)
		k++;
	if (k < t->depth)
		t->depth = k + 1;	/* already open: back to it */
	else if (t->depth < sizeof(t->stack) / sizeof(t->stack[0]))
		t->stack[t->depth++] = id;
	if (!t->state[id])
		t->state[id] = views[id]->init(t);
}

/* Takes in news for every open screen; returns 1 when something changed. */
static int update(struct top *t)
{
	int changed = act_update(t);
	t->now = time(NULL);
	t->mono = stats_now();
	changed |= poller_snapshot(t->poller, t->snap);
	for (size_t k = 0; k < t->depth; k++)
		changed |= views[t->stack[k]]->update(t, t->state[t->stack[k]]);
	return changed;
}

/* The title line: read-only or not, screen, clock, interval, then the pool (cut first when
 * narrow). */
static void draw_title(struct top *t)
{
	const char *bar = t->utf8 ? " \u2502 " : " | ";
	char clock[32], every[32];
	struct tm tm;
	localtime_r(&t->now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S %Z", &tm);
	snprintf(every, sizeof(every), "%g", t->interval);
	struct buf b = BUF_INIT;
	buf_printf(&b, "memcsess top%s%s%s%s%s%severy %ss%spool of %zu (%s, prefix %s)",
		   t->readonly ? " [read-only]" : "", bar, views[current(t)]->name, bar, clock,
		   bar, every, bar, t->pool->n, pool_dist_name(t->pool->dist), t->pool->prefix);
	werase(title_w);
	wattrset(title_w, ui_attr(t, UI_TITLE));
	ui_cell(title_w, 0, 0, b.ptr, getmaxx(title_w), 0);
	wattrset(title_w, A_NORMAL);
	buf_release(&b);
}

static const char *const hints[VIEW_COUNT] = {
	[VIEW_PANEL] = "q quit  ? help  Enter/Tab sessions  </> sort  r reverse  c count now  "
		       "a activity",
	[VIEW_SESSIONS] = "q quit  ? help  Enter inspect  / filter  s sort  x expire  t touch  "
			  "Space mark  Esc back",
	[VIEW_INSPECT] = "q quit  ? help  Enter fold  +/- all  / find  x expire  t touch  "
			 "R reload  Esc back",
	[VIEW_HELP] = "Up Down PgUp PgDn scroll  any other key: back",
	[VIEW_ACTIVITY] = "q quit  ? help  Up Down move  Enter inspect the session  Esc back",
};

static void draw_foot(struct top *t)
{
	if (foot_place(t->prompt.active ? prompt_lines(t, COLS) : 1))
		touchwin(body_w);	/* what the foot covered shows again */
	werase(foot_w);
	if (t->prompt.active) {
		prompt_draw(t, foot_w);
		return;
	}
	int fresh = t->status[0] && t->mono - t->status_at < STATUS_KEEP;
	wattrset(foot_w, fresh ? ui_attr(t, t->status_err ? UI_ERROR : UI_NORMAL) : ui_attr(t, UI_DIM));
	ui_cell(foot_w, 0, 0, fresh ? t->status : hints[current(t)], getmaxx(foot_w), 0);
	wattrset(foot_w, A_NORMAL);
}

static void draw(struct top *t)
{
	if (LINES < 3 || COLS < 20) {
		werase(stdscr);
		mvwaddnstr(stdscr, 0, 0, "terminal too small", COLS);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	draw_title(t);
	werase(body_w);
	views[current(t)]->draw(t, t->state[current(t)], body_w);
	draw_foot(t);
	wnoutrefresh(title_w);
	wnoutrefresh(body_w);
	wnoutrefresh(foot_w);
	curs_set(t->prompt.active && !t->prompt.yesno);
	doupdate();
}

/* Keys that every screen shares, when the screen did not take the key. */
static unsigned common_key(struct top *t, int ch)
{
	switch (ch) {
	case 'q': case 'Q': return TOP_QUIT;
	case 27: case KEY_BACKSPACE: case 127: case 8: return TOP_BACK;
	case '\t':
		if (current(t) == VIEW_PANEL)
			top_open(t, VIEW_SESSIONS);
		else if (current(t) == VIEW_SESSIONS)
			top_open(t, VIEW_PANEL);
		return TOP_REDRAW;
	case KEY_F(1): case '?': case 'h':
		top_open(t, VIEW_HELP);
		return TOP_REDRAW;
	default: return 0;
	}
}

static unsigned handle_key(struct top *t, int ch);

/* A mouse event: the wheel moves three lines, a click selects the line under it, a double
 * click also opens it (Enter). */
static unsigned mouse_key(struct top *t)
{
	MEVENT ev;
	unsigned bits = TOP_REDRAW;
	if (getmouse(&ev) != OK || t->prompt.active)
		return bits;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		for (int k = 0; k < 3; k++)
			bits |= handle_key(t, ev.bstate & BUTTON4_PRESSED ? KEY_UP : KEY_DOWN);
		return bits;
	}
	const struct view *v = views[current(t)];
	if (!v->click || !wenclose(body_w, ev.y, ev.x))
		return bits;
	v->click(t, t->state[current(t)], ev.y - getbegy(body_w));
	if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
		bits |= handle_key(t, '\n');
	return bits;
}

static unsigned handle_key(struct top *t, int ch)
{
	if (ch == KEY_RESIZE)
		return TOP_REDRAW;
	if (ch == KEY_MOUSE)
		return mouse_key(t);
	if (t->prompt.active)
		return prompt_key(t, ch);
	t->status[0] = '\0';
	enum view_id id = current(t);
	unsigned bits = views[id]->key(t, t->state[id], ch);
	if (bits & TOP_IGNORED)
		bits = common_key(t, ch);
	if ((bits & TOP_BACK) && t->depth > 1)
		t->depth--;
	return bits | TOP_REDRAW;
}

/* Reads every key waiting; returns 1 when the console should end. */
static int read_keys(struct top *t)
{
	int ch, quit = 0;
	while (!quit && (ch = wgetch(body_w)) != ERR) {
		unsigned bits = handle_key(t, ch);
		quit = (bits & TOP_QUIT) != 0;
		update(t);
		draw(t);
	}
	return quit;
}

static void drain_wake(void)
{
	char b[256];
	while (read(wake_fd[0], b, sizeof(b)) > 0)
		;
}

/* Milliseconds poll() may sleep: until the next tick, or the next allowed draw. */
static int sleep_ms(double now, double next_tick, int dirty, double last_draw)
{
	double until = next_tick - now;
	if (dirty && last_draw + DRAW_GAP - now < until)
		until = last_draw + DRAW_GAP - now;
	return until <= 0 ? 0 : (int)ceil(until * 1000);
}

/* The loop: returns EXIT codes' 0 (q, iterations done) or 130 (a signal). */
static int loop(struct top *t, long iterations)
{
	struct pollfd pfd[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
				 { .fd = wake_fd[0], .events = POLLIN } };
	/* ticks half an interval after the poller's: its news is drawn, and the tick then draws
	 * only when nothing was for half an interval (one draw a tick, not two) */
	double next_tick = stats_now() + t->interval * 1.5, last_draw = 0;
	long ticks = 0;
	int dirty = 1;
	while (!got_quit) {
		if (got_winch) {
			got_winch = 0;
			resize();
			dirty = 1;
		}
		double now = stats_now();
		int tick = now >= next_tick;
		if (tick) {
			ticks++;
			next_tick += t->interval * floor((now - next_tick) / t->interval + 1);
			dirty |= now - last_draw >= t->interval / 2;
		}
		dirty |= update(t);
		if (dirty && (tick || now - last_draw >= DRAW_GAP)) {
			draw(t);
			dirty = 0;
			last_draw = now;
		}
		if (tick && iterations > 0 && ticks >= iterations)
			return 0;
		int r = poll(pfd, 2, sleep_ms(stats_now(), next_tick, dirty, last_draw));
		if (r > 0 && (pfd[1].revents & POLLIN))
			drain_wake();
		if (r > 0 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (read_keys(t))
				return 0;
			if (pfd[0].revents & (POLLHUP | POLLERR))
				return 0;	/* the terminal went away */
		}
	}
	return 130;
}

static void views_release(struct top *t)
{
	for (int i = 0; i < VIEW_COUNT; i++)
		if (t->state[i])
			views[i]->release(t, t->state[i]);
}

int tui_run(struct top *t, long iterations)
{
	if (pipe2(wake_fd, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	if (screen_start(t) < 0) {
		close(wake_fd[0]);
		close(wake_fd[1]);
		return -1;
	}
	struct poller_opts po = { .interval = t->interval, .count_every = t->count_every,
				  .wake = wake };
	t->wake = wake;
	t->poller = poller_start(t->pool, &po);
	t->snap = xcalloc(t->pool->n, sizeof(*t->snap));
	top_open(t, VIEW_PANEL);
	int ret = loop(t, iterations);
	restore_terminal();
	util_fatal_hook = NULL;
	signals_stop();
	prompt_release(t);
	views_release(t);
	act_release(t);
	poller_free(t->poller);
	free(t->snap);
	free(t->insp_sid);
	delwin(title_w);
	delwin(body_w);
	delwin(foot_w);
	title_w = body_w = foot_w = NULL;
	delscreen(screen);
	screen = NULL;
	close(wake_fd[0]);
	close(wake_fd[1]);
	wake_fd[0] = wake_fd[1] = -1;
	return ret;
}
