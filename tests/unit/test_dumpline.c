/* test_dumpline.c: dumpline_parse (its own reader for plain lines) gives what jansson's reading,
 * dumpline_parse_json, gives: on crafted lines and the fuzz corpus (beside argv[1], the golden
 * directory); and the reader's offset. */
#include "dumpline.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int same_buf(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
}

/* 1 when both readers agree on the line: result, message and every field. */
static int agree(const char *line, size_t len)
{
	struct dump_entry a, b;
	char *ca = NULL, *cb = NULL;
	dump_entry_init(&a);
	dump_entry_init(&b);
	int ra = dumpline_parse(line, len, &a, &ca);
	int rb = dumpline_parse_json(line, len, &b, &cb);
	int same = ra == rb && (ra < 0 ? strcmp(ca, cb) == 0 :
		   same_buf(&a.key, &b.key) && same_buf(&a.value, &b.value) && a.flags == b.flags &&
		   a.exp == b.exp && a.cas == b.cas && strcmp(a.server, b.server) == 0 &&
		   a.locked == b.locked && a.misplaced == b.misplaced);
	free(ca);
	free(cb);
	dump_entry_release(&a);
	dump_entry_release(&b);
	return same;
}

static const char *const lines[] = {
	"{\"key\":\"k\",\"value\":\"v\"}",
	"{\"key\":\"memc.sess.key.abc\",\"sid\":\"abc\",\"server\":\"127.0.0.1:11211\","
	"\"expiry\":1795707041,\"ttl\":86398,\"last_access\":null,\"idle\":2,\"flags\":0,"
	"\"cas\":4903,\"size\":4,\"locked\":false,\"value\":\"a|i:1;\"}",
	"{\"key\":\"k\",\"value\":\"\\u00e9\\ud83d\\ude00\\u0000\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
	"{\"key\":\"k\",\"value\":\"\\ud83d\"}",
	"{\"key\":\"k\",\"value\":\"\\ude00\"}",
	"{\"key\":\"k\",\"value\":\"\\u00E9\\u00zz\"}",
	"{\"key\":\"k\",\"value\":\"\xff\"}",
	"{\"key\":\"k\",\"value\":\"\x01\"}",
	"{\"key\":\"k\",\"value\":\"\xc3\xa9\"}",
	"{\"key\":\"k\",\"key\":\"k\",\"value\":\"v\"}",
	"{\"key\":\"k\",\"key_b64\":\"aw==\",\"value\":\"v\"}",
	"{\"key_b64\":\"aw==\",\"value_b64\":\"dg==\"}",
	"{\"key_b64\":\"a\",\"value\":\"v\"}",
	"{\"key\":\"\",\"value\":\"v\"}",
	"{\"value\":\"v\"}",
	"{\"key\":\"k\"}",
	"{\"key\":\"k\",\"value\":\"v\",\"flags\":4294967295,\"expiry\":0,\"cas\":-0}",
	"{\"key\":\"k\",\"value\":\"v\",\"flags\":4294967296}",
	"{\"key\":\"k\",\"value\":\"v\",\"flags\":-1}",
	"{\"key\":\"k\",\"value\":\"v\",\"flags\":1.0}",
	"{\"key\":\"k\",\"value\":\"v\",\"flags\":1e3}",
	"{\"key\":\"k\",\"value\":\"v\",\"flags\":01}",
	"{\"key\":\"k\",\"value\":\"v\",\"flags\":null,\"expiry\":null,\"cas\":null}",
	"{\"key\":\"k\",\"value\":\"v\",\"expiry\":99999999999999999999}",
	"{\"key\":\"k\",\"value\":\"v\",\"cas\":999999999999999999}",
	"{\"key\":\"k\",\"value\":\"v\",\"ttl\":-9223372036854775808}",
	"{\"key\":\"k\",\"value\":\"v\",\"cas\":9223372036854775807}",
	"{\"key\":\"k\",\"value\":\"v\",\"flags\":\"1\"}",
	"{\"key\":\"k\",\"value\":\"v\",\"server\":\"a\\u0000b\",\"locked\":true,\"php_server\":null}",
	"{\"key\":\"k\",\"value\":\"v\",\"server\":1}",
	"{\"key\":\"k\",\"value\":\"v\",\"locked\":1}",
	"{\"key\":\"k\",\"value\":\"v\",\"encryption\":{\"scheme\":\"openssl\"}}",
	"{\"key\":\"k\",\"value\":\"v\"} ",
	"{ \"key\":\"k\",\"value\":\"v\"}",
	"{\"key\":\"k\",\"value\":\"v\"}x",
	"{\"key\":\"k\",\"value\":\"v\",}",
	"{\"k\\u0065y\":\"k\",\"value\":\"v\"}",
	"{\"key\":\"k\",\"value\":tru}",
	"{\"key\":\"k\",\"value\":\"v",
	"[1]",
	"{}",
	/* members the entry does not keep: skipped when sure, else jansson */
	"{\"key\":\"k\",\"value\":\"v\",\"data\":{\"a\":{\"b\":1},\"a\":2}}",
	"{\"key\":\"k\",\"value\":\"v\",\"data\":{\"a\":{\"b\":1,\"b\":2}}}",
	"{\"key\":\"k\",\"value\":\"v\",\"data\":{\"\\u0061\":1,\"a\":2}}",
	"{\"key\":\"k\",\"value\":\"v\",\"data\":{\"a\\u0000\":1}}",
	"{\"key\":\"k\",\"value\":\"v\",\"data\":[1.5e3,1E-2,-0.0,01.5,.5,1.,1e999]}",
	"{\"key\":\"k\",\"value\":\"v\",\"data\":[1e999]}",
	"{\"key\":\"k\",\"value\":\"v\",\"data\":[99999999999999999999]}",
	"{\"key\":\"k\",\"value\":\"v\",\"data\":[0.000000000000000000000000000001]}",
	"{\"key\":\"k\",\"value\":\"v\",\"data\":[\"\xff\"]}",
	"{\"key\":\"k\",\"value\":\"v\",\"data\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
	"{\"key\":\"k\",\"value\":\"v\",\"data\":[1,]}",
	"{\"key\":\"k\",\"value\":\"v\",\"data\":{\"a\":1,}}",
	"{\"key\":\"k\",\"value\":\"v\",\"data\":{\"a\" :1}}",
	"{\"key\":\"k\",\"value\":\"v\",\"data\":{\"a\":nul}}",
	"{\"key\":\"k\",\"value\":\"v\",\"data\":{\"a\":[}}",
	"{\"key\":\"k\",\"value\":\"v\",\"server\":{\"a\":1}}",
	"{\"key\":\"k\",\"value\":\"v\",\"locked\":[true],\"php_server\":{}}",
};

/* Lines as dump writes them, data included: the fast reader must take them (and agree). */
static const char *const taken[] = {
	"{\"key\":\"memc.sess.key.abc\",\"sid\":\"abc\",\"server\":\"127.0.0.1:11211\","
	"\"expiry\":1795707041,\"ttl\":86398,\"last_access\":1795620641,\"idle\":2,\"flags\":0,"
	"\"cas\":4903,\"size\":52,\"locked\":false,\"value\":\"uid|i:7;cart|a:1:{i:0;d:4.99;}\","
	"\"handler\":\"php\",\"data\":{\"uid\":7,\"cart\":[4.9900000000000002],\"u\":{\"__class\":"
	"\"User\",\"name\":\"Zo\xc3\xab \\\"Z\\\"\",\"roles\":[],\"o\":{},\"x\":null,\"t\":true,"
	"\"f\":false,\"n\":-12,\"r\":-0.5}}}",
	"{\"key\":\"k\",\"value_b64\":\"AAAAAg==\",\"handler\":\"igbinary\",\"data\":[]}",
};

/* dump_reader_offset after each line read is where that line (and its newline) ends, across
 * empty lines, CRLF, a bad line and lines that span the 64 KB read-ahead. */
static void check_offsets(void)
{
	struct buf text;
	size_t ends[8], n = 0;
	buf_init(&text);
	for (int i = 0; i < 7; i++) {
		if (i == 2)
			buf_adds(&text, "\n\n");
		if (i == 4)
			buf_adds(&text, "not json\n");
		buf_printf(&text, "{\"key\":\"k%d\",\"value\":\"", i);
		for (int k = 0; k < (i % 3) * 40000; k++)
			buf_adds(&text, "v");
		buf_adds(&text, i == 3 ? "\"}\r\n" : "\"}\n");
		ends[n++] = text.len;
	}
	FILE *f = fmemopen(text.ptr, text.len, "r");
	struct dump_reader rd = { .f = f, .name = "test" };
	struct dump_entry e;
	char *cause = NULL;
	size_t got = 0, right = 0;
	int r;
	dump_entry_init(&e);
	while ((r = dump_reader_next(&rd, &e, &cause)) != 0) {
		free(cause);
		cause = NULL;
		if (r == 1 && got < n)
			right += dump_reader_offset(&rd) == ends[got++];
	}
	unit_check(got == n && right == n && dump_reader_offset(&rd) == text.len,
		   "dump_reader_offset is where each line ends (%zu of %zu)", right, n);
	dump_entry_release(&e);
	dump_reader_release(&rd);
	fclose(f);
	buf_release(&text);
}

static void check_corpus(const char *dir)
{
	int bad, files = unit_each_file(dir, "", agree, &bad);
	unit_check(files > 0 && bad == 0, "both readers agree on %d files of %s", files, dir);
}

int main(int argc, char **argv)
{
	const char *golden = argc > 1 ? argv[1] : "tests/golden";
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		unit_check(agree(lines[i], strlen(lines[i])), "both readers agree: %s", lines[i]);
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		struct dump_entry e;
		dump_entry_init(&e);
		int fast = dumpline_parse_fast(taken[i], strlen(taken[i]), &e) == 0;
		dump_entry_release(&e);
		unit_check(fast && agree(taken[i], strlen(taken[i])),
			   "the fast reader takes a dump line with data (%zu)", i);
	}
	check_offsets();
	char *dir = xasprintf("%s/../fuzz/corpus/dumpline", golden);
	check_corpus(dir);
	free(dir);
	return unit_done();
}
