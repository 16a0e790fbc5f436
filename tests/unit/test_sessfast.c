/* test_sessfast.c: sess_fast_json writes what the tree path writes (sess_decode + pv_write_json,
 * through sessview with encryption looked for), accepts the plain shapes it is there for, and
 * declines the rest: on the golden sessions PHP wrote (argv[1], default tests/golden), the fuzz
 * corpus, hand-made cases, and many mutations of the golden sessions. */
#include "sessfast.h"
#include "sessview.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#define B(s) s, sizeof(s) - 1

static int verbose_diff;

/* 1 when sessview_write_json and the tree path agree on bytes, info and outcome. */
static int view_agrees(const char *bytes, size_t len, enum sess_handler h)
{
	struct decode_opts o = { h, CRYPT_AUTO, NULL, NULL };
	struct decode_info a, b;
	struct buf fast = BUF_INIT, slow = BUF_INIT;
	int wrote = sessview_write_json(bytes, len, 0, &o, &a, &fast);
	struct pv *v = sessview_decode_value(bytes, len, 0, &o, &b);
	if (v)
		pv_write_json(&slow, v);
	int same = wrote == (v != NULL) && memcmp(&a, &b, sizeof(a)) == 0 && fast.len == slow.len &&
		   (!fast.len || memcmp(fast.ptr, slow.ptr, fast.len) == 0);
	if (!same && verbose_diff)
		printf("# fast %.300s\n# tree %.300s\n", fast.ptr ? fast.ptr : "", slow.ptr ? slow.ptr : "");
	pv_free(v);
	buf_release(&fast);
	buf_release(&slow);
	return same;
}

/* 1 when sess_fast_json, if it accepts, writes the tree's JSON with the tree's handler. */
static int fast_agrees(const char *bytes, size_t len, enum sess_handler h, int *accepted)
{
	struct buf fast = BUF_INIT, slow = BUF_INIT;
	enum sess_handler used = SESS_UNKNOWN, fast_used = SESS_UNKNOWN;
	struct decode_error err;
	int rc = sess_fast_json(bytes, len, h, CRYPT_NONE, NULL, &fast_used, &fast);
	struct pv *v = sess_decode(bytes, len, h, &used, &err);
	if (v)
		pv_write_json(&slow, v);
	int same = rc != 0 ? fast.len == 0 :
		   v && used == fast_used && fast.len == slow.len &&
		   memcmp(fast.ptr, slow.ptr, fast.len) == 0;
	if (accepted)
		*accepted = rc == 0;
	pv_free(v);
	buf_release(&fast);
	buf_release(&slow);
	return same && view_agrees(bytes, len, h);
}

static int agrees_all_handlers(const char *bytes, size_t len)
{
	for (int h = SESS_UNKNOWN; h <= SESS_IGBINARY; h++)
		if (!fast_agrees(bytes, len, (enum sess_handler)h, NULL))
			return 0;
	return 1;
}

/* Fuzz inputs: the first byte picks the handler, as in fuzz_sessdec. */
static int agrees_fuzz_input(const char *bytes, size_t len)
{
	if (!len)
		return 1;
	return fast_agrees(bytes + 1, len - 1,
			   (enum sess_handler)((unsigned char)bytes[0] % (SESS_IGBINARY + 1)), NULL);
}

static void check_dir(const char *dir, const char *suffix, int (*same)(const char *, size_t))
{
	int bad, files = unit_each_file(dir, suffix, same, &bad);
	unit_check(files > 0 && bad == 0, "fast path is the tree path on %d files of %s", files,
		   dir);
}

/* The golden sessions of the plain shapes must take the fast path. */
static void check_accepts(const char *dir)
{
	static const char *const names[] = {
		"php-login", "php-scalars", "php-floats", "php_serialize-login",
		"php_serialize-scalars", "php_serialize-floats",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = xasprintf("%s/%s.sess", dir, names[i]);
		size_t len;
		char *bytes = unit_read_file(path, &len);
		int accepted = 0;
		int same = bytes && fast_agrees(bytes, len, SESS_UNKNOWN, &accepted);
		unit_check(same && accepted, "fast path takes %s and writes the tree's JSON", names[i]);
		free(bytes);
		free(path);
	}
}

struct row {
	const char *bytes;
	size_t len;
	enum sess_handler handler;
	const char *json;	/* what the fast path writes, or NULL when it must decline */
};

static void check_rows(void)
{
	static const struct row rows[] = {
		{ B("a|i:1;b|s:2:\"hi\";"), SESS_UNKNOWN, "{\"a\":1,\"b\":\"hi\"}" },
		{ B("a:2:{i:0;s:1:\"x\";i:1;N;}"), SESS_UNKNOWN, "[\"x\",null]" },
		{ B("a:2:{s:1:\"0\";b:1;s:1:\"1\";b:0;}"), SESS_UNKNOWN, "[true,false]" },
		{ B("a:2:{i:1;i:1;i:0;i:0;}"), SESS_UNKNOWN, "{\"1\":1,\"0\":0}" },
		{ B("a:1:{s:2:\"01\";i:1;}"), SESS_UNKNOWN, "{\"01\":1}" },
		{ B("a:0:{}"), SESS_UNKNOWN, "[]" },
		{ B("x|a:0:{}"), SESS_UNKNOWN, "{\"x\":[]}" },
		{ B("o|O:1:\"A\":2:{s:4:\"\0A\0p\";i:1;s:4:\"\0*\0q\";i:2;}"), SESS_UNKNOWN,
		  "{\"o\":{\"__class\":\"A\",\"p\":1,\"q\":2}}" },
		{ B("o|O:1:\"A\":1:{i:5;d:0.5;}"), SESS_UNKNOWN, "{\"o\":{\"__class\":\"A\",\"5\":0.5}}" },
		{ B("f|d:NAN;g|d:-INF;h|d:1.0E+25;"), SESS_UNKNOWN,
		  "{\"f\":\"NAN\",\"g\":\"-INF\",\"h\":1.0000000000000001e25}" },
		{ B("s|s:3:\"\"\\\n\";"), SESS_UNKNOWN, "{\"s\":\"\\\"\\\\\\n\"}" },
		{ B("s|s:1:\"\xff\";"), SESS_UNKNOWN, "{\"s\":{\"__base64\":\"/w==\"}}" },
		{ B("e|E:7:\"Suit:Up\";"), SESS_UNKNOWN, "{\"e\":{\"__class\":\"Suit\",\"__case\":\"Up\"}}" },
		{ B("c|C:3:\"Foo\":3:{abc}"), SESS_UNKNOWN,
		  "{\"c\":{\"__class\":\"Foo\",\"__serialized\":\"abc\"}}" },
		{ B("i|i:-9223372036854775808;"), SESS_PHP, "{\"i\":-9223372036854775808}" },
		/* declined: the tree path decides */
		{ B("a|i:1;a|i:2;"), SESS_UNKNOWN, NULL },			/* repeated name */
		{ B("a:2:{i:0;i:1;i:2;i:2;}"), SESS_UNKNOWN, NULL },		/* list broken */
		{ B("a:2:{i:0;i:1;s:1:\"k\";i:2;}"), SESS_UNKNOWN, NULL },
		{ B("n|a:1:{s:1:\"a\";a:2:{i:0;O:1:\"B\":1:{s:1:\"c\";a:1:{s:1:\"d\";b:1;}}i:1;d:1.5;}}"),
		  SESS_UNKNOWN, "{\"n\":{\"a\":[{\"__class\":\"B\",\"c\":{\"d\":true}},1.5]}}" },
		{ B("a:2:{s:1:\"x\";i:1;s:1:\"x\";i:2;}"), SESS_UNKNOWN, NULL },
		{ B("o|O:1:\"A\":1:{s:7:\"__class\";i:1;}"), SESS_UNKNOWN, NULL },
		{ B("a|a:1:{i:0;i:1;}b|R:2;"), SESS_UNKNOWN, NULL },		/* reference */
		{ B("a|a:1:{s:1:\"\xff\";i:1;}"), SESS_UNKNOWN, NULL },		/* key not UTF-8 */
		{ B("\x01|i:1;"), SESS_UNKNOWN, NULL },				/* control byte name */
		{ B("t|s:32:\"c83fbfc81e0d818ac2502bd0014de277\";"), SESS_UNKNOWN,
		  "{\"t\":\"c83fbfc81e0d818ac2502bd0014de277\"}" },
		{ B("a|i:1"), SESS_UNKNOWN, NULL },				/* truncated */
		{ B("a:1:{i:0;i:1;}x"), SESS_UNKNOWN, NULL },			/* trailing bytes */
		{ B(""), SESS_UNKNOWN, NULL },
		{ B("\0\0\0\2\24\0"), SESS_UNKNOWN, NULL },			/* igbinary */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct buf out = BUF_INIT;
		enum sess_handler used;
		int rc = sess_fast_json(r->bytes, r->len, r->handler, CRYPT_AUTO, NULL, &used, &out);
		int ok = r->json ? rc == 0 && out.ptr && strcmp(out.ptr, r->json) == 0 :
			 rc != 0 && out.len == 0;
		if (!ok)
			printf("# got %s\n", rc == 0 && out.ptr ? out.ptr : "(declined)");
		unit_check(ok && agrees_all_handlers(r->bytes, r->len), "row %zu: %s", i,
			   r->json ? r->json : "declined");
		buf_release(&out);
	}
}

/* An encrypted string inside: declined, so the tree path finds and counts it. */
static void check_inner_envelope(void)
{
	const char *inner = "ZlVNOXJZdkR3RDBxR0JtS1hGQ3FhQT09OjoxMjM0NTY3ODkwMTIzNDU2";
	char *sess = xasprintf("card|s:%zu:\"%s\";", strlen(inner), inner);
	struct buf out = BUF_INIT;
	enum sess_handler used;
	int rc = sess_fast_json(sess, strlen(sess), SESS_UNKNOWN, CRYPT_AUTO, NULL, &used, &out);
	struct decode_info d;
	int wrote = sessview_write_json(sess, strlen(sess), 0, NULL, &d, &out);
	unit_check(rc != 0 && wrote && d.inner_found == 1 && view_agrees(sess, strlen(sess), 0),
		   "an encrypted string inside is left to the tree path, which counts it");
	rc = sess_fast_json(sess, strlen(sess), SESS_UNKNOWN, CRYPT_NONE, NULL, &used, &out);
	unit_check(rc == 0, "with encryption not looked for, the fast path takes it");
	buf_release(&out);
	free(sess);
}

/* Mutations of every golden session: a byte changed, inserted or cut. */
static void check_mutations(const char *dir)
{
	static const char *const names[] = {
		"php-login", "php-nested", "php-objects", "php-strings", "php-floats", "php-custom",
		"php-enums", "php-refs", "php_serialize-nested", "php_serialize-objects",
	};
	static const char alphabet[] = "aiOsdbNCER:;{}\"0123456789-.|\0\xff";
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int bad = 0, tried = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = xasprintf("%s/%s.sess", dir, names[i]);
		size_t len;
		char *bytes = unit_read_file(path, &len);
		free(path);
		if (!bytes) {
			bad++;
			continue;
		}
		char *m = xmalloc(len + 2);
		for (int k = 0; k < 3000; k++, tried++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			size_t at = (size_t)(x % len), n = len;
			char c = alphabet[(x >> 32) % (sizeof(alphabet) - 1)];
			memcpy(m, bytes, len);
			if ((x >> 40) % 3 == 0) {
				m[at] = c;
			} else if ((x >> 40) % 3 == 1) {
				memmove(m + at + 1, m + at, len - at);
				m[at] = c;
				n++;
			} else {
				memmove(m + at, m + at + 1, len - at - 1);
				n--;
			}
			bad += !fast_agrees(m, n, SESS_UNKNOWN, NULL);
		}
		free(m);
		free(bytes);
	}
	unit_check(bad == 0, "fast path is the tree path on %d mutated sessions (%d differ)", tried,
		   bad);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/golden";
	verbose_diff = getenv("VERBOSE") != NULL;
	check_rows();
	check_inner_envelope();
	check_accepts(dir);
	check_dir(dir, ".sess", agrees_all_handlers);
	char *corpus = xasprintf("%s/../fuzz/corpus/sessdec", dir);
	check_dir(corpus, "", agrees_fuzz_input);
	free(corpus);
	check_mutations(dir);
	return unit_done();
}
