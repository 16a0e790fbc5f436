/* test_tokenize.c: splitting command lines into words and operators. */
#include "unit.h"
#include "tokenize.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Expected tokens are written as [word] for words and the operator (with its fd) otherwise. */
static const struct {
	const char *line;
	const char *want;	/* NULL: an error is expected */
} full[] = {
	{ "list", "[list]" },
	{ "  inspect \t abc  ", "[inspect] [abc]" },
	{ "", "" },
	{ " \t ", "" },
	{ "dump > out.jsonl", "[dump] > [out.jsonl]" },
	{ "dump>>out", "[dump] >> [out]" },
	{ "dump 2>err", "[dump] 2> [err]" },
	{ "dump a2>err", "[dump] [a2] > [err]" },
	{ "dump \"2\">err", "[dump] [2] > [err]" },
	{ "list | head", "[list] | [head]" },
	{ "decode < file", "[decode] < [file]" },
	{ "a'b c'd", "[ab cd]" },
	{ "'it''s'", "[its]" },
	{ "''", "[]" },
	{ "a \"\" b", "[a] [] [b]" },
	{ "\"a \\\"q\\\" \\n \\\\ \\$\"", "[a \"q\" \\n \\ $]" },
	{ "'no \\escape'", "[no \\escape]" },
	{ "a\\ b \\'c", "[a b] ['c]" },
	{ "'>' \\> \">>\"", "[>] [>] [>>]" },
	{ "list # a comment", "[list]" },
	{ "# only a comment", "" },
	{ "a#b '#'c", "[a#b] [#c]" },
	{ "set prefix 'memc sess.'", "[set] [prefix] [memc sess.]" },
	{ "\"unterminated", NULL },
	{ "ok 'unterminated", NULL },
	{ "trailing \\", NULL },
	{ "escaped \\\\", "[escaped] [\\]" },
};

/* Lines being typed: tokens, the open quote, and whether the line ends inside a word. */
static const struct {
	const char *line;
	const char *want;
	char quote;
	int in_word;
} partial[] = {
	{ "inspect t00", "[inspect] [t00]", 0, 1 },
	{ "inspect ", "[inspect]", 0, 0 },
	{ "inspect \"t00", "[inspect] [t00]", '"', 1 },
	{ "inspect 't0 x", "[inspect] [t0 x]", '\'', 1 },
	{ "dump >", "[dump] >", 0, 0 },
	{ "dump >fi", "[dump] > [fi]", 0, 1 },
	{ "list a\\", "[list] [a]", 0, 1 },
	{ "list # note", "[list]", 0, 0 },
	{ "", "", 0, 0 },
};

static char *show(const struct tokens *t)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < t->n; i++) {
		if (i)
			buf_addc(&b, ' ');
		if (t->v[i].kind == TOKEN_WORD)
			buf_printf(&b, "[%s]", t->v[i].text);
		else if (t->v[i].fd >= 0)
			buf_printf(&b, "%d%s", t->v[i].fd, t->v[i].text);
		else
			buf_adds(&b, t->v[i].text);
	}
	return buf_detach(&b, NULL);
}

static void check_full(void)
{
	for (size_t i = 0; i < sizeof(full) / sizeof(full[0]); i++) {
		struct tokens t;
		char *cause = NULL;
		int r = tokenize_line(full[i].line, 0, &t, &cause);
		if (!full[i].want) {
			unit_check(r < 0 && cause && t.n == 0, "'%s' is refused (%s)", full[i].line,
				   cause ? cause : "no cause");
			free(cause);
			continue;
		}
		char *got = r == 0 ? show(&t) : xstrdup(cause);
		unit_check(r == 0 && strcmp(got, full[i].want) == 0, "'%s' -> %s (got %s)",
			   full[i].line, full[i].want, got);
		free(got);
		free(cause);
		tokens_release(&t);
	}
}

static void check_partial(void)
{
	for (size_t i = 0; i < sizeof(partial) / sizeof(partial[0]); i++) {
		struct tokens t;
		char *cause = NULL;
		int r = tokenize_line(partial[i].line, 1, &t, &cause);
		char *got = show(&t);
		unit_check(r == 0 && strcmp(got, partial[i].want) == 0 &&
			   t.open_quote == partial[i].quote && t.ends_in_word == partial[i].in_word,
			   "partial '%s' -> %s, quote %d, in word %d (got %s, %d, %d)",
			   partial[i].line, partial[i].want, partial[i].quote, partial[i].in_word, got,
			   t.open_quote, t.ends_in_word);
		free(got);
		tokens_release(&t);
	}
}

static void check_offsets(void)
{
	struct tokens t;
	char *cause = NULL;
	tokenize_line("  ab 'c d' 2>x", 0, &t, &cause);
	unit_check(t.n == 4 && t.v[0].start == 2 && t.v[1].start == 5 && t.v[2].start == 11 &&
		   t.v[3].start == 13, "tokens know where they start");
	unit_check(t.n == 4 && !t.v[0].quoted && t.v[1].quoted, "tokens know they were quoted");
	tokens_release(&t);
}

int main(void)
{
	check_full();
	check_partial();
	check_offsets();
	return unit_done();
}
