/* test_value_json.c: pv_write_json writes the same bytes as json_dumps(pv_to_json(v)), on the
 * golden sessions (argv[1], default tests/golden), the fuzz corpora beside them, and edge
 * cases. */
#include "codec/crypto.h"
#include "php/value_json.h"
#include "php/handlers.h"
#include "unit.h"
#include "php/json_escape.h"
#include "php/value.h"

#include <float.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define B(s) s, sizeof(s) - 1

static struct buf got;
static char *want;

/* 1 when the writer's bytes for v are jansson's (left in got and want). */
static int same_json(const struct pv *v)
{
	json_t *j = pv_to_json(v);
	free(want);
	want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	buf_reset(&got);
	pv_write_json(&got, v);
	return want && got.ptr && strlen(want) == got.len && memcmp(want, got.ptr, got.len) == 0;
}

static int check_same(const struct pv *v, const char *what)
{
	int same = same_json(v);
	if (!same)
		printf("# jansson %.300s\n# writer  %.300s\n", want ? want : "(nothing)",
		       got.ptr ? got.ptr : "");
	return unit_check(same, "writer is jansson: %s", what);
}

/* Decodes the bytes (and all but the first byte, as fuzz_sessdec does) with every handler;
 * returns 1 when every tree comes out the same both ways. */
static int same_decoded(const char *bytes, size_t len)
{
	for (size_t skip = 0; skip <= 1 && skip <= len; skip++) {
		for (int h = SESS_UNKNOWN; h <= SESS_IGBINARY; h++) {
			struct decode_error err;
			struct pv *v = sess_decode(bytes + skip, len - skip, (enum sess_handler)h, NULL,
						   &err);
			int same = !v || same_json(v);
			pv_free(v);
			if (!same)
				return 0;
		}
	}
	return 1;
}

/* Every file of dir ending in suffix; one check for the whole directory. */
static void check_dir(const char *dir, const char *suffix)
{
	int bad, files = unit_each_file(dir, suffix, same_decoded, &bad);
	unit_check(files > 0 && bad == 0, "writer is jansson on %d files of %s", files, dir);
}

static struct pv *str(const char *s, size_t n)
{
	return pv_new_string(s, n);
}

static void check_floats(void)
{
	static const double rows[] = {
		0.1, 1e300, -0.0, 0.0, 1e-7, 123456789012345678.0, 5e-324, 2.2250738585072009e-308,
		DBL_MAX, -DBL_MAX, 1.0, -1.5, 100000.0, 1e16, 1e17, 1e21, 1e22, 0.5e-5, 1e100,
		3.141592653589793, NAN, INFINITY, -INFINITY, 1e-300, 9007199254740993.0,
	};
	struct pv *a = pv_new(PV_ARRAY);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pv *f = pv_new(PV_FLOAT);
		f->u.d = rows[i];
		pv_append(a, pv_new_int((int64_t)i), f);
	}
	check_same(a, "floats");
	pv_free(a);
	int bad = 0;
	uint64_t x = 88172645463325252ull;
	struct pv *f = pv_new(PV_FLOAT);
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		memcpy(&f->u.d, &x, sizeof(f->u.d));
		bad += !same_json(f);
	}
	pv_free(f);
	unit_check(bad == 0, "writer is jansson on 200000 random doubles (%d differ)", bad);
}

/* fmt_g17 against printf: random doubles of its range, prices, exact binary fractions (ties
 * at the 17th digit), and the range's edges; with point, ".0" after whole numbers. */
static int g17_same(double d, int *taken)
{
	char ref[48], got_s[32], pt[32];
	snprintf(ref, sizeof(ref), "%.17g", d);
	size_t n = fmt_g17(d, got_s, 0), p = fmt_g17(d, pt, 1);
	*taken += n > 0;
	if (n && !strchr(ref, '.'))	/* with point: ".0" after a number without one */
		strcat(ref, ".0");
	return n == 0 || (strlen(ref) == p && memcmp(ref, pt, p) == 0 && n <= p &&
			  memcmp(ref, got_s, n) == 0 && (n == p || p == n + 2));
}

static void check_g17(void)
{
	uint64_t x = 0x853c49e6748fea9bull;
	int bad = 0, taken = 0, tried = 0;
	for (int i = 0; i < 300000; i++, tried += 4) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double d = ldexp((double)(x >> 11), -53) * pow(10, (double)(x % 24) - 5);
		bad += !g17_same(d, &taken) + !g17_same(-d, &taken);
		bad += !g17_same((double)(x % 1000000) / 100, &taken);
		bad += !g17_same(ldexp((double)(x >> 11 | 1), -(int)(x % 64) - 3), &taken);
	}
	static const double edges[] = { 1e-4, 0.00010000000000000001, 9.9999999999999991e-5,
		1e15, 999999999999999.88, 0.1, 0.5, 1, 9.9999999999999982, 99999999999999.984,
		0.30000000000000004, 123456.789, 1.7976931348623157e308, 5e-324 };
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++, tried++)
		bad += !g17_same(edges[i], &taken);
	unit_check(bad == 0 && taken > tried / 2, "fmt_g17 is printf's %%.17g on %d doubles "
		   "(%d taken, %d differ)", tried, taken, bad);
}

/* json_write_int against printf: every power of ten and its neighbours, both signs, the ends
 * of int64 and random values. */
static int int_same(int64_t i)
{
	char ref[32];
	struct buf b = BUF_INIT;
	buf_addc(&b, 'x');
	json_write_int(&b, i);
	snprintf(ref, sizeof(ref), "x%lld", (long long)i);
	int same = b.len == strlen(ref) && strcmp(b.ptr, ref) == 0;
	buf_release(&b);
	return same;
}

static void check_ints(void)
{
	int bad = 0, tried = 0;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (int64_t p = 1; p <= INT64_MAX / 10; p *= 10)
		for (int64_t d = -1; d <= 1; d++, tried += 2)
			bad += !int_same(p + d) + !int_same(-(p + d));
	for (int i = 0; i < 100000; i++, tried++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		bad += !int_same((int64_t)(x >> (x % 64)));
	}
	bad += !int_same(INT64_MIN) + !int_same(INT64_MAX) + !int_same(INT64_MIN + 1);
	unit_check(bad == 0, "json_write_int is printf's %%lld on %d values (%d differ)", tried + 3,
		   bad);
}

static void check_strings(void)
{
	char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	struct pv *a = pv_new(PV_ARRAY);
	pv_append(a, pv_new_int(0), str(all, 128));
	pv_append(a, pv_new_int(1), str(all, 256));
	pv_append(a, pv_new_int(2), str(B("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 / \x7f")));
	pv_append(a, pv_new_int(3), str(B("\xed\xa0\x80 surrogate")));
	pv_append(a, pv_new_int(4), str(B("\xc0\xaf overlong")));
	pv_append(a, pv_new_int(5), str(B("\xf4\x90\x80\x80 too big")));
	pv_append(a, pv_new_int(6), str(B("")));
	pv_append(a, pv_new_int(7), pv_new_int(INT64_MIN));
	pv_append(a, pv_new_int(8), pv_new_int(INT64_MAX));
	check_same(a, "strings and integers");
	pv_append(a, str(all, 128), pv_new(PV_NULL));
	pv_append(a, str(all + 128, 128), pv_new(PV_NULL));
	pv_append(a, str(B("\\xff")), pv_new_int(1));
	pv_append(a, str(B("\xff")), pv_new_int(2));
	pv_append(a, str(B("7")), pv_new_int(3));
	pv_append(a, pv_new_int(-3), pv_new_int(4));
	check_same(a, "keys: escaped, repeated after escaping, int and string");
	pv_free(a);
}

static void check_objects(void)
{
	struct pv *o = pv_new(PV_OBJECT);
	o->class_name = xstrdup("A\xff");
	pv_append(o, str(B("x")), pv_new_int(1));
	pv_append(o, str(B("__class")), pv_new_int(2));
	pv_append(o, str(B("y")), pv_new_int(3));
	pv_append(o, str(B("x")), pv_new_int(4));
	struct pv *c = pv_new(PV_CUSTOM);
	c->class_name = xstrdup("C");
	c->u.str.ptr = xstrndup("a\0\xff", 3);
	c->u.str.len = 3;
	pv_append(o, str(B("c")), c);
	struct pv *e = pv_new(PV_ENUM);
	e->class_name = xstrdup("E");
	e->u.str.ptr = xstrdup("Case");
	e->u.str.len = 4;
	e->decrypted = CRYPT_LARAVEL;
	pv_append(o, str(B("e")), e);
	struct pv *s = str(B("secret"));
	s->decrypted = CRYPT_OPENSSL;
	pv_append(o, str(B("s")), s);
	struct pv *x = str(B("ZW52ZWxvcGU="));
	x->encrypted = CRYPT_OPENSSL;
	pv_append(o, str(B("left")), x);
	check_same(o, "object: repeated property, __class, custom, enum, decrypted, left encrypted");
	struct buf out = BUF_INIT;
	pv_write_json(&out, o);
	unit_check(strstr(out.ptr, "\"s\":{\"__decrypted\":\"secret\",\"__scheme\":\"openssl\"}") &&
		   strstr(out.ptr, "\"left\":{\"__encrypted\":\"ZW52ZWxvcGU=\",\"__scheme\":\"openssl\"}"),
		   "decrypted and encrypted values wrapped with their scheme (%s)", out.ptr);
	buf_release(&out);
	pv_free(o);

	struct decode_error err;
	struct pv *v = sess_decode(B("a|O:1:\"A\":3:{s:4:\"\0A\0x\";i:1;s:1:\"x\";i:2;"
				     "s:4:\"\0*\0x\";i:3;}b|R:2;c|r:1;"), SESS_PHP, NULL, &err);
	unit_check(v != NULL, "private, protected and public x decode");
	if (v)
		check_same(v, "private, protected and public x, references");
	pv_free(v);
}

/* Many members: the hashed search for repeated names, in arrays and objects. */
static void check_many_keys(void)
{
	struct pv *a = pv_new(PV_ARRAY);
	for (int i = 0; i < 300; i++) {
		char k[16];
		snprintf(k, sizeof(k), "k%d", i % 200);
		pv_append(a, str(k, strlen(k)), pv_new_int(i));
	}
	check_same(a, "300 members, 100 names repeated");
	pv_free(a);

	/* k0..k199, then k0..k99 again private to B or C (Other::name), B::k7 already taken
	 * (the last value wins), and an integer 5 beside a private "5" of B */
	struct pv *o = pv_new(PV_OBJECT);
	o->class_name = xstrdup("A");
	for (int i = 0; i < 300; i++) {
		char k[16];
		snprintf(k, sizeof(k), "k%d", i % 200);
		struct pv_entry *e = pv_append(o, str(k, strlen(k)), pv_new_int(i));
		if (i >= 200) {
			e->vis = PV_PRIVATE;
			e->decl_class = xstrdup(i % 2 ? "B" : "C");
		}
	}
	pv_append(o, str(B("B::k7")), pv_new_int(-1));
	pv_append(o, pv_new_int(5), pv_new_int(-2));
	struct pv_entry *e = pv_append(o, str(B("5")), pv_new_int(-3));
	e->vis = PV_PRIVATE;
	e->decl_class = xstrdup("B");
	check_same(o, "303 properties, 100 shadowed by another class's private ones");
	unit_check(strstr(got.ptr, ",\"k1\":1,") && strstr(got.ptr, ",\"C::k0\":200,") &&
		   strstr(got.ptr, ",\"B::k1\":201,") && strstr(got.ptr, ",\"B::k7\":-1,") &&
		   !strstr(got.ptr, "\"B::k7\":207") && strstr(got.ptr, ",\"5\":-2,\"B::5\":-3}"),
		   "shadowed properties named Other::name among many");
	pv_free(o);
}

/* Nesting past the depth limit, a cycle, and a reference tree past the node limit. */
static void check_limits(void)
{
	struct pv *root = pv_new(PV_ARRAY), *a = root;
	for (int i = 0; i < 2100; i++) {
		struct pv *b = pv_new(PV_ARRAY);
		pv_append(a, str(B("n")), b);
		a = b;
	}
	struct pv *back = pv_new(PV_REF);
	back->target = root;
	pv_append(a, pv_new_int(0), back);
	check_same(root, "nesting past the depth limit");
	pv_free(root);

	struct pv *x = pv_new(PV_ARRAY);
	pv_append(x, pv_new_int(0), str(B("leaf")));
	root = pv_new(PV_ARRAY);
	pv_append(root, pv_new_int(0), x);
	for (int i = 1; i < 23; i++) {
		struct pv *y = pv_new(PV_ARRAY);
		for (int k = 0; k < 2; k++) {
			struct pv *r = pv_new(PV_REF);
			r->target = x;
			pv_append(y, pv_new_int(k), r);
		}
		pv_append(root, pv_new_int(i), y);
		x = y;
	}
	check_same(root, "references past the node limit");
	pv_free(root);
}

/* json_write_utf8 on long strings: the 64 KiB slices meet inside multi-byte sequences, every
 * escape kind is there; a bad byte anywhere (or a sequence cut at the end) gives -1 and out as
 * it was. Against jansson's bytes for the same string. */
static void check_long_utf8(void)
{
	static const char *const pieces[] = { "a", "\"", "\\", "\n", "\x01", "\xc3\xa9",
					      "\xe2\x82\xac", "\xf0\x9f\x98\x80", "plain text " };
	struct buf s = BUF_INIT;
	uint64_t x = 88172645463325252ull;
	while (s.len < 200000) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		buf_adds(&s, pieces[x % (sizeof(pieces) / sizeof(pieces[0]))]);
	}
	int same = 1, refused = 1;
	for (size_t shift = 0; shift < 4; shift++) {	/* sequences across each slice's end */
		json_t *j = json_stringn(s.ptr + shift, s.len - shift);
		char *w = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		buf_reset(&got);
		buf_adds(&got, "x");
		int r = json_write_utf8(&got, s.ptr + shift, s.len - shift);
		same &= !j || (r == 0 && strcmp(got.ptr + 1, w) == 0);
		same &= j || (r < 0 && strcmp(got.ptr, "x") == 0);
		json_decref(j);
		free(w);
	}
	static const size_t at[] = { 0, 65535, 65536, 65537, 131071, 199990 };
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		char keep = s.ptr[at[i]];
		s.ptr[at[i]] = (char)0xff;
		buf_reset(&got);
		buf_adds(&got, "x");
		refused &= json_write_utf8(&got, s.ptr, s.len) < 0 && got.len == 1 &&
			   strcmp(got.ptr, "x") == 0;
		s.ptr[at[i]] = keep;
	}
	buf_adds(&s, "\xe2\x82");	/* cut short at the very end */
	buf_reset(&got);
	refused &= json_write_utf8(&got, s.ptr, s.len) < 0 && got.len == 0;
	unit_check(same, "json_write_utf8 is jansson on 200 KB strings, slices meeting mid-sequence");
	unit_check(refused, "json_write_utf8 refuses a bad byte at any slice's edge, out unchanged");
	buf_release(&s);
}

/* 1 when json_write_utf8 writes what jansson's compact dump writes for the n bytes at s, or
 * refuses them (-1, out as it was) where jansson refuses them as not UTF-8. */
static int utf8_is_jansson(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	buf_reset(&got);
	buf_adds(&got, "x");
	int r = json_write_utf8(&got, s, n);
	if (!j)
		return r < 0 && got.len == 1 && strcmp(got.ptr, "x") == 0;
	char *w = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	int same = r == 0 && got.len == 1 + strlen(w) && strcmp(got.ptr + 1, w) == 0;
	free(w);
	json_decref(j);
	return same;
}

/* Random text of n bytes: ASCII of every value, quotes, backslashes, NULs and valid UTF-8. */
static void random_text(char *s, size_t n, uint64_t *x)
{
	static const char *const pieces[] = { "\"", "\\", "\0", "\xc3\xa9", "\xe2\x82\xac",
					      "\xf0\x9f\x98\x80" };
	static const size_t piece_len[] = { 1, 1, 1, 2, 3, 4 };
	size_t i = 0;
	while (i < n) {
		*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
		unsigned pick = (unsigned)(*x >> 32) % 16;
		if (pick < 6 && piece_len[pick] <= n - i) {
			memcpy(s + i, pieces[pick], piece_len[pick]);
			i += piece_len[pick];
		} else {
			s[i++] = (char)(pick < 9 ? (*x >> 8) & 0x7f : 'a' + pick);
		}
	}
}

/* json_write_utf8 against jansson with the SIMD loops on and off: random text of every length
 * to 100, every byte value at every place of a 40-byte string, a bad byte at every place. */
static void check_utf8_paths(void)
{
	char s[128];
	for (int simd = 2; simd >= 0; simd--) {
		json_use_simd(simd);
		uint64_t x = 0x9e3779b97f4a7c15ull;
		int bad = 0, tried = 0;
		for (size_t n = 0; n <= 100; n++) {
			for (int t = 0; t < 200; t++, tried++) {
				random_text(s, n, &x);
				bad += !utf8_is_jansson(s, n);
			}
		}
		for (unsigned c = 0; c < 256; c++) {
			for (size_t at = 0; at < 40; at++, tried++) {
				memset(s, 'a', 40);
				s[at] = (char)c;
				bad += !utf8_is_jansson(s, 40);
			}
		}
		for (size_t n = 1; n <= 100; n++) {
			for (size_t at = 0; at < n; at++, tried += 2) {
				random_text(s, n, &x);
				char keep = s[at];
				s[at] = (char)0xff;
				bad += !utf8_is_jansson(s, n);
				s[at] = (char)0xc3;	/* a sequence cut short, or a good one */
				bad += !utf8_is_jansson(s, n);
				s[at] = keep;
			}
		}
		unit_check(bad == 0, "json_write_utf8 is jansson on %d strings of 0..100 bytes, "
			   "SIMD level %d (%d differ)", tried, simd, bad);
	}
	json_use_simd(2);
}

/* json_write_utf8 against json_write_string (a separate, plainer loop) on every way to place
 * quotes, backslashes and a NUL in a 16-byte block, at two offsets into the string. */
static void check_blocks(void)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	char s[40];
	int bad = 0;
	for (unsigned m = 0; m < 65536; m++) {
		for (size_t at = 0; at < 2; at++) {
			memset(s, 'x', sizeof(s));
			for (unsigned j = 0; j < 16; j++)
				if (m >> j & 1)
					s[at + j] = "\"\\"[(m >> ((j + 3) & 15)) & 1];
			if (m % 7 == 0)
				s[at + (m % 16)] = '\0';
			buf_reset(&a);
			buf_reset(&b);
			bad += json_write_utf8(&a, s, at + 16 + m % 5) != 0;
			json_write_string(&b, s, at + 16 + m % 5);
			bad += a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0;
		}
	}
	unit_check(bad == 0, "json_write_utf8 is json_write_string on every mask of quotes, "
		   "backslashes and NULs in a 16-byte block");
	buf_release(&a);
	buf_release(&b);
}

int main(int argc, char **argv)
{
	const char *golden = argc > 1 ? argv[1] : "tests/golden";
	check_dir(golden, ".sess");
	static const char *corpora[] = { "sessdec", "igbinary", "crypt", "dumpline", "compress" };
	for (size_t i = 0; i < sizeof(corpora) / sizeof(corpora[0]); i++) {
		char *dir = xasprintf("%s/../fuzz/corpus/%s", golden, corpora[i]);
		check_dir(dir, "");
		free(dir);
	}
	check_floats();
	check_g17();
	check_ints();
	check_strings();
	check_long_utf8();
	for (int level = 1; level >= 0; level--) {
		json_use_simd(level);
		check_blocks();
		check_long_utf8();
	}
	json_use_simd(2);
	check_utf8_paths();
	check_objects();
	check_many_keys();
	check_limits();
	buf_release(&got);
	free(want);
	return unit_done();
}
