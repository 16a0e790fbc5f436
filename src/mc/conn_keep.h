/* conn_keep.h: the connections a pool keeps between uses (conn_keep in conn.h): a few idle
 * sockets a server, with their TLS sessions, taken again only when the server has not closed
 * them meanwhile. For conn.c. */
#ifndef MEMCSESS_MC_CONN_KEEP_H
#define MEMCSESS_MC_CONN_KEEP_H

#include <openssl/ssl.h>
#include "mc/conn.h"
#include "mc/pool.h"

/* A kept connection: its socket (-1: an empty slot) and TLS session, if any. */
struct kept {
	int fd;
	SSL *ssl;
};

/* A kept connection to s that the server has not closed meanwhile (restarted, idle timeout),
 * fd -1 when none. Anything readable on an idle connection means it cannot be used: it is
 * closed. */
struct kept kept_take(const struct pool_server *s);
/* Keeps c's socket for server s in cc; returns 0, or -1 when its slots are full. */
int kept_push(struct conn_cache *cc, const struct pool_server *s, const struct conn *c);
/* 1 when an idle connection has nothing to read: the server has not closed it, nor sent what
 * nobody asked for. TLS may carry records of its own (TLS 1.3 session tickets): those are read
 * and dropped. */
int conn_idle_clean(int fd, SSL *ssl);
/* Closes a connection's socket and frees its TLS session. */
void conn_socket_close(int fd, SSL *ssl);

#endif
