/* complete_spec.c: the command table, the common options and each command's options, with
 * the kind of value each takes, as lines a shell script reads:
 *
 *   memcsess-complete-spec 1
 *   command NAME OPERANDS SUMMARY...
 *   option SCOPE --LONG -S|- KIND [WORD...]
 *
 * SCOPE is a command's name, "-" for the options every command takes, or "." for those
 * only before a command (--version); KIND is opt_arg_name's word, and a choice or a list is
 * followed by its words. */
#include "complete_spec.h"
#include "commands.h"

static void write_opt(FILE *out, const char *scope, const struct cmd_opt *o)
{
	const char *const *w = opt_arg_choices(o->has_arg);
	fprintf(out, "option %s --%s ", scope, o->name);
	if (o->short_name)
		fprintf(out, "-%c", o->short_name);
	else
		fputc('-', out);
	fprintf(out, " %s", opt_arg_name(o->has_arg));
	for (; w && *w; w++)
		fprintf(out, " %s", *w);
	fputc('\n', out);
}

static void write_opts(FILE *out, const char *scope, const struct cmd_opt *opts)
{
	for (; opts && opts->name; opts++)
		write_opt(out, scope, opts);
}

int complete_spec_write(FILE *out)
{
	static const struct cmd_opt top[] = { { "version", 0, ARG_NONE, 0 }, { NULL, 0, 0, 0 } };
	fprintf(out, "memcsess-complete-spec 1\n");
	for (size_t i = 0; cmd_table[i]; i++)
		fprintf(out, "command %s %s %s\n", cmd_table[i]->name,
			opt_arg_name(cmd_table[i]->operands), cmd_table[i]->summary);
	write_opts(out, ".", top);
	write_opts(out, "-", common_opts);
	for (size_t i = 0; cmd_table[i]; i++)
		write_opts(out, cmd_table[i]->name, cmd_table[i]->opts);
	return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
