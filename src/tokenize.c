/* tokenize.c: one command line into words and operators (see tokenize.h). */
#include "tokenize.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct lexer {
	const char *line;
	size_t i;		/* the byte being read */
	struct tokens *out;
	struct buf word;
	int in_word;		/* a word has begun (it may still be empty: '') */
	int quoted;
	size_t start;
	char quote;		/* the quote we are inside, or 0 */
	size_t quote_at;
	int dangling;		/* the line ended with a lone backslash */
};

static void push(struct tokens *t, enum token_kind kind, char *text, size_t start, int quoted,
		 int fd)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n++] = (struct token){ kind, text, start, quoted, fd };
}

static void begin_word(struct lexer *lx)
{
	if (!lx->in_word) {
		lx->in_word = 1;
		lx->quoted = 0;
		lx->start = lx->i;
	}
}

static void end_word(struct lexer *lx)
{
	if (!lx->in_word)
		return;
	push(lx->out, TOKEN_WORD, buf_detach(&lx->word, NULL), lx->start, lx->quoted, -1);
	lx->in_word = 0;
}

/* The digits of an unquoted word right before '>' name the file descriptor ("2>"). */
static int take_fd(struct lexer *lx)
{
	if (!lx->in_word || lx->quoted || lx->word.len == 0 || lx->word.len > 4 ||
	    strspn(lx->word.ptr, "0123456789") != lx->word.len)
		return -1;
	int fd = atoi(lx->word.ptr);
	buf_release(&lx->word);
	lx->in_word = 0;
	return fd;
}

/* Reads the operator at lx->i (>, >>, < or |). */
static void read_operator(struct lexer *lx)
{
	const char *p = lx->line + lx->i;
	size_t start = lx->i;
	int fd = -1;
	enum token_kind kind = TOKEN_PIPE;
	if (*p == '>') {
		fd = take_fd(lx);
		if (fd >= 0)
			start = lx->start;
		kind = p[1] == '>' ? TOKEN_APPEND : TOKEN_OUT;
	} else if (*p == '<') {
		kind = TOKEN_IN;
	}
	end_word(lx);
	size_t n = kind == TOKEN_APPEND ? 2 : 1;
	push(lx->out, kind, xstrndup(p, n), start, 0, fd);
	lx->i += n - 1;
}

/* Adds the character after a backslash and steps over it. */
static void add_escaped(struct lexer *lx)
{
	buf_addc(&lx->word, lx->line[lx->i + 1]);
	lx->i++;
}

/* Reads one character inside quotes. */
static void read_quoted(struct lexer *lx)
{
	const char *p = lx->line + lx->i;
	if (*p == lx->quote)
		lx->quote = 0;
	else if (lx->quote == '"' && *p == '\\' && p[1] && strchr("\"\\$`", p[1]))
		add_escaped(lx);
	else
		buf_addc(&lx->word, *p);
}

/* Reads one character outside quotes; returns 1 at the start of a comment. */
static int read_plain(struct lexer *lx)
{
	const char *p = lx->line + lx->i;
	if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
		end_word(lx);
	} else if (*p == '>' || *p == '<' || *p == '|') {
		read_operator(lx);
	} else if (*p == '#' && !lx->in_word) {
		return 1;
	} else if (*p == '\'' || *p == '"') {
		begin_word(lx);
		lx->quoted = 1;
		lx->quote = *p;
		lx->quote_at = lx->i;
	} else if (*p == '\\') {
		begin_word(lx);
		lx->quoted = 1;
		if (p[1])
			add_escaped(lx);
		else
			lx->dangling = 1;
	} else {
		begin_word(lx);
		buf_addc(&lx->word, *p);
	}
	return 0;
}

int tokenize_line(const char *line, int partial, struct tokens *out, char **cause)
{
	struct lexer lx = { .line = line, .out = out };
	size_t len = strlen(line);
	memset(out, 0, sizeof(*out));
	for (; lx.i < len; lx.i++) {
		if (lx.quote)
			read_quoted(&lx);
		else if (read_plain(&lx))
			break;
	}
	if (!partial && (lx.quote || lx.dangling)) {
		if (lx.quote)
			*cause = xasprintf("unterminated %c quote at byte %zu", lx.quote, lx.quote_at);
		else
			*cause = xstrdup("the line ends with a lone backslash");
		buf_release(&lx.word);
		tokens_release(out);
		return -1;
	}
	out->open_quote = lx.quote;
	out->ends_in_word = lx.in_word;
	end_word(&lx);
	return 0;
}

void tokens_release(struct tokens *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].text);
	free(t->v);
	memset(t, 0, sizeof(*t));
}
