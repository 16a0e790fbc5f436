/* conn.c: a buffered socket, plaintext or TLS, with poll()-bounded waits (see conn.h). */
#include "mc/conn.h"
#include "mc/conn_keep.h"
#include "mc/tls.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#define CANCEL_CHECK_MS 100

static volatile sig_atomic_t *cancel_flag;

void conn_cancel_on(volatile sig_atomic_t *flag)
{
	cancel_flag = flag;
}

char *conn_timeout_cause(const struct conn *c, const char *what)
{
	return xasprintf("server %s: timeout after %d ms while %s", c->name, c->timeout_ms, what);
}

/* Waits until fd is ready for events; returns 0, or -1 with *cause on timeout, error or
 * cancel (looked at every CANCEL_CHECK_MS while waiting). */
static int wait_fd(struct conn *c, short events, const char *what, char **cause)
{
	struct pollfd pfd = { .fd = c->fd, .events = events };
	int left = c->timeout_ms;
	for (;;) {
		int slice = cancel_flag && left > CANCEL_CHECK_MS ? CANCEL_CHECK_MS : left;
		int r = poll(&pfd, 1, slice);
		if (r > 0)
			return 0;
		if (cancel_flag && *cancel_flag) {
			*cause = xasprintf("server %s: cancelled", c->name);
			return -1;
		}
		if (r == 0 && (left -= slice) > 0)
			continue;
		if (r == 0) {
			*cause = conn_timeout_cause(c, what);
			return -1;
		}
		if (errno != EINTR) {
			*cause = xasprintf("server %s: poll: %s", c->name, strerror(errno));
			return -1;
		}
	}
}

/* Finishes a non-blocking connect on c->fd. */
static int finish_connect(struct conn *c, const struct sockaddr *sa, socklen_t salen, char **cause)
{
	if (connect(c->fd, sa, salen) == 0)
		return 0;
	if (errno != EINPROGRESS) {
		*cause = xasprintf("server %s: connect: %s", c->name, strerror(errno));
		return -1;
	}
	if (wait_fd(c, POLLOUT, "connecting", cause) < 0)
		return -1;
	int err = 0;
	socklen_t len = sizeof(err);
	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		*cause = xasprintf("server %s: connect: %s", c->name, strerror(err));
		return -1;
	}
	return 0;
}

/* Opens a socket of family and connects it to sa, waiting (a unix socket). */
static int try_connect(struct conn *c, int family, const struct sockaddr *sa, socklen_t salen,
		       char **cause)
{
	c->fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		*cause = xasprintf("server %s: socket: %s", c->name, strerror(errno));
		return -1;
	}
	if (finish_connect(c, sa, salen, cause) < 0) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

static int open_unix(struct conn *c, const char *path, char **cause)
{
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		*cause = xasprintf("server %s: socket path too long", c->name);
		return -1;
	}
	strcpy(sun.sun_path, path);
	return try_connect(c, AF_UNIX, (struct sockaddr *)&sun, sizeof(sun), cause);
}

/* Resolves host:port into c->addrs, the first to try at c->addr; 0, or -1 with *cause. */
static int resolve(struct conn *c, const char *host, const char *port, char **cause)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC };
	int rc = getaddrinfo(host, port, &hints, &c->addrs);
	if (rc != 0) {
		*cause = xasprintf("server %s: cannot resolve '%s': %s", c->name, host,
				   gai_strerror(rc));
		c->addrs = NULL;
		return -1;
	}
	c->addr = c->addrs;
	return 0;
}

/* Connects to c->addr, or the addresses after it, without waiting: 1 connected, 0 under way
 * (c->fd waits for POLLOUT), -1 with *cause when none is left. */
static int start_next(struct conn *c, char **cause)
{
	for (; c->addr; c->addr = c->addr->ai_next) {
		free(*cause);
		*cause = NULL;
		c->fd = socket(c->addr->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (c->fd < 0) {
			*cause = xasprintf("server %s: socket: %s", c->name, strerror(errno));
			continue;
		}
		if (connect(c->fd, c->addr->ai_addr, c->addr->ai_addrlen) == 0)
			return 1;
		if (errno == EINPROGRESS)
			return 0;
		*cause = xasprintf("server %s: connect: %s", c->name, strerror(errno));
		close(c->fd);
		c->fd = -1;
	}
	return -1;
}

/* The address being tried failed (*cause says how): the next one, as start_next. */
static int next_addr(struct conn *c, char **cause)
{
	close(c->fd);
	c->fd = -1;
	c->addr = c->addr->ai_next;
	return start_next(c, cause);
}

/* After POLLOUT on a connect under way: as start_next. */
static int connect_done(struct conn *c, char **cause)
{
	int err = 0;
	socklen_t len = sizeof(err);
	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (!err)
		return 1;
	*cause = xasprintf("server %s: connect: %s", c->name, strerror(err));
	return next_addr(c, cause);
}

/* Ends a TCP connect (r as start_next): 1 connected (no delay, the addresses let go), 0 under
 * way, -1 with *cause (nothing left open). */
static int tcp_step(struct conn *c, int r)
{
	if (r == 1) {
		int one = 1;
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	if (r != 0 && c->addrs) {
		freeaddrinfo(c->addrs);
		c->addrs = NULL;
		c->addr = NULL;
	}
	return r;
}

/* Connects c to host:port, waiting at most the timeout for each of its addresses; 0 or -1. */
static int open_tcp(struct conn *c, const char *host, const char *port, char **cause)
{
	if (resolve(c, host, port, cause) < 0)
		return -1;
	int r = start_next(c, cause);
	while (r == 0)
		r = wait_fd(c, POLLOUT, "connecting", cause) < 0 ? next_addr(c, cause)
								  : connect_done(c, cause);
	return tcp_step(c, r) == 1 ? 0 : -1;
}

/* What one read or write did, besides moving bytes (> 0). */
enum { IO_ERR = -1, IO_WAIT = 0, IO_EOF = -2 };

/* Names a failed TLS call on c (r its return): IO_WAIT with *want set when it only has to wait,
 * IO_EOF when the server closed the connection, else IO_ERR with *cause. */
static long tls_fail(struct conn *c, int r, short *want, int handshake, char **cause)
{
	int err = SSL_get_error(c->ssl, r);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		*want = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		return IO_WAIT;
	}
	if (!handshake && (err == SSL_ERROR_ZERO_RETURN ||
			   ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
		ERR_clear_error();
		return IO_EOF;
	}
	char *why = tls_why(c->ssl, err, handshake);
	*cause = xasprintf("server %s: TLS%s: %s", c->name, handshake ? " handshake" : "", why);
	free(why);
	return IO_ERR;
}

/* Reads what is there into p without waiting: bytes read, IO_WAIT (wait for *want), IO_EOF or
 * IO_ERR with *cause. */
static long io_read(struct conn *c, void *p, size_t n, short *want, char **cause)
{
	if (c->ssl) {
		size_t got = 0;
		ERR_clear_error();
		int r = SSL_read_ex(c->ssl, p, n, &got);
		return r == 1 ? (long)got : tls_fail(c, r, want, 0, cause);
	}
	for (;;) {
		ssize_t r = recv(c->fd, p, n, 0);
		if (r > 0)
			return (long)r;
		if (r == 0)
			return IO_EOF;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			*want = POLLIN;
			return IO_WAIT;
		}
		*cause = xasprintf("server %s: recv: %s", c->name, strerror(errno));
		return IO_ERR;
	}
}

/* Writes what it can of p without waiting: bytes written, IO_WAIT (wait for *want) or IO_ERR
 * with *cause. */
static long io_write(struct conn *c, const void *p, size_t n, short *want, char **cause)
{
	if (c->ssl) {
		size_t put = 0;
		ERR_clear_error();
		int r = SSL_write_ex(c->ssl, p, n, &put);
		long f = r == 1 ? (long)put : tls_fail(c, r, want, 0, cause);
		if (f == IO_EOF)
			*cause = xasprintf("server %s: connection closed by server", c->name);
		return f == IO_EOF ? IO_ERR : f;
	}
	for (;;) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w >= 0)
			return w > 0 ? (long)w : IO_WAIT;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			*want = POLLOUT;
			return IO_WAIT;
		}
		*cause = xasprintf("server %s: send: %s", c->name, strerror(errno));
		return IO_ERR;
	}
}

/* Makes c, connected to s, a TLS connection: the handshake, each wait bounded by the timeout. */
static int tls_start(struct conn *c, const struct pool_server *s, char **cause)
{
	char *why = NULL;
	c->ssl = tls_client(s->tls, c->fd, s->host, &why);
	if (!c->ssl) {
		*cause = xasprintf("server %s: TLS: %s", c->name, why);
		free(why);
		return -1;
	}
	for (;;) {
		ERR_clear_error();
		int r = SSL_connect(c->ssl);
		if (r == 1)
			return 0;
		short want = POLLIN;
		if (tls_fail(c, r, &want, 1, cause) != IO_WAIT)
			return -1;
		if (wait_fd(c, want, "in the TLS handshake (no TLS reply: is this the server's TLS "
			    "port?)", cause) < 0)
			return -1;
	}
}

/* 1 when the server s answers a TLS handshake: a fresh connection to it, verifying nothing. */
static int speaks_tls(const struct pool_server *s, int timeout_ms)
{
	struct conn p;
	char *cause = NULL;
	memset(&p, 0, sizeof(p));
	p.fd = -1;
	p.name = s->name;
	p.timeout_ms = timeout_ms;
	struct tls_opts o = { .insecure = 1 };
	struct tls_conf *t = tls_conf_new(&o, &cause);
	struct pool_server probe = { .name = s->name, .host = s->host, .port = s->port, .tls = t };
	int yes = t && open_tcp(&p, s->host, s->port, &cause) == 0 &&
		  tls_start(&p, &probe, &cause) == 0;
	if (!yes && p.ssl)	/* an alert is TLS too (a client certificate is wanted) */
		yes = cause && strstr(cause, " alert ") != NULL;
	ERR_clear_error();
	free(cause);
	if (p.ssl)
		SSL_free(p.ssl);
	if (p.fd >= 0)
		close(p.fd);
	tls_conf_unref(t);
	return yes;
}

/* When plaintext connection c got nothing from its server but a close, and the server speaks
 * TLS, replaces *cause with a message saying so. */
static void explain_tls(struct conn *c, char **cause)
{
	if (c->ssl || c->got_reply || !c->server || !c->server->host ||
	    !speaks_tls(c->server, c->timeout_ms))
		return;
	free(*cause);
	*cause = xasprintf("server %s: the server speaks TLS: add --tls", c->name);
	c->wrong_protocol = 1;
}

/* Logs in with memcached's text-protocol authentication (-Y): a set whose value is
 * "<user> <password>". A server that answers a no-op without asking is not sent the password. */
static int conn_login(struct conn *c, const struct pool_server *s, char **cause)
{
	const char *line;
	size_t len;
	if (conn_command(c, "mn", cause) < 0)
		goto fail;
	if (conn_readline(c, &line, &len, cause) < 0) {
		char *why = *cause;
		*cause = xasprintf("%s%s", why, c->got_reply || c->wrong_protocol ? "" : " (no reply to a text-protocol "
				   "command: a server with SASL, memcached -S, speaks only the binary "
				   "protocol: memcsess cannot list keys there)");
		free(why);
		goto fail;
	}
	if (len == 2 && memcmp(line, "MN", 2) == 0)
		return 0;
	if (!c->unauthenticated) {
		*cause = xasprintf("server %s: unexpected reply to mn: '%.*s'", c->name,
				   (int)(len > 120 ? 120 : len), line);
		goto fail;
	}
	size_t n = strlen(s->username) + 1 + strlen(s->password);
	char head[64];
	snprintf(head, sizeof(head), "set memcsess.auth 0 0 %zu\r\n", n);
	conn_queue(c, head, strlen(head));
	conn_queue(c, s->username, strlen(s->username));
	conn_queue(c, " ", 1);
	conn_queue(c, s->password, strlen(s->password));
	conn_queue(c, "\r\n", 2);
	conn_mark(c);
	int r = conn_flush(c, cause);
	OPENSSL_cleanse(c->out.ptr, c->out.cap);
	if (r < 0)
		goto fail;
	if (conn_readline(c, &line, &len, cause) < 0) {
		free(*cause);
		*cause = NULL;
		line = "";
		len = 0;
	}
	if (len == 6 && memcmp(line, "STORED", 6) == 0)
		return 0;
	*cause = xasprintf("server %s: authentication failed for user '%s'", c->name, s->username);
fail:
	conn_close(c);
	return -1;
}

/* Sets c up for server s; 1 when it took a connection the pool kept (open, nothing to do). */
static int conn_begin(struct conn *c, const struct pool_server *s, int timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->name = s->name;
	c->timeout_ms = timeout_ms;
	c->server = s;
	struct kept k = kept_take(s);
	c->fd = k.fd;
	c->ssl = k.ssl;
	c->got_reply = c->fd >= 0;
	return c->fd >= 0;
}

/* c is connected to its server: the TLS handshake (memcached speaks TLS on TCP listeners only:
 * a unix socket stays plaintext) and the -Y login, waiting. 0, or -1 with *cause (closed). */
static int conn_setup(struct conn *c, char **cause)
{
	const struct pool_server *s = c->server;
	if (s->tls && !s->socket && tls_start(c, s, cause) < 0) {
		conn_close(c);
		return -1;
	}
	if (s->username && s->password)
		return conn_login(c, s, cause);
	return 0;
}

int conn_open(struct conn *c, const struct pool_server *s, int timeout_ms, char **cause)
{
	if (conn_begin(c, s, timeout_ms))
		return 0;
	int r = s->socket ? open_unix(c, s->socket, cause) : open_tcp(c, s->host, s->port, cause);
	return r == 0 ? conn_setup(c, cause) : -1;
}

/* A TCP connect went a step (r as start_next): conn_open_start's and conn_open_finish's
 * return. */
static int open_step(struct conn *c, int r, char **cause)
{
	r = tcp_step(c, r);
	if (r == 1)
		return conn_setup(c, cause) == 0 ? 1 : -1;
	return r;
}

int conn_open_start(struct conn *c, const struct pool_server *s, int timeout_ms, char **cause)
{
	if (s->socket)		/* a unix socket connects at once or not at all */
		return conn_open(c, s, timeout_ms, cause) == 0 ? 1 : -1;
	if (conn_begin(c, s, timeout_ms))
		return 1;
	if (resolve(c, s->host, s->port, cause) < 0)
		return -1;
	return open_step(c, start_next(c, cause), cause);
}

int conn_open_finish(struct conn *c, char **cause)
{
	return open_step(c, connect_done(c, cause), cause);
}

void conn_close(struct conn *c)
{
	if (c->addrs)
		freeaddrinfo(c->addrs);
	c->addrs = NULL;
	c->addr = NULL;
	conn_socket_close(c->fd, c->ssl);
	c->ssl = NULL;
	c->fd = -1;
	buf_release(&c->in);
	buf_release(&c->out);
	buf_release(&c->marks);
	c->in_off = 0;
}

void conn_park(struct conn *c)
{
	const struct pool_server *s = c->server;
	if (c->fd >= 0 && s && s->idle && c->in_off == c->in.len && c->out.len == 0 &&
	    !c->unauthenticated && kept_push(s->idle, s, c) == 0) {
		c->fd = -1;	/* kept */
		c->ssl = NULL;
	}
	conn_close(c);
}

void conn_queue(struct conn *c, const void *p, size_t n)
{
	buf_add(&c->out, p, n);
}

void conn_mark(struct conn *c)
{
	if (c->ssl)
		buf_add(&c->marks, &c->out.len, sizeof(c->out.len));
}

/* Sends out[off, end) whole; returns 0 or -1 with *cause. */
static int send_range(struct conn *c, size_t off, size_t end, char **cause)
{
	while (off < end) {
		short want = POLLOUT;
		long w = io_write(c, c->out.ptr + off, end - off, &want, cause);
		if (w > 0)
			off += (size_t)w;
		else if (w == IO_ERR || wait_fd(c, want, "sending", cause) < 0)
			return -1;
	}
	return 0;
}

#define TLS_RECORD 16384	/* the most a TLS record carries */

/* Where the TLS write starting at off ends: the furthest request end within one record, else
 * the first request end (a request larger than a record: its last record ends with it). */
static size_t record_end(const struct conn *c, size_t off, size_t *k)
{
	const size_t *mark = (const size_t *)(void *)c->marks.ptr;
	size_t n = c->marks.len / sizeof(size_t), end = 0;
	while (*k < n && mark[*k] <= off)
		(*k)++;
	while (*k < n && (mark[*k] - off <= TLS_RECORD || !end))
		end = mark[(*k)++];
	return end ? end : c->out.len;
}

/* Sends the TLS records c's writes gathered (see tls_flush); returns 0 or -1 with *cause. */
static int send_records(struct conn *c, char **cause)
{
	for (;;) {
		errno = 0;
		ERR_clear_error();
		int r = tls_flush(c->ssl);
		if (r == 1)
			return 0;
		if (r < 0) {	/* named as a failed SSL_write would be (tls_why) */
			char *why = tls_why(c->ssl, SSL_ERROR_SYSCALL, 0);
			*cause = xasprintf("server %s: TLS: %s", c->name, why);
			free(why);
			return -1;
		}
		if (wait_fd(c, POLLOUT, "sending", cause) < 0)
			return -1;
	}
}

int conn_flush(struct conn *c, char **cause)
{
	size_t off = 0, k = 0;
	while (off < c->out.len) {
		size_t end = c->ssl ? record_end(c, off, &k) : c->out.len;
		if (send_range(c, off, end, cause) < 0)
			return -1;
		off = end;
	}
	if (c->ssl && send_records(c, cause) < 0)
		return -1;
	buf_reset(&c->out);
	buf_reset(&c->marks);
	return 0;
}

/* After a TLS read, takes the records OpenSSL already holds too, while c->in has room: one
 * fill then brings as much as the socket had, not one 16 KB record. */
static void more_records(struct conn *c)
{
	while (c->ssl && SSL_has_pending(c->ssl) && c->in.cap - c->in.len > 1) {
		size_t got = 0;
		ERR_clear_error();
		if (SSL_read_ex(c->ssl, c->in.ptr + c->in.len, c->in.cap - c->in.len - 1, &got) != 1) {
			ERR_clear_error();	/* a partial record: the next fill finishes it */
			return;
		}
		c->in.len += got;
	}
}

/* Makes room in c->in for what the next read brings. */
static void make_room(struct conn *c)
{
	if (c->in_off > 0 && c->in_off == c->in.len) {
		buf_reset(&c->in);
		c->in_off = 0;
	} else if (c->in_off > 65536 && c->in_off * 2 > c->in.len) {
		memmove(c->in.ptr, c->in.ptr + c->in_off, c->in.len - c->in_off);
		c->in.len -= c->in_off;
		c->in_off = 0;
	}
	buf_grow(&c->in, 65536);
}

/* Names why a read on c ended the connection (r IO_EOF or IO_ERR, *cause set for IO_ERR). */
static void read_failed(struct conn *c, long r, char **cause)
{
	if (r == IO_EOF && !c->got_reply)
		*cause = xasprintf("server %s: connection closed without a reply (a server "
				   "with SASL, memcached -S, speaks only the binary protocol: "
				   "memcsess cannot list keys there)", c->name);
	else if (r == IO_EOF)
		*cause = xasprintf("server %s: connection closed by server", c->name);
	explain_tls(c, cause);
}

/* One read into c->in without waiting: 1 bytes came, 0 none yet (*want says what to wait
 * for), -1 with *cause (also on EOF). */
static int pull(struct conn *c, short *want, char **cause)
{
	make_room(c);
	long r = io_read(c, c->in.ptr + c->in.len, c->in.cap - c->in.len - 1, want, cause);
	if (r > 0) {
		c->got_reply = 1;
		c->in.len += (size_t)r;
		more_records(c);
		c->in.ptr[c->in.len] = '\0';
		return 1;
	}
	if (r == IO_WAIT)
		return 0;
	read_failed(c, r, cause);
	return -1;
}

int conn_pull(struct conn *c, char **cause)
{
	short want = POLLIN;
	return pull(c, &want, cause);
}

int conn_pending(const struct conn *c)
{
	return c->ssl && SSL_has_pending(c->ssl);
}

/* Reads more bytes into c->in; returns 0 or -1 with *cause (also on EOF). */
static int fill(struct conn *c, char **cause)
{
	for (;;) {
		short want = POLLIN;
		int r = pull(c, &want, cause);
		if (r != 0)
			return r > 0 ? 0 : -1;
		if (wait_fd(c, want, "waiting for a reply", cause) < 0)
			return -1;
	}
}

int conn_fill(struct conn *c, char **cause)
{
	return fill(c, cause);
}

long conn_recv(struct conn *c, void *p, size_t n, char **cause)
{
	short want = POLLIN;
	long r = io_read(c, p, n, &want, cause);
	if (r == IO_EOF)
		*cause = xasprintf("server %s: connection closed by server", c->name);
	return r == IO_EOF ? -1 : r;
}

int conn_lost(struct conn *c)
{
	if (c->fd < 0)
		return 1;
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	if (c->ssl)
		return !conn_idle_clean(c->fd, c->ssl) && SSL_pending(c->ssl) == 0;
	char byte;
	ssize_t n = recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

int conn_readline_now(struct conn *c, const char **line, size_t *len, char **cause)
{
	char *start = c->in.ptr ? c->in.ptr + c->in_off : NULL;
	size_t avail = c->in.len - c->in_off;
	char *nl = start ? memchr(start, '\n', avail) : NULL;
	if (!nl && avail > CONN_MAX_LINE) {
		*cause = xasprintf("server %s: reply line longer than %d bytes", c->name,
				   CONN_MAX_LINE);
		return -1;
	}
	if (!nl)
		return 0;
	size_t n = (size_t)(nl - start);
	c->in_off += n + 1;
	if (n > 0 && start[n - 1] == '\r')
		n--;
	start[n] = '\0';
	if (n == 28 && memcmp(start, "CLIENT_ERROR unauthenticated", 28) == 0)
		c->unauthenticated = 1;
	*line = start;
	*len = n;
	return 1;
}

int conn_readline(struct conn *c, const char **line, size_t *len, char **cause)
{
	for (;;) {
		int r = conn_readline_now(c, line, len, cause);
		if (r != 0)
			return r > 0 ? 0 : -1;
		if (fill(c, cause) < 0)
			return -1;
	}
}

int conn_has_line(const struct conn *c)
{
	size_t avail = c->in.len - c->in_off;
	return avail > CONN_MAX_LINE || (avail && memchr(c->in.ptr + c->in_off, '\n', avail));
}

int conn_readdata(struct conn *c, size_t n, const char **data, char **cause)
{
	if (n > CONN_MAX_VALUE) {
		*cause = xasprintf("server %s: value of %zu bytes is over the %u byte limit",
				   c->name, n, CONN_MAX_VALUE);
		return -1;
	}
	while (c->in.len - c->in_off < n + 2) {
		buf_grow(&c->in, n + 2);
		if (fill(c, cause) < 0)
			return -1;
	}
	char *start = c->in.ptr + c->in_off;
	if (start[n] != '\r' || start[n + 1] != '\n') {
		*cause = xasprintf("server %s: value of %zu bytes not followed by \\r\\n", c->name, n);
		return -1;
	}
	c->in_off += n + 2;
	*data = start;
	return 0;
}

int conn_explain_auth(struct conn *c, char **cause)
{
	if (!c->unauthenticated)
		return 0;
	free(*cause);
	*cause = xasprintf("server %s: authentication required (memcached -Y): give --username "
			   "and --password-file or MEMCSESS_PASSWORD", c->name);
	return 1;
}

int conn_command(struct conn *c, const char *cmd, char **cause)
{
	conn_queue(c, cmd, strlen(cmd));
	conn_queue(c, "\r\n", 2);
	return conn_flush(c, cause);
}
