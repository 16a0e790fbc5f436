/* layout.h: where PHP frameworks keep sessions in memcached (key prefix, id shape), and telling
 * them apart from the keys of a pool. */
#ifndef MEMCSESS_LAYOUT_H
#define MEMCSESS_LAYOUT_H

#include <stddef.h>

enum app_layout {
	APP_PHP,	/* php-memcached's session handler: "memc.sess.key." + sid */
	APP_LARAVEL,	/* Laravel's memcached cache store: cache prefix + 40-character id */
	APP_SYMFONY,	/* Symfony's MemcachedSessionHandler: "sf2s" + sid */
	APP_OTHER,	/* detection: none of these */
};

/* Parses "php", "laravel", "symfony"; returns 0 or -1. */
int app_parse(const char *s, enum app_layout *out);
const char *app_name(enum app_layout a);
/* Who reads the sessions, for messages: "PHP", "Laravel", "Symfony". */
const char *app_reader(enum app_layout a);
/* The prefix an app uses unless told otherwise, or NULL when it has none (Laravel: its cache
 * prefix depends on the version and APP_NAME, see app_detect). */
const char *app_default_prefix(enum app_layout a);
/* 1 when the app's clients hash the whole key (prefix included) to pick a server, as plain
 * Memcached::set() does; PHP's session handler hashes the bare sid. */
int app_hashes_prefix(enum app_layout a);
/* 1 when sid has the shape of the app's session ids (Laravel: 40 letters and digits). */
int app_sid_ok(enum app_layout a, const char *sid, size_t n);

/* Which layout a key looks like; *prefix_len gets the length of its prefix. Laravel prefixes:
 * "laravel:" (5.x), "<app>_cache:" (5.8-10), "<app>_cache_" (11), "<app>-cache-" (12). */
enum app_layout app_detect(const char *key, size_t n, size_t *prefix_len);

#endif
