/* prompt.c: the one-line question at the bottom of the screen (see views.h): free text
 * (search, filter, a TTL) or a yes/no confirmation. Keys go to it while it is open. */
#include "views.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Closes the prompt and hands the answer to its owner (who may open the next one). */
static void finish(struct top *t, int ok)
{
	struct prompt *p = &t->prompt;
	prompt_fn done = p->done;
	void *arg = p->arg;
	char *text = buf_detach(&p->text, NULL);
	p->active = 0;
	p->done = NULL;
	p->arg = NULL;
	if (done)
		done(t, ok, text ? text : "", arg);
	free(text);
}

void prompt_ask(struct top *t, int yesno, prompt_fn done, void *arg, const char *fmt, ...)
{
	va_list ap;
	if (t->prompt.active)
		finish(t, 0);
	struct prompt *p = &t->prompt;
	va_start(ap, fmt);
	vsnprintf(p->label, sizeof(p->label), fmt, ap);
	va_end(ap);
	buf_reset(&p->text);
	p->yesno = yesno;
	p->done = done;
	p->arg = arg;
	p->active = 1;
}

/* Removes the last UTF-8 character of the text. */
static void erase_char(struct buf *b)
{
	while (b->len > 0) {
		unsigned char c = (unsigned char)b->ptr[--b->len];
		if ((c & 0xc0) != 0x80)
			break;
	}
	if (b->ptr)
		b->ptr[b->len] = '\0';
}

unsigned prompt_key(struct top *t, int ch)
{
	struct prompt *p = &t->prompt;
	if (p->yesno) {
		finish(t, ch == 'y' || ch == 'Y');
		return TOP_REDRAW;
	}
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		finish(t, 1);
	else if (ch == 27 || ch == 7)	/* Esc, ^G */
		finish(t, 0);
	else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8)
		erase_char(&p->text);
	else if (ch == 21)	/* ^U */
		buf_reset(&p->text);
	else if (ch >= 0x20 && ch < 0x100 && ch != 0x7f && p->text.len < 400)
		buf_addc(&p->text, (char)ch);
	return TOP_REDRAW;
}

#define PROMPT_LINES 64	/* at most this many lines of question and answer are laid out */

/* The question and the answer so far, as one text; label_len: where the answer starts. */
static char *prompt_text(const struct prompt *p, size_t *label_len)
{
	*label_len = strlen(p->label);
	return xasprintf("%s%s", p->label, !p->yesno && p->text.ptr ? p->text.ptr : "");
}

int prompt_lines(struct top *t, int cols)
{
	size_t label_len, starts[PROMPT_LINES];
	char *s = prompt_text(&t->prompt, &label_len);
	int n = ui_wrap(s, cols - 1, starts, PROMPT_LINES);
	free(s);
	return n;
}

/* Writes s[from, to) at the cursor, the question's part highlighted. */
static void put_part(struct top *t, WINDOW *w, const char *s, size_t from, size_t to,
		     size_t label_len)
{
	while (from < to) {
		size_t end = from < label_len && label_len < to ? label_len : to;
		char *part = xstrndup(s + from, end - from);
		wattrset(w, from < label_len ? ui_attr(t, UI_KEY) : A_NORMAL);
		ui_text(w, part, getmaxx(w) - 1);
		free(part);
		from = end;
	}
	wattrset(w, A_NORMAL);
}

/* Draws the question and the answer wrapped over the window's lines; when they need more,
 * the last lines (the end of the answer, the [y/N]) stay in view. */
void prompt_draw(struct top *t, WINDOW *w)
{
	size_t label_len, starts[PROMPT_LINES];
	char *s = prompt_text(&t->prompt, &label_len);
	int n = ui_wrap(s, getmaxx(w) - 1, starts, PROMPT_LINES), h = getmaxy(w);
	int first = n > h ? n - h : 0;
	werase(w);
	for (int i = first; i < n; i++) {
		size_t to = i + 1 < n ? starts[i + 1] : strlen(s);
		wmove(w, i - first, 0);
		put_part(t, w, s, starts[i], to, label_len);
	}
	free(s);
}

void prompt_release(struct top *t)
{
	if (t->prompt.active)
		finish(t, 0);
	buf_release(&t->prompt.text);
}
