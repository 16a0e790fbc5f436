/* test_encode.c: the session encoders give back the exact stored bytes: every golden session
 * (argv[1], written by real PHP) decoded and encoded again with its handler; hand-made rows
 * for floats, references, names a handler cannot hold, and kept trailing bytes. */
#include "php/handlers.h"
#include "php/serialize.h"
#include "php/session_encode.h"
#include "php/value_edit_text.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define B(s) s, sizeof(s) - 1

/* Decodes with handler h and encodes again; 1 when the bytes come back, else prints both. */
static int round_trip(const char *bytes, size_t len, enum sess_handler h, const char *what)
{
	struct decode_error err = { 0, "" };
	struct buf out = BUF_INIT;
	char *cause = NULL;
	struct pv *v = sess_decode(bytes, len, h, NULL, &err);
	int ok = v && sess_encode(v, h, &out, &cause) == 0 && out.len == len &&
		 memcmp(out.ptr ? out.ptr : "", bytes, len) == 0;
	if (!ok) {
		struct buf a = BUF_INIT, b = BUF_INIT;
		buf_add_escaped(&a, bytes, len);
		buf_add_escaped(&b, out.ptr ? out.ptr : "", out.len);
		printf("# %s\n# want %.600s\n# got  %.600s%s%s\n", what, a.ptr ? a.ptr : "",
		       b.ptr ? b.ptr : "", cause ? " " : "", cause ? cause : v ? "" : err.msg);
		buf_release(&a);
		buf_release(&b);
	}
	free(cause);
	pv_free(v);
	buf_release(&out);
	return ok;
}

/* Decodes, writes the edit text, reads it back and encodes: the bytes must come back. */
static int edit_round_trip(const char *bytes, size_t len, enum sess_handler h, const char *what)
{
	struct buf text = BUF_INIT, out = BUF_INIT;
	char *cause = NULL;
	struct pv *v = sess_decode(bytes, len, h, NULL, NULL);
	if (v)
		pv_edit_write(v, &text);
	struct pv *back = v ? pv_edit_read(text.ptr, text.len, h, &cause) : NULL;
	if (back && v->u.str.len) {	/* the trailing bytes are kept apart from the text */
		back->u.str.ptr = xstrndup(v->u.str.ptr, v->u.str.len);
		back->u.str.len = v->u.str.len;
	}
	int ok = back && sess_encode(back, h, &out, &cause) == 0 && out.len == len &&
		 memcmp(out.ptr ? out.ptr : "", bytes, len) == 0;
	if (!ok)
		printf("# %s: %s\n# text %.400s\n", what, cause ? cause : "bytes differ", text.ptr);
	free(cause);
	pv_free(v);
	pv_free(back);
	buf_release(&text);
	buf_release(&out);
	return ok;
}

static void test_golden(const char *dir)
{
	static const char *const handlers[] = { "php_binary", "php_serialize", "php", "igbinary" };
	int files = 0;
	for (size_t hi = 0; hi < sizeof(handlers) / sizeof(handlers[0]); hi++) {
		enum sess_handler h;
		sess_handler_parse(handlers[hi], &h);
		static const char *const cases[] = { "custom", "empty", "enums", "floats", "login",
			"magic", "nested", "objects", "refs", "scalars", "strings" };
		for (size_t ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++) {
			char *path = xasprintf("%s/%s-%s.sess", dir, handlers[hi], cases[ci]);
			size_t len;
			char *bytes = unit_read_file(path, &len);
			if (bytes) {
				files++;
				unit_check(round_trip(bytes, len, h, path), "encode %s-%s gives the "
					   "stored bytes", handlers[hi], cases[ci]);
				unit_check(edit_round_trip(bytes, len, h, path), "edit text of %s-%s "
					   "gives the stored bytes", handlers[hi], cases[ci]);
			}
			free(bytes);
			free(path);
		}
	}
	unit_check(files == 44, "encode: %d golden sessions read (44 expected)", files);
}

static void test_floats(void)
{
	static const struct { double d; const char *want; } rows[] = {
		{ 0.1, "0.1" }, { -0.0, "-0" }, { 0.0, "0" }, { 1e20, "1.0E+20" },
		{ 1e17, "1.0E+17" }, { 1e16, "10000000000000000" }, { 0.0001, "0.0001" },
		{ 0.00001, "1.0E-5" }, { 1.5e-7, "1.5E-7" }, { 1.5, "1.5" }, { -2.5, "-2.5" },
		{ 123456789012345678.0, "1.2345678901234568E+17" }, { 1.1, "1.1" },
		{ 3.333333, "3.333333" }, { 100.0, "100" }, { 1e300, "1.0E+300" },
		{ 5e-324, "5.0E-324" }, { 1.7976931348623157E+308, "1.7976931348623157E+308" }, { 0.30000000000000004, "0.30000000000000004" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf out = BUF_INIT;
		php_format_float(&out, rows[i].d);
		unit_check(strcmp(out.ptr, rows[i].want) == 0, "float %s: got %s", rows[i].want,
			   out.ptr);
		buf_release(&out);
	}
	struct buf out = BUF_INIT;
	php_format_float(&out, INFINITY);
	php_format_float(&out, -INFINITY);
	php_format_float(&out, NAN);
	unit_check(strcmp(out.ptr, "INF-INFNAN") == 0, "float INF -INF NAN");
	buf_release(&out);
}

/* Hand-made sessions PHP would write back as they are. */
static void test_rows(void)
{
	static const struct { enum sess_handler h; const char *in; size_t len; } rows[] = {
		{ SESS_PHP, B("a|i:1;b|R:1;c|a:1:{i:0;O:8:\"stdClass\":0:{}}d|r:3;") },
		{ SESS_PHP, B("o|O:1:\"A\":2:{s:4:\"\0A\0p\";i:1;s:4:\"\0*\0q\";d:0.5;}") },
		{ SESS_PHP, B("e|E:6:\"Suit:H\";f|r:1;") },
		{ SESS_PHP_SERIALIZE, B("a:2:{i:0;s:2:\"\xff\x00\";s:1:\"x\";R:2;}") },
		{ SESS_PHP_SERIALIZE, B("a:1:{s:1:\"a\";i:1;}}junk\0") },
		{ SESS_PHP_BINARY, B("\001ai:1;\002bbC:3:\"Foo\":6:{i:123;}") },
		{ SESS_PHP, B("") },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		unit_check(round_trip(rows[i].in, rows[i].len, rows[i].h, "row"),
			   "encode row %zu (%s)", i, sess_handler_name(rows[i].h));
}

/* Names a handler cannot hold: an error, nothing written. */
static void test_bad_names(void)
{
	static const struct { enum sess_handler h; const char *name; const char *why; } rows[] = {
		{ SESS_PHP, "a|b", "holds '|'" },
		{ SESS_PHP, "!a", "starts with '!'" },
		{ SESS_PHP_BINARY, NULL, "at most 127" },
	};
	char longname[200];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pv *root = pv_new(PV_ARRAY);
		const char *name = rows[i].name ? rows[i].name : longname;
		pv_append(root, pv_new_string(name, strlen(name)), pv_new_int(1));
		struct buf out = BUF_INIT;
		buf_adds(&out, "x");
		char *cause = NULL;
		int rc = sess_encode(root, rows[i].h, &out, &cause);
		unit_check(rc == -1 && cause && strstr(cause, rows[i].why) && out.len == 1,
			   "encode refuses name (%s): %s", rows[i].why, cause ? cause : "(none)");
		free(cause);
		buf_release(&out);
		pv_free(root);
	}
}

int main(int argc, char **argv)
{
	test_golden(argc > 1 ? argv[1] : "tests/golden");
	test_floats();
	test_rows();
	test_bad_names();
	return unit_done();
}
