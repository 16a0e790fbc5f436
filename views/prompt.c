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

void prompt_draw(struct top *t, WINDOW *w)
{
	struct prompt *p = &t->prompt;
	int cols = getmaxx(w);
	werase(w);
	wmove(w, 0, 0);
	wattrset(w, ui_attr(t, UI_KEY));
	int used = ui_text(w, p->label, cols - 1);
	wattrset(w, A_NORMAL);
	if (!p->yesno && used < cols - 1) {
		const char *s = p->text.ptr ? p->text.ptr : "";
		int width = ui_width(s), room = cols - 1 - used;
		/* keep the end of a long answer in view */
		while (width > room && *s) {
			s++;
			while ((*s & 0xc0) == 0x80)
				s++;
			width = ui_width(s);
		}
		ui_text(w, s, room);
	}
}

void prompt_release(struct top *t)
{
	if (t->prompt.active)
		finish(t, 0);
	buf_release(&t->prompt.text);
}
