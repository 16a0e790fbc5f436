/* test_limit.c: a server's item limit from its stats, and the writes over it. The exact sizes
 * are checked against a real memcached in e2e/t0401-limits.sh. */
#include "mc/limit.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

/* Feeds "name value" pairs (NULL-ended) into a fresh limit, as the stats replies would. */
static struct item_limit take_all(const char *const *stats)
{
	struct item_limit l = { .cas = -1 };
	for (; *stats; stats += 2)
		limit_take(&l, stats[0], strlen(stats[0]), stats[1], strlen(stats[1]));
	limit_settle(&l);
	return l;
}

static void check_sizes(void)
{
	unit_check(limit_item_size(17, 0, 100, 1) == 48 + 17 + 1 + 100 + 2 + 8,
		   "an item: header, key and NUL, value and CRLF, CAS");
	unit_check(limit_item_size(17, 16, 100, 1) == limit_item_size(17, 0, 100, 1) + 4,
		   "flags that are not zero take 4 bytes");
	unit_check(limit_item_size(17, 0, 100, 0) == limit_item_size(17, 0, 100, 1) - 8,
		   "no CAS (-C): 8 bytes less");
}

static void check_stats(void)
{
	const char *const ok[] = { "pointer_size", "64", "item_size_max", "1048576",
				   "cas_enabled", "yes", "evictions", "on", NULL };
	struct item_limit l = take_all(ok);
	unit_check(l.state == 1 && l.item_size_max == 1048576 && l.cas == 1, "a 64-bit server's limit");
	const char *const no_cas[] = { "pointer_size", "64", "item_size_max", "2048", "cas_enabled",
				       "no", NULL };
	l = take_all(no_cas);
	unit_check(l.state == 1 && l.cas == 0, "cas_enabled no");
	const char *const small[] = { "pointer_size", "32", "item_size_max", "1048576",
				      "cas_enabled", "yes", NULL };
	unit_check(take_all(small).state == -1, "a 32-bit server: header size unknown");
	const char *const bad[] = { "pointer_size", "64", "item_size_max", "1m", "cas_enabled",
				    "yes", NULL };
	unit_check(take_all(bad).state == -1, "item_size_max not a number: unknown");
	const char *const odd[] = { "pointer_size", "64", "item_size_max", "1048576",
				    "cas_enabled", "maybe", NULL };
	unit_check(take_all(odd).state == -1, "cas_enabled neither yes nor no: unknown");
	const char *const none[] = { "pointer_size", "64", NULL };
	unit_check(take_all(none).state == -1, "no stats settings: unknown");
}

static void check_writes(void)
{
	const char *const ok[] = { "pointer_size", "64", "item_size_max", "1024", "cas_enabled",
				   "yes", NULL };
	struct item_limit l = take_all(ok);
	size_t fits = 1024 - 48 - 17 - 1 - 2 - 8;
	char *why = limit_check(&l, "127.0.0.1:1", "memc.sess.key.abc", 17, 0, fits);
	unit_check(why == NULL, "the largest value that fits");
	free(why);
	why = limit_check(&l, "127.0.0.1:1", "memc.sess.key.abc", 17, 0, fits + 1);
	unit_check(why && strcmp(why, "server 127.0.0.1:1: key memc.sess.key.abc: value of 949 bytes "
			   "not written: the item would take 1025 bytes, over the server's "
			   "item_size_max of 1024 (memcached -I), and a refused write drops the "
			   "session already under that key") == 0, "one byte more: %s", why);
	free(why);
	why = limit_check(&l, "s", "memc.sess.key.abc", 17, 1, fits);
	unit_check(why != NULL, "with flags, 4 bytes less fit");
	free(why);
	l.state = -1;
	why = limit_check(&l, "s", "k", 1, 0, 1u << 30);
	unit_check(why == NULL, "an unknown limit refuses nothing");
	free(why);
}

int main(void)
{
	check_sizes();
	check_stats();
	check_writes();
	return unit_done();
}
