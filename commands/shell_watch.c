/* shell_watch.c: the shell's watch on its servers: an idle text-protocol connection to each,
 * which a server closes when it goes away or restarts. */
#include "shell_watch.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

const char *shell_watch_reason(const char *cause, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(cause, "server ", 7) == 0 && strncmp(cause + 7, name, n) == 0 &&
	    strncmp(cause + 7 + n, ": ", 2) == 0)
		return cause + 7 + n + 2;
	return cause;
}

/* Connects the watch to server i, keeping why it failed. Returns 0 or -1. */
static int watch_connect(struct shell_watch *w, size_t i, int timeout_ms)
{
	char *cause = NULL;
	free(w->why[i]);
	w->why[i] = NULL;
	if (conn_open(&w->conns[i], &w->pool.servers[i], timeout_ms, &cause) == 0)
		return 0;
	w->why[i] = cause ? cause : xstrdup("cannot connect");
	return -1;
}

void shell_watch_release(struct shell_watch *w)
{
	if (!w->servers)
		return;
	for (size_t i = 0; i < w->pool.n; i++) {
		conn_close(&w->conns[i]);
		free(w->why[i]);
	}
	free(w->conns);
	free(w->why);
	free(w->servers);
	pool_release(&w->pool);
	memset(w, 0, sizeof(*w));
}

/* The watch connects within a second at most: it must not hold up the command much. */
static int watch_timeout(const struct cmd_ctx *ctx)
{
	return ctx->timeout_ms < 1000 ? ctx->timeout_ms : 1000;
}

void shell_watch_start(struct shell_watch *w, struct cmd_ctx *ctx, int report)
{
	char *cause = NULL;
	if (w->servers && strcmp(w->servers, ctx->servers) == 0)
		return;
	shell_watch_release(w);
	if (ctx->sasl)	/* SASL servers speak only the binary protocol: no text-protocol watch */
		return;
	if (pool_init(&w->pool, ctx->servers, ctx->dist, ctx->prefix, ctx->timeout_ms, &cause) < 0) {
		free(cause);
		return;
	}
	if (cmd_auth(ctx) == 0)	/* the watch connections log in like the commands' own */
		pool_set_auth(&w->pool, ctx->username, ctx->password);
	if (ctx->tls && cmd_tls(ctx) == 0)	/* and speak TLS like them */
		pool_set_tls(&w->pool, ctx->tls_conf);
	w->servers = xstrdup(ctx->servers);
	w->conns = xcalloc(w->pool.n, sizeof(*w->conns));
	w->why = xcalloc(w->pool.n, sizeof(*w->why));
	for (size_t i = 0; i < w->pool.n; i++) {
		w->conns[i].fd = -1;
		if (watch_connect(w, i, watch_timeout(ctx)) < 0 && report)
			cmd_error("%s", w->why[i]);
	}
}

void shell_watch_check(struct shell_watch *w, const struct cmd_ctx *ctx)
{
	if (!w->servers || strcmp(w->servers, ctx->servers) != 0)
		return;
	for (size_t i = 0; i < w->pool.n; i++) {
		const char *name = w->pool.servers[i].name;
		int was_up = w->conns[i].fd >= 0;
		if (was_up && !conn_lost(&w->conns[i]))
			continue;
		conn_close(&w->conns[i]);
		if (watch_connect(w, i, watch_timeout(ctx)) == 0)
			cmd_error(was_up ? "server %s went away; reconnected" :
				  "server %s answers again; reconnected", name);
		else if (was_up)
			cmd_error("server %s went away; cannot reconnect: %s", name,
				  shell_watch_reason(w->why[i], name));
	}
}
