/* http.c: libmicrohttpd serving the exporter's pages. */
#include "exporter/http.h"

#include <microhttpd.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define CONNECTIONS_MAX 64	/* bounded: a flood of connections cannot grow memory */
#define CONNECTION_TIMEOUT 15	/* seconds an idle connection is kept */

struct http_server {
	struct MHD_Daemon *d;
	http_metrics_fn fn;
	void *arg;
	char error[160];	/* libmicrohttpd's last message (it is never printed) */
};

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><title>memcsess exporter</title></head>\n"
	"<body><h1>memcsess exporter</h1>\n"
	"<p>PHP sessions in memcached, for Prometheus: <a href=\"/metrics\">/metrics</a></p>\n"
	"</body></html>\n";

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type,
			     void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct http_server *h = cls;
	(void)version;
	(void)upload_data;
	if (!*con_cls) {	/* the first call is for the headers alone */
		*con_cls = h;
		return MHD_YES;
	}
	if (*upload_size) {	/* a body is not wanted: dropped */
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
			     (void *)"method not allowed\n", 19, MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics") == 0) {
		struct buf b = BUF_INIT;
		h->fn(h->arg, &b);
		size_t len = b.len;
		char *body = buf_detach(&b, NULL);
		return reply(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", body,
			     len, MHD_RESPMEM_MUST_FREE);
	}
	if (strcmp(url, "/") == 0)
		return reply(conn, MHD_HTTP_OK, "text/html; charset=utf-8", (void *)index_page,
			     sizeof(index_page) - 1, MHD_RESPMEM_PERSISTENT);
	return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
		     (void *)"not found\n", 10, MHD_RESPMEM_PERSISTENT);
}

/* libmicrohttpd's messages: kept for a failure's cause, never printed. */
static void on_log(void *cls, const char *fmt, va_list ap)
{
	struct http_server *h = cls;
	vsnprintf(h->error, sizeof(h->error), fmt, ap);
	h->error[strcspn(h->error, "\n")] = '\0';
}

struct http_server *http_start(const char *host, const char *port, http_metrics_fn fn,
			       void *arg, char **cause)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
				  .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int e = getaddrinfo(host, port, &hints, &ai);
	if (e) {
		*cause = xasprintf("listen address %s port %s: %s", host, port, gai_strerror(e));
		return NULL;
	}
	struct http_server *h = xcalloc(1, sizeof(*h));
	h->fn = fn;
	h->arg = arg;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				MHD_OPTION_SOCK_ADDR, ai->ai_addr,
				MHD_OPTION_EXTERNAL_LOGGER, on_log, h,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTIONS_MAX,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
				MHD_OPTION_END);
	int err = errno;
	freeaddrinfo(ai);
	if (!h->d) {	/* its message names "port 0", as the address came whole: errno says it */
		*cause = xasprintf("cannot listen on %s port %s: %s", host, port,
				   err ? strerror(err) : h->error[0] ? h->error :
				   "in use, or not an address here");
		free(h);
		return NULL;
	}
	return h;
}

void http_stop(struct http_server *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
