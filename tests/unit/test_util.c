/* test_util.c: durations, UTF-8 validation, buffers, key sets. */
#include "unit.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *in; double secs; int ok; } durations[] = {
	{ "90", 90, 1 }, { "90s", 90, 1 }, { "1.5s", 1.5, 1 }, { "250ms", 0.25, 1 },
	{ "15m", 900, 1 }, { "2h", 7200, 1 }, { "7d", 604800, 1 }, { "", 0, 0 },
	{ "-5", 0, 0 }, { "5x", 0, 0 }, { "m", 0, 0 }, { "nan", 0, 0 }, { "1e20", 0, 0 },
};

static const struct { const char *s; size_t n; int valid; const char *what; } utf8[] = {
	{ "plain", 5, 1, "ASCII" },
	{ "\xc3\xbc", 2, 1, "2-byte" },
	{ "\xe2\x9c\x93", 3, 1, "3-byte" },
	{ "\xf0\x9f\x98\x80", 4, 1, "4-byte" },
	{ "a\0b", 3, 1, "NUL inside" },
	{ "\xff", 1, 0, "0xff" },
	{ "\xc0\xaf", 2, 0, "overlong" },
	{ "\xed\xa0\x80", 3, 0, "surrogate" },
	{ "\xe2\x9c", 2, 0, "truncated" },
	{ "\xf4\x90\x80\x80", 4, 0, "past U+10FFFF" },
};

/* A key set through several growths: every key added once, found, and nothing else found. */
static void test_keyset(void)
{
	struct keyset s = { 0 };
	char k[32];
	unit_check(!keyset_has(&s, "a", 1), "an empty key set has nothing");
	int fresh = 1, again = 0, found = 1;
	for (int i = 0; i < 5000; i++)
		fresh &= keyset_add(&s, k, (size_t)snprintf(k, sizeof(k), "sid%d", i)) == 1;
	for (int i = 0; i < 5000; i++) {
		size_t n = (size_t)snprintf(k, sizeof(k), "sid%d", i);
		again |= keyset_add(&s, k, n);
		found &= keyset_has(&s, k, n);
	}
	unit_check(fresh && !again && s.n == 5000, "keyset_add: 5000 new keys, then none new");
	unit_check(found, "keyset_has finds every key after growing");
	unit_check(!keyset_has(&s, "sid5000", 7) && !keyset_has(&s, "sid1", 3) &&
		   !keyset_has(&s, "sid10x", 6), "keyset_has: no other key, no prefix or extension of one");
	keyset_release(&s);
	unit_check(s.n == 0 && !keyset_has(&s, "sid1", 4), "a released key set is empty");
}

/* parse_i64/parse_u64: whole decimal numbers, the ends of their ranges, nothing else. */
static void test_parse_numbers(void)
{
	static const struct { const char *s; int ok; int64_t v; } i64[] = {
		{ "0", 1, 0 }, { "-0", 1, 0 }, { "1796394233", 1, 1796394233 }, { "-1", 1, -1 },
		{ "9223372036854775807", 1, INT64_MAX }, { "-9223372036854775808", 1, INT64_MIN },
		{ "9223372036854775808", 0, 0 }, { "-9223372036854775809", 0, 0 },
		{ "00000000000000000000000000042", 1, 42 }, { "", 0, 0 }, { "-", 0, 0 },
		{ "+1", 0, 0 }, { " 1", 0, 0 }, { "1 ", 0, 0 }, { "1x", 0, 0 }, { "--1", 0, 0 },
		{ "99999999999999999999", 0, 0 },
	};
	for (size_t i = 0; i < sizeof(i64) / sizeof(i64[0]); i++) {
		int64_t v = 7;
		int r = parse_i64(i64[i].s, strlen(i64[i].s), &v);
		unit_check(i64[i].ok ? r == 0 && v == i64[i].v : r < 0 && v == 7,
			   "parse_i64(\"%s\")", i64[i].s);
	}
	static const struct { const char *s; int ok; uint64_t v; } u64[] = {
		{ "0", 1, 0 }, { "18446744073709551615", 1, UINT64_MAX },
		{ "18446744073709551616", 0, 0 }, { "99999999999999999999", 0, 0 },
		{ "-1", 0, 0 }, { "", 0, 0 }, { "12a", 0, 0 }, { "000000000000000000001", 0, 0 },
	};
	for (size_t i = 0; i < sizeof(u64) / sizeof(u64[0]); i++) {
		uint64_t v = 7;
		int r = parse_u64(u64[i].s, strlen(u64[i].s), &v);
		unit_check(u64[i].ok ? r == 0 && v == u64[i].v : r < 0 && v == 7,
			   "parse_u64(\"%s\")", u64[i].s);
	}
}

/* find_byte against memchr: every length to 80, the byte at every place or nowhere, with the
 * bytes around it one more and one less (borrows across bytes), 0x00 and 0x80 and 0xff too. */
static void test_find_byte(void)
{
	static const unsigned char wanted[] = { 0, '|', 0x7f, 0x80, 0xff };
	char s[96];
	size_t bad = 0, checks = 0;
	for (size_t w = 0; w < sizeof(wanted); w++) {
		char c = (char)wanted[w];
		for (size_t n = 0; n <= 80; n++) {
			for (size_t at = 0; at <= n; at++) {	/* at == n: not there */
				for (size_t i = 0; i < sizeof(s); i++)
					s[i] = (char)(wanted[w] + (i % 2 ? 1 : -1));
				if (at < n)
					s[at] = c;
				s[n] = c;	/* just past the end: never found */
				checks++;
				bad += find_byte(s, c, n) != (const char *)memchr(s, c, n);
			}
		}
	}
	unit_check(bad == 0, "find_byte agrees with memchr in %zu cases (%zu differ)", checks, bad);
}

/* fmt_duration as it was written with snprintf, into n bytes. */
static void duration_printf(int64_t s, char *out, size_t n)
{
	if (s == TTL_UNKNOWN)
		snprintf(out, n, "unknown");
	else if (s < 0)
		snprintf(out, n, "never");
	else if (s < 60)
		snprintf(out, n, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(out, n, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else if (s < 86400)
		snprintf(out, n, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		snprintf(out, n, "%lldd%02lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}

/* fmt_duration writes what snprintf wrote, cut the same way, at every boundary. */
static void test_fmt_duration(void)
{
	static const int64_t at[] = { TTL_UNKNOWN, -5, -1, 0, 1, 9, 10, 59, 60, 61, 599, 600, 3599,
				      3600, 3601, 35999, 36000, 86399, 86400, 86401, 863999, 864000,
				      2592000, 31536000, INT64_MAX };
	static const size_t sizes[] = { 32, 8, 5, 3, 1 };
	int same = 1;
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			char want[32] = "untouched", got[32] = "untouched";
			duration_printf(at[i], want, sizes[k]);
			fmt_duration(at[i], got, sizes[k]);
			if (strcmp(want, got) != 0) {
				unit_check(0, "fmt_duration(%lld) in %zu bytes: '%s', expected '%s'",
					   (long long)at[i], sizes[k], got, want);
				same = 0;
			}
		}
	}
	for (int64_t s = 0; s < 200000; s += 7) {
		char want[32], got[32];
		duration_printf(s, want, sizeof(want));
		fmt_duration(s, got, sizeof(got));
		same &= strcmp(want, got) == 0;
	}
	unit_check(same, "fmt_duration writes what snprintf wrote");
}

int main(void)
{
	test_find_byte();
	test_parse_numbers();
	test_keyset();
	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		double s = -1;
		int r = parse_duration(durations[i].in, &s);
		unit_check(durations[i].ok ? r == 0 && s == durations[i].secs : r < 0,
			   "parse_duration('%s')", durations[i].in);
	}
	for (size_t i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++)
		unit_check(utf8_valid(utf8[i].s, utf8[i].n) == utf8[i].valid, "utf8_valid: %s",
			   utf8[i].what);
	test_fmt_duration();
	char out[32];
	fmt_duration(-1, out, sizeof(out));
	unit_check(strcmp(out, "never") == 0, "fmt_duration(-1) is never");
	fmt_duration(1436, out, sizeof(out));
	unit_check(strcmp(out, "23m56s") == 0, "fmt_duration(1436) is 23m56s");
	fmt_duration(90061, out, sizeof(out));
	unit_check(strcmp(out, "1d01h") == 0, "fmt_duration(90061) is 1d01h");
	struct buf b = BUF_INIT;
	for (int i = 0; i < 10000; i++)
		buf_printf(&b, "%d,", i);
	unit_check(b.len == 48890 && b.ptr[b.len] == '\0', "buf grows and stays terminated");
	buf_reset(&b);
	buf_add_escaped(&b, "a\"\\\x01\xff", 5);
	unit_check(strcmp(b.ptr, "a\\\"\\\\\\x01\\xff") == 0, "buf_add_escaped");
	buf_release(&b);
	return unit_done();
}
