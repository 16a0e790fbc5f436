/* test_handlers.c: the serialize() parser, the session handlers and their detection, JSON
 * and tree output. Expected JSON comes from real PHP 8.2 (see each table); trees and error
 * offsets are memcsess's own and were reviewed by hand. */
#include "php/handlers.h"
#include "session_decode.h"
#include "unit.h"
#include "php/float_text.h"
#include "php/unserialize.h"
#include "php/value.h"
#include "php/value_json.h"
#include "php/value_text.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A byte string with its length (it may hold NULs). */
#define B(s) s, sizeof(s) - 1
#define N_ROWS(t) (sizeof(t) / sizeof((t)[0]))

/* The bytes as printable text for a check's name (\xNN escapes); valid until the
 * fourth call after. */
static struct buf shown_bufs[4];

static const char *shown(const char *s, size_t n)
{
	static int next;
	struct buf *b = &shown_bufs[next++ % 4];
	buf_reset(b);
	buf_add_escaped(b, s, n > 120 ? 120 : n);
	if (n > 120)
		buf_adds(b, "...");
	return b->ptr ? b->ptr : "";
}

/* Parses one whole value; NULL with err set on failure or when bytes are left over. */
static struct pv *parse_all(const char *in, size_t len, struct decode_error *err)
{
	struct phpser *p = phpser_new(in, len);
	size_t pos = 0;
	struct pv *v = phpser_value(p, &pos, err);
	phpser_free(p);
	if (v && pos != len) {
		err->offset = pos;
		snprintf(err->msg, sizeof(err->msg), "bytes left over");
		pv_free(v);
		return NULL;
	}
	return v;
}

/* 1 when v's JSON equals the JSON text want. */
static int json_is(const struct pv *v, const char *want)
{
	json_error_t jerr;
	json_t *w = json_loads(want, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	json_t *got = pv_to_json(v);
	int same = w && got && json_equal(w, got);
	if (!same) {
		char *s = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		printf("# expected %s\n# got      %s\n", want, s ? s : "(nothing)");
		free(s);
	}
	json_decref(w);
	json_decref(got);
	return same;
}

/* 1 when the tree of {"v": v} is want. Takes ownership of v. */
static int tree_is(struct pv *v, const char *want)
{
	struct pv *root = pv_new(PV_ARRAY);
	struct buf out = BUF_INIT;
	pv_append(root, pv_new_string("v", 1), v);
	pv_format_tree(root, &out);
	int same = strcmp(out.ptr ? out.ptr : "", want) == 0;
	if (!same)
		printf("# expected:\n%s# got:\n%s", want, out.ptr ? out.ptr : "");
	buf_release(&out);
	pv_free(root);
	return same;
}

/*
 * Every grammar element. Expected JSON: PHP 8.2's unserialize() of the input, put through
 * golden_json() from tests/golden/make-golden.php and json_encode() with
 * JSON_UNESCAPED_SLASHES|JSON_UNESCAPED_UNICODE|JSON_PRESERVE_ZERO_FRACTION, i.e.
 *   php -r '... echo json_encode(golden_json(unserialize($in)), ...);'
 * with #[AllowDynamicProperties] classes A and B (no declared properties), a Serializable
 * class Ser whose unserialize() keeps the payload and passes it to unserialize(), and
 * enum Suit { case H; case S; }.
 */
static const struct grammar_row {
	const char *in;
	size_t len;
	const char *json;
	const char *tree;
} grammar_rows[] = {
	{ B("N;"),
	  "null",
	  "v: null\n" },
	{ B("b:0;"),
	  "false",
	  "v: bool false\n" },
	{ B("b:1;"),
	  "true",
	  "v: bool true\n" },
	{ B("i:0;"),
	  "0",
	  "v: int 0\n" },
	{ B("i:-12;"),
	  "-12",
	  "v: int -12\n" },
	{ B("i:+5;"),
	  "5",
	  "v: int 5\n" },
	{ B("i:007;"),
	  "7",
	  "v: int 7\n" },
	{ B("i:9223372036854775807;"),
	  "9223372036854775807",
	  "v: int 9223372036854775807\n" },
	{ B("i:-9223372036854775808;"),
	  "-9223372036854775808",
	  "v: int -9223372036854775808\n" },
	{ B("d:0.1;"),
	  "0.1",
	  "v: float 0.1\n" },
	{ B("d:1;"),
	  "1.0",
	  "v: float 1.0\n" },
	{ B("d:-0;"),
	  "-0.0",
	  "v: float -0.0\n" },
	{ B("d:1.0E+25;"),
	  "1.0e+25",
	  "v: float 1.0E+25\n" },
	{ B("d:1e5;"),
	  "100000.0",
	  "v: float 100000.0\n" },
	{ B("d:.5;"),
	  "0.5",
	  "v: float 0.5\n" },
	{ B("d:5.;"),
	  "5.0",
	  "v: float 5.0\n" },
	{ B("d:-1.5e-7;"),
	  "-1.5e-7",
	  "v: float -1.5E-7\n" },
	{ B("d:+1.5;"),
	  "1.5",
	  "v: float 1.5\n" },
	{ B("d:INF;"),
	  "\"INF\"",
	  "v: float INF\n" },
	{ B("d:-INF;"),
	  "\"-INF\"",
	  "v: float -INF\n" },
	{ B("d:NAN;"),
	  "\"NAN\"",
	  "v: float NAN\n" },
	{ B("d:1e999;"),
	  "\"INF\"",
	  "v: float INF\n" },
	{ B("s:0:\"\";"),
	  "\"\"",
	  "v: string(0) \"\"\n" },
	{ B("s:5:\"hello\";"),
	  "\"hello\"",
	  "v: string(5) \"hello\"\n" },
	{ B("s:05:\"hello\";"),
	  "\"hello\"",
	  "v: string(5) \"hello\"\n" },
	{ B("s:3:\"a\"b\";"),
	  "\"a\\\"b\"",
	  "v: string(3) \"a\\\"b\"\n" },
	{ B("s:3:\"a\000b\";"),
	  "\"a\\u0000b\"",
	  "v: string(3) \"a\\x00b\"\n" },
	{ B("s:2:\"\377\376\";"),
	  "{\"__base64\":\"//4=\"}",
	  "v: string(2) \"\\xff\\xfe\" (binary)\n" },
	{ B("s:3:\"\346\227\245\";"),
	  "\"日\"",
	  "v: string(3) \"\346\227\245\"\n" },
	{ B("s:4:\"a;}|\";"),
	  "\"a;}|\"",
	  "v: string(4) \"a;}|\"\n" },
	{ B("a:0:{}"),
	  "[]",
	  "v: array(0)\n" },
	{ B("a:2:{i:0;s:1:\"a\";i:1;s:1:\"b\";}"),
	  "[\"a\",\"b\"]",
	  "v: array(2)\n"
	  "  0: string(1) \"a\"\n"
	  "  1: string(1) \"b\"\n" },
	{ B("a:2:{i:1;N;i:0;N;}"),
	  "{\"1\":null,\"0\":null}",
	  "v: array(2)\n"
	  "  1: null\n"
	  "  0: null\n" },
	{ B("a:1:{s:1:\"5\";i:1;}"),
	  "{\"5\":1}",
	  "v: array(1)\n"
	  "  5: int 1\n" },
	{ B("a:1:{s:1:\"0\";i:1;}"),
	  "[1]",
	  "v: array(1)\n"
	  "  0: int 1\n" },
	{ B("a:1:{s:2:\"05\";i:1;}"),
	  "{\"05\":1}",
	  "v: array(1)\n"
	  "  05: int 1\n" },
	{ B("a:1:{s:2:\"-0\";i:1;}"),
	  "{\"-0\":1}",
	  "v: array(1)\n"
	  "  \"-0\": int 1\n" },
	{ B("a:1:{s:2:\"-5\";i:1;}"),
	  "{\"-5\":1}",
	  "v: array(1)\n"
	  "  -5: int 1\n" },
	{ B("a:1:{s:20:\"-9223372036854775808\";i:1;}"),
	  "{\"-9223372036854775808\":1}",
	  "v: array(1)\n"
	  "  -9223372036854775808: int 1\n" },
	{ B("a:1:{s:19:\"9223372036854775808\";i:1;}"),
	  "{\"9223372036854775808\":1}",
	  "v: array(1)\n"
	  "  9223372036854775808: int 1\n" },
	{ B("a:1:{s:1:\"a\";a:1:{s:1:\"b\";a:0:{}}}"),
	  "{\"a\":{\"b\":[]}}",
	  "v: array(1)\n"
	  "  a: array(1)\n"
	  "    b: array(0)\n" },
	{ B("a:2:{i:-1;b:1;s:1:\"x\";d:0.5;}"),
	  "{\"-1\":true,\"x\":0.5}",
	  "v: array(2)\n"
	  "  -1: bool true\n"
	  "  x: float 0.5\n" },
	{ B("a:1:{s:2:\"\377x\";i:1;}"),
	  "{\"\\\\xffx\":1}",
	  "v: array(1)\n"
	  "  \"\\xffx\": int 1\n" },
	{ B("O:8:\"stdClass\":0:{}"),
	  "{\"__class\":\"stdClass\"}",
	  "v: object(stdClass) (0)\n" },
	{ B("O:8:\"stdClass\":1:{s:1:\"a\";i:1;}"),
	  "{\"__class\":\"stdClass\",\"a\":1}",
	  "v: object(stdClass) (1)\n"
	  "  a: int 1\n" },
	{ B("O:1:\"A\":3:{s:4:\"\000A\000x\";i:1;s:4:\"\000*\000y\";i:2;s:1:\"z\";i:3;}"),
	  "{\"__class\":\"A\",\"x\":1,\"y\":2,\"z\":3}",
	  "v: object(A) (3)\n"
	  "  -x (private A): int 1\n"
	  "  *y (protected): int 2\n"
	  "  z: int 3\n" },
	{ B("O:1:\"A\":2:{s:4:\"\000B\000x\";i:1;s:1:\"x\";i:2;}"),
	  "{\"__class\":\"A\",\"B::x\":1,\"x\":2}",
	  "v: object(A) (2)\n"
	  "  -x (private B): int 1\n"
	  "  x: int 2\n" },
	{ B("O:8:\"stdClass\":1:{i:5;i:1;}"),
	  "{\"__class\":\"stdClass\",\"5\":1}",
	  "v: object(stdClass) (1)\n"
	  "  5: int 1\n" },
	{ B("O:8:\"stdClass\":1:{s:7:\"__class\";i:1;}"),
	  "{\"__class\":\"stdClass\"}",
	  "v: object(stdClass) (1)\n"
	  "  __class: int 1\n" },
	{ B("O:1:\"A\":1:{s:1:\"o\";O:1:\"B\":1:{s:1:\"p\";a:1:{i:0;N;}}}"),
	  "{\"__class\":\"A\",\"o\":{\"__class\":\"B\",\"p\":[null]}}",
	  "v: object(A) (1)\n"
	  "  o: object(B) (1)\n"
	  "    p: array(1)\n"
	  "      0: null\n" },
	{ B("C:3:\"Ser\":5:{hello}"),
	  "{\"__class\":\"Ser\",\"__serialized\":\"hello\"}",
	  "v: custom(Ser) string(5) \"hello\"\n" },
	{ B("C:3:\"Ser\":0:{}"),
	  "{\"__class\":\"Ser\",\"__serialized\":\"\"}",
	  "v: custom(Ser) string(0) \"\"\n" },
	{ B("C:3:\"Ser\":2:{\377\000}"),
	  "{\"__class\":\"Ser\",\"__serialized\":{\"__base64\":\"/wA=\"}}",
	  "v: custom(Ser) string(2) \"\\xff\\x00\" (binary)\n" },
	/* A payload written by a nested serialize() takes slots (here 3), and later
	 * references may point into it. */
	{ B("a:3:{i:0;C:3:\"Ser\":4:{i:1;}i:1;O:8:\"stdClass\":0:{}i:2;r:4;}"),
	  "[{\"__class\":\"Ser\",\"__serialized\":\"i:1;\"},{\"__class\":\"stdClass\"},{\"__class\":\"stdClass\"}]",
	  "v: array(3)\n"
	  "  0: custom(Ser) string(4) \"i:1;\"\n"
	  "    0: int 1\n"
	  "  1: object(stdClass) #4 (0)\n"
	  "  2: ref #4 (object stdClass)\n" },
	{ B("a:2:{i:0;C:3:\"Ser\":19:{O:8:\"stdClass\":0:{}}i:1;r:3;}"),
	  "[{\"__class\":\"Ser\",\"__serialized\":\"O:8:\\\"stdClass\\\":0:{}\"},{\"__class\":\"stdClass\"}]",
	  "v: array(2)\n"
	  "  0: custom(Ser) string(19) \"O:8:\\\"stdClass\\\":0:{}\"\n"
	  "    0: object(stdClass) #3 (0)\n"
	  "  1: ref #3 (object stdClass)\n" },
	/* PHP's answer with a Serializable class that does not unserialize() its payload
	 * (with Ser above, the failed nested unserialize("hello") takes slot 3 itself). */
	{ B("a:3:{i:0;C:3:\"Ser\":5:{hello}i:1;O:8:\"stdClass\":0:{}i:2;r:3;}"),
	  "[{\"__class\":\"Ser\",\"__serialized\":\"hello\"},{\"__class\":\"stdClass\"},{\"__class\":\"stdClass\"}]",
	  "v: array(3)\n"
	  "  0: custom(Ser) string(5) \"hello\"\n"
	  "  1: object(stdClass) #3 (0)\n"
	  "  2: ref #3 (object stdClass)\n" },
	{ B("E:6:\"Suit:H\";"),
	  "{\"__class\":\"Suit\",\"__case\":\"H\"}",
	  "v: enum Suit::H\n" },
	{ B("a:2:{i:0;E:6:\"Suit:H\";i:1;r:2;}"),
	  "[{\"__class\":\"Suit\",\"__case\":\"H\"},{\"__class\":\"Suit\",\"__case\":\"H\"}]",
	  "v: array(2)\n"
	  "  0: enum Suit::H #2\n"
	  "  1: ref #2 (enum Suit::H)\n" },
	{ B("a:2:{i:0;i:5;i:1;R:2;}"),
	  "[5,5]",
	  "v: array(2)\n"
	  "  0: int 5 #2\n"
	  "  1: &ref #2 (int 5)\n" },
	{ B("a:2:{i:0;O:8:\"stdClass\":0:{}i:1;r:2;}"),
	  "[{\"__class\":\"stdClass\"},{\"__class\":\"stdClass\"}]",
	  "v: array(2)\n"
	  "  0: object(stdClass) #2 (0)\n"
	  "  1: ref #2 (object stdClass)\n" },
	{ B("a:3:{i:0;O:8:\"stdClass\":0:{}i:1;r:2;i:2;R:3;}"),
	  "[{\"__class\":\"stdClass\"},{\"__class\":\"stdClass\"},{\"__class\":\"stdClass\"}]",
	  "v: array(3)\n"
	  "  0: object(stdClass) #2 (0)\n"
	  "  1: ref #2 (object stdClass)\n"
	  "  2: &ref #2 (object stdClass)\n" },
	{ B("a:3:{i:0;O:8:\"stdClass\":0:{}i:1;r:2;i:2;r:3;}"),
	  "[{\"__class\":\"stdClass\"},{\"__class\":\"stdClass\"},{\"__class\":\"stdClass\"}]",
	  "v: array(3)\n"
	  "  0: object(stdClass) #2 (0)\n"
	  "  1: ref #2 (object stdClass)\n"
	  "  2: ref #2 (object stdClass)\n" },
	{ B("O:8:\"stdClass\":1:{s:4:\"self\";r:1;}"),
	  "{\"__class\":\"stdClass\",\"self\":null}",
	  "v: object(stdClass) #1 (1)\n"
	  "  self: ref #1 (object stdClass)\n" },
	{ B("O:8:\"stdClass\":2:{s:1:\"a\";i:1;s:1:\"b\";R:2;}"),
	  "{\"__class\":\"stdClass\",\"a\":1,\"b\":1}",
	  "v: object(stdClass) (2)\n"
	  "  a: int 1 #2\n"
	  "  b: &ref #2 (int 1)\n" },
	{ B("a:3:{i:0;a:1:{i:0;s:1:\"x\";}i:1;R:3;i:2;R:2;}"),
	  "[[\"x\"],\"x\",[\"x\"]]",
	  "v: array(3)\n"
	  "  0: array(1) #2\n"
	  "    0: string(1) \"x\" #3\n"
	  "  1: &ref #3 (string(1) \"x\")\n"
	  "  2: &ref #2 (array(1))\n" },
	{ B("a:2:{i:0;a:2:{i:0;O:8:\"stdClass\":0:{}i:1;i:7;}i:1;a:2:{i:0;r:3;i:1;R:4;}}"),
	  "[[{\"__class\":\"stdClass\"},7],[{\"__class\":\"stdClass\"},7]]",
	  "v: array(2)\n"
	  "  0: array(2)\n"
	  "    0: object(stdClass) #3 (0)\n"
	  "    1: int 7 #4\n"
	  "  1: array(2)\n"
	  "    0: ref #3 (object stdClass)\n"
	  "    1: &ref #4 (int 7)\n" },
};

static void test_grammar(void)
{
	for (size_t i = 0; i < N_ROWS(grammar_rows); i++) {
		const struct grammar_row *r = &grammar_rows[i];
		struct decode_error err = { 0, "" };
		struct pv *v = parse_all(r->in, r->len, &err);
		if (!v) {
			unit_check(0, "grammar %s: error at %zu: %s", shown(r->in, r->len), err.offset, err.msg);
			continue;
		}
		int ok = json_is(v, r->json);
		ok = tree_is(v, r->tree) && ok;
		unit_check(ok, "grammar %s", shown(r->in, r->len));
	}
}

/*
 * Hostile input: each must fail with this offset and message. PHP 8.2's unserialize()
 * rejects every one of these too (checked with unserialize() === false), except that it
 * clamps out-of-range integers with a warning and still reads the deprecated S: format.
 */
static const struct hostile_row {
	const char *in;
	size_t len;
	size_t offset;
	const char *msg;
} hostile_rows[] = {
	{ B(""), 0, "unexpected end of data" },
	{ B("x"), 0, "unknown value type 'x'" },
	{ B("N"), 1, "expected ';' but found end of data" },
	{ B("N:"), 1, "expected ';' but found ':'" },
	{ B("b:2;"), 2, "boolean must be 0 or 1" },
	{ B("b:1"), 3, "expected ';' but found end of data" },
	{ B("b;"), 1, "expected ':' but found ';'" },
	{ B("i:;"), 2, "expected digits for integer but found ';'" },
	{ B("i:12"), 4, "expected ';' but found end of data" },
	{ B("i:1x;"), 3, "expected ';' but found 'x'" },
	{ B("i:9223372036854775808;"), 2, "integer out of range" },
	{ B("i:-9223372036854775809;"), 2, "integer out of range" },
	{ B("i:99999999999999999999999;"), 2, "integer out of range" },
	{ B("i:--1;"), 3, "expected digits for integer but found '-'" },
	{ B("d:;"), 2, "malformed float" },
	{ B("d:1.5"), 5, "expected ';' but found end of data" },
	{ B("d:1e;"), 2, "malformed float" },
	{ B("d:inf;"), 2, "malformed float" },
	{ B("d:.;"), 2, "malformed float" },
	{ B("d:1.5.5;"), 5, "expected ';' but found '.'" },
	{ B("s:5:\"abc\";"), 10, "expected '\"' but found end of data" },
	{ B("s:500:\"abc\";"), 2, "string length 500 past end of data" },
	{ B("s:-1:\"\";"), 2, "expected digits for string length but found '-'" },
	{ B("s:3:\"abcd\";"), 8, "expected '\"' but found 'd'" },
	{ B("s:3:\"abc\""), 9, "expected ';' but found end of data" },
	{ B("s:3:abc;"), 4, "expected '\"' but found 'a'" },
	{ B("s:99999999999999999999999:\""), 2, "string length out of range" },
	{ B("s:"), 2, "expected digits for string length but found end of data" },
	{ B("s:3"), 3, "expected ':' but found end of data" },
	{ B("a:999999999:{"), 2, "array count 999999999 larger than the remaining 0 bytes can hold" },
	{ B("a:99999999999999999999999:{}"), 2, "element count out of range" },
	{ B("a:2:{i:0;N;}"), 2, "array count 2 larger than the remaining 7 bytes can hold" },
	{ B("a:1:{i:0;N;i:1;N;}"), 11, "array count 1 but more elements follow" },
	{ B("a:1:{i:0;N;"), 11, "expected '}' but found end of data" },
	{ B("a:1:{i:0;N;]"), 11, "expected '}' but found ']'" },
	{ B("a:1:{N;N;}"), 2, "array count 1 larger than the remaining 5 bytes can hold" },
	{ B("a:1:{d:1;N;}"), 5, "key must be an int or a string but found 'd'" },
	{ B("a:1:{a:0:{}N;}"), 5, "key must be an int or a string but found 'a'" },
	{ B("a:-1:{}"), 2, "expected digits for element count but found '-'" },
	{ B("a:1:{i:0;}"), 2, "array count 1 larger than the remaining 5 bytes can hold" },
	{ B("a:0:}"), 4, "expected '{' but found '}'" },
	{ B("a:0{}"), 3, "expected ':' but found '{'" },
	{ B("a:1:{s:1:\"a\";"), 13, "unexpected end of data" },
	{ B("O:0:\"\":0:{}"), 0, "invalid class name" },
	{ B("O:1:\"\\\":0:{}"), 0, "invalid class name" },
	{ B("O:1:\"\000\":0:{}"), 0, "invalid class name" },
	{ B("O:5:\"A\":0:{}"), 10, "expected '\"' but found '{'" },
	{ B("O:1:\"A\":1:{}"), 8, "object count 1 larger than the remaining 1 bytes can hold" },
	{ B("O:1:\"A\":0:{"), 11, "expected '}' but found end of data" },
	{ B("O:1:\"A\"0:{}"), 7, "expected ':' but found '0'" },
	{ B("O:1:\"A\":1:{N;N;}"), 8, "object count 1 larger than the remaining 5 bytes can hold" },
	{ B("C:1:\"A\":10:{abc}"), 8, "custom data length 10 past end of data" },
	{ B("C:1:\"A\":3:{abcd}"), 14, "expected '}' but found 'd'" },
	{ B("C:1:\"A\":-1:{}"), 8, "expected digits for custom data length but found '-'" },
	{ B("C:1:\"A\":3:{abc"), 8, "custom data length 3 past end of data" },
	{ B("C:1:\"A\":3:abc}"), 10, "expected '{' but found 'a'" },
	{ B("E:3:\"abc\";"), 0, "malformed enum name (expected Class:Case)" },
	{ B("E:2:\":a\";"), 0, "malformed enum name (expected Class:Case)" },
	{ B("E:0:\"\";"), 0, "malformed enum name (expected Class:Case)" },
	{ B("E:5:\"A:b\";"), 10, "expected '\"' but found end of data" },
	{ B("R:1;"), 0, "reference R:1 past the 0 values read so far" },
	{ B("a:1:{i:0;R:0;}"), 9, "reference R:0 (slots start at 1)" },
	{ B("a:1:{i:0;R:2;}"), 9, "reference R:2 past the 1 values read so far" },
	{ B("a:1:{i:0;r:1;}"), 9, "object reference r:1 to a non-object (array)" },
	{ B("a:1:{i:0;r:2;}"), 9, "object reference r:2 to itself" },
	{ B("a:1:{i:0;r:3;}"), 9, "reference r:3 past the 1 values read so far" },
	{ B("a:2:{i:0;i:1;i:1;r:2;}"), 17, "object reference r:2 to a non-object (integer)" },
	{ B("a:1:{i:0;R:99999999999999999999999;}"), 11, "reference slot out of range" },
	{ B("a:1:{i:0;r:1}"), 12, "expected ';' but found '}'" },
	{ B("a:1:{R:1;i:0;}"), 5, "key must be an int or a string but found 'R'" },
	{ B("S:1:\"a\";"), 0, "unknown value type 'S'" },
	{ B("}"), 0, "unexpected '}'" },
	{ B("\377"), 0, "unknown value type byte 0xff" },
	{ B("a:2:{i:0;s:5:\"hello\";}"), 21, "array count 2 but only 1 elements" },
	{ B("a:1:{N;i:1234;}"), 5, "key must be an int or a string but found 'N'" },
};

static void test_hostile(void)
{
	for (size_t i = 0; i < N_ROWS(hostile_rows); i++) {
		const struct hostile_row *r = &hostile_rows[i];
		struct decode_error err = { 0, "" };
		struct pv *v = parse_all(r->in, r->len, &err);
		int ok = !v && err.offset == r->offset && strstr(err.msg, r->msg);
		if (!ok)
			printf("# got %zu \"%s\"\n", err.offset, v ? "(accepted)" : err.msg);
		unit_check(ok, "hostile %s: %zu \"%s\"", shown(r->in, r->len), r->offset, r->msg);
		pv_free(v);
	}
}

/* Input of n nested copies of open, then inner, then n copies of close. */
static char *nested(const char *open, const char *inner, const char *close, size_t n,
		    size_t *len)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_adds(&b, open);
	buf_adds(&b, inner);
	for (size_t i = 0; i < n; i++)
		buf_adds(&b, close);
	return buf_detach(&b, len);
}

static void check_depth(const char *what, const char *open, const char *inner,
			const char *close, size_t n, int ok_want, size_t offset)
{
	size_t len;
	char *in = nested(open, inner, close, n, &len);
	struct decode_error err = { 0, "" };
	struct pv *v = parse_all(in, len, &err);
	if (ok_want)
		unit_check(v != NULL, "depth: %s x%zu reads (%s)", what, n, v ? "" : err.msg);
	else
		unit_check(!v && err.offset == offset && strstr(err.msg, "nesting deeper than 1024"),
			   "depth: %s x%zu fails at %zu (got %zu \"%s\")", what, n, offset,
			   err.offset, v ? "accepted" : err.msg);
	pv_free(v);
	free(in);
}

/* A C: value holding n levels of C: values; each length counts everything inside it. */
static char *nested_custom(size_t n, size_t *len)
{
	size_t *inner = xcalloc(n + 1, sizeof(*inner));
	struct buf b = BUF_INIT;
	inner[0] = 2;	/* "N;" */
	for (size_t i = 1; i <= n; i++)
		inner[i] = inner[i - 1] + (size_t)snprintf(NULL, 0, "C:1:\"A\":%zu:{}", inner[i - 1]);
	for (size_t i = n; i > 0; i--)
		buf_printf(&b, "C:1:\"A\":%zu:{", inner[i - 1]);
	buf_adds(&b, "N;");
	for (size_t i = 0; i < n; i++)
		buf_addc(&b, '}');
	free(inner);
	return buf_detach(&b, len);
}

static void test_depth(void)
{
	/* a:1:{i:0; is 9 bytes: the 1025th array starts at 1024 * 9. */
	check_depth("array", "a:1:{i:0;", "N;", "}", 1024, 1, 0);
	check_depth("array", "a:1:{i:0;", "N;", "}", 1025, 0, 9216);
	check_depth("array", "a:1:{i:0;", "N;", "}", 100000, 0, 9216);
	check_depth("object", "O:8:\"stdClass\":1:{s:1:\"a\";", "N;", "}", 100000, 0,
		    1024 * 26);
	/* 28 bytes open two levels: the 1025th container is the object at 512 * 28. */
	check_depth("array in object", "O:1:\"A\":1:{s:1:\"a\";a:1:{i:0;", "N;", "}}", 60000, 0,
		    512 * 28);
	size_t len;
	char *in = nested_custom(20000, &len);
	struct decode_error err = { 0, "" };
	struct pv *v = parse_all(in, len, &err);
	unit_check(v && v->type == PV_CUSTOM, "depth: C: nested 20000 deep reads as an opaque payload");
	pv_free(v);
	free(in);
}

/* Session values under each handler. Expected JSON: PHP 8.2's session_decode() of the
 * bytes with session.serialize_handler set, $_SESSION put through golden_json() (see
 * tests/golden/make-golden.php). Rows marked "old" are formats of PHP before 5.4, which
 * PHP 8 no longer reads; rows with a message fail in PHP 8 too, except where noted. */
static const struct handler_row {
	enum sess_handler h;
	const char *in;
	size_t len;
	const char *json;	/* NULL: must fail */
	size_t offset;
	const char *msg;
} handler_rows[] = {
	{ SESS_PHP, B("a|i:1;b|s:1:\"x\";"), "{\"a\":1,\"b\":\"x\"}", 0, NULL },
	/* Slots run on across variables: R:1 is a's array, R:2 its element. */
	{ SESS_PHP, B("a|a:1:{i:0;i:1;}b|R:1;"), "{\"a\":[1],\"b\":[1]}", 0, NULL },
	{ SESS_PHP, B("a|a:1:{i:0;i:1;}b|R:2;"), "{\"a\":[1],\"b\":1}", 0, NULL },
	{ SESS_PHP, B("a|O:8:\"stdClass\":0:{}b|r:1;"),
	  "{\"a\":{\"__class\":\"stdClass\"},\"b\":{\"__class\":\"stdClass\"}}", 0, NULL },
	{ SESS_PHP, B("a|i:1;b|O:8:\"stdClass\":0:{}c|r:2;"),
	  "{\"a\":1,\"b\":{\"__class\":\"stdClass\"},\"c\":{\"__class\":\"stdClass\"}}", 0, NULL },
	{ SESS_PHP, B("!x|i:1;"), "{\"!x\":1}", 0, NULL },
	{ SESS_PHP, B("|i:1;"), "{\"\":1}", 0, NULL },
	{ SESS_PHP, B("name with space|N;"), "{\"name with space\":null}", 0, NULL },
	{ SESS_PHP, B("\002a|N;"), "{\"\\u0002a\":null}", 0, NULL },
	/* old: "!old|" is an undefined variable with no value */
	{ SESS_PHP, B("!old|a|i:1;"), "{\"old\":null,\"a\":1}", 0, NULL },
	{ SESS_PHP, B("!old|"), "{\"old\":null}", 0, NULL },
	{ SESS_PHP, B("!a|!b|c|N;"), "{\"a\":null,\"b\":null,\"c\":null}", 0, NULL },
	/* A value that fails beyond the next '|' is a broken value, not an old marker. */
	{ SESS_PHP, B("!x|a:1:{s:1:\"|\";X}"), NULL, 16, "unknown value type 'X'" },
	{ SESS_PHP, B("abc"), NULL, 0, "variable name without '|'" },
	{ SESS_PHP, B("a|i:1;junk"), NULL, 6, "variable name without '|'" },
	{ SESS_PHP, B("a|"), NULL, 2, "unexpected end of data" },
	{ SESS_PHP, B("a|i:1;b|R:5;"), NULL, 8, "reference R:5 past the 1 values read so far" },
	{ SESS_PHP, B("a|s:9:\"x\";"), NULL, 4, "string length 9 past end of data" },
	{ SESS_PHP_BINARY, B("\001ai:1;\001bs:1:\"x\";"), "{\"a\":1,\"b\":\"x\"}", 0, NULL },
	{ SESS_PHP_BINARY, B("\001aa:1:{i:0;i:1;}\001bR:1;"), "{\"a\":[1],\"b\":[1]}", 0, NULL },
	{ SESS_PHP_BINARY, B("\001aO:8:\"stdClass\":0:{}\001br:1;"),
	  "{\"a\":{\"__class\":\"stdClass\"},\"b\":{\"__class\":\"stdClass\"}}", 0, NULL },
	{ SESS_PHP_BINARY, B("\000i:1;"), "{\"\":1}", 0, NULL },
	{ SESS_PHP_BINARY, B("\002a|N;"), "{\"a|\":null}", 0, NULL },
	/* old: a length byte with 0x80 set is an undefined variable with no value */
	{ SESS_PHP_BINARY, B("\203abc\001ai:1;"), "{\"abc\":null,\"a\":1}", 0, NULL },
	{ SESS_PHP_BINARY, B("\005ab"), NULL, 0, "variable name length 5 past end of data" },
	{ SESS_PHP_BINARY, B("\001a"), NULL, 2, "unexpected end of data" },
	{ SESS_PHP_BINARY, B("\001ai:1"), NULL, 5, "expected ';' but found end of data" },
	{ SESS_PHP_SERIALIZE, B("a:1:{s:1:\"a\";i:1;}"), "{\"a\":1}", 0, NULL },
	{ SESS_PHP_SERIALIZE, B("a:1:{i:0;s:1:\"x\";}"), "[\"x\"]", 0, NULL },
	/* The root array takes slot 1. */
	{ SESS_PHP_SERIALIZE, B("a:2:{s:1:\"a\";O:8:\"stdClass\":0:{}s:1:\"b\";r:2;}"),
	  "{\"a\":{\"__class\":\"stdClass\"},\"b\":{\"__class\":\"stdClass\"}}", 0, NULL },
	/* PHP 8 would set $_SESSION to 1; memcsess refuses it. Bytes after the array PHP
	 * ignores, and so does memcsess (keeping them: test_trailing). */
	{ SESS_PHP_SERIALIZE, B("i:1;"), NULL, 0, "php_serialize data is not an array" },
	{ SESS_PHP_SERIALIZE, B("a:0:{}x"), "[]", 0, NULL },
	{ SESS_PHP_SERIALIZE, B("a:1:{s:1:\"a\";i:1;}}junk|"), "{\"a\":1}", 0, NULL },
	{ SESS_PHP_SERIALIZE, B("a:0:{"), NULL, 5, "expected '}' but found end of data" },
	/* An empty value is an empty session under every handler. */
	{ SESS_PHP, B(""), "[]", 0, NULL },
	{ SESS_PHP_BINARY, B(""), "[]", 0, NULL },
	{ SESS_PHP_SERIALIZE, B(""), "[]", 0, NULL },
	{ SESS_EMPTY, B(""), "[]", 0, NULL },
	{ SESS_EMPTY, B("x"), NULL, 0, "session data is not empty" },
};

static void test_handlers(void)
{
	for (size_t i = 0; i < N_ROWS(handler_rows); i++) {
		const struct handler_row *r = &handler_rows[i];
		struct decode_error err = { 0, "" };
		enum sess_handler used = SESS_UNKNOWN;
		struct pv *v = sess_decode(r->in, r->len, r->h, &used, &err);
		const char *name = sess_handler_name(r->h);
		if (r->json)
			unit_check(v && used == r->h && json_is(v, r->json), "%s handler %s%s%s", name,
				   shown(r->in, r->len), v ? "" : ": ", v ? "" : err.msg);
		else
			unit_check(!v && err.offset == r->offset && strstr(err.msg, r->msg),
				   "%s handler %s fails: want %zu \"%s\", got %zu \"%s\"", name,
				   shown(r->in, r->len),
				   r->offset, r->msg, err.offset, v ? "(accepted)" : err.msg);
		pv_free(v);
	}
}

/* Detection, with what sess_decode then gives (NULL json: it fails, err at offset). */
static const struct detect_row {
	const char *in;
	size_t len;
	enum sess_handler want;
	const char *json;
	size_t offset;
} detect_rows[] = {
	{ B(""), SESS_EMPTY, "[]", 0 },
	{ B("\000\000\000\002\024\000"), SESS_IGBINARY, NULL, 0 },
	{ B("\000\000\000\001\024\000"), SESS_IGBINARY, NULL, 0 },
	{ B("a:1:{s:1:\"a\";i:1;}"), SESS_PHP_SERIALIZE, "{\"a\":1}", 0 },
	{ B("a|i:1;"), SESS_PHP, "{\"a\":1}", 0 },
	/* Starts like an array but reads only as php. */
	{ B("a:1|i:5;"), SESS_PHP, "{\"a:1\":5}", 0 },
	{ B("\001ai:1;"), SESS_PHP_BINARY, "{\"a\":1}", 0 },
	/* Both read the whole value; a control byte in a php name means php_binary. */
	{ B("\002a|N;"), SESS_PHP_BINARY, "{\"a|\":null}", 0 },
	/* ... unless php_binary cannot read it. */
	{ B("\004name|i:1;"), SESS_PHP, "{\"\\u0004name\":1}", 0 },
	{ B("s|N;"), SESS_PHP, "{\"s\":null}", 0 },
	/* Truncated: the guess is the handler that read furthest. */
	{ B("a:2:{s:1:\"a\";i:1;s:1:\"b\";s:5:\"ab"), SESS_PHP_SERIALIZE, NULL, 27 },
	{ B("\001ai:1;\001bs:5:\"ab"), SESS_PHP_BINARY, NULL, 10 },
	{ B("a|i:1;b|s:5:\"ab"), SESS_PHP, NULL, 10 },
	{ B("zzz"), SESS_PHP, NULL, 0 },
	/* Bytes after the array: php_serialize, unless another handler reads them all. */
	{ B("a:1:{s:1:\"a\";i:1;}x"), SESS_PHP_SERIALIZE, "{\"a\":1}", 0 },
	{ B("a:0:{}|i:1;"), SESS_PHP, "{\"a:0:{}\":1}", 0 },
};

static void test_detect(void)
{
	for (size_t i = 0; i < N_ROWS(detect_rows); i++) {
		const struct detect_row *r = &detect_rows[i];
		struct decode_error err = { 0, "" };
		enum sess_handler used = SESS_UNKNOWN, det = sess_detect(r->in, r->len);
		struct pv *v = sess_decode(r->in, r->len, SESS_UNKNOWN, &used, &err);
		int ok = det == r->want && used == r->want;
		if (r->json)
			ok = ok && v && json_is(v, r->json);
		else if (r->want != SESS_IGBINARY)
			ok = ok && !v && err.offset == r->offset;
		unit_check(ok, "detect %s: want %s, got %s/%s (%zu %s)", shown(r->in, r->len),
			   sess_handler_name(r->want), sess_handler_name(det), sess_handler_name(used),
			   err.offset, v ? "decoded" : err.msg);
		pv_free(v);
	}
}

/* Bytes after a php_serialize array are kept in the root and named by session_decode. */
static void test_trailing(void)
{
	static const char in[] = "a:1:{s:1:\"a\";i:1;}}x\0y";
	size_t len = sizeof(in) - 1;
	struct decode_info d;
	struct pv *v = session_decode_value(in, len, 0, NULL, &d);
	unit_check(v && v->u.str.len == 4 && memcmp(v->u.str.ptr, "}x\0y", 4) == 0 &&
		   d.trailing == 4 && d.status == DECODE_OK && !session_failed(&d),
		   "php_serialize trailing bytes kept and named");
	pv_free(v);
	struct buf out = BUF_INIT;
	unit_check(session_write_json(in, len, 0, NULL, &d, &out) && d.trailing == 4 &&
		   strcmp(out.ptr, "{\"a\":1}") == 0, "php_serialize trailing bytes: json path");
	buf_release(&out);
}

static void test_handler_names(void)
{
	static const char *const names[] = { "php", "php_binary", "php_serialize", "igbinary" };
	for (size_t i = 0; i < N_ROWS(names); i++) {
		enum sess_handler h = SESS_UNKNOWN;
		unit_check(sess_handler_parse(names[i], &h) == 0 &&
			   strcmp(sess_handler_name(h), names[i]) == 0, "handler name %s", names[i]);
	}
	enum sess_handler h = SESS_PHP;
	unit_check(sess_handler_parse("PHP", &h) == -1 && h == SESS_PHP, "handler name PHP unknown");
	unit_check(sess_handler_parse("empty", &h) == -1, "handler name empty is not a handler");
	unit_check(strcmp(sess_handler_name(SESS_EMPTY), "empty") == 0 &&
		   strcmp(sess_handler_name((enum sess_handler)99), "unknown") == 0,
		   "handler names empty, unknown");
}

/* JSON beyond the grammar rows: reference cycles get null where they close (PHP's
 * json_encode() fails on them), keys with NUL, null input. */
static const struct json_row {
	const char *in;
	size_t len;
	const char *json;
} json_rows[] = {
	{ B("a:1:{i:0;R:1;}"), "[null]" },
	/* serialize() of $c = ['x' => 1]; $c['self'] = &$c; */
	{ B("a:2:{s:1:\"x\";i:1;s:4:\"self\";a:2:{s:1:\"x\";i:1;s:4:\"self\";R:3;}}"),
	  "{\"x\":1,\"self\":{\"x\":1,\"self\":null}}" },
	{ B("O:8:\"stdClass\":1:{s:1:\"o\";O:8:\"stdClass\":1:{s:1:\"p\";r:1;}}"),
	  "{\"__class\":\"stdClass\",\"o\":{\"__class\":\"stdClass\",\"p\":null}}" },
	/* A reference to a finished sibling is no cycle. */
	{ B("a:2:{i:0;a:1:{i:0;i:1;}i:1;R:2;}"), "[[1],[1]]" },
	{ B("O:1:\"A\":1:{s:3:\"\000A\000\";i:1;}"), "{\"__class\":\"A\",\"\":1}" },
	{ B("O:3:\"\377AB\":0:{}"), "{\"__class\":{\"__base64\":\"/0FC\"}}" },
	{ B("E:5:\"S:\303\251x\";"), "{\"__class\":\"S\",\"__case\":\"\303\251x\"}" },
};

static void test_json(void)
{
	for (size_t i = 0; i < N_ROWS(json_rows); i++) {
		struct decode_error err = { 0, "" };
		struct pv *v = parse_all(json_rows[i].in, json_rows[i].len, &err);
		unit_check(v && json_is(v, json_rows[i].json), "json %s", shown(json_rows[i].in, json_rows[i].len));
		pv_free(v);
	}
	json_t *j = pv_to_json(NULL);
	unit_check(json_is_null(j), "json of NULL is null");
	json_decref(j);

	struct decode_error err;
	struct pv *v = parse_all(B("a:2:{s:7:\"nul\000key\";s:3:\"a\000b\";s:3:\"\000*\000\";i:1;}"),
				 &err);
	j = v ? pv_to_json(v) : NULL;
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	unit_check(s && strcmp(s, "{\"nul\\u0000key\":\"a\\u0000b\",\"\\u0000*\\u0000\":1}") == 0,
		   "json keeps NUL in keys and strings: %s", s ? s : "(nothing)");
	free(s);
	json_decref(j);
	pv_free(v);
}

/* Properties that share a plain name: a private property of another class is "Other::name"
 * (and only then); names that still repeat keep the last value at the first place. Expected:
 * golden_json() of PHP 8.2's unserialize() as for the grammar rows (Cart and Account from
 * tests/php/classes.php), byte for byte, from jansson and from the writer. */
static const struct json_row shadow_rows[] = {
	/* serialize(new Account('bob', [1])): Cart's private $items shadowed by Account's */
	{ B("O:7:\"Account\":5:{s:11:\"\000Cart\000items\";a:1:{i:0;i:1;}s:8:\"\000*\000owner\";"
	    "s:3:\"bob\";s:8:\"currency\";s:3:\"EUR\";s:14:\"\000Account\000items\";"
	    "s:8:\"shadowed\";s:2:\"id\";N;}"),
	  "{\"__class\":\"Account\",\"Cart::items\":[1],\"owner\":\"bob\",\"currency\":\"EUR\","
	  "\"items\":\"shadowed\",\"id\":null}" },
	/* another class's private property alone keeps its plain name */
	{ B("O:1:\"A\":1:{s:4:\"\000B\000x\";i:1;}"), "{\"__class\":\"A\",\"x\":1}" },
	/* the object's own private property and a public one: plain, the last wins */
	{ B("O:1:\"A\":2:{s:4:\"\000A\000x\";i:1;s:1:\"x\";i:2;}"), "{\"__class\":\"A\",\"x\":2}" },
	{ B("O:1:\"A\":2:{s:4:\"\000*\000x\";i:1;s:4:\"\000B\000x\";i:2;}"),
	  "{\"__class\":\"A\",\"x\":1,\"B::x\":2}" },
	{ B("O:1:\"A\":2:{s:4:\"\000B\000x\";i:1;s:4:\"\000C\000x\";i:2;}"),
	  "{\"__class\":\"A\",\"B::x\":1,\"C::x\":2}" },
	{ B("O:1:\"A\":3:{s:4:\"\000B\000x\";i:1;s:4:\"\000A\000x\";i:2;s:4:\"\000C\000x\";i:3;}"),
	  "{\"__class\":\"A\",\"B::x\":1,\"x\":2,\"C::x\":3}" },
	/* class names compare as bytes (PHP's are case-insensitive) */
	{ B("O:1:\"A\":2:{s:4:\"\000a\000x\";i:1;s:1:\"x\";i:2;}"),
	  "{\"__class\":\"A\",\"a::x\":1,\"x\":2}" },
	/* a class that is not UTF-8: the name escaped as a whole */
	{ B("O:1:\"A\":2:{s:4:\"\000\377\000x\";i:1;s:1:\"x\";i:2;}"),
	  "{\"__class\":\"A\",\"\\\\xff::x\":1,\"x\":2}" },
	/* "__class" is never replaced, but a shadowed one shows as Other::__class */
	{ B("O:1:\"A\":2:{s:10:\"\000B\000__class\";i:1;s:7:\"__class\";i:2;}"),
	  "{\"__class\":\"A\",\"B::__class\":1}" },
	{ B("O:1:\"A\":1:{s:10:\"\000B\000__class\";i:1;}"), "{\"__class\":\"A\"}" },
	/* hostile: one mangled name twice is one property (unserialize() keeps the last) */
	{ B("O:1:\"A\":2:{s:4:\"\000B\000x\";i:1;s:4:\"\000B\000x\";i:2;}"), "{\"__class\":\"A\",\"x\":2}" },
	{ B("O:1:\"A\":3:{s:4:\"\000B\000x\";i:1;s:1:\"x\";i:2;s:4:\"\000B\000x\";i:3;}"),
	  "{\"__class\":\"A\",\"B::x\":3,\"x\":2}" },
	/* hostile: Other::name is a real property too */
	{ B("O:1:\"A\":3:{s:4:\"\000B\000x\";i:1;s:1:\"x\";i:2;s:4:\"B::x\";i:3;}"),
	  "{\"__class\":\"A\",\"B::x\":3,\"x\":2}" },
	/* nested in an array, beside a plain object of the same shape */
	{ B("a:2:{i:0;O:1:\"A\":2:{s:4:\"\000B\000x\";i:1;s:1:\"x\";i:2;}i:1;O:1:\"B\":2:{"
	    "s:4:\"\000B\000x\";i:1;s:1:\"x\";i:2;}}"),
	  "[{\"__class\":\"A\",\"B::x\":1,\"x\":2},{\"__class\":\"B\",\"x\":2}]" },
};

static void test_json_shadowed(void)
{
	for (size_t i = 0; i < N_ROWS(shadow_rows); i++) {
		const struct json_row *r = &shadow_rows[i];
		struct decode_error err = { 0, "" };
		struct pv *v = parse_all(r->in, r->len, &err);
		json_t *j = v ? pv_to_json(v) : NULL;
		char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		struct buf w = BUF_INIT;
		if (v)
			pv_write_json(&w, v);
		int ok = s && strcmp(s, r->json) == 0 && w.ptr && strcmp(w.ptr, r->json) == 0;
		if (!ok)
			printf("# expected %s\n# jansson  %s\n# writer   %s\n", r->json, s ? s : "",
			       w.ptr ? w.ptr : "");
		unit_check(ok, "json shadowed %s", shown(r->in, r->len));
		buf_release(&w);
		free(s);
		json_decref(j);
		pv_free(v);
	}
}

/* Counts the values in a JSON document, and the nulls among them. */
static void json_count(const json_t *j, size_t *all, size_t *nulls)
{
	(*all)++;
	if (json_is_null(j))
		(*nulls)++;
	for (size_t i = 0; json_is_array(j) && i < json_array_size(j); i++)
		json_count(json_array_get(j, i), all, nulls);
}

/* x0 = [1], x1 = [&x0, &x0], ..., x40 = [&x39, &x39]: 2^40 leaves if expanded. */
static void test_json_budget(void)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "a:41:{i:0;a:1:{i:0;i:1;}");
	for (int k = 1; k <= 40; k++) {
		/* Slots: 1 the root, 2 x0, 3 its 1, then x_k is k + 3. */
		int t = k == 1 ? 2 : k + 2;
		buf_printf(&b, "i:%d;a:2:{i:0;R:%d;i:1;R:%d;}", k, t, t);
	}
	buf_addc(&b, '}');
	struct decode_error err = { 0, "" };
	struct pv *v = parse_all(b.ptr, b.len, &err);
	unit_check(v != NULL, "json budget: input reads (%s)", v ? "" : err.msg);
	json_t *j = v ? pv_to_json(v) : NULL;
	size_t all = 0, nulls = 0;
	if (j)
		json_count(j, &all, &nulls);
	unit_check(j && all > 1000000 && all < 3000000 && nulls > 0 &&
		   json_is_null(json_array_get(j, 40)),
		   "json budget: reference blow-up stops near 1000000 values (%zu, %zu null)", all,
		   nulls);
	json_decref(j);
	pv_free(v);
	buf_release(&b);
}

/* Depth of a JSON document (arrays only). */
static size_t json_depth(const json_t *j)
{
	size_t d = 0;
	while (json_is_array(j) && json_array_size(j)) {
		j = json_array_get(j, 0);
		d++;
	}
	return d;
}

/* Three variables 1000 arrays deep, each ending in a reference to the one before: the
 * JSON of the last would be 3000 deep, and stops at 2048. */
static void test_json_depth(void)
{
	struct buf b = BUF_INIT;
	static const char *const inner[] = { "N;", "R:1;", "R:1002;" };
	for (int v = 0; v < 3; v++) {
		buf_printf(&b, "%c|", 'a' + v);
		for (int i = 0; i < 1000; i++)
			buf_adds(&b, "a:1:{i:0;");
		buf_adds(&b, inner[v]);
		for (int i = 0; i < 1000; i++)
			buf_addc(&b, '}');
	}
	struct decode_error err = { 0, "" };
	struct pv *v = sess_decode(b.ptr, b.len, SESS_PHP, NULL, &err);
	json_t *j = v ? pv_to_json(v) : NULL;
	json_t *c = json_object_get(j, "c");
	size_t d = json_depth(c);
	char *s = c ? json_dumps(c, JSON_COMPACT) : NULL;
	unit_check(d == 2047 && s && strstr(s, "[null]"),
		   "json depth: references through deep values stop at 2048 levels (%zu)", d);
	free(s);
	json_decref(j);
	pv_free(v);
	buf_release(&b);
}

/* Slots, sharing and references as fields, not only as output. */
static void test_refs(void)
{
	struct decode_error err;
	struct pv *v = parse_all(B("a:3:{i:0;O:8:\"stdClass\":0:{}i:1;r:2;i:2;R:3;}"), &err);
	const struct pv *o = v ? v->items[0].value : NULL;
	unit_check(v && v->slot == 1 && o->slot == 2 && o->shared == 2 &&
		   v->items[1].value->type == PV_REF && v->items[1].value->target == o &&
		   !v->items[1].value->hard && v->items[1].value->slot == 3 &&
		   v->items[2].value->target == o && v->items[2].value->hard &&
		   v->items[2].value->slot == 0,
		   "refs: r: takes a slot, R: does not, and R: to an r: slot names the object");
	pv_free(v);

	/* Values read one after another share the numbering; a failed value gives its
	 * slots back. */
	const char in[] = "i:7;a:1:{i:0;x}R:1;R:2;";
	struct phpser *p = phpser_new(in, sizeof(in) - 1);
	size_t pos = 0;
	struct pv *a = phpser_value(p, &pos, &err);
	size_t bad = pos;
	struct pv *failed = phpser_value(p, &bad, &err);
	unit_check(a && !failed && bad == 4 && err.offset == 13, "refs: failed value leaves pos");
	pos = 15;
	struct pv *r1 = phpser_value(p, &pos, &err);
	struct pv *r2 = phpser_value(p, &pos, &err);
	unit_check(r1 && r1->target == a && a->shared == 1 && !r2 &&
		   strstr(err.msg, "R:2 past the 1 values"),
		   "refs: slots continue across phpser_value calls (%s)", err.msg);
	pv_free(a);
	pv_free(r1);
	phpser_free(p);

	pos = 0;
	p = phpser_new("N;", 2);
	pos = 3;
	unit_check(!phpser_value(p, &pos, &err) && pos == 3, "phpser_value past the end fails");
	phpser_free(p);
	phpser_free(NULL);
}

/* Tree details beyond the grammar rows. */
static void test_tree(void)
{
	static const struct { const char *in; size_t len; const char *tree; } rows[] = {
		{ B("d:1.0E-5;"), "v: float 1.0E-5\n" },
		{ B("d:0.0001;"), "v: float 0.0001\n" },
		{ B("d:1.0E+16;"), "v: float 10000000000000000.0\n" },
		{ B("d:1.0E+17;"), "v: float 1.0E+17\n" },
		{ B("d:0.30000000000000004;"), "v: float 0.30000000000000004\n" },
		{ B("d:0.3333333333333333;"), "v: float 0.3333333333333333\n" },
		{ B("d:123456.789;"), "v: float 123456.789\n" },
		{ B("d:5.0E-324;"), "v: float 5.0E-324\n" },
		{ B("d:-1.7976931348623157E+308;"), "v: float -1.7976931348623157E+308\n" },
		{ B("s:6:\"\t\r\n\001\177\\\";"), "v: string(6) \"\\t\\r\\n\\x01\\x7f\\\\\"\n" },
		{ B("s:3:\"\355\240\200\";"), "v: string(3) \"\\xed\\xa0\\x80\" (binary)\n" },
		{ B("a:5:{s:0:\"\";i:1;s:1:\" \";i:2;s:3:\"a:b\";i:3;s:2:\"*x\";i:4;s:2:\"\303\251\";i:5;}"),
		  "v: array(5)\n  \"\": int 1\n  \" \": int 2\n  \"a:b\": int 3\n  \"*x\": int 4\n"
		  "  \303\251: int 5\n" },
		{ B("O:1:\"A\":2:{s:3:\"\000*\000\";i:1;s:2:\"\000x\";i:2;}"),
		  "v: object(A) (2)\n  *\"\" (protected): int 1\n  \"\\x00x\": int 2\n" },
		{ B("a:2:{i:0;a:0:{}i:1;R:2;}"), "v: array(2)\n  0: array(0) #2\n  1: &ref #2 (array(0))\n" },
		{ B("a:2:{i:0;C:1:\"A\":2:{N;}i:1;r:2;}"),
		  "v: array(2)\n  0: custom(A) #2 string(2) \"N;\"\n    0: null\n  1: ref #2 (custom A)\n" },
		{ B("a:2:{i:0;b:0;i:1;R:2;}"), "v: array(2)\n  0: bool false #2\n  1: &ref #2 (bool false)\n" },
	};
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		struct decode_error err = { 0, "" };
		struct pv *v = parse_all(rows[i].in, rows[i].len, &err);
		unit_check(v && tree_is(v, rows[i].tree), "tree %s", shown(rows[i].in, rows[i].len));
	}

	/* Long strings: cut at 200 bytes (UTF-8 at a character edge), length still shown. */
	struct buf in = BUF_INIT, want = BUF_INIT;
	buf_adds(&in, "s:300:\"");
	for (int i = 0; i < 100; i++)
		buf_adds(&in, "\303\251x");
	buf_adds(&in, "\";");
	buf_adds(&want, "v: string(300) \"");
	for (int i = 0; i < 66; i++)
		buf_adds(&want, "\303\251x");
	buf_adds(&want, "\303\251\"...\n");
	struct decode_error err;
	struct pv *v = parse_all(in.ptr, in.len, &err);
	unit_check(v && tree_is(v, want.ptr), "tree: long UTF-8 string cut at a character");
	buf_reset(&in);
	buf_reset(&want);
	buf_adds(&in, "s:250:\"\377");
	for (int i = 0; i < 249; i++)
		buf_addc(&in, 'a');
	buf_adds(&in, "\";");
	buf_adds(&want, "v: string(250) \"\\xff");
	for (int i = 0; i < 199; i++)
		buf_addc(&want, 'a');
	buf_adds(&want, "\"... (binary)\n");
	v = parse_all(in.ptr, in.len, &err);
	unit_check(v && tree_is(v, want.ptr), "tree: long binary string cut");
	buf_release(&in);
	buf_release(&want);

	/* A root that is not an array is shown as one value with its entries below it. */
	struct buf out = BUF_INIT;
	v = parse_all(B("O:1:\"A\":1:{s:1:\"a\";i:1;}"), &err);
	pv_format_tree(v, &out);
	pv_format_tree(NULL, &out);
	unit_check(v && out.ptr && strcmp(out.ptr, "object(A) (1)\n  a: int 1\n") == 0,
		   "tree: object root");
	pv_free(v);
	buf_release(&out);
	v = pv_new(PV_ARRAY);
	pv_format_tree(v, &out);
	unit_check(out.len == 0, "tree: empty session is empty text");
	pv_free(v);
	buf_release(&out);
}

/* php_strtod is strtod: tokens its short path takes (ties, 19 digits, 21 after the point, zeros
 * and signs), ones it leaves to strtod, and random tokens of up to 24 digits. */
static int strtod_same(const char *t, size_t n)
{
	char z[64];
	memcpy(z, t, n);
	z[n] = '\0';
	double a = php_strtod(t, n), b = strtod(z, NULL);
	return memcmp(&a, &b, sizeof(a)) == 0;
}

static void test_strtod(void)
{
	static const char *const rows[] = {
		"0.1", "-0", "-0.0", "+.5", "5.", "1.0", "6.2400000000000002", "0.30000000000000004",
		"9007199254740993", "9007199254740995", "18014398509481985", "4503599627370496.5",
		"4503599627370497.5", "18446744073709551615", "1844674407370955161.5",
		"0.000000000000000000001", "0.0000000000000000000001", "9.999999999999999999",
		"123456789012345678901", "1.0E+25", "-1.5e-7", "2.2250738585072014E-308",
	};
	int bad = 0, tried = 0;
	for (size_t i = 0; i < N_ROWS(rows); i++, tried++)
		bad += !strtod_same(rows[i], strlen(rows[i]));
	uint64_t x = 0x2545f4914f6cdd1dull;
	for (int i = 0; i < 200000; i++, tried++) {
		char t[32];
		size_t n = 0;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t len = 1 + x % 24, point = (x >> 8) % (len + 1);
		if (x >> 63)
			t[n++] = '-';
		for (size_t j = 0; j < len; j++) {
			if (j == point)
				t[n++] = '.';
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			t[n++] = (char)('0' + x % 10);
		}
		bad += !strtod_same(t, n);
	}
	unit_check(bad == 0, "php_strtod is strtod on %d tokens (%d differ)", tried, bad);
}

int main(void)
{
	test_grammar();
	test_hostile();
	test_depth();
	test_handlers();
	test_detect();
	test_trailing();
	test_handler_names();
	test_json();
	test_json_shadowed();
	test_json_budget();
	test_json_depth();
	test_refs();
	test_tree();
	test_strtod();
	for (size_t i = 0; i < N_ROWS(shown_bufs); i++)
		buf_release(&shown_bufs[i]);
	return unit_done();
}
