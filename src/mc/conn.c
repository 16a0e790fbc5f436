/* conn.c: a buffered socket with poll()-bounded waits (see conn.h). */
#include "mc/conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>
#include <openssl/crypto.h>

#define CANCEL_CHECK_MS 100

static volatile sig_atomic_t *cancel_flag;

void conn_cancel_on(volatile sig_atomic_t *flag)
{
	cancel_flag = flag;
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
			*cause = xasprintf("server %s: timeout after %d ms while %s", c->name,
					   c->timeout_ms, what);
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

/* Opens a socket of family and connects it to sa. */
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
	if (family != AF_UNIX) {
		int one = 1;
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
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

static int open_tcp(struct conn *c, const char *host, const char *port, char **cause)
{
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = AF_UNSPEC;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		*cause = xasprintf("server %s: cannot resolve '%s': %s", c->name, host,
				   gai_strerror(rc));
		return -1;
	}
	int ret = -1;
	for (struct addrinfo *ai = res; ai && ret < 0; ai = ai->ai_next) {
		if (ai != res) {
			free(*cause);
			*cause = NULL;
		}
		ret = try_connect(c, ai->ai_family, ai->ai_addr, ai->ai_addrlen, cause);
	}
	freeaddrinfo(res);
	return ret;
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
		*cause = xasprintf("%s%s", why, c->got_reply ? "" : " (no reply to a text-protocol "
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

#define KEPT_PER_SERVER 4

/* The connections a pool keeps: KEPT_PER_SERVER slots a server, -1 when empty. The scan's
 * threads open and park at once, hence the lock. */
struct conn_cache {
	pthread_mutex_t lock;
	const struct pool_server *servers;
	size_t n;
	int *fds;
};

void conn_keep(struct pool *p)
{
	if (p->idle)
		return;
	struct conn_cache *cc = xcalloc(1, sizeof(*cc));
	pthread_mutex_init(&cc->lock, NULL);
	cc->servers = p->servers;
	cc->n = p->n;
	cc->fds = xcalloc(p->n * KEPT_PER_SERVER, sizeof(*cc->fds));
	for (size_t i = 0; i < p->n * KEPT_PER_SERVER; i++)
		cc->fds[i] = -1;
	for (size_t i = 0; i < p->n; i++)
		p->servers[i].idle = cc;
	p->idle = cc;
	p->idle_end = conn_keep_end;
}

void conn_keep_end(struct pool *p)
{
	struct conn_cache *cc = p->idle;
	if (!cc)
		return;
	for (size_t i = 0; i < cc->n * KEPT_PER_SERVER; i++)
		if (cc->fds[i] >= 0)
			close(cc->fds[i]);
	for (size_t i = 0; i < p->n; i++)
		p->servers[i].idle = NULL;
	pthread_mutex_destroy(&cc->lock);
	free(cc->fds);
	free(cc);
	p->idle = NULL;
	p->idle_end = NULL;
}

/* The slots of server s in cc. */
static int *kept_slots(struct conn_cache *cc, const struct pool_server *s)
{
	return cc->fds + (size_t)(s - cc->servers) * KEPT_PER_SERVER;
}

/* Takes a kept connection of server s out of cc; returns its fd, or -1. */
static int kept_pop(struct conn_cache *cc, const struct pool_server *s)
{
	int *slot = kept_slots(cc, s), fd = -1;
	pthread_mutex_lock(&cc->lock);
	for (int k = 0; k < KEPT_PER_SERVER && fd < 0; k++) {
		fd = slot[k];
		slot[k] = -1;
	}
	pthread_mutex_unlock(&cc->lock);
	return fd;
}

/* Keeps fd for server s; returns 0, or -1 when its slots are full. */
static int kept_push(struct conn_cache *cc, const struct pool_server *s, int fd)
{
	int *slot = kept_slots(cc, s), ret = -1;
	pthread_mutex_lock(&cc->lock);
	for (int k = 0; k < KEPT_PER_SERVER && ret < 0; k++) {
		if (slot[k] < 0) {
			slot[k] = fd;
			ret = 0;
		}
	}
	pthread_mutex_unlock(&cc->lock);
	return ret;
}

/* A kept connection to s that the server has not closed meanwhile (restarted, idle timeout),
 * or -1. Anything readable on an idle connection means it cannot be used: it is closed. */
static int kept_take(const struct pool_server *s)
{
	int fd;
	while (s->idle && (fd = kept_pop(s->idle, s)) >= 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, 0) == 0)
			return fd;
		close(fd);
	}
	return -1;
}

int conn_open(struct conn *c, const struct pool_server *s, int timeout_ms, char **cause)
{
	memset(c, 0, sizeof(*c));
	c->name = s->name;
	c->timeout_ms = timeout_ms;
	c->server = s;
	c->fd = kept_take(s);
	if (c->fd >= 0) {
		c->got_reply = 1;
		return 0;
	}
	int r = s->socket ? open_unix(c, s->socket, cause) : open_tcp(c, s->host, s->port, cause);
	if (r == 0 && s->username && s->password)
		r = conn_login(c, s, cause);
	return r;
}

void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	buf_release(&c->in);
	buf_release(&c->out);
	c->in_off = 0;
}

void conn_park(struct conn *c)
{
	const struct pool_server *s = c->server;
	if (c->fd >= 0 && s && s->idle && c->in_off == c->in.len && c->out.len == 0 &&
	    !c->unauthenticated && kept_push(s->idle, s, c->fd) == 0)
		c->fd = -1;	/* kept */
	conn_close(c);
}

void conn_queue(struct conn *c, const void *p, size_t n)
{
	buf_add(&c->out, p, n);
}

int conn_flush(struct conn *c, char **cause)
{
	size_t off = 0;
	while (off < c->out.len) {
		ssize_t w = send(c->fd, c->out.ptr + off, c->out.len - off, MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(c, POLLOUT, "sending", cause) < 0)
				return -1;
			continue;
		}
		*cause = xasprintf("server %s: send: %s", c->name, strerror(errno));
		return -1;
	}
	buf_reset(&c->out);
	return 0;
}

/* Reads more bytes into c->in; returns 0 or -1 with *cause (also on EOF). */
static int fill(struct conn *c, char **cause)
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
	for (;;) {
		ssize_t r = recv(c->fd, c->in.ptr + c->in.len, c->in.cap - c->in.len - 1, 0);
		if (r > 0) {
			c->got_reply = 1;
			c->in.len += (size_t)r;
			c->in.ptr[c->in.len] = '\0';
			return 0;
		}
		if (r == 0 && !c->got_reply) {
			*cause = xasprintf("server %s: connection closed without a reply (a server "
					   "with SASL, memcached -S, speaks only the binary protocol: "
					   "memcsess cannot list keys there)", c->name);
			return -1;
		}
		if (r == 0) {
			*cause = xasprintf("server %s: connection closed by server", c->name);
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			*cause = xasprintf("server %s: recv: %s", c->name, strerror(errno));
			return -1;
		}
		if (wait_fd(c, POLLIN, "waiting for a reply", cause) < 0)
			return -1;
	}
}

int conn_readline(struct conn *c, const char **line, size_t *len, char **cause)
{
	size_t scanned = 0;
	for (;;) {
		char *start = c->in.ptr ? c->in.ptr + c->in_off : NULL;
		size_t avail = c->in.len - c->in_off;
		char *nl = start ? memchr(start + scanned, '\n', avail - scanned) : NULL;
		if (nl) {
			size_t n = (size_t)(nl - start);
			c->in_off += n + 1;
			if (n > 0 && start[n - 1] == '\r')
				n--;
			start[n] = '\0';
			if (n == 28 && memcmp(start, "CLIENT_ERROR unauthenticated", 28) == 0)
				c->unauthenticated = 1;
			*line = start;
			*len = n;
			return 0;
		}
		if (avail > CONN_MAX_LINE) {
			*cause = xasprintf("server %s: reply line longer than %d bytes", c->name,
					   CONN_MAX_LINE);
			return -1;
		}
		scanned = avail;
		if (fill(c, cause) < 0)
			return -1;
	}
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
