/* pool.h: a memcached pool as PHP's session handler sees it: servers in order, hashing, prefix. */
#ifndef MEMCSESS_MC_POOL_H
#define MEMCSESS_MC_POOL_H

#include <stddef.h>
#include <libmemcached/memcached.h>

#define POOL_DEFAULT_SERVERS "127.0.0.1:11211"
#define POOL_DEFAULT_PREFIX "memc.sess.key."
/* libmemcached 1.1 asserts (hosts.cc, MEMCACHED_CONTINUUM_SIZE) on a ketama ring of more
 * servers than this; PHP aborts the same way. */
#define POOL_KETAMA_MAX 100
#define POOL_DEFAULT_TIMEOUT_MS 2000

/* How PHP picks a server (memcached.sess_consistent_hash and _type). */
enum pool_dist {
	DIST_KETAMA,		/* sess_consistent_hash=On, type ketama (PHP's default) */
	DIST_KETAMA_WEIGHTED,	/* sess_consistent_hash=On, type ketama_weighted */
	DIST_MODULA,		/* sess_consistent_hash=Off */
};

struct conn_cache;	/* conn.c */
struct tls_conf;	/* tls.c */

struct pool_server {
	char *name;		/* exactly as written in the server list, e.g. "10.0.0.1:11211" */
	char *host;		/* host name or address; NULL for a unix socket */
	char *port;		/* decimal port; NULL for a unix socket */
	char *socket;		/* unix socket path, or NULL */
	unsigned weight;
	const char *username;	/* memcached -Y login, or NULL; not owned (pool_set_auth) */
	const char *password;	/* not owned; never printed */
	struct conn_cache *idle;	/* the pool's kept connections (conn_keep), or NULL; not owned */
	const struct tls_conf *tls;	/* TLS settings (memcached -Z), or NULL: plaintext; not owned */
};

struct pool {
	struct pool_server *servers;
	size_t n;
	memcached_st *mc;	/* hashing (and later binary-protocol work) through libmemcached */
	char *prefix;		/* session key prefix, e.g. "memc.sess.key." */
	size_t prefix_len;
	enum pool_dist dist;
	int timeout_ms;		/* connect and per-read timeout */
	int threads;		/* threads for work on every server (scan.c); 0: one a core */
	int sasl;		/* 1: the servers want SASL over the binary protocol (memcached -S):
				 * store.c goes through store_binary.c, scan.c cannot list keys */
	int hash_prefix;	/* 1: clients hash prefix + sid (Memcached::set() users such as
				 * Laravel and Symfony); 0: the bare sid, as PHP's session handler */
	struct conn_cache *idle;	/* owned: connections kept between uses (conn_keep), or NULL */
	void (*idle_end)(struct pool *p);	/* set with idle: closes and frees it (conn.c's,
						 * which pool.c cannot call without a cycle) */
	struct tls_conf *tls;	/* one reference (pool_set_tls), or NULL: plaintext */
};

/* Parses a server list "host:port[:weight],/path.sock[:weight],[::1]:port" and sets up hashing.
 * Returns 0, or -1 with *cause (new) naming the bad entry. */
int pool_init(struct pool *p, const char *spec, enum pool_dist dist, const char *prefix,
	      int timeout_ms, char **cause);
void pool_release(struct pool *p);
/* Index of the server PHP reads session sid from (it hashes the bare sid, not the prefix,
 * unless hash_prefix is set). */
size_t pool_home(const struct pool *p, const char *sid, size_t len);
/* Index of the server whose name is exactly name, or -1. */
int pool_find(const struct pool *p, const char *name);
/* Index of the first server whose name an earlier one already has, or -1. */
int pool_named_twice(const struct pool *p);
/* Parses "ketama", "ketama_weighted", "modula"; returns 0 or -1. */
int pool_dist_parse(const char *s, enum pool_dist *d);
const char *pool_dist_name(enum pool_dist d);
/* Applies timeout_ms to a libmemcached handle: connect, poll, receive and send. */
void pool_set_timeouts(memcached_st *mc, int timeout_ms);
/* Makes every connection to the pool's servers log in with memcached's text-protocol
 * authentication (-Y). The strings are not copied: they must outlive the pool. */
void pool_set_auth(struct pool *p, const char *username, const char *password);
/* Makes every connection to the pool's servers speak TLS with t (NULL: plaintext again); the
 * pool takes a reference. The server names, and so placement, stay as given. */
void pool_set_tls(struct pool *p, struct tls_conf *t);

#endif
