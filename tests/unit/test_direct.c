/* test_direct.c: sess_fast_json writes what the tree path writes (sess_decode + pv_write_json,
 * through session_decode with encryption looked for), accepts the plain shapes it is there for,
 * and declines the rest: on the golden sessions PHP wrote (argv[1], default tests/golden), the
 * fuzz corpora, hand-made cases, and many mutations of the golden sessions; serialize() text and
 * igbinary alike. */
#include "php/direct.h"
#include "php/direct_json.h"
#include "session_decode.h"
#include "unit.h"
#include "php/handlers.h"
#include "php/json_escape.h"
#include "php/value.h"
#include "php/value_json.h"

#include <stdlib.h>
#include <string.h>

#define B(s) s, sizeof(s) - 1
#define IG "\0\0\0\2"	/* igbinary's header */

static int verbose_diff;

/* 1 when session_write_json and the tree path agree on bytes, info and outcome. */
static int view_agrees(const char *bytes, size_t len, enum sess_handler h)
{
	struct decode_opts o = { h, CRYPT_AUTO, NULL, NULL };
	struct decode_info a, b;
	struct buf fast = BUF_INIT, slow = BUF_INIT;
	int wrote = session_write_json(bytes, len, 0, &o, &a, &fast);
	struct pv *v = session_decode_value(bytes, len, 0, &o, &b);
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
		"php_serialize-scalars", "php_serialize-floats", "igbinary-login", "igbinary-scalars",
		"igbinary-floats", "igbinary-empty",
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
		/* another class's private property: plain alone; shadowing one, declined (the
		 * tree path names it Other::name) */
		{ B("o|O:1:\"A\":1:{s:4:\"\0B\0x\";i:1;}"), SESS_UNKNOWN,
		  "{\"o\":{\"__class\":\"A\",\"x\":1}}" },
		{ B("o|O:1:\"A\":2:{s:4:\"\0B\0x\";i:1;s:1:\"x\";i:2;}"), SESS_UNKNOWN, NULL },
		{ B("o|O:7:\"Account\":3:{s:11:\"\0Cart\0items\";a:0:{}s:8:\"\0*\0owner\";N;"
		    "s:14:\"\0Account\0items\";s:1:\"s\";}"), SESS_UNKNOWN, NULL },
		{ B("o|O:1:\"A\":2:{s:4:\"\0B\0x\";i:1;s:4:\"\0B\0x\";i:2;}"), SESS_UNKNOWN, NULL },
		{ B("a|a:1:{i:0;i:1;}b|R:2;"), SESS_UNKNOWN, NULL },		/* reference */
		{ B("a|a:1:{s:1:\"\xff\";i:1;}"), SESS_UNKNOWN, NULL },		/* key not UTF-8 */
		{ B("\x01|i:1;"), SESS_UNKNOWN, NULL },				/* control byte name */
		{ B("t|s:32:\"c83fbfc81e0d818ac2502bd0014de277\";"), SESS_UNKNOWN,
		  "{\"t\":\"c83fbfc81e0d818ac2502bd0014de277\"}" },
		{ B("a|i:1"), SESS_UNKNOWN, NULL },				/* truncated */
		{ B("a:1:{i:0;i:1;}x"), SESS_UNKNOWN, NULL },			/* trailing bytes */
		{ B(""), SESS_UNKNOWN, NULL },
		/* igbinary (octal escapes: a hex one would run on into the next letter) */
		{ B(IG "\24\0"), SESS_UNKNOWN, "[]" },
		{ B("\0\0\0\1\24\0"), SESS_IGBINARY, "[]" },			/* format 1 */
		{ B(IG "\24\2\21\1a\6\1\21\1b\21\2hi"), SESS_UNKNOWN, "{\"a\":1,\"b\":\"hi\"}" },
		{ B(IG "\24\3\6\0\21\1x\6\1\16\0\6\2\15"), SESS_IGBINARY, "[\"x\",\"x\",\"\"]" },
		{ B(IG "\24\2\0\6\0\6\5"), SESS_UNKNOWN, "[5]" },		/* null key skipped */
		{ B(IG "\24\1\21\0010\6\1"), SESS_UNKNOWN, "{\"0\":1}" },	/* string key "0" */
		{ B(IG "\24\2\6\1\4\6\0\5"), SESS_UNKNOWN, "{\"1\":false,\"0\":true}" },
		{ B(IG "\24\3\6\0\40\177\377\377\377\377\377\377\377\6\1\41\200\0\0\0\0\0\0\0"
		    "\6\2\13\0\1\0\0"), SESS_UNKNOWN,
		  "[9223372036854775807,-9223372036854775808,-65536]" },
		{ B(IG "\24\3\6\0\14\77\370\0\0\0\0\0\0\6\1\14\177\370\0\0\0\0\0\0"
		    "\6\2\14\200\0\0\0\0\0\0\0"), SESS_UNKNOWN, "[1.5,\"NAN\",-0.0]" },
		{ B(IG "\24\1\6\0\21\2\377\0"), SESS_UNKNOWN, "[{\"__base64\":\"/wA=\"}]" },
		{ B(IG "\24\1\21\1o\27\1A\24\3\21\4\0A\0p\6\1\21\4\0*\0q\6\2\6\5\6\3"),
		  SESS_UNKNOWN, "{\"o\":{\"__class\":\"A\",\"p\":1,\"q\":2,\"5\":3}}" },
		{ B(IG "\24\1\21\1o\27\1A\24\1\21\6\0A\0x\0y\6\1"), SESS_UNKNOWN,
		  "{\"o\":{\"__class\":\"A\",\"y\":1}}" },		/* anonymous class's NUL */
		{ B(IG "\24\2\6\0\27\1P\24\0\6\1\32\0\24\0"), SESS_UNKNOWN,
		  "[{\"__class\":\"P\"},{\"__class\":\"P\"}]" },		/* class name by id */
		{ B(IG "\24\2\6\0\27\3Ser\35\3abc\6\1\27\4Suit\47\21\2Up"), SESS_UNKNOWN,
		  "[{\"__class\":\"Ser\",\"__serialized\":\"abc\"},{\"__class\":\"Suit\",\"__case\":\"Up\"}]" },
		{ B(IG "\24\1\6\0\27\4Suit\47\32\0"), SESS_UNKNOWN,
		  "[{\"__class\":\"Suit\",\"__case\":\"Suit\"}]" },		/* case by object id */
		/* strings by id: their JSON copied, as keys and values, mangled names both ways */
		{ B(IG "\24\3\21\1k\16\0\6\1\27\1A\24\2\21\4\0A\0p\16\2\16\0\16\2\6\2\16\2"),
		  SESS_UNKNOWN, "{\"k\":\"k\",\"1\":{\"__class\":\"A\",\"p\":\"\\u0000A\\u0000p\","
		  "\"k\":\"\\u0000A\\u0000p\"},\"2\":\"\\u0000A\\u0000p\"}" },
		{ B(IG "\24\2\21\4\0A\0p\6\1\6\1\27\1A\24\1\16\0\16\0"), SESS_UNKNOWN,
		  "{\"\\u0000A\\u0000p\":1,\"1\":{\"__class\":\"A\",\"p\":\"\\u0000A\\u0000p\"}}" },
		{ B(IG "\24\2\21\24abcdefghijklmnopqrst\6\1\6\1\16\0"), SESS_UNKNOWN,
		  "{\"abcdefghijklmnopqrst\":1,\"1\":\"abcdefghijklmnopqrst\"}" },
		{ B(IG "\24\2\21\3a\"b\6\1\6\1\16\0"), SESS_UNKNOWN,
		  "{\"a\\\"b\":1,\"1\":\"a\\\"b\"}" },
		{ B(IG "\24\2\21\1a\21\1\377\16\1\6\1"), SESS_UNKNOWN, NULL },	/* id: no UTF-8 */
		{ B(IG "\24\1\21\1k\16\1"), SESS_UNKNOWN, NULL },		/* id past the table */
		{ B(IG "\24\1\6\0\16\0"), SESS_UNKNOWN, NULL },		/* id, empty table */
		{ B(IG "\24\1\6\0\17\0\0"), SESS_UNKNOWN, NULL },		/* id16, empty table */
		{ B(IG "\24\2\6\0\24\1\6\0\1\0\6\1\6\1"), SESS_UNKNOWN, NULL },	/* ref */
		{ B(IG "\24\2\6\0\25\6\1\6\1\6\1"), SESS_UNKNOWN, NULL },	/* & */
		{ B(IG "\24\2\6\0\27\1P\24\0\6\1\42\1"), SESS_UNKNOWN, NULL },	/* objref */
		{ B(IG "\24\2\21\1a\6\1\16\0\6\2"), SESS_UNKNOWN, NULL },	/* repeated name */
		{ B(IG "\24\2\6\5\6\1\21\0015\6\2"), SESS_UNKNOWN, NULL },	/* 5 and "5" */
		{ B(IG "\24\2\6\0\6\1\6\2\6\2"), SESS_UNKNOWN, NULL },	/* list broken */
		{ B(IG "\24\1\21\1\377\6\1"), SESS_UNKNOWN, NULL },		/* key not UTF-8 */
		{ B(IG "\24\1\6\0\27\1A\24\1\21\7__class\6\1"), SESS_UNKNOWN, NULL },
		{ B(IG "\24\1\6\0\27\1A\24\1\21\4\0B\0x\6\1"), SESS_UNKNOWN,
		  "[{\"__class\":\"A\",\"x\":1}]" },
		{ B(IG "\24\1\6\0\27\1A\24\2\21\4\0B\0x\6\1\21\1x\6\2"), SESS_UNKNOWN, NULL },
		{ B(IG "\24\1\6\0\27\3A\0B\24\0"), SESS_UNKNOWN, NULL },	/* NUL in class */
		{ B(IG "\6\1"), SESS_UNKNOWN, NULL },				/* root no array */
		{ B(IG "\27\1A\24\0"), SESS_UNKNOWN, NULL },
		{ B(IG "\24\0\0"), SESS_UNKNOWN, NULL },				/* trailing byte */
		{ B(IG "\24\1\6\0"), SESS_UNKNOWN, NULL },			/* truncated */
		{ B(IG), SESS_UNKNOWN, NULL },
		{ B(IG "\24\0"), SESS_PHP, NULL },
		{ B("\0\0\0\3\24\0"), SESS_IGBINARY, NULL },			/* format 3 */
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

/* An encrypted string inside (sess, len bytes of handler what): declined, so the tree path
 * finds and counts it. */
static void check_inner_envelope(const char *sess, size_t len, const char *what)
{
	struct buf out = BUF_INIT;
	enum sess_handler used;
	int rc = sess_fast_json(sess, len, SESS_UNKNOWN, CRYPT_AUTO, NULL, &used, &out);
	struct decode_info d;
	int wrote = session_write_json(sess, len, 0, NULL, &d, &out);
	unit_check(rc != 0 && wrote && d.inner_found == 1 && view_agrees(sess, len, 0),
		   "%s: an encrypted string inside is left to the tree path, which counts it", what);
	rc = sess_fast_json(sess, len, SESS_UNKNOWN, CRYPT_NONE, NULL, &used, &out);
	unit_check(rc == 0, "%s: with encryption not looked for, the fast path takes it", what);
	buf_release(&out);
}

static void check_inner_envelopes(void)
{
	const char *inner = "ZlVNOXJZdkR3RDBxR0JtS1hGQ3FhQT09OjoxMjM0NTY3ODkwMTIzNDU2";
	char *sess = xasprintf("card|s:%zu:\"%s\";", strlen(inner), inner);
	check_inner_envelope(sess, strlen(sess), "php");
	free(sess);
	struct buf ig = BUF_INIT;
	buf_add(&ig, B(IG "\24\1\21\4card\21"));
	buf_addc(&ig, (char)strlen(inner));
	buf_adds(&ig, inner);
	check_inner_envelope(ig.ptr, ig.len, "igbinary");
	buf_release(&ig);
}

/* More strings than the string table keeps on the stack and more members than the repeat check
 * compares pairwise: taken; declined once a name repeats. */
static void check_igbinary_many(void)
{
	for (int repeat = 0; repeat < 2; repeat++) {
		struct buf b = BUF_INIT;
		buf_add(&b, B(IG "\25\0\310"));	/* array16 of 200 */
		for (int i = 0; i < 200; i++) {
			char key[4] = { '\21', 2, 'a' + (char)(i / 26), 'a' + (char)(i % 26) };
			if (repeat && i == 199)
				key[3] = key[2] = 'a';
			/* the name, then its string id as the value */
			buf_add(&b, key, sizeof(key));
			buf_add(&b, (char[]){ '\17', (char)(i >> 8), (char)i }, 3);
		}
		int accepted = 0;
		int same = fast_agrees(b.ptr, b.len, SESS_UNKNOWN, &accepted);
		unit_check(same && accepted == !repeat, "igbinary, 200 members and strings%s: %s",
			   repeat ? ", one name twice" : "", repeat ? "declined" : "taken");
		buf_release(&b);
	}
}

/* The repeat check with names of one length and first byte (its 64-bit filter cannot tell them
 * apart; pairwise from 2 to 16, hashed above): 2..20 names, taken; then each name in turn written
 * again at the end, or a name of another length and first byte twice: declined. */
static void check_repeats(void)
{
	size_t bad = 0, runs = 0;
	for (int m = 2; m <= 20; m++) {
		for (int again = -2; again < m; again++) {
			struct buf body = BUF_INIT, b = BUF_INIT;
			for (int i = 0; i < m; i++)
				buf_printf(&body, "s:3:\"k%02d\";i:%d;", i, i);
			if (again == -1)	/* a name the filter tells apart, twice */
				buf_adds(&body, "s:1:\"z\";i:0;s:1:\"z\";N;");
			else if (again >= 0)
				buf_printf(&body, "s:3:\"k%02d\";N;", again);
			buf_printf(&b, "a:%d:{%s}", m + (again == -1 ? 2 : again >= 0), body.ptr);
			int accepted = 0;
			int same = fast_agrees(b.ptr, b.len, SESS_PHP_SERIALIZE, &accepted);
			bad += !same || accepted != (again == -2);
			runs++;
			buf_release(&body);
			buf_release(&b);
		}
	}
	unit_check(bad == 0 && runs > 200, "repeated names found among look-alikes (%zu of %zu wrong)",
		   bad, runs);
}

/* fast_put_utf8 writes what json_write_utf8 writes, or declines leaving out as it was: strings
 * of every length to 70 (past the sixteen-byte steps and their overlapping last one) with one
 * byte sequence (escape, UTF-8, damaged UTF-8) at every place, and with a second one (a control
 * byte or UTF-8) at the end. */
static void check_put_utf8(void)
{
	static const char *const odd[] = {
		"", "\"", "\\", "\n", "\001", "\177", "\303\251", "\342\202\254",
		"\360\237\230\200", "\377", "\303", "\355\240\200", "\300\200", "\303\251\"",
	};
	static const char *const last[] = { "", "\037", "\303\251" };
	const size_t n_odd = sizeof(odd) / sizeof(odd[0]);
	size_t bad = 0, runs = 0;
	for (size_t k = 0; k < n_odd * 3; k++) {
		for (size_t n = 0; n <= 70; n++) {
			for (size_t at = 0; at <= n; at++) {
				struct buf s = BUF_INIT, fast = BUF_INIT, slow = BUF_INIT;
				for (size_t i = 0; i < n; i++) {
					if (i == at)
						buf_adds(&s, odd[k % n_odd]);
					buf_addc(&s, (char)('a' + i % 26));
				}
				if (at == n)
					buf_adds(&s, odd[k % n_odd]);
				buf_adds(&s, last[k / n_odd]);
				buf_adds(&fast, "x");
				buf_adds(&slow, "x");
				int a = fast_put_utf8(&fast, s.ptr, s.len);
				int b = json_write_utf8(&slow, s.ptr, s.len);
				if (a != b || fast.len != slow.len || strcmp(fast.ptr, slow.ptr) != 0)
					bad++;
				runs++;
				buf_release(&s);
				buf_release(&fast);
				buf_release(&slow);
			}
		}
	}
	unit_check(bad == 0, "fast_put_utf8 agrees with json_write_utf8 (%zu of %zu differ)", bad,
		   runs);
}

struct mutations {
	const char *what;
	const char *const *names;	/* golden sessions */
	size_t n_names;
	const char *alphabet;		/* bytes put in */
	size_t n_alphabet;
};

/* Mutations of golden sessions: a byte changed, inserted or cut; every other one decoded with
 * handler h, the rest with SESS_UNKNOWN. Returns how many the fast path took. */
static int check_mutations(const char *dir, const struct mutations *mu, enum sess_handler h)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int bad = 0, tried = 0, accepted = 0;
	for (size_t i = 0; i < mu->n_names; i++) {
		char *path = xasprintf("%s/%s.sess", dir, mu->names[i]);
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
			char c = mu->alphabet[(x >> 32) % mu->n_alphabet];
			int took = 0;
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
			bad += !fast_agrees(m, n, k % 2 ? h : SESS_UNKNOWN, &took);
			accepted += took;
		}
		free(m);
		free(bytes);
	}
	unit_check(bad == 0, "fast path is the tree path on %d mutated %s sessions (%d taken, %d differ)",
		   tried, mu->what, accepted, bad);
	return accepted;
}

static void check_text_mutations(const char *dir)
{
	static const char *const names[] = {
		"php-login", "php-nested", "php-objects", "php-strings", "php-floats", "php-custom",
		"php-enums", "php-refs", "php_serialize-nested", "php_serialize-objects",
	};
	static const char alphabet[] = "aiOsdbNCER:;{}\"0123456789-.|\0\xff";
	struct mutations mu = { "serialize()", names, sizeof(names) / sizeof(names[0]), alphabet,
				sizeof(alphabet) - 1 };
	check_mutations(dir, &mu, SESS_UNKNOWN);
}

/* igbinary: type bytes (references, strings, ids, arrays, objects...), lengths and counts. */
static void check_igbinary_mutations(const char *dir)
{
	static const char *const names[] = {
		"igbinary-login", "igbinary-scalars", "igbinary-floats", "igbinary-nested",
		"igbinary-objects", "igbinary-strings", "igbinary-custom", "igbinary-enums",
		"igbinary-magic", "igbinary-refs",
	};
	char alphabet[0x28 + 6];
	for (int i = 0; i < 0x28; i++)
		alphabet[i] = (char)i;
	memcpy(alphabet + 0x28, "\x7f\x80\xff*_a", 6);
	struct mutations mu = { "igbinary", names, sizeof(names) / sizeof(names[0]), alphabet,
				sizeof(alphabet) };
	int accepted = check_mutations(dir, &mu, SESS_IGBINARY);
	unit_check(accepted >= 1000, "the fast path takes many mutated igbinary sessions (%d)",
		   accepted);
}

/* fast_put_key writes json_write_utf8's string and ':' (or declines with out unchanged) and notes
 * the span, whatever the room left in out: names of 0 to 20 bytes with an odd byte anywhere,
 * after 40 to 63 bytes (out's first 64 bytes run out on the way). fast_put_member likewise,
 * with its separator before the name. */
static int member_agrees(const char *s, size_t n, size_t pre)
{
	struct buf fast = BUF_INIT, slow = BUF_INIT;
	for (size_t i = 0; i < pre; i++) {
		buf_addc(&fast, 'x');
		buf_addc(&slow, 'x');
	}
	struct fast_keys keys;
	fast_keys_init(&keys);
	int a = fast_put_member(&keys, &fast, ',', s, n);
	buf_addc(&slow, ',');
	int b = json_write_utf8(&slow, s, n);
	if (b == 0)
		buf_addc(&slow, ':');
	else
		fast_decline(&slow, pre);
	int same = a == b && fast.len == slow.len && strcmp(fast.ptr, slow.ptr) == 0 &&
		   keys.n == (a == 0) &&
		   (a != 0 || (keys.spans[0].off == pre + 1 && keys.spans[0].len == slow.len - pre - 2));
	fast_keys_release(&keys);
	buf_release(&fast);
	buf_release(&slow);
	return same;
}

static void check_put_key(void)
{
	static const char *const odd[] = { "", "\"", "\n", "\303\251", "\377", "\303" };
	const size_t n_odd = sizeof(odd) / sizeof(odd[0]);
	size_t bad = 0, runs = 0;
	for (size_t k = 0; k < n_odd; k++) {
		for (size_t n = 0; n <= 20; n++) {
			for (size_t at = 0; at <= n; at++) {
				for (size_t pre = 40; pre < 64; pre++) {
					struct buf s = BUF_INIT, fast = BUF_INIT, slow = BUF_INIT;
					for (size_t i = 0; i < n; i++) {
						if (i == at)
							buf_adds(&s, odd[k]);
						buf_addc(&s, (char)('a' + i % 26));
					}
					if (at == n)
						buf_adds(&s, odd[k]);
					for (size_t i = 0; i < pre; i++) {
						buf_addc(&fast, 'x');
						buf_addc(&slow, 'x');
					}
					struct fast_keys keys;
					fast_keys_init(&keys);
					int a = fast_put_key(&keys, &fast, 0, 0, s.ptr ? s.ptr : "", s.len);
					bad += !member_agrees(s.ptr ? s.ptr : "", s.len, pre);
					int b = json_write_utf8(&slow, s.ptr ? s.ptr : "", s.len);
					if (b == 0)
						buf_addc(&slow, ':');
					else
						fast_decline(&slow, pre);
					if (a != b || fast.len != slow.len || strcmp(fast.ptr, slow.ptr) != 0 ||
					    keys.n != (a == 0) ||
					    (a == 0 && (keys.spans[0].off != pre ||
							keys.spans[0].len != slow.len - pre - 1)))
						bad++;
					runs++;
					fast_keys_release(&keys);
					buf_release(&s);
					buf_release(&fast);
					buf_release(&slow);
				}
			}
		}
	}
	unit_check(bad == 0,
		   "fast_put_key, fast_put_member agree with json_write_utf8 (%zu of %zu differ)", bad,
		   runs);
}

/* Ints copied as they stand, list keys matched as text, member names written with their ':'
 * (direct.c's short paths): the tree path's JSON or a decline on each case, whole and cut
 * short at every byte. */
static void check_short_paths(void)
{
	static const struct { const char *s; size_t n; } cases[] = {
		{ B("a|i:0;") }, { B("a|i:-0;") }, { B("a|i:+5;") }, { B("a|i:007;") },
		{ B("a|i:-007;") }, { B("a|i:-;") }, { B("a|i:;") }, { B("a|i:0x;") },
		{ B("a|i:5") }, { B("a|i:00;") }, { B("a|i:-1;b|i:10;") },
		{ B("a|i:123456789012345678;") }, { B("a|i:-123456789012345678;") },
		{ B("a|i:1234567890123456789;") }, { B("a|i:9223372036854775807;") },
		{ B("a|i:9223372036854775808;") }, { B("a|i:-9223372036854775808;") },
		{ B("a|i:-9223372036854775809;") }, { B("a|i:12345678901234567890123;") },
		{ B("a:3:{i:0;i:7;i:1;i:8;i:2;i:9;}") },
		{ B("a:3:{i:0;i:7;s:1:\"1\";i:8;i:2;i:9;}") }, { B("a:2:{i:0;i:7;i:01;i:8;}") },
		{ B("a:2:{i:0;i:7;i:+1;i:8;}") }, { B("a:2:{i:0;i:7;i:2;i:8;}") },
		{ B("a:2:{i:0;i:7;i:1 i:8;}") }, { B("a:2:{i:0;i:7;s:1:1;i:8;}") },
		{ B("a:1:{s:2:\"-5\";i:1;}") }, { B("a:1:{s:2:\"-0\";i:1;}") },
		{ B("a:1:{s:1:\"-\";i:1;}") }, { B("a:1:{s:3:\"a\"b\";i:1;}") },
		{ B("a:1:{s:2:\"\303\251\";i:1;}") }, { B("a:1:{s:3:\"a\\b\";i:1;}") },
		{ B("a:1:{s:3:\"a\nb\";i:1;}") }, { B("a:1:{s:2:\"\303(\";i:1;}") },
		{ B("a:1:{s:3:\"a\0b\";i:1;}") },
		{ B("a:1:{s:20:\"abcdefghijklmnopqrst\";i:1;}") },
		{ B("a:1:{s:20:\"abcdefghijklmnopqr\303\251\";i:1;}") },
		{ B("a:1:{s:0:\"\";i:1;}") }, { B("a:2:{s:1:\"a\";i:1;i:-3;i:2;}") },
		{ B("o|O:1:\"A\":2:{s:4:\"\0A\0p\";i:1;i:-7;i:2;}") },
		/* string and count headers: one or two digits, leading zeros, lengths past the end */
		{ B("a|s:1:\"x\";") }, { B("a|s:01:\"x\";") }, { B("a|s:2:\"x\";") },
		{ B("a|s:9:\"x\";b|i:1;") }, { B("a|s:10:\"0123456789\";") }, { B("a|s:1:\"xx;") },
		{ B("a|s:1:\"x\":") }, { B("a|s:1:x\";") }, { B("a|s:99:\"x\";") },
		{ B("a|s:1;\"x\";") }, { B("a|s:123:\"x\";") }, { B("a|s::\"\";") },
		{ B("a|s:0:\"\";") }, { B("a|s:00:\"\";") }, { B("a|a:1:{i:0;i:1;}") },
		{ B("a|a:01:{i:0;i:1;}") }, { B("a|a:1:[i:0;i:1;}") }, { B("a|a:1{i:0;i:1;}") },
		{ B("a|a::{}") }, { B("a|a:123:{i:0;i:1;}") },
		{ B("a|O:1:\"A\":1:{s:1:\"p\";i:1;}") }, { B("a|O:1:\"A\";1:{s:1:\"p\";i:1;}") },
		{ B("a|O:01:\"A\":01:{s:3:\"\0*\0\";i:1;}") },
		{ B("a|O:1:\"A\":1:{s:4:\"\0*\0p\";i:1;}") },
		{ B("a|O:1:\"A\":1:{s:4:\"\0*xp\";i:1;}") },
		{ B("a|O:1:\"A\":1:{s:4:\"\0**\0\";i:1;}") },
		{ B("a|C:1:\"A\":2:{xy}") }, { B("a|C:1:\"A\":02:{xy}") }, { B("a|C:1:\"A\":9:{xy}") },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		size_t len = cases[c].n, bad = 0;
		for (size_t n = 0; n <= len; n++)
			bad += !agrees_all_handlers(cases[c].s, n);
		unit_check(bad == 0, "short paths: case %zu and its %zu prefixes", c, len);
	}
	/* lists long enough for two-digit and three-digit keys, with a broken key at the end */
	for (size_t count = 9; count <= 102; count += 31) {
		for (int broken = 0; broken < 2; broken++) {
			struct buf b = BUF_INIT;
			buf_printf(&b, "a:%zu:{", count);
			for (size_t k = 0; k < count; k++)
				buf_printf(&b, "i:%zu;i:%zu;", broken && k == count - 1 ? k + 1 : k, k * 7);
			buf_addc(&b, '}');
			int accepted = 0;
			int same = fast_agrees(b.ptr, b.len, SESS_UNKNOWN, &accepted);
			unit_check(same && accepted == !broken, "list of %zu%s", count,
				   broken ? ", last key wrong" : "");
			buf_release(&b);
		}
	}
}

/* direct_igbinary.c's short paths (one-byte string ids, lengths and integers, names copied from
 * the string table, lists, mangled names): the tree path's JSON or a decline on each case, whole
 * and cut short at every byte. Octal escapes of three digits throughout. */
static void check_igbinary_short_paths(void)
{
	static const struct { const char *s; size_t n; } cases[] = {
		/* one-byte integers, either sign, and wider ones */
		{ B(IG "\024\001\021\001a\006\377") }, { B(IG "\024\001\021\001a\007\000") },
		{ B(IG "\024\001\021\001a\007\377") }, { B(IG "\024\001\021\001a\007\144") },
		{ B(IG "\024\001\021\001a\006\012") }, { B(IG "\024\001\021\001a\006\011") },
		{ B(IG "\024\001\021\001a\006\143") }, { B(IG "\024\001\021\001a\010\001\000") },
		{ B(IG "\024\001\021\001a\011\000\000") },
		{ B(IG "\024\001\021\001a\041\200\000\000\000\000\000\000\000") },
		{ B(IG "\024\001\021\001a\041\200\000\000\000\000\000\000\001") },
		/* string ids: in range, past it, wide; a name twice */
		{ B(IG "\024\002\021\001a\016\000\021\001b\016\000") },
		{ B(IG "\024\002\021\001a\016\000\021\001b\016\002") },
		{ B(IG "\024\002\021\001a\017\000\000\021\001b\020\000\000\000\001") },
		{ B(IG "\024\002\021\001a\006\001\016\000\006\002") },
		{ B(IG "\024\002\021\001a\006\001\015\006\002") },
		{ B(IG "\024\002\015\006\001\015\006\002") },
		/* lengths: to the end exactly, past it; wide; empty */
		{ B(IG "\024\001\021\001a\021\002ab") }, { B(IG "\024\001\021\001a\021\005ab") },
		{ B(IG "\024\001\021\001a\022\000\002ab") }, { B(IG "\024\001\021\001a\021\000") },
		{ B(IG "\024\001\021\001a\046\000\000\000\000\000\000\000\002ab") },
		/* lists: keys 0, 1, ... from either zero; broken; a string key; string ids as values */
		{ B(IG "\024\001\021\001a\024\002\006\000\016\000\006\001\016\000") },
		{ B(IG "\024\001\021\001a\024\002\007\000\006\005\006\001\006\006") },
		{ B(IG "\024\001\021\001a\024\002\006\000\006\005\006\002\006\006") },
		{ B(IG "\024\001\021\001a\024\002\006\000\006\005\021\0011\006\006") },
		{ B(IG "\024\001\021\001a\024\002\006\001\006\005\006\000\006\006") },
		{ B(IG "\024\001\021\001a\024\003\006\000\006\005\000\006\001\006\006") },
		{ B(IG "\024\001\021\001a\024\002\021\0010\006\005\006\001\006\006") },
		{ B(IG "\024\001\021\001a\024\000") }, { B(IG "\026\000\000\000\002\021\001a\005") },
		{ B(IG "\024\001\021\001a\026\377\377\377\377\006\000\005") },
		/* names past sixteen bytes, and with odd bytes, written again from the table */
		{ B(IG "\024\002\021\001a\024\001\021\024abcdefghijklmnopqrst\006\001"
		    "\021\001b\024\001\016\001\006\002") },
		{ B(IG "\024\002\021\001a\024\001\021\016abcdefghijklmn\006\001"
		    "\021\001b\024\001\016\001\006\002") },
		{ B(IG "\024\002\021\001a\024\001\021\003a\"b\006\001\021\001b\024\001\016\001\016\001") },
		{ B(IG "\024\002\021\001a\024\001\021\002\303\251\006\001\021\001b\024\001\016\001\006\002") },
		{ B(IG "\024\001\021\002\303(\006\001") }, { B(IG "\024\001\021\001a\021\001\377") },
		{ B(IG "\024\001\021\001a\021\003a\000b") }, { B(IG "\024\001\021\003a\000b\006\001") },
		/* objects: mangled names, "__class", a name twice, a mangled name again as a value */
		{ B(IG "\024\001\021\001o\027\001A\024\002\021\004\000A\000p\006\001"
		    "\021\004\000*\000q\006\002") },
		{ B(IG "\024\001\021\001o\027\001A\024\001\021\003\000*\000\006\001") },
		{ B(IG "\024\001\021\001o\027\001A\024\001\021\010\000A\000x\000B\000p\006\001") },
		{ B(IG "\024\001\021\001o\027\001A\024\001\021\003\000\000p\006\001") },
		{ B(IG "\024\001\021\001o\027\001A\024\001\021\002\000p\006\001") },
		{ B(IG "\024\001\021\001o\027\001A\024\001\021\007__class\006\001") },
		{ B(IG "\024\001\021\001o\027\001A\024\002\021\001p\006\001\016\002\006\002") },
		{ B(IG "\024\001\021\001o\027\001A\024\002\021\004\000A\000p\006\001\021\001p\006\002") },
		{ B(IG "\024\002\021\001o\027\001A\024\001\021\004\000A\000p\006\001\021\001v\016\002") },
		{ B(IG "\024\002\021\001o\027\001A\024\001\006\007\006\001\021\001v\032\001\024\000") },
		{ B(IG "\024\001\021\001o\027\001A\024\001\007\007\006\001") },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		size_t len = cases[c].n, bad = 0;
		for (size_t n = 0; n <= len; n++)
			bad += !agrees_all_handlers(cases[c].s, n);
		unit_check(bad == 0, "igbinary short paths: case %zu and its %zu prefixes", c, len);
	}
	/* lists past one-byte keys, with a broken key at the end; values of every one-byte integer */
	for (size_t count = 250; count <= 300; count += 50) {
		for (int broken = 0; broken < 2; broken++) {
			struct buf b = BUF_INIT;
			buf_add(&b, B(IG "\024\001\021\001a\025"));
			buf_add(&b, (char[]){ (char)(count >> 8), (char)count }, 2);
			for (size_t k = 0; k < count; k++) {
				size_t key = broken && k == count - 1 ? k + 1 : k;
				if (key < 256)
					buf_add(&b, (char[]){ '\006', (char)key }, 2);
				else
					buf_add(&b, (char[]){ '\010', (char)(key >> 8), (char)key }, 3);
				buf_add(&b, (char[]){ k & 1 ? '\007' : '\006', (char)k }, 2);
			}
			int accepted = 0;
			int same = fast_agrees(b.ptr, b.len, SESS_UNKNOWN, &accepted);
			unit_check(same && accepted == !broken, "igbinary list of %zu%s", count,
				   broken ? ", last key wrong" : "");
			buf_release(&b);
		}
	}
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/golden";
	verbose_diff = getenv("VERBOSE") != NULL;
	check_rows();
	check_inner_envelopes();
	check_igbinary_many();
	check_repeats();
	check_put_utf8();
	check_put_key();
	check_short_paths();
	check_igbinary_short_paths();
	check_accepts(dir);
	check_dir(dir, ".sess", agrees_all_handlers);
	char *corpus = xasprintf("%s/../fuzz/corpus/sessdec", dir);
	check_dir(corpus, "", agrees_fuzz_input);
	free(corpus);
	corpus = xasprintf("%s/../fuzz/corpus/igbinary", dir);
	check_dir(corpus, "", agrees_all_handlers);
	free(corpus);
	check_text_mutations(dir);
	check_igbinary_mutations(dir);
	return unit_done();
}
