/* opt_arg.h: what an option or a command's operands take, as the completions know it (the
 * shell's Tab, and the bash and zsh scripts generated from `memcsess __complete-spec`). */
#ifndef MEMCSESS_OPT_ARG_H
#define MEMCSESS_OPT_ARG_H

/* An option's value kind. ARG_NONE (0) is a flag and ARG_TEXT (1) any value, so a table row
 * written { name, short, 1, key } still reads as "takes a value". */
enum opt_arg {
	ARG_NONE = 0,	/* a flag; for operands: none */
	ARG_TEXT = 1,	/* any text: nothing to complete */
	ARG_NUMBER,	/* a whole number */
	ARG_DURATION,	/* seconds, or 5m, 2h... */
	ARG_FILE,	/* a path, or - for standard input */
	ARG_SERVERS,	/* host:port[,host:port...] */
	ARG_SID,	/* a session id, or a glob of them */
	ARG_SORT,	/* list --sort */
	ARG_APP,	/* --app */
	ARG_SCHEME,	/* --scheme */
	ARG_DIST,	/* --distribution */
	ARG_HANDLER,	/* --handler */
	ARG_EVENTS,	/* watch --events: kinds, comma-separated */
	ARG_KINDS
};

/* The word the completion spec writes for a: "none", "text", "number", "duration", "file",
 * "servers", "sid", "choice" (one of opt_arg_choices) or "list" (several, comma-separated). */
const char *opt_arg_name(enum opt_arg a);
/* The words a value of kind a is one of, ending with NULL; NULL when a is not a choice. */
const char *const *opt_arg_choices(enum opt_arg a);
/* The index of word in opt_arg_choices(a) (n bytes of it), or -1. */
int opt_arg_choice(enum opt_arg a, const char *word, size_t n);

#endif
