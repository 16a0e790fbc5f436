/* test_record.c: record_write writes what json_dumps(record_to_json_opts(...), JSON_COMPACT)
 * writes, for records of every shape and the golden sessions (argv[1]) as values. */
#include "record.h"
#include "session_decode.h"
#include "unit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static char name0[] = "127.0.0.1:11211", name1[] = "s\xff";
static struct pool_server servers[2] = { { .name = name0 }, { .name = name1 } };
static struct pool pool = { .servers = servers, .n = 2 };

/* 1 when both ways give the same bytes, for every what. */
static int same_record(const struct sess_rec *r)
{
	int same = 1;
	for (unsigned what = 0; what <= (RECORD_VALUE | RECORD_DATA); what++) {
		struct decode_info d1, d2;
		json_t *o = record_to_json_opts(&pool, r, what, NULL, &d1);
		char *want = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		struct buf got = BUF_INIT;
		record_write(&pool, r, what, NULL, &d2, &got, NULL);
		if (!want || strcmp(want, got.ptr) != 0) {
			printf("# jansson %.300s\n# writer  %.300s\n", want ? want : "(nothing)", got.ptr);
			same = 0;
		}
		free(want);
		buf_release(&got);
	}
	return same;
}

static struct sess_rec rec(const char *value, size_t len)
{
	struct sess_rec r = { .kind = REC_SESSION, .key = "memc.sess.key.abc", .key_len = 17,
			      .sid = "abc", .sid_len = 3, .exp = -1, .ttl = -1, .la = -1,
			      .idle = -1, .value = value, .value_len = len, .locked = -1 };
	return r;
}

/* Keys and sids of 0 to 300 bytes, mostly plain, with a byte that is not (a quote, a
 * backslash, a control, DEL, UTF-8, a lone 0x80) anywhere: the writer is jansson. */
static void check_keys(void)
{
	static const char *const odd[] = { "\"", "\\", "\x1f", "\x7f", "\xc3\xa9", "\x80", "\t" };
	unsigned seed = 3;
	int bad = 0;
	for (int t = 0; t < 3000; t++) {
		char key[320];
		size_t n = (size_t)t % 301, k = 0;
		while (k < n) {
			seed = seed * 1103515245u + 12345u;
			const char *o = (seed >> 16) % 9 ? NULL : odd[(seed >> 8) % 7];
			if (o && k + strlen(o) <= n) {
				memcpy(key + k, o, strlen(o));
				k += strlen(o);
			} else {
				key[k++] = (char)('a' + (seed >> 20) % 26);
			}
		}
		struct sess_rec r = rec(NULL, 0);
		r.key = key;
		r.key_len = n;
		r.sid = key + n / 2;
		r.sid_len = n - n / 2;
		bad += !same_record(&r);
	}
	unit_check(bad == 0, "keys and sids of 0..300 bytes, odd bytes anywhere: as jansson (%d "
		   "differ)", bad);
}

static void check_shapes(void)
{
	struct sess_rec r = rec("a|i:1;", 6);
	unit_check(same_record(&r), "plain record");
	r.value = NULL;
	unit_check(same_record(&r), "no value");
	static const char broken[] = "a|s:2:\"\xff\xfe\";\"\\\n";
	r = rec(broken, sizeof(broken) - 1);
	r.key = "k\xff";
	r.key_len = 2;
	unit_check(same_record(&r), "value and key not UTF-8, broken session");
	r = rec("", 0);
	r.server = 1;
	r.home = 0;
	r.have_meta = 1;
	r.flags = 48;
	r.cas = 7;
	r.ttl = TTL_UNKNOWN;
	r.locked = 1;
	r.lock_ttl = 30;
	unit_check(same_record(&r), "empty value, meta, lock, server name not UTF-8");
	r = rec("x\x9c\x03\x00\x00\x00\x00\x01", 8);
	r.have_meta = 1;
	r.flags = 16;
	r.item_size = 99;
	unit_check(same_record(&r), "value that does not decompress");
	r = rec(NULL, 0);
	r.item_size = 1234;
	r.locked = 0;
	r.exp = 1795715010;
	r.ttl = 86000;
	r.la = 1795629137;
	r.idle = 0;
	unit_check(same_record(&r), "list --fast record: item size, times, not locked");
	static const char enc[] = "c2VjcmV0IHN0dWZmIGhlcmU6OmFiY2RlZmdoaWprbG1ub3A=";
	r = rec(enc, sizeof(enc) - 1);
	unit_check(same_record(&r), "encrypted value without a key");
	check_keys();
}

static int same_as_value(const char *bytes, size_t len)
{
	struct sess_rec r = rec(bytes, len);
	return same_record(&r);
}

static void check_golden(const char *dir)
{
	int bad, files = unit_each_file(dir, ".sess", same_as_value, &bad);
	unit_check(files > 0 && bad == 0, "record_write is jansson on %d golden sessions", files);
}

int main(int argc, char **argv)
{
	check_shapes();
	check_golden(argc > 1 ? argv[1] : "tests/golden");
	return unit_done();
}
