/* test_metadump.c: the metadump and cachedump line parsers, including hostile lines. */
#include "unit.h"
#include "mc/metadump.h"

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

/* Both items the same, field by field (the key up to its length). */
static int same_item(const struct md_item *a, const struct md_item *b)
{
	return a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0 &&
	       a->exp == b->exp && a->la == b->la && a->cas == b->cas && a->size == b->size &&
	       a->cls == b->cls && a->fetched == b->fetched && a->has_flags == b->has_flags &&
	       a->flags == b->flags;
}

/* A random number of 1 to 21 digits, sometimes with a sign. */
static void random_number(char *o, unsigned *seed)
{
	size_t n = 1 + (*seed = *seed * 1103515245u + 12345u) / 65536 % 21, k = 0;
	if (*seed % 17 == 0)
		o[k++] = *seed % 2 ? '-' : '+';
	for (size_t i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		o[k++] = (char)('0' + (*seed >> 16) % 10);
	}
	o[k] = '\0';
}

/* The usual line (memcached 1.6's own form, read without the general parser) gives what the
 * general parser gives for it: each random line against itself with an unknown field after,
 * which only the general parser takes. Numbers of every length, signs, encoded keys, double and
 * trailing spaces, fetch yes/no/other. */
static void test_usual(void)
{
	static const char *const keys[] = { "memc.sess.key.abc", "a%20b", "x", "k%zz", "" };
	static const char *const fetch[] = { "no", "yes", "maybe" };
	unsigned seed = 7;
	int differ = 0, usual = 0;
	for (int t = 0; t < 100000; t++) {
		char n[5][32], line[256], longer[270];
		for (int j = 0; j < 5; j++)
			random_number(n[j], &seed);
		seed = seed * 1103515245u + 12345u;
		unsigned r = seed >> 8;
		snprintf(line, sizeof(line), "key=%s exp=%s la=%s%scas=%s fetch=%s cls=%s size=%s%s",
			 keys[r % 5], n[0], n[1], r % 23 ? " " : "  ", n[2], fetch[r / 5 % 3],
			 r % 3 ? "4" : n[3], n[4], r % 29 ? "" : " ");
		snprintf(longer, sizeof(longer), "%s zz=1", line);
		struct md_item a, b;
		char *ca = NULL, *cb = NULL;
		enum md_line ra = metadump_parse_line(line, strlen(line), &a, &ca);
		enum md_line rb = metadump_parse_line(longer, strlen(longer), &b, &cb);
		differ += ra != rb || (ra == MD_ITEM && !same_item(&a, &b));
		usual += ra == MD_ITEM;
		free(ca);
		free(cb);
	}
	unit_check(differ == 0 && usual > 1000, "usual metadump lines parse as the general parser "
		   "has them (%d differ, %d items)", differ, usual);
	/* every prefix of a usual line, in a buffer of exactly its length (ASan sees a read past) */
	const char *full = "key=memc.sess.key.abc exp=1795611975 la=1795610535 cas=1 fetch=yes "
			   "cls=4 size=191";
	int cut_bad = 0;
	for (size_t n = 0; n <= strlen(full); n++) {
		char *line = malloc(n ? n : 1), longer[128];
		memcpy(line, full, n);
		snprintf(longer, sizeof(longer), "%.*s zz=1", (int)n, full);
		struct md_item a, b;
		char *ca = NULL, *cb = NULL;
		enum md_line ra = metadump_parse_line(line, n, &a, &ca);
		enum md_line rb = metadump_parse_line(longer, strlen(longer), &b, &cb);
		cut_bad += ra != rb || (ra == MD_ITEM && !same_item(&a, &b));
		free(line);
		free(ca);
		free(cb);
	}
	unit_check(cut_bad == 0, "every prefix of a usual line parses as the general parser has it");
}

int main(void)
{
	test_usual();
	test_good();
	test_bad();
	test_edges();
	test_cachedump();
	return unit_done();
}
