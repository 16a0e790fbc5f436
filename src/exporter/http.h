/* http.h: the exporter's HTTP server (libmicrohttpd, its own thread): /metrics in the
 * Prometheus text format, / a page linking to it, 404 for anything else. */
#ifndef MEMCSESS_EXPORTER_HTTP_H
#define MEMCSESS_EXPORTER_HTTP_H

#include "util.h"

/* Appends the /metrics text to out; called from the server's thread, one call at a time. */
typedef void (*http_metrics_fn)(void *arg, struct buf *out);

struct http_server;

/* Listens on host (an address, no name look-up) and port, serving fn's text. Returns new, or
 * NULL with *cause (new) saying why. */
struct http_server *http_start(const char *host, const char *port, http_metrics_fn fn,
			       void *arg, char **cause);
/* Stops listening, ends the server's thread and frees h. */
void http_stop(struct http_server *h);

#endif
