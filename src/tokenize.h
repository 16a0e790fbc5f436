/* tokenize.h: splitting one command line into words, as sh does for a simple command:
 * blanks separate words; '...' is literal; in "..." a backslash escapes only " \ $ and `;
 * elsewhere a backslash escapes the next character; # at the start of a word begins a comment;
 * unquoted >, >>, < and | are operators. Nothing is expanded. */
#ifndef MEMCSESS_TOKENIZE_H
#define MEMCSESS_TOKENIZE_H

#include <stddef.h>

enum token_kind {
	TOKEN_WORD,
	TOKEN_OUT,		/* > */
	TOKEN_APPEND,		/* >> */
	TOKEN_IN,		/* < */
	TOKEN_PIPE,		/* | */
};

struct token {
	enum token_kind kind;
	char *text;		/* a word without its quotes, or the operator; owned */
	size_t start;		/* byte offset in the line where the token begins */
	int quoted;		/* part of the word was quoted or escaped */
	int fd;			/* > and >>: the digits written right before them ("2>"), else -1 */
};

struct tokens {
	struct token *v;
	size_t n, cap;
	char open_quote;	/* partial lines: the quote still open at the end, or 0 */
	int ends_in_word;	/* the line ends inside its last word (no blank after it) */
};

/* Splits line into out (set up here; release with tokens_release). Returns 0, or -1 with
 * *cause (new) for an unterminated quote or a trailing backslash. With partial (a line still
 * being typed), those are accepted and open_quote/ends_in_word describe the end. */
int tokenize_line(const char *line, int partial, struct tokens *out, char **cause);
void tokens_release(struct tokens *t);

#endif
