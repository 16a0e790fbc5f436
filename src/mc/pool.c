/* pool.c: server lists and PHP-compatible placement through libmemcached (see pool.h). */
#include "mc/pool.h"
#include "mc/tls.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <errno.h>

/* Parses a decimal number in [lo, hi]; returns 0 or -1. */
static int parse_uint(const char *s, size_t n, unsigned long lo, unsigned long hi, unsigned long *out)
{
	unsigned long v = 0;
	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Splits a trailing ":digits" off s[0..*n); returns the number or -1 when there is none. */
static long split_number(const char *s, size_t *n, unsigned long hi)
{
	const char *colon = memrchr(s, ':', *n);
	unsigned long v;
	if (!colon || colon[1] == ']')
		return -1;
	size_t k = *n - (size_t)(colon + 1 - s);
	if (parse_uint(colon + 1, k, 0, hi, &v) < 0)
		return -1;
	*n = (size_t)(colon - s);
	return (long)v;
}

/* Parses one entry of a server list into s; returns 0 or -1 with *cause. */
static int parse_server(const char *e, size_t n, struct pool_server *s, char **cause)
{
	s->name = xstrndup(e, n);
	s->weight = 1;
	if (e[0] == '/') {
		size_t len = n;
		long w = split_number(e, &len, 1000000);
		if (w >= 0)
			s->weight = (unsigned)w;
		s->socket = xstrndup(e, len);
		return 0;
	}
	size_t len = n;
	long first = split_number(e, &len, 1000000);
	long second = -1;
	size_t len2 = len;
	if (first >= 0)
		second = split_number(e, &len2, 65535);
	if (first < 0) {
		*cause = xasprintf("bad server '%s': expected host:port", s->name);
		return -1;
	}
	if (second >= 0) {
		s->weight = (unsigned)first;
		len = len2;
		first = second;
	}
	if (first < 1 || first > 65535 || len == 0) {
		*cause = xasprintf("bad server '%s': port must be 1-65535", s->name);
		return -1;
	}
	if (e[0] == '[') {
		if (len < 3 || e[len - 1] != ']') {
			*cause = xasprintf("bad server '%s': unclosed [", s->name);
			return -1;
		}
		s->host = xstrndup(e + 1, len - 2);
	} else {
		if (memchr(e, ':', len)) {
			*cause = xasprintf("bad server '%s': write IPv6 addresses as [addr]:port", s->name);
			return -1;
		}
		s->host = xstrndup(e, len);
	}
	s->port = xasprintf("%ld", first);
	return 0;
}

/* Parses the comma-separated list into p->servers. */
static int parse_list(struct pool *p, const char *spec, char **cause)
{
	const char *e = spec;
	for (;;) {
		const char *comma = strchr(e, ',');
		size_t n = comma ? (size_t)(comma - e) : strlen(e);
		while (n && (*e == ' ' || *e == '\t')) {
			e++;
			n--;
		}
		while (n && (e[n - 1] == ' ' || e[n - 1] == '\t'))
			n--;
		if (n == 0) {
			*cause = xasprintf("empty server name in list '%s'", spec);
			return -1;
		}
		p->servers = xrealloc(p->servers, (p->n + 1) * sizeof(*p->servers));
		memset(&p->servers[p->n], 0, sizeof(*p->servers));
		if (parse_server(e, n, &p->servers[p->n++], cause) < 0)
			return -1;
		if (!comma)
			return 0;
		e = comma + 1;
	}
}

/* Configures libmemcached with the same behaviours php-memcached's session handler sets. */
static int setup_hashing(struct pool *p, const char *spec, char **cause)
{
	p->mc = memcached_create(NULL);
	if (!p->mc) {
		*cause = xstrdup("cannot create libmemcached handle");
		return -1;
	}
	memcached_behavior_t b = MEMCACHED_BEHAVIOR_KETAMA;
	if (p->dist == DIST_KETAMA_WEIGHTED)
		b = MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED;
	if (p->dist != DIST_MODULA && memcached_behavior_set(p->mc, b, 1) != MEMCACHED_SUCCESS) {
		*cause = xstrdup("cannot enable consistent hashing in libmemcached");
		return -1;
	}
	if (p->dist != DIST_MODULA && p->n > POOL_KETAMA_MAX) {
		*cause = xasprintf("%zu servers with consistent hashing (%s): libmemcached, which "
				   "PHP's memcached extension uses too, aborts on more than %d "
				   "(php-memcached issue 407), so PHP cannot keep sessions on such a "
				   "pool; if its save_path has consistent hashing off "
				   "(memcached.sess_consistent_hash=Off), give --distribution modula",
				   p->n, pool_dist_name(p->dist), POOL_KETAMA_MAX);
		return -1;
	}
	/* PHP hands session.save_path to memcached_servers_parse(); so do we, after checking it. */
	memcached_server_st *list = memcached_servers_parse(spec);
	if (!list || memcached_server_list_count(list) != p->n) {
		memcached_server_list_free(list);
		*cause = xasprintf("libmemcached cannot parse server list '%s'", spec);
		return -1;
	}
	memcached_return_t rc = memcached_server_push(p->mc, list);
	memcached_server_list_free(list);
	if (rc != MEMCACHED_SUCCESS) {
		*cause = xasprintf("libmemcached rejects server list '%s': %s", spec,
				   memcached_strerror(p->mc, rc));
		return -1;
	}
	pool_set_timeouts(p->mc, p->timeout_ms);
	return 0;
}

void pool_set_timeouts(memcached_st *mc, int timeout_ms)
{
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, (uint64_t)timeout_ms);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_POLL_TIMEOUT, (uint64_t)timeout_ms);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_RCV_TIMEOUT, (uint64_t)timeout_ms * 1000);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_SND_TIMEOUT, (uint64_t)timeout_ms * 1000);
}

int pool_init(struct pool *p, const char *spec, enum pool_dist dist, const char *prefix,
	      int timeout_ms, char **cause)
{
	memset(p, 0, sizeof(*p));
	if (!spec || !*spec) {
		*cause = xstrdup("empty server list");
		return -1;
	}
	p->dist = dist;
	p->timeout_ms = timeout_ms > 0 ? timeout_ms : POOL_DEFAULT_TIMEOUT_MS;
	p->prefix = xstrdup(prefix ? prefix : POOL_DEFAULT_PREFIX);
	p->prefix_len = strlen(p->prefix);
	if (parse_list(p, spec, cause) < 0 || setup_hashing(p, spec, cause) < 0) {
		pool_release(p);
		return -1;
	}
	return 0;
}

void pool_release(struct pool *p)
{
	if (p->idle_end)
		p->idle_end(p);
	for (size_t i = 0; i < p->n; i++) {
		free(p->servers[i].name);
		free(p->servers[i].host);
		free(p->servers[i].port);
		free(p->servers[i].socket);
	}
	free(p->servers);
	free(p->prefix);
	tls_conf_unref(p->tls);
	if (p->mc)
		memcached_free(p->mc);
	memset(p, 0, sizeof(*p));
}

void pool_set_auth(struct pool *p, const char *username, const char *password)
{
	for (size_t i = 0; i < p->n; i++) {
		p->servers[i].username = username;
		p->servers[i].password = password;
	}
}

void pool_set_tls(struct pool *p, struct tls_conf *t)
{
	if (t)
		tls_conf_ref(t);
	tls_conf_unref(p->tls);
	p->tls = t;
	for (size_t i = 0; i < p->n; i++)
		p->servers[i].tls = t;
}

size_t pool_home(const struct pool *p, const char *sid, size_t len)
{
	if (p->n == 1)
		return 0;
	uint32_t idx;
	if (p->hash_prefix && p->prefix_len + len < 1024) {
		char key[1024];
		memcpy(key, p->prefix, p->prefix_len);
		memcpy(key + p->prefix_len, sid, len);
		idx = memcached_generate_hash(p->mc, key, p->prefix_len + len);
	} else {
		idx = memcached_generate_hash(p->mc, sid, len);
	}
	return idx < p->n ? idx : 0;
}

int pool_find(const struct pool *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->servers[i].name, name) == 0)
			return (int)i;
	return -1;
}

int pool_named_twice(const struct pool *p)
{
	for (size_t i = 1; i < p->n; i++)
		if (pool_find(p, p->servers[i].name) < (int)i)
			return (int)i;
	return -1;
}

int pool_dist_parse(const char *s, enum pool_dist *d)
{
	if (strcmp(s, "ketama") == 0)
		*d = DIST_KETAMA;
	else if (strcmp(s, "ketama_weighted") == 0)
		*d = DIST_KETAMA_WEIGHTED;
	else if (strcmp(s, "modula") == 0)
		*d = DIST_MODULA;
	else
		return -1;
	return 0;
}

const char *pool_dist_name(enum pool_dist d)
{
	switch (d) {
	case DIST_KETAMA: return "ketama";
	case DIST_KETAMA_WEIGHTED: return "ketama_weighted";
	case DIST_MODULA: return "modula";
	}
	return "?";
}
