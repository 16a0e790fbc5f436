/* test_metadump.c: the metadump and cachedump line parsers, including hostile lines. */
#include "unit.h"
#include "metadump.h"

#include <stdlib.h>
#include <string.h>

struct good {
	const char *line;
	const char *key;
	long long exp, la;
	unsigned long long cas, size;
	int cls, fetched, has_flags;
	unsigned flags;
};

/* Lines as memcached 1.6.18 prints them (captured from a real server), and newer forms. */
static const struct good goods[] = {
	{ "key=memc.sess.key.sid0a447167a exp=1795611975 la=1795610535 cas=1 fetch=no cls=4 size=191",
	  "memc.sess.key.sid0a447167a", 1795611975, 1795610535, 1, 191, 4, 0, 0, 0 },
	{ "key=memc.sess.key.lock.abc exp=-1 la=1795610535 cas=9 fetch=yes cls=1 size=68",
	  "memc.sess.key.lock.abc", -1, 1795610535, 9, 68, 1, 1, 0, 0 },
	{ "key=a%20b%25c%0A exp=0 la=5 cas=2 fetch=no cls=1 size=60",
	  "a b%c\n", 0, 5, 2, 60, 1, 0, 0, 0 },
	{ "key=x exp=10 la=5 cas=3 fetch=no cls=2 size=70 flags=4294967295 newfield=whatever",
	  "x", 10, 5, 3, 70, 2, 0, 1, 4294967295u },
	{ "key=only", "only", -1, -1, 0, 0, -1, -1, 0, 0 },
};

struct bad {
	const char *line;
	const char *msg;	/* substring of the error */
};

static const struct bad bads[] = {
	{ "key=x exp=abc", "bad value for 'exp' at byte 10" },
	{ "key=x la=", "bad value for 'la' at byte 9" },
	{ "key=x cas=-1", "bad value for 'cas'" },
	{ "key=x size=99999999999999999999999", "bad value for 'size'" },
	{ "key=x flags=4294967296", "bad value for 'flags'" },
	{ "key=ab%zz exp=1", "bad value for 'key' at byte 6" },
	{ "key=ab%4", "bad value for 'key' at byte 6" },
	{ "key=", "bad value for 'key' at byte 4" },
	{ "exp=1 la=2", "no key= field" },
	{ "key=x garbage", "field without '=' at byte 6" },
	{ "ERROR", "server replied 'ERROR'" },
	{ "CLIENT_ERROR bad command line format", "server replied 'CLIENT_ERROR bad command" },
	{ "BUSY currently processing crawler request", "server replied 'BUSY" },
};

static void test_good(void)
{
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		struct md_item it;
		char *cause = NULL;
		enum md_line r = metadump_parse_line(g->line, strlen(g->line), &it, &cause);
		int same = r == MD_ITEM && strcmp(it.key, g->key) == 0 &&
			   it.key_len == strlen(g->key) && it.exp == g->exp && it.la == g->la &&
			   it.cas == g->cas && it.size == g->size && it.cls == g->cls &&
			   it.fetched == g->fetched && it.has_flags == g->has_flags &&
			   it.flags == g->flags;
		unit_check(same, "metadump parses '%s'%s%s", g->line, cause ? ": " : "",
			   cause ? cause : "");
		free(cause);
	}
}

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct md_item it;
		char *cause = NULL;
		enum md_line r = metadump_parse_line(bads[i].line, strlen(bads[i].line), &it, &cause);
		unit_check(r == MD_ERROR && cause && strstr(cause, bads[i].msg),
			   "metadump rejects '%s' with '%s' (got '%s')", bads[i].line, bads[i].msg,
			   cause ? cause : "(none)");
		free(cause);
	}
}

static void test_edges(void)
{
	struct md_item it;
	char *cause = NULL;
	unit_check(metadump_parse_line("END", 3, &it, &cause) == MD_END, "END ends the dump");
	/* a key of 250 bytes, each URL-encoded: the longest legal key */
	char line[1024] = "key=";
	for (int i = 0; i < 250; i++)
		strcat(line, "%41");
	unit_check(metadump_parse_line(line, strlen(line), &it, &cause) == MD_ITEM &&
		   it.key_len == 250, "a 250-byte key is accepted");
	strcat(line, "%41");
	unit_check(metadump_parse_line(line, strlen(line), &it, &cause) == MD_ERROR,
		   "a 251-byte key is refused");
	free(cause);
	cause = NULL;
	/* not NUL-terminated input: the parser must respect len */
	const char buf[] = "key=abcXXXX";
	unit_check(metadump_parse_line(buf, 7, &it, &cause) == MD_ITEM && strcmp(it.key, "abc") == 0,
		   "the parser stops at the given length");
	free(cause);
}

static void test_cachedump(void)
{
	struct md_item it;
	char *cause = NULL;
	const char *l = "ITEM memc.sess.key.abc [106 b; 1795611975 s]";
	unit_check(cachedump_parse_line(l, strlen(l), &it, &cause) == 1 &&
		   strcmp(it.key, "memc.sess.key.abc") == 0 && it.size == 106 && it.exp == 1795611975,
		   "cachedump parses an ITEM line");
	unit_check(cachedump_parse_line("END", 3, &it, &cause) == 0, "cachedump END");
	unit_check(cachedump_parse_line("ITEM", 4, &it, &cause) == -1 && cause &&
		   strstr(cause, "expected 'ITEM <key>"), "cachedump rejects a bare ITEM");
	free(cause);
	cause = NULL;
	/* fuzz_cachedump's crasher: the parser read past len looking for a NUL */
	static const char unterminated[] = { 'I', 'T', 'E', 'M', ' ', 'k', ' ', '[', '5', ' ', 'b',
					      ';', ' ', '7', ' ', 's', ']', '9', '9' };
	unit_check(cachedump_parse_line(unterminated, 17, &it, &cause) == 1 && it.size == 5 &&
		   it.exp == 7, "cachedump stops at the given length");
	unit_check(cachedump_parse_line(unterminated, 14, &it, &cause) == 1 && it.size == 0,
		   "cachedump leaves a cut size field unknown");
	free(cause);
}

int main(void)
{
	test_good();
	test_bad();
	test_edges();
	test_cachedump();
	return unit_done();
}
