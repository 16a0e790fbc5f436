/* conn_keep.c: the connections a pool keeps between uses (see conn_keep.h). */
#include "mc/conn_keep.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <openssl/err.h>

#define KEPT_PER_SERVER 4

/* The connections a pool keeps: KEPT_PER_SERVER slots a server. The scan's threads open and
 * park at once, hence the lock. */
struct conn_cache {
	pthread_mutex_t lock;
	const struct pool_server *servers;
	size_t n;
	struct kept *fds;
};

void conn_socket_close(int fd, SSL *ssl)
{
	if (ssl)
		SSL_free(ssl);
	if (fd >= 0)
		close(fd);
}

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
		cc->fds[i] = (struct kept){ .fd = -1 };
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
		conn_socket_close(cc->fds[i].fd, cc->fds[i].ssl);
	for (size_t i = 0; i < p->n; i++)
		p->servers[i].idle = NULL;
	pthread_mutex_destroy(&cc->lock);
	free(cc->fds);
	free(cc);
	p->idle = NULL;
	p->idle_end = NULL;
}

/* The slots of server s in cc. */
static struct kept *kept_slots(struct conn_cache *cc, const struct pool_server *s)
{
	return cc->fds + (size_t)(s - cc->servers) * KEPT_PER_SERVER;
}

/* Takes a kept connection of server s out of cc (fd -1: none). */
static struct kept kept_pop(struct conn_cache *cc, const struct pool_server *s)
{
	struct kept *slot = kept_slots(cc, s), got = { .fd = -1 };
	pthread_mutex_lock(&cc->lock);
	for (int k = 0; k < KEPT_PER_SERVER && got.fd < 0; k++) {
		got = slot[k];
		slot[k] = (struct kept){ .fd = -1 };
	}
	pthread_mutex_unlock(&cc->lock);
	return got;
}

int kept_push(struct conn_cache *cc, const struct pool_server *s, const struct conn *c)
{
	struct kept *slot = kept_slots(cc, s);
	int ret = -1;
	pthread_mutex_lock(&cc->lock);
	for (int k = 0; k < KEPT_PER_SERVER && ret < 0; k++) {
		if (slot[k].fd < 0) {
			slot[k] = (struct kept){ .fd = c->fd, .ssl = c->ssl };
			ret = 0;
		}
	}
	pthread_mutex_unlock(&cc->lock);
	return ret;
}

int conn_idle_clean(int fd, SSL *ssl)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	if (poll(&pfd, 1, 0) == 0)
		return 1;
	if (!ssl)
		return 0;
	char byte;
	size_t got;
	ERR_clear_error();
	if (SSL_peek_ex(ssl, &byte, 1, &got) == 1)
		return 0;
	int err = SSL_get_error(ssl, 0);
	ERR_clear_error();
	return err == SSL_ERROR_WANT_READ;
}

struct kept kept_take(const struct pool_server *s)
{
	struct kept k = { .fd = -1 };
	while (s->idle && (k = kept_pop(s->idle, s)).fd >= 0) {
		if (conn_idle_clean(k.fd, k.ssl))
			return k;
		conn_socket_close(k.fd, k.ssl);
	}
	return (struct kept){ .fd = -1 };
}
