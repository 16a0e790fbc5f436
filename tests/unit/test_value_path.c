/* test_value_path.c: paths, set and unset inside a decoded session, the JSON values of set,
 * the diff of two trees, and php-memcached's compression, checked on the bytes the session
 * encoders then write. */
#include "codec/compress.h"
#include "codec/compress_write.h"
#include "php/handlers.h"
#include "php/session_encode.h"
#include "php/value_from_json.h"
#include "php/value_path.h"
#include "text_diff.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static void test_parse(void)
{
	static const struct { const char *in; size_t n; const char *segs[4]; } rows[] = {
		{ "a", 1, { "a" } },
		{ "cart.0.qty", 3, { "cart", "0", "qty" } },
		{ "user.\"a.b\".c", 3, { "user", "a.b", "c" } },
		{ "a\\.b.c", 2, { "a.b", "c" } },
		{ "\"\"", 1, { "" } },
		{ "\"!x\"", 1, { "!x" } },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pv_path p;
		char *cause = NULL;
		int ok = pv_path_parse(rows[i].in, &p, &cause) == 0 && p.n == rows[i].n;
		for (size_t k = 0; ok && k < p.n; k++)
			ok = strcmp(p.seg[k], rows[i].segs[k]) == 0;
		unit_check(ok, "path %s", rows[i].in);
		if (!cause)
			pv_path_release(&p);
		free(cause);
	}
	static const char *const bad[] = { "", "a..b", ".a", "a.", "\"a" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pv_path p;
		char *cause = NULL;
		unit_check(pv_path_parse(bad[i], &p, &cause) == -1 && cause, "bad path '%s': %s",
			   bad[i], cause ? cause : "(accepted)");
		free(cause);
	}
}

/* A change to a php session: set (json != NULL) or unset path; want the bytes, or NULL and
 * an error holding why. */
static const struct {
	const char *in, *path, *json, *want, *why;
} change_rows[] = {
	{ "a|i:1;", "a", "2", "a|i:2;", NULL },
	{ "a|i:1;", "b", "\"x\"", "a|i:1;b|s:1:\"x\";", NULL },
	{ "a|i:1;", "f", "{\"__float\":5}", "a|i:1;f|d:5;", NULL },
	{ "a|i:1;", "f", "0.1", "a|i:1;f|d:0.1;", NULL },
	{ "a|i:1;", "f", "{\"__float\":\"-INF\"}", "a|i:1;f|d:-INF;", NULL },
	{ "a|i:1;", "b", "{\"__base64\":\"AP8=\"}", "a|i:1;b|s:2:\"\0\xff\";", NULL },
	{ "a|i:1;", "m", "{\"5\":1,\"x\":[true,null]}",
	  "a|i:1;m|a:2:{i:5;i:1;s:1:\"x\";a:2:{i:0;b:1;i:1;N;}}", NULL },
	{ "a|i:1;", "o", "{\"__class\":\"Foo\",\"p\":1}", "a|i:1;o|O:3:\"Foo\":1:{s:1:\"p\";i:1;}",
	  NULL },
	{ "a|i:1;", "e", "{\"__class\":\"Suit\",\"__case\":\"H\"}", "a|i:1;e|E:6:\"Suit:H\";", NULL },
	{ "a|a:1:{s:1:\"b\";a:1:{i:0;i:1;}}", "a.b.0", "9", "a|a:1:{s:1:\"b\";a:1:{i:0;i:9;}}",
	  NULL },
	{ "a|a:1:{i:0;i:1;}", "a.1", "2", "a|a:2:{i:0;i:1;i:1;i:2;}", NULL },
	/* a private property by its plain name: stays private */
	{ "o|O:1:\"A\":1:{s:4:\"\0A\0p\";i:1;}", "o.p", "2", "o|O:1:\"A\":1:{s:4:\"\0A\0p\";i:2;}",
	  NULL },
	/* through a reference: the referenced value changes (PHP assigns through &) */
	{ "a|a:1:{i:0;i:1;}b|R:1;", "b.0", "5", "a|a:1:{i:0;i:5;}b|R:1;", NULL },
	{ "a|i:1;b|R:1;", "b", "7", "a|i:7;b|R:1;", NULL },
	{ "a|i:1;b|a:0:{}", "b", NULL, "a|i:1;", NULL },
	{ "a|i:1;b|R:1;", "b", NULL, "a|i:1;", NULL },
	{ "a|i:1;b|R:1;", "a", NULL, NULL, "referenced elsewhere" },
	{ "a|O:8:\"stdClass\":0:{}b|r:1;", "a", "1", NULL, "it stays an object" },
	{ "a|i:1;", "x.y", "1", NULL, "no such key: x" },
	{ "a|i:1;", "x", NULL, NULL, "no such key: x" },
	{ "a|i:1;", "a.b", "1", NULL, "a is integer" },
};

static void test_changes(void)
{
	for (size_t i = 0; i < sizeof(change_rows) / sizeof(change_rows[0]); i++) {
		struct pv_path p;
		char *cause = NULL;
		struct buf out = BUF_INIT;
		size_t in_len = strlen(change_rows[i].in);
		/* rows with a NUL inside: measured from the literal */
		if (strstr(change_rows[i].in, "O:1:\"A\""))
			in_len = 29;
		struct pv *root = sess_decode(change_rows[i].in, in_len, SESS_PHP, NULL, NULL);
		pv_path_parse(change_rows[i].path, &p, &cause);
		int rc = -1;
		if (root && change_rows[i].json) {
			struct pv *v = pv_from_json_text(change_rows[i].json,
							 strlen(change_rows[i].json), &cause);
			rc = v ? pv_path_set(root, &p, v, &cause) : -1;
		} else if (root) {
			rc = pv_path_unset(root, &p, &cause);
		}
		if (rc == 0)
			sess_encode(root, SESS_PHP, &out, &cause);
		int ok;
		if (change_rows[i].want) {
			size_t wl = strlen(change_rows[i].want);
			if (strstr(change_rows[i].want, "O:1:\"A\""))
				wl = 29;
			if (strstr(change_rows[i].json ? change_rows[i].json : "", "AP8"))
				wl = 17;	/* a NUL inside */
			ok = rc == 0 && out.len == wl && memcmp(out.ptr, change_rows[i].want, wl) == 0;
		} else {
			ok = rc == -1 && cause && strstr(cause, change_rows[i].why);
		}
		unit_check(ok, "change %zu: %s %s: %s", i, change_rows[i].path,
			   change_rows[i].json ? change_rows[i].json : "(unset)",
			   cause ? cause : out.ptr ? out.ptr : "");
		free(cause);
		buf_release(&out);
		pv_path_release(&p);
		pv_free(root);
	}
}

static void test_bad_json(void)
{
	static const char *const bad[] = { "{", "[1,", "nope", "{\"__float\":\"x\"}",
					   "{\"__base64\":\"!!\"}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *cause = NULL;
		struct pv *v = pv_from_json_text(bad[i], strlen(bad[i]), &cause);
		unit_check(!v && cause, "bad JSON %s: %s", bad[i], cause ? cause : "(accepted)");
		pv_free(v);
		free(cause);
	}
}

static void test_diff(void)
{
	struct buf out = BUF_INIT;
	size_t n = text_diff("a\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nX\ne\nf\ng\n", &out);
	unit_check(n == 2 && strcmp(out.ptr, "...\n b\n c\n-d\n+X\n e\n f\n...\n") == 0,
		   "diff: one line changed, two of context: %s", out.ptr);
	buf_reset(&out);
	unit_check(text_diff("a\nb\n", "a\nb\n", &out) == 0 && out.len == 0, "diff: same texts");
	unit_check(text_diff("", "x\n", &out) == 1 && strcmp(out.ptr, "+x\n") == 0,
		   "diff: from nothing");
	buf_release(&out);
}

static void test_compress(void)
{
	struct buf in = BUF_INIT, z = BUF_INIT, back = BUF_INIT;
	for (int i = 0; i < 400; i++)
		buf_printf(&in, "item %d|s:5:\"hello\";", i % 37);
	const enum compress_kind kinds[] = { COMPRESS_ZLIB, COMPRESS_FASTLZ };
	for (size_t k = 0; k < 2; k++) {
		char *cause = NULL;
		uint32_t flags = 0x10 | (kinds[k] == COMPRESS_ZLIB ? 0x20 : 0x40) | 0x1000;
		int rc = compress_as_php(kinds[k], in.ptr, in.len, &flags, &z, &cause);
		int same = rc == 0 && compress_kind_of(flags) == kinds[k] && (flags & 0x1000) &&
			   compress_unwrap(kinds[k], z.ptr, z.len, &back, &cause) == 0 &&
			   back.len == in.len && memcmp(back.ptr, in.ptr, in.len) == 0;
		unit_check(same && z.len < in.len / 2, "%s: compressed %zu -> %zu, read back",
			   compress_name(kinds[k]), in.len, z.len);
		flags = 0x10 | 0x20;
		rc = compress_as_php(kinds[k], "short", 5, &flags, &z, &cause);
		unit_check(rc == 0 && flags == 0 && z.len == 5, "%s: under the threshold: plain",
			   compress_name(kinds[k]));
		free(cause);
	}
	/* incompressible bytes over the threshold: stored plain */
	buf_reset(&in);
	unsigned x = 12345;
	for (int i = 0; i < 5000; i++) {
		x = x * 1103515245u + 12345u;
		buf_addc(&in, (char)(x >> 16));
	}
	uint32_t flags = 0x30;
	char *cause = NULL;
	unit_check(compress_as_php(COMPRESS_ZLIB, in.ptr, in.len, &flags, &z, &cause) == 0 &&
		   flags == 0 && z.len == in.len, "zlib: a value that does not shrink 1.3 times: plain");
	free(cause);
	buf_release(&in);
	buf_release(&z);
	buf_release(&back);
}

int main(void)
{
	test_parse();
	test_changes();
	test_bad_json();
	test_diff();
	test_compress();
	return unit_done();
}
