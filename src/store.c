/* store.c: pipelined writes and reads on a pool (see store.h). */
#include "store.h"
#include "conn.h"
#include "meta.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define THIRTY_DAYS (30 * 86400)

void store_init(struct store *s, const struct pool *p)
{
	s->pool = p;
	s->conns = xcalloc(p->n, sizeof(*s->conns));
	s->state = xcalloc(p->n, sizeof(*s->state));
	s->bin = p->sasl ? xcalloc(p->n, sizeof(*s->bin)) : NULL;
}

void store_release(struct store *s)
{
	for (size_t i = 0; i < s->pool->n; i++)
		if (s->state[i])
			conn_close(&s->conns[i]);
	for (size_t i = 0; s->bin && i < s->pool->n; i++)
		binstore_close(s, i);
	free(s->conns);
	free(s->state);
	free(s->bin);
	s->conns = NULL;
	s->state = NULL;
	s->bin = NULL;
}

int64_t store_ttl_arg(int64_t exp, int64_t now)
{
	if (exp < 0)
		return 0;
	if (exp <= now)
		return -1;
	if (exp - now > THIRTY_DAYS)
		return exp;
	return exp - now;
}

/* Queues one request on its connection. */
static void queue_req(struct conn *c, const struct store_req *r, int64_t now)
{
	char tail[96];
	int b64;
	switch (r->op) {
	case ST_ADD:
	case ST_SET:
		b64 = meta_queue_key(c, "ms", r->key, r->key_len);
		snprintf(tail, sizeof(tail), " %zu F%u T%lld M%c%s\r\n", r->value_len, r->flags,
			 (long long)store_ttl_arg(r->exp, now), r->op == ST_ADD ? 'E' : 'S',
			 b64 ? " b" : "");
		conn_queue(c, tail, strlen(tail));
		conn_queue(c, r->value, r->value_len);
		conn_queue(c, "\r\n", 2);
		return;
	case ST_DELETE:
		b64 = meta_queue_key(c, "md", r->key, r->key_len);
		if (r->cas)
			snprintf(tail, sizeof(tail), " C%llu%s\r\n", (unsigned long long)r->cas,
				 b64 ? " b" : "");
		else
			snprintf(tail, sizeof(tail), "%s\r\n", b64 ? " b" : "");
		break;
	case ST_TOUCH:
		b64 = meta_queue_key(c, "mg", r->key, r->key_len);
		snprintf(tail, sizeof(tail), " T%lld%s\r\n", (long long)store_ttl_arg(r->exp, now),
			 b64 ? " b" : "");
		break;
	case ST_GET:
		meta_queue_get(c, r->key, r->key_len, 1);
		return;
	}
	conn_queue(c, tail, strlen(tail));
}

/* Reads the reply to r; returns 0, or -1 with *cause when the connection is unusable. */
static int read_reply(struct conn *c, struct store_req *r, char **cause)
{
	if (r->op == ST_GET) {
		struct mg_reply rep;
		if (meta_read_get(c, r->key, &rep, &r->got, cause) < 0)
			return -1;
		r->status = rep.found ? ST_DONE : ST_NOT_FOUND;
		r->got_flags = rep.flags;
		r->got_ttl = rep.ttl;
		r->got_cas = rep.cas;
		return 0;
	}
	const char *line;
	size_t len;
	if (conn_readline(c, &line, &len, cause) < 0)
		return -1;
	if (len >= 2 && memcmp(line, "HD", 2) == 0)
		r->status = ST_DONE;
	else if (len >= 2 && memcmp(line, "NS", 2) == 0)
		r->status = ST_NOT_STORED;
	else if (len >= 2 && (memcmp(line, "NF", 2) == 0 || memcmp(line, "EN", 2) == 0))
		r->status = ST_NOT_FOUND;
	else if (len >= 2 && memcmp(line, "EX", 2) == 0)
		r->status = ST_EXISTS;
	else if (len > 13 && memcmp(line, "SERVER_ERROR ", 13) == 0) {
		/* refused this item only (too large, out of memory): the connection goes on */
		r->status = ST_ERROR;
		int n = (int)(len > 120 ? 120 : len);
		if (r->op == ST_ADD || r->op == ST_SET)
			r->error = xasprintf("server %s: key %.*s: value of %zu bytes refused: %.*s",
					     c->name, (int)r->key_len, r->key, r->value_len, n, line);
		else
			r->error = xasprintf("server %s: key %.*s: %.*s", c->name,
					     (int)r->key_len, r->key, n, line);
	} else {
		*cause = xasprintf("server %s: key %.*s: unexpected reply '%.*s'", c->name,
				   (int)r->key_len, r->key, (int)(len > 120 ? 120 : len), line);
		conn_explain_auth(c, cause);
		return -1;
	}
	return 0;
}

void store_reqs_fail(struct store_req *reqs, size_t n, size_t i, const char *cause)
{
	for (size_t k = 0; k < n; k++) {
		if (reqs[k].server != i || reqs[k].status != ST_ERROR || reqs[k].error)
			continue;
		reqs[k].error = xstrdup(cause);
	}
}

/* Marks every request of server i as failed with cause, and closes its connection. */
static void fail_server(struct store *s, struct store_req *reqs, size_t n, size_t i,
			const char *cause)
{
	store_reqs_fail(reqs, n, i, cause);
	if (s->state[i])
		conn_close(&s->conns[i]);
	s->state[i] = 0;
}

/* Opens server i when needed; returns 0, or -1 with *cause. */
static int ensure_conn(struct store *s, size_t i, char **cause)
{
	if (s->state[i])
		return 0;
	if (conn_open(&s->conns[i], &s->pool->servers[i], s->pool->timeout_ms, cause) < 0)
		return -1;
	s->state[i] = 1;
	return 0;
}

void store_run(struct store *s, struct store_req *reqs, size_t n)
{
	if (s->pool->sasl) {
		binstore_run(s, reqs, n);
		return;
	}
	size_t ns = s->pool->n;
	int64_t now = time(NULL);
	char **cause = xcalloc(ns, sizeof(char *));
	for (size_t k = 0; k < n; k++) {
		reqs[k].status = ST_ERROR;
		size_t i = reqs[k].server;
		if (i >= ns || cause[i])
			continue;
		if (ensure_conn(s, i, &cause[i]) == 0)
			queue_req(&s->conns[i], &reqs[k], now);
	}
	for (size_t i = 0; i < ns; i++)
		if (s->state[i] && !cause[i] && conn_flush(&s->conns[i], &cause[i]) < 0)
			fail_server(s, reqs, n, i, cause[i]);
	for (size_t k = 0; k < n; k++) {
		size_t i = reqs[k].server;
		if (i >= ns || cause[i])
			continue;
		if (read_reply(&s->conns[i], &reqs[k], &cause[i]) < 0)
			reqs[k].status = ST_ERROR;
	}
	for (size_t i = 0; i < ns; i++) {
		if (cause[i])
			fail_server(s, reqs, n, i, cause[i]);
		free(cause[i]);
	}
	free(cause);
}

void store_reqs_release(struct store_req *reqs, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		free(reqs[k].error);
		reqs[k].error = NULL;
		buf_release(&reqs[k].got);
	}
}
