/* layout.c: framework key layouts (see layout.h). */
#include "app.h"

#include <string.h>

#define LARAVEL_ID_LEN 40
#define SID_MIN 16
#define SID_MAX 256

static const char *const names[] = {
	[APP_PHP] = "php", [APP_LARAVEL] = "laravel", [APP_SYMFONY] = "symfony", [APP_OTHER] = "other",
};

int app_parse(const char *s, enum app_layout *out)
{
	for (unsigned i = 0; i < APP_OTHER; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum app_layout)i;
			return 0;
		}
	return -1;
}

const char *app_name(enum app_layout a)
{
	return (unsigned)a <= APP_OTHER ? names[a] : "other";
}

const char *app_reader(enum app_layout a)
{
	static const char *const readers[] = {
		[APP_PHP] = "PHP", [APP_LARAVEL] = "Laravel", [APP_SYMFONY] = "Symfony",
	};
	return (unsigned)a < APP_OTHER ? readers[a] : "PHP";
}

const char *app_default_prefix(enum app_layout a)
{
	return a == APP_PHP ? "memc.sess.key." : a == APP_SYMFONY ? "sf2s" : NULL;
}

int app_hashes_prefix(enum app_layout a)
{
	return a == APP_LARAVEL || a == APP_SYMFONY;
}

static int is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* PHP's session id alphabet (session.sid_bits_per_character 4, 5 or 6). */
static int php_sid(const char *s, size_t n)
{
	if (n < SID_MIN || n > SID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != ',' && s[i] != '-')
			return 0;
	return 1;
}

int app_sid_ok(enum app_layout a, const char *sid, size_t n)
{
	if (a != APP_LARAVEL)
		return 1;
	if (n != LARAVEL_ID_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(sid[i]))
			return 0;
	return 1;
}

static int ends_with(const char *s, size_t n, const char *tail)
{
	size_t t = strlen(tail);
	return n >= t && memcmp(s + n - t, tail, t) == 0;
}

/* A Laravel cache prefix of one of the shapes its versions used. */
static int laravel_prefix(const char *p, size_t n)
{
	return (n == 8 && memcmp(p, "laravel:", 8) == 0) || ends_with(p, n, "_cache:") ||
	       ends_with(p, n, "_cache_") || ends_with(p, n, "-cache-");
}

enum app_layout app_detect(const char *key, size_t n, size_t *prefix_len)
{
	*prefix_len = 0;
	if (n > 14 && memcmp(key, "memc.sess.key.", 14) == 0) {
		*prefix_len = 14;
		return APP_PHP;
	}
	if (n > 4 && memcmp(key, "sf2s", 4) == 0 && php_sid(key + 4, n - 4)) {
		*prefix_len = 4;
		return APP_SYMFONY;
	}
	if (n > LARAVEL_ID_LEN && app_sid_ok(APP_LARAVEL, key + n - LARAVEL_ID_LEN, LARAVEL_ID_LEN) &&
	    laravel_prefix(key, n - LARAVEL_ID_LEN)) {
		*prefix_len = n - LARAVEL_ID_LEN;
		return APP_LARAVEL;
	}
	return APP_OTHER;
}
