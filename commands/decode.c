/* decode.c: memcsess decode [FILE]: decode a stored session value from a file or stdin. */
#include "commands.h"
#include "sessdec.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_JSON = 1, O_HANDLER, O_FLAGS };
static const struct cmd_opt decode_opts[] = {
	{ "json", 'j', 0, O_JSON },
	{ "handler", 0, 1, O_HANDLER },
	{ "flags", 0, 1, O_FLAGS },
	{ NULL, 0, 0, 0 },
};

/* Reads all of f into b (at most CONN-style 1 GiB). Returns 0 or -1 with errno. */
static int slurp(FILE *f, struct buf *b)
{
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
		if (b->len + n > (1u << 30)) {
			errno = EFBIG;
			return -1;
		}
		buf_add(b, tmp, n);
	}
	return ferror(f) ? -1 : 0;
}

static int decode_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	int json = 0;
	long flags = 0;
	enum sess_handler h = SESS_UNKNOWN;
	for (size_t i = 0; i < a->n_opts; i++) {
		if (a->opts[i].key == O_JSON) {
			json = 1;
		} else if (a->opts[i].key == O_FLAGS) {
			if (cmd_parse_count("flags", a->opts[i].arg, &flags) < 0 || flags > UINT32_MAX)
				return EXIT_USAGE;
		} else if (sess_handler_parse(a->opts[i].arg, &h) < 0) {
			cmd_error("--handler: expected php, php_binary, php_serialize or igbinary, "
				  "got '%s'", a->opts[i].arg);
			return EXIT_USAGE;
		}
	}
	if (a->n_pos > 1) {
		cmd_error("decode: expected at most one file, got %d", a->n_pos);
		return EXIT_USAGE;
	}
	const char *path = a->n_pos ? a->pos[0] : "-";
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct buf in = BUF_INIT;
	if (!f || slurp(f, &in) < 0) {
		cmd_error("decode: cannot read %s: %s", path, strerror(errno));
		if (f && f != stdin)
			fclose(f);
		buf_release(&in);
		return EXIT_PARTIAL;
	}
	if (f != stdin)
		fclose(f);
	struct decode_opts opts;
	struct decode_info d;
	cmd_decode_opts(ctx, h, 1, &opts);
	struct pv *v = sessview_decode_value(in.ptr ? in.ptr : "", in.len, (uint32_t)flags, &opts, &d);
	buf_release(&in);
	if (sessview_failed(&d) || !v) {
		struct buf why = BUF_INIT;
		sessview_describe(&d, &why);
		cmd_error("decode: %s: %s%s%s", path, why.ptr, d.status == DECODE_FAILED ? " as " : "",
			  d.status == DECODE_FAILED ? sess_handler_name(d.handler) : "");
		buf_release(&why);
	}
	if (!v)
		return EXIT_PARTIAL;
	if (json) {
		json_t *o = pv_to_json(v);
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		struct buf tree = BUF_INIT;
		pv_format_tree(v, &tree);
		fputs(tree.ptr ? tree.ptr : "", stdout);
		buf_release(&tree);
	}
	pv_free(v);
	return sessview_failed(&d) ? EXIT_PARTIAL : EXIT_OK;
}

const struct cmd_entry cmd_decode_entry = {
	.name = "decode",
	.usage = "[--json] [--handler H] [--flags N] [FILE|-]",
	.summary = "decode a stored session value read from a file or standard input",
	.needs = NEED_KEY,
	.opts = decode_opts,
	.run = decode_run,
};
