/* decode.c: memcsess decode [FILE]: decode a stored session value from a file or stdin, or
 * with --lines every value of a file of dump lines. */
#include "commands.h"
#include "dumpline.h"
#include "php/handlers.h"
#include "mc/stats.h"
#include "util.h"
#include "php/json_escape.h"
#include "php/value.h"
#include "php/value_json.h"
#include "php/value_text.h"
#include "session_decode.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_JSON = 1, O_HANDLER, O_FLAGS, O_LINES, O_STATS };
static const struct cmd_opt decode_opts[] = {
	{ "json", 'j', 0, O_JSON },
	{ "lines", 0, 0, O_LINES },
	{ "stats", 0, 0, O_STATS },
	{ "handler", 0, ARG_HANDLER, O_HANDLER },
	{ "flags", 0, ARG_NUMBER, O_FLAGS },
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

/* What went wrong decoding, as text in why (reset first); returns the text. */
static const char *why_text(const struct decode_info *d, struct buf *why)
{
	buf_reset(why);
	session_describe(d, why);
	return why->ptr ? why->ptr : "";
}

/* One --lines output line: {"key", "handler", "data", "decode_error"} as jansson would write the
 * object; the key and the error only when they are valid UTF-8 (json_string's test). */
static void write_line(struct buf *out, const struct dump_entry *e, const struct buf *data,
		       const char *handler, const char *why)
{
	const char *key = e->key.ptr ? e->key.ptr : "";
	buf_addc(out, '{');
	if (utf8_valid(key, e->key.len)) {
		buf_adds(out, "\"key\":");
		json_write_string(out, key, e->key.len);
		buf_addc(out, ',');
	}
	buf_adds(out, "\"handler\":");
	json_write_string(out, handler, strlen(handler));
	if (data) {
		buf_adds(out, ",\"data\":");
		buf_add(out, data->ptr, data->len);
	}
	if (why && utf8_valid(why, strlen(why))) {
		buf_adds(out, ",\"decode_error\":");
		json_write_string(out, why, strlen(why));
	}
	buf_adds(out, "}\n");
}

/* What --stats reports: values decoded, their bytes, and the time spent decoding them. */
struct decode_stats {
	size_t values, bytes;
	double decoding, start;
};

static void print_stats(const struct decode_stats *st)
{
	double all = stats_now() - st->start;
	fprintf(stderr, "decode: %zu values, %zu bytes; decoding %.3f s (%.1f MB/s), in all %.3f s "
		"(%.1f MB/s)\n", st->values, st->bytes, st->decoding,
		st->decoding > 0 ? (double)st->bytes / st->decoding / 1e6 : 0.0, all,
		all > 0 ? (double)st->bytes / all / 1e6 : 0.0);
}

/* Decodes the value of every dump line of f (named name) and prints one JSON object a line:
 * key (when valid UTF-8), handler, and data or decode_error. With st, counts and times the
 * decoding. Returns an exit code. */
static int decode_lines(FILE *f, const char *name, const struct decode_opts *opts,
			struct decode_stats *st)
{
	struct dump_reader rd = { .name = name, .f = f };
	struct dump_entry e;
	dump_entry_init(&e);
	char *cause = NULL;
	int r, ret = EXIT_OK;
	struct buf line = BUF_INIT, why = BUF_INIT, data = BUF_INIT;
	while ((r = dump_reader_next(&rd, &e, &cause)) != 0) {
		if (r < 0) {
			cmd_error("decode: %s", cause);
			free(cause);
			cause = NULL;
			ret = EXIT_PARTIAL;
			if (r == -2)
				break;
			continue;
		}
		struct decode_info d;
		buf_reset(&data);
		double t0 = st ? stats_now() : 0;
		int have = session_write_json(e.value.ptr ? e.value.ptr : "", e.value.len, e.flags,
					       opts, &d, &data);
		if (st) {
			st->decoding += stats_now() - t0;
			st->values++;
			st->bytes += e.value.len;
		}
		const char *text = NULL;
		if (session_failed(&d) || !have) {
			text = why_text(&d, &why);
			cmd_error("decode: %s: line %zu: %s", name, rd.line, text);
			ret = EXIT_PARTIAL;
		}
		buf_reset(&line);
		write_line(&line, &e, have ? &data : NULL, session_handler(&d), text);
		fwrite(line.ptr, 1, line.len, stdout);
	}
	buf_release(&line);
	buf_release(&data);
	buf_release(&why);
	dump_entry_release(&e);
	dump_reader_release(&rd);
	return ret;
}

static int decode_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	int json = 0, lines = 0, stats = 0;
	long flags = 0;
	enum sess_handler h = SESS_UNKNOWN;
	for (size_t i = 0; i < a->n_opts; i++) {
		if (a->opts[i].key == O_JSON) {
			json = 1;
		} else if (a->opts[i].key == O_LINES) {
			lines = 1;
		} else if (a->opts[i].key == O_STATS) {
			stats = 1;
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
	struct decode_opts opts;
	cmd_decode_opts(ctx, h, 1, &opts);
	if (stats && !lines) {
		cmd_error("decode: --stats goes with --lines");
		if (f && f != stdin)
			fclose(f);
		return EXIT_USAGE;
	}
	if (lines && f) {
		struct decode_stats st = { .start = stats_now() };
		int ret = decode_lines(f, f == stdin ? "standard input" : path, &opts,
				       stats ? &st : NULL);
		if (stats)
			print_stats(&st);
		if (f != stdin)
			fclose(f);
		return ret;
	}
	struct buf in = BUF_INIT;
	if (!f || slurp(f, &in) < 0) {
		int stopped = f && errno == EINTR;	/* Ctrl-C in the shell: it says so itself */
		if (!stopped)
			cmd_error("decode: cannot read %s: %s", path, strerror(errno));
		if (f && f != stdin)
			fclose(f);
		buf_release(&in);
		return stopped ? EXIT_INTERRUPTED : EXIT_PARTIAL;
	}
	if (f != stdin)
		fclose(f);
	struct decode_info d;
	struct pv *v = session_decode_value(in.ptr ? in.ptr : "", in.len, (uint32_t)flags, &opts, &d);
	buf_release(&in);
	if (session_failed(&d) || !v) {
		struct buf why = BUF_INIT;
		session_describe(&d, &why);
		cmd_error("decode: %s: %s%s%s", path, why.ptr, d.status == DECODE_FAILED ? " as " : "",
			  d.status == DECODE_FAILED ? sess_handler_name(d.handler) : "");
		buf_release(&why);
	}
	if (!v)
		return EXIT_PARTIAL;
	if (d.trailing)
		cmd_error("decode: %s: warning: %zu byte%s after the array, which PHP ignores", path,
			  d.trailing, d.trailing == 1 ? "" : "s");
	if (json) {
		struct buf out = BUF_INIT;
		pv_write_json(&out, v);
		if (out.ptr[0] == '{' || out.ptr[0] == '[')	/* json_dumpf writes only those */
			fwrite(out.ptr, 1, out.len, stdout);
		putchar('\n');
		buf_release(&out);
	} else {
		struct buf tree = BUF_INIT;
		pv_format_tree(v, &tree);
		fputs(tree.ptr ? tree.ptr : "", stdout);
		buf_release(&tree);
	}
	pv_free(v);
	return session_failed(&d) ? EXIT_PARTIAL : EXIT_OK;
}

const struct cmd_entry cmd_decode_entry = {
	.name = "decode",
	.usage = "[--json] [--handler H] [--flags N] [FILE|-] | --lines [--stats] [DUMPFILE|-]",
	.summary = "decode a stored session value (or every value of dump lines) from a file or stdin",
	.needs = NEED_KEY,
	.opts = decode_opts,
	.operands = ARG_FILE,
	.run = decode_run,
};
