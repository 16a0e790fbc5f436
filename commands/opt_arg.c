/* opt_arg.c: the value kinds of options and the words of those that are a choice: the one
 * list the shell's Tab, `__complete-spec` and the option parsers that read them share. */
#include <stddef.h>
#include <string.h>

#include "opt_arg.h"

static const char *const sort_words[] = { "sid", "server", "size", "ttl", "idle", NULL };
static const char *const app_words[] = { "php", "laravel", "symfony", NULL };
static const char *const scheme_words[] = { "auto", "openssl", "laravel", "none", NULL };
static const char *const dist_words[] = { "ketama", "ketama_weighted", "modula", NULL };
static const char *const handler_words[] = { "php", "php_binary", "php_serialize", "igbinary",
					      NULL };
static const char *const event_words[] = { "read", "write", "new", "lock", "contention",
					   "lock-held", "eviction", "refused", "misplaced",
					   "skipped", "server", NULL };

static const struct {
	const char *name;
	const char *const *choices;
} kinds[ARG_KINDS] = {
	[ARG_NONE] = { "none", NULL },
	[ARG_TEXT] = { "text", NULL },
	[ARG_NUMBER] = { "number", NULL },
	[ARG_DURATION] = { "duration", NULL },
	[ARG_FILE] = { "file", NULL },
	[ARG_SERVERS] = { "servers", NULL },
	[ARG_SID] = { "sid", NULL },
	[ARG_SORT] = { "choice", sort_words },
	[ARG_APP] = { "choice", app_words },
	[ARG_SCHEME] = { "choice", scheme_words },
	[ARG_DIST] = { "choice", dist_words },
	[ARG_HANDLER] = { "choice", handler_words },
	[ARG_EVENTS] = { "list", event_words },
};

const char *opt_arg_name(enum opt_arg a)
{
	return (unsigned)a < ARG_KINDS ? kinds[a].name : "text";
}

const char *const *opt_arg_choices(enum opt_arg a)
{
	return (unsigned)a < ARG_KINDS ? kinds[a].choices : NULL;
}

int opt_arg_choice(enum opt_arg a, const char *word, size_t n)
{
	const char *const *w = opt_arg_choices(a);
	for (int i = 0; w && w[i]; i++)
		if (strlen(w[i]) == n && strncmp(w[i], word, n) == 0)
			return i;
	return -1;
}
