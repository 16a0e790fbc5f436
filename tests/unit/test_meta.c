/* test_meta.c: mg requests as queued (plain keys as they are, others base64 with the b flag)
 * and mg replies as read, from a connection's buffers (no server: nothing is sent or read). */
#include "unit.h"
#include "mc/meta.h"

#include <openssl/evp.h>

/* Can the key go on the wire as it is, the slow way: no byte up to the space, nor 0x7f. */
static int plain_ref(const unsigned char *k, size_t n)
{
	if (n == 0 || n > 250)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (k[i] <= 0x20 || k[i] == 0x7f)
			return 0;
	return 1;
}

/* The request meta_queue_get should queue for key k. */
static void want_request(const unsigned char *k, size_t n, int value, struct buf *out)
{
	buf_reset(out);
	buf_adds(out, "mg ");
	if (plain_ref(k, n)) {
		buf_add(out, k, n);
	} else {
		unsigned char enc[4 * ((250 + 2) / 3) + 1];
		int e = EVP_EncodeBlock(enc, k, (int)(n > 250 ? 250 : n));
		buf_add(out, enc, (size_t)e);
	}
	buf_adds(out, value ? " t f l c u v" : " t f s l c u");
	if (!plain_ref(k, n))
		buf_adds(out, " b");
	buf_adds(out, "\r\n");
}

/* Random keys of 1 to 251 bytes from the bytes that matter, queued one after another. */
static void test_queue(void)
{
	static const unsigned char pool[] = { 'a', 'Z', '.', 0x21, 0x7e, 0x20, 0x7f, 0x00, 0x1f,
					      0x80, 0xff, '\r', '\n' };
	struct conn c = { .fd = -1, .name = "test" };
	struct buf want = BUF_INIT, all = BUF_INIT;
	unsigned seed = 99;
	for (int t = 0; t < 20000; t++) {
		unsigned char k[252];
		size_t n = 1 + t % 251;
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			/* mostly plain bytes, so that a bad one lands anywhere in eight */
			k[i] = (seed >> 16) % 7 ? 'a' + (seed >> 20) % 26 : pool[(seed >> 8) % sizeof(pool)];
		}
		want_request(k, n, t % 2, &want);
		buf_add(&all, want.ptr, want.len);
		meta_queue_get(&c, (const char *)k, n, t % 2);
	}
	unit_check(c.out.len == all.len && memcmp(c.out.ptr, all.ptr, all.len) == 0,
		   "mg requests: plain keys as they are, others base64 with b (20000 keys)");
	buf_release(&want);
	buf_release(&all);
	buf_release(&c.out);
}

/* Reads one mg reply from text; returns meta_read_get's result, the reply in *r. */
static int read_reply(const char *text, struct mg_reply *r, char **cause)
{
	struct conn c = { .fd = -1, .name = "test" };
	buf_adds(&c.in, text);
	*cause = NULL;
	int ret = meta_read_get(&c, "k", r, NULL, cause);
	buf_release(&c.in);
	return ret;
}

static void test_replies(void)
{
	struct mg_reply r;
	char *cause;
	unit_check(read_reply("VA 5 t10 f3 l4 c99\r\nhello\r\n", &r, &cause) == 0 && r.found &&
		   r.size == 5 && r.ttl == 10 && r.flags == 3 && r.idle == 4 && r.cas == 99,
		   "VA reply: size and flags");
	unit_check(read_reply("VA 0 t-1 f0 c1\r\n\r\n", &r, &cause) == 0 && r.found && r.size == 0 &&
		   r.ttl == -1, "VA reply: empty value, no expiry");
	unit_check(read_reply("EN\r\n", &r, &cause) == 0 && !r.found, "EN: a miss");
	unit_check(read_reply("VA 1 c999999999999999999 t9223372036854775807 l-5\r\nx\r\n", &r,
			      &cause) == 0 && r.cas == 999999999999999999ull &&
		   r.ttl == INT64_MAX && r.idle == -5, "VA reply: 18 and 19 digits, a sign");
	static const char *const bad[] = { "VA 12x t1\r\n", "VA -1 t1\r\n", "VA \r\n",
		"VA 99999999999999999999999 t1\r\n", "VA 5 tx\r\nhello\r\n", "VA  5\r\nhello\r\n",
		"VA 1 t9223372036854775808\r\nx\r\n", "VA 1 t1x\r\nx\r\n", "VA 1 t\r\nx\r\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = read_reply(bad[i], &r, &cause);
		unit_check(ret < 0 && cause && (strstr(cause, "malformed mg reply") ||
						 strstr(cause, "unexpected reply to mg")),
			   "bad reply %zu refused: %s", i, cause ? cause : "(accepted)");
		free(cause);
	}
	int ret = read_reply("VA 2000000000 t1\r\n", &r, &cause);
	unit_check(ret < 0 && cause && strstr(cause, "over the"), "value over the limit: %s",
		   cause ? cause : "(accepted)");
	free(cause);
}

/* meta_reply_ready on the first n bytes of text. */
static int ready_at(const char *text, size_t n)
{
	struct conn c = { .fd = -1, .name = "test" };
	buf_add(&c.in, text, n);
	int r = meta_reply_ready(&c);
	buf_release(&c.in);
	return r;
}

/* A reply cut anywhere is not ready; whole, it is, and meta_read_get then needs no more. */
static void test_ready(void)
{
	static const char *const good[] = { "VA 5 t10 f3 l4 c99\r\nhello\r\n", "EN\r\n",
		"HD t1 c2\r\n", "VA 0 t-1\r\n\r\n", "VA 12 t1\r\nhello\r\nthere\r\n" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		size_t len = strlen(good[i]), early = 0;
		for (size_t n = 0; n < len; n++)
			early += ready_at(good[i], n) != 0;
		unit_check(early == 0, "reply %zu: no cut of it is ready (%zu were)", i, early);
		unit_check(ready_at(good[i], len), "reply %zu: whole, it is ready", i);
	}
	/* bad lines are ready as soon as they are whole: meta_read_get refuses them at once */
	static const char *const bad[] = { "VA 12x t1\r\n", "VA 5 tx\r\n", "VA 2000000000 t1\r\n",
		"XX\r\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		unit_check(ready_at(bad[i], strlen(bad[i])) && !ready_at(bad[i], strlen(bad[i]) - 1),
			   "bad reply %zu: ready when its line is whole", i);
	struct buf big = BUF_INIT;
	for (size_t i = 0; i <= CONN_MAX_LINE; i++)
		buf_addc(&big, 'x');
	unit_check(ready_at(big.ptr, big.len), "a line longer than the limit is ready (refused)");
	struct conn c = { .fd = -1, .name = "test" };
	const char *line;
	size_t n;
	char *cause = NULL;
	buf_add(&c.in, big.ptr, big.len);
	unit_check(conn_readline_now(&c, &line, &n, &cause) == -1 && cause,
		   "conn_readline_now refuses it");
	free(cause);
	buf_release(&c.in);
	buf_adds(&c.in, "END\r\nEN");
	unit_check(conn_readline_now(&c, &line, &n, &cause) == 1 && n == 3 &&
		   memcmp(line, "END", 3) == 0, "conn_readline_now: a whole line");
	unit_check(conn_readline_now(&c, &line, &n, &cause) == 0 && c.in_off == 5,
		   "conn_readline_now: a cut line waits, nothing consumed");
	buf_release(&c.in);
	buf_release(&big);
}

int main(void)
{
	test_queue();
	test_replies();
	test_ready();
	return unit_done();
}
