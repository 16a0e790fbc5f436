/* draw.c: colours, glyphs and cell formatting shared by the screens (see views.h). */
#include "views.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

/* Colour pairs by ui_color; 0 where the default colours are right. */
static const short pair_fg[] = {
	[UI_HEAD] = COLOR_BLACK, [UI_TITLE] = COLOR_CYAN, [UI_UP] = COLOR_GREEN,
	[UI_DOWN] = COLOR_RED, [UI_WARN] = COLOR_YELLOW, [UI_AUTH] = COLOR_MAGENTA,
	[UI_BAR] = COLOR_GREEN, [UI_MARK] = COLOR_YELLOW, [UI_ERROR] = COLOR_RED,
	[UI_KEY] = COLOR_CYAN,
};

void ui_colors_init(struct top *t)
{
	const char *no = getenv("NO_COLOR");
	t->color = has_colors() && !(no && *no);
	if (!t->color)
		return;
	start_color();
	use_default_colors();
	for (size_t i = 1; i < sizeof(pair_fg) / sizeof(pair_fg[0]); i++) {
		if (i == UI_SEL || i == UI_DIM || (!pair_fg[i] && i != UI_HEAD))
			continue;
		init_pair((short)i, pair_fg[i], i == UI_HEAD ? COLOR_CYAN : -1);
	}
}

attr_t ui_attr(const struct top *t, enum ui_color c)
{
	if (c == UI_SEL)
		return A_REVERSE;
	if (c == UI_DIM)
		return A_DIM;
	if (t->color && c != UI_NORMAL)
		return COLOR_PAIR(c) | (c == UI_DOWN || c == UI_TITLE || c == UI_KEY ? A_BOLD : 0);
	switch (c) {
	case UI_HEAD: return A_REVERSE;
	case UI_TITLE: case UI_DOWN: case UI_WARN: case UI_MARK: case UI_ERROR: case UI_KEY:
		return A_BOLD;
	case UI_AUTH: return A_BOLD | A_UNDERLINE;
	default: return A_NORMAL;
	}
}

/* Decodes one character of s; returns its byte length. A byte that is not a printable
 * character in the terminal's locale sets *bad (it is shown as '?'). */
static size_t next_char(const char *s, size_t left, int *cols, int *bad)
{
	mbstate_t st;
	wchar_t wc;
	memset(&st, 0, sizeof(st));
	size_t k = mbrtowc(&wc, s, left, &st);
	*bad = 0;
	*cols = 1;
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		*bad = 1;
		return 1;
	}
	int cw = wcwidth(wc);
	if (cw < 0 || !iswprint((wint_t)wc))
		*bad = 1;
	else
		*cols = cw;
	return k;
}

int ui_width(const char *s)
{
	int cols = 0, cw, bad;
	size_t left = strlen(s);
	while (left) {
		size_t k = next_char(s, left, &cw, &bad);
		cols += cw;
		s += k;
		left -= k;
	}
	return cols;
}

int ui_text(WINDOW *w, const char *s, int cols)
{
	int used = 0, cw, bad;
	size_t left = strlen(s);
	while (left && used < cols) {
		size_t k = next_char(s, left, &cw, &bad);
		if (used + cw > cols)
			break;
		if (bad)
			waddch(w, '?');
		else
			waddnstr(w, s, (int)k);
		used += cw;
		s += k;
		left -= k;
	}
	return used;
}

int ui_wrap(const char *s, int cols, size_t *starts, int max)
{
	size_t pos = 0, len = strlen(s);
	int lines = 0, cw, bad;
	cols = cols < 1 ? 1 : cols;
	while (lines < max && (pos < len || lines == 0)) {
		size_t at = pos, cut = 0;
		int used = 0;
		starts[lines++] = pos;
		while (at < len) {
			size_t k = next_char(s + at, len - at, &cw, &bad);
			if (used + cw > cols && at > pos) {
				cut = s[at] == ' ' ? at + 1 : cut;
				break;
			}
			used += cw;
			at += k;
			if (s[at - 1] == ' ')
				cut = at;
		}
		pos = at < len && cut ? cut : at;
	}
	return lines;
}

void ui_cell(WINDOW *w, int y, int x, const char *s, int cols, int right)
{
	int width = ui_width(s);
	int pad = right && width < cols ? cols - width : 0;
	wmove(w, y, x);
	for (int i = 0; i < pad; i++)
		waddch(w, ' ');
	int used = ui_text(w, s, cols - pad) + pad;
	for (; used < cols; used++)
		waddch(w, ' ');
}

void ui_bar(int utf8, double frac, int cols, struct buf *out)
{
	static const char *const eighths[] = { "", "\u258f", "\u258e", "\u258d", "\u258c",
					       "\u258b", "\u258a", "\u2589" };
	int inner = cols - 2;
	if (inner < 1)
		return;
	frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
	double cells = frac * inner;
	int full = (int)cells;
	int part = utf8 ? (int)((cells - full) * 8) : 0;
	buf_addc(out, '[');
	for (int i = 0; i < inner; i++) {
		if (i < full)
			buf_adds(out, utf8 ? "\u2588" : "#");
		else if (i == full && part)
			buf_adds(out, eighths[part]);
		else
			buf_adds(out, utf8 ? "\u00b7" : "-");
	}
	buf_addc(out, ']');
}

void ui_spark(int utf8, const double *v, size_t n, int cols, struct buf *out)
{
	static const char *const blocks[] = { "\u2581", "\u2582", "\u2583", "\u2584", "\u2585",
					      "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = "_.-:=+*#";
	size_t first = n > (size_t)cols ? n - (size_t)cols : 0;
	double max = 0;
	for (size_t i = first; i < n; i++)
		max = v[i] > max ? v[i] : max;
	for (size_t i = first; i < n; i++) {
		if (v[i] < 0) {
			buf_addc(out, ' ');
			continue;
		}
		int level = max > 0 ? (int)(v[i] / max * 7.999) : 0;
		if (utf8)
			buf_adds(out, blocks[level]);
		else
			buf_addc(out, ascii[level]);
	}
}

const char *ui_glyph(const struct top *t, int which)
{
	static const char *const utf8[] = { "\u25be", "\u25b8", " ", "\u25cf", "\u25b2", "\u25bc" };
	static const char *const ascii[] = { "-", "+", " ", "*", "^", "v" };
	return t->utf8 ? utf8[which] : ascii[which];
}

/* v with a k/M/G/T suffix at base (1000 or 1024), one decimal under 100. */
static void fmt_scaled(double v, double base, const char *units, char *out, size_t n)
{
	int u = 0;
	while (fabs(v) >= base && units[u + 1]) {
		v /= base;
		u++;
	}
	if (u == 0)
		snprintf(out, n, "%.0f", v);
	else
		snprintf(out, n, fabs(v) < 100 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

void fmt_count(double v, char *out, size_t n)
{
	if (v < 0)
		snprintf(out, n, "-");
	else
		fmt_scaled(v, 1000, " kMGTP", out, n);
}

void fmt_bytes(double v, char *out, size_t n)
{
	if (v < 0)
		snprintf(out, n, "-");
	else
		fmt_scaled(v, 1024, "BKMGTP", out, n);
}

void fmt_rate(double v, char *out, size_t n)
{
	if (v < 0)
		snprintf(out, n, "-");
	else if (v < 10 && v != floor(v))
		snprintf(out, n, "%.1f", v);
	else
		fmt_count(v, out, n);
}

int ui_parse_ttl(const char *s, int64_t *ttl)
{
	double secs;
	if (parse_duration(s, &secs) < 0 || secs > 10.0 * 365 * 86400)
		return -1;
	*ttl = (int64_t)(secs + 0.5);
	return 0;
}

/* cur moved by delta and kept within n lines. */
static size_t cursor_moved(size_t cur, long delta, size_t n)
{
	long c = (long)cur + delta;
	return c < 0 || n == 0 ? 0 : c >= (long)n ? n - 1 : (size_t)c;
}

int ui_cursor_key(int ch, size_t *cur, size_t n, long page)
{
	switch (ch) {
	case KEY_UP: case 'k': *cur = cursor_moved(*cur, -1, n); return 1;
	case KEY_DOWN: case 'j': *cur = cursor_moved(*cur, 1, n); return 1;
	case KEY_PPAGE: *cur = cursor_moved(*cur, -page, n); return 1;
	case KEY_NPAGE: *cur = cursor_moved(*cur, page, n); return 1;
	case KEY_HOME: case 'g': *cur = 0; return 1;
	case KEY_END: case 'G': *cur = cursor_moved(*cur, (long)n, n); return 1;
	default: return 0;
	}
}
