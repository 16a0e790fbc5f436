/* decode.c: memcsess decode [FILE]: decode a stored session value from a file or stdin. */
#include "commands.h"
#include "sessdec.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_JSON = 1, O_HANDLER };
static const struct cmd_opt decode_opts[] = {
	{ "json", 'j', 0, O_JSON },
	{ "handler", 0, 1, O_HANDLER },
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
	enum sess_handler h = SESS_UNKNOWN;
	(void)ctx;
	for (size_t i = 0; i < a->n_opts; i++) {
		if (a->opts[i].key == O_JSON)
			json = 1;
		else if (sess_handler_parse(a->opts[i].arg, &h) < 0) {
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
	enum sess_handler used;
	struct decode_error err;
	struct pv *v = sess_decode(in.ptr ? in.ptr : "", in.len, h, &used, &err);
	buf_release(&in);
	if (!v) {
		cmd_error("decode: %s: cannot decode as %s at byte %zu: %s", path,
			  sess_handler_name(used), err.offset, err.msg);
		return EXIT_PARTIAL;
	}
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
	return EXIT_OK;
}

const struct cmd_entry cmd_decode_entry = {
	.name = "decode",
	.usage = "[--json] [--handler H] [FILE|-]",
	.summary = "decode a stored session value read from a file or standard input",
	.needs = 0,
	.opts = decode_opts,
	.run = decode_run,
};
