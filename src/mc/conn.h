/* conn.h: one text-protocol connection to a memcached server, plaintext or TLS, with timeouts.
 * Used for what libmemcached lacks: lru_crawler metadump, meta commands, raw stats. */
#ifndef MEMCSESS_MC_CONN_H
#define MEMCSESS_MC_CONN_H

#include <signal.h>
#include <stddef.h>
#include "mc/pool.h"
#include "util.h"

#define CONN_MAX_LINE 65536		/* longest response line accepted */
#define CONN_MAX_VALUE (1024u * 1024u * 1024u)	/* largest value accepted (memcached's -I limit) */

struct ssl_st;
struct addrinfo;

struct conn {
	int fd;
	struct ssl_st *ssl;	/* the TLS session on fd (the server's tls), or NULL */
	int timeout_ms;
	const char *name;	/* server name for messages; not owned */
	struct buf in;		/* bytes received and not yet consumed start at in_off */
	size_t in_off;
	struct buf out;		/* queued requests, sent by conn_flush */
	struct buf marks;	/* TLS: offsets in out where a request ends (size_t each) */
	int got_reply;		/* the server has sent something on this connection */
	int unauthenticated;	/* the server said it wants a login first (memcached -Y) */
	int wrong_protocol;	/* the error said: plaintext to a TLS server */
	const struct pool_server *server;	/* where it was opened, for conn_park */
	struct addrinfo *addrs;	/* conn_open_start: the server's addresses, while connecting */
	struct addrinfo *addr;	/* the one being tried */
};

/* Connects to s within timeout_ms, with a TLS handshake when s has tls (memcached -Z), and logs
 * in when s has a username (memcached -Y).
 * Returns 0, or -1 with *cause (new) naming the server ("authentication failed ..."). */
int conn_open(struct conn *c, const struct pool_server *s, int timeout_ms, char **cause);
void conn_close(struct conn *c);
/* conn_open without waiting for the connect, for callers that poll many servers: 1 open (a
 * kept connection, or connected at once), 0 under way (poll c->fd for POLLOUT, then call
 * conn_open_finish; conn_close gives up), -1 with *cause (the connection closed). The TLS
 * handshake and the -Y login, once connected, wait as conn_open does. */
int conn_open_start(struct conn *c, const struct pool_server *s, int timeout_ms, char **cause);
/* After POLLOUT on a connection under way: 1 open, 0 under way again (the server's next
 * address), -1 with *cause (closed). */
int conn_open_finish(struct conn *c, char **cause);
/* Like conn_close, but keeps the connection for the next conn_open to the same server when the
 * pool keeps connections (conn_keep). Only for a connection whose every reply was read. */
void conn_park(struct conn *c);
/* Makes the pool keep parked connections between uses (the shell, between commands), a few
 * per server; conn_open then takes one that is still open before connecting anew. */
void conn_keep(struct pool *p);
/* Closes the connections the pool keeps and stops keeping them (pool_release does it). */
void conn_keep_end(struct pool *p);
/* While *flag is non-zero, every wait for a server gives up ("cancelled"); NULL: none. For
 * Ctrl-C in the shell, which must not wait out a silent server's timeout. */
void conn_cancel_on(volatile sig_atomic_t *flag);
/* Queues bytes for conn_flush. */
void conn_queue(struct conn *c, const void *p, size_t n);
/* Marks the end of a request in what is queued. Over TLS, conn_flush packs whole requests
 * into records and ends a record where a request with a value ends: memcached (1.6) reads a
 * value that spans records straight from the TLS session, and stalls on what the same
 * record holds after it. */
void conn_mark(struct conn *c);
/* Sends everything queued. Returns 0 or -1 with *cause. */
int conn_flush(struct conn *c, char **cause);
/* Reads one line; *line points into the connection's buffer (valid until the next read),
 * without the trailing \r\n. Returns 0 or -1 with *cause. */
int conn_readline(struct conn *c, const char **line, size_t *len, char **cause);
/* conn_readline without waiting: 1 with the line, 0 when no whole line has come yet (nothing
 * consumed), -1 with *cause (a line over CONN_MAX_LINE). */
int conn_readline_now(struct conn *c, const char **line, size_t *len, char **cause);
/* 1 when conn_readline would not wait: a whole line, or too long a one, is buffered. */
int conn_has_line(const struct conn *c);
/* One read of what the server has sent into c->in, without waiting: 1 when bytes came, 0 when
 * none has (poll c->fd for POLLIN), -1 with *cause (also when the server closed it). After a
 * 1, call again before polling: TLS may hold more than one read takes. */
int conn_pull(struct conn *c, char **cause);
/* "server NAME: timeout after N ms while WHAT" (new), as a wait on c that timed out says. */
char *conn_timeout_cause(const struct conn *c, const char *what);
/* Reads what the server has sent into c->in (at least one byte), waiting at most the timeout.
 * Returns 0 or -1 with *cause (also when the server closed the connection). */
int conn_fill(struct conn *c, char **cause);
/* 1 when TLS holds bytes already received that conn_pull would give without c->fd polling
 * readable: pull again before polling. */
int conn_pending(const struct conn *c);
/* Reads what is there now into p, without waiting: returns the count (> 0), 0 when nothing
 * has come (poll c->fd for POLLIN then), or -1 with *cause (closed, error). */
long conn_recv(struct conn *c, void *p, size_t n, char **cause);
/* 1 when the server has closed an idle connection (it went away or restarted); 0 when it is
 * still open. Does not wait. */
int conn_lost(struct conn *c);
/* Reads n data bytes followed by \r\n; *data valid until the next read. */
int conn_readdata(struct conn *c, size_t n, const char **data, char **cause);
/* When the server has asked for a login (memcached -Y), replaces *cause with a message saying
 * so and returns 1; else returns 0. */
int conn_explain_auth(struct conn *c, char **cause);
/* Sends one command line (adds \r\n) and flushes. */
int conn_command(struct conn *c, const char *cmd, char **cause);

#endif
