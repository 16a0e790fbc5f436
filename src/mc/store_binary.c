/* store_binary.c: the binary-protocol store backend (see store_binary.h). */
#include "mc/store_binary.h"
#include "mc/conn_binary.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An absolute expiry long past (30 days and 1 s after the epoch; memcached reads values over
 * 30 days as unix times): an item stored with it is expired at once. The binary protocol has no
 * delete with CAS, so a CAS-checked store of an empty item with this expiry stands in for one. */
#define PAST_EXP ((time_t)(30 * 86400 + 1))

struct binary_store {
	const struct pool *pool;
	memcached_st **mc;	/* per server, a libmemcached handle or NULL */
	struct item_limit *limit;	/* per server, asked before its first write */
};

static void *binary_open(const struct pool *p)
{
	struct binary_store *b = xcalloc(1, sizeof(*b));
	b->pool = p;
	b->mc = xcalloc(p->n, sizeof(*b->mc));
	b->limit = xcalloc(p->n, sizeof(*b->limit));
	return b;
}

/* Closes server i's handle. */
static void close_server(struct binary_store *b, size_t i)
{
	if (!b->mc[i])
		return;
	memcached_free(b->mc[i]);
	b->mc[i] = NULL;
}

static void binary_close(void *be)
{
	struct binary_store *b = be;
	for (size_t i = 0; i < b->pool->n; i++)
		close_server(b, i);
	free(b->mc);
	free(b->limit);
	free(b);
}

/* The expiry argument for absolute expiry exp (-1 never). */
static time_t bin_exptime(int64_t exp, int64_t now)
{
	int64_t t = store_ttl_arg(exp, now);
	return t < 0 ? PAST_EXP : (time_t)t;
}

/* Reads r's key: value, flags and cas; the TTL stays unknown. */
static memcached_return_t bin_get(memcached_st *mc, struct store_req *r)
{
	const char *keys[1] = { r->key };
	size_t lens[1] = { r->key_len };
	memcached_return_t rc = memcached_mget(mc, keys, lens, 1);
	if (rc != MEMCACHED_SUCCESS)
		return rc;
	memcached_result_st *res = memcached_fetch_result(mc, NULL, &rc);
	if (!res)
		return rc == MEMCACHED_END ? MEMCACHED_NOTFOUND : rc;
	buf_reset(&r->got);
	buf_add(&r->got, memcached_result_value(res), memcached_result_length(res));
	r->got_size = r->got.len;
	r->got_flags = memcached_result_flags(res);
	r->got_cas = memcached_result_cas(res);
	r->got_ttl = TTL_UNKNOWN;
	memcached_result_free(res);
	memcached_return_t end;
	while ((res = memcached_fetch_result(mc, NULL, &end)) != NULL)	/* to the end marker */
		memcached_result_free(res);
	return MEMCACHED_SUCCESS;
}

/* Runs one request on mc. */
static memcached_return_t bin_do(memcached_st *mc, struct store_req *r, int64_t now)
{
	time_t t = bin_exptime(r->exp, now);
	switch (r->op) {
	case ST_ADD:
		return memcached_add(mc, r->key, r->key_len, r->value, r->value_len, t, r->flags);
	case ST_SET:
		return memcached_set(mc, r->key, r->key_len, r->value, r->value_len, t, r->flags);
	case ST_DELETE:
		if (r->cas)
			return memcached_cas(mc, r->key, r->key_len, "", 0, PAST_EXP, 0, r->cas);
		return memcached_delete(mc, r->key, r->key_len, 0);
	case ST_TOUCH:
		return memcached_touch(mc, r->key, r->key_len, t);
	case ST_GET:
	case ST_CHECK:
		return bin_get(mc, r);
	}
	return MEMCACHED_INVALID_ARGUMENTS;
}

/* Sets r's status from rc. Returns 0, or -1 with *cause when the server is unusable. */
static int bin_status(memcached_st *mc, const struct pool *p, struct store_req *r,
		      memcached_return_t rc, char **cause)
{
	const struct pool_server *sv = &p->servers[r->server];
	if (rc == MEMCACHED_SUCCESS)
		r->status = ST_DONE;
	else if (rc == MEMCACHED_NOTFOUND)
		r->status = ST_NOT_FOUND;
	else if (rc == MEMCACHED_NOTSTORED || (rc == MEMCACHED_DATA_EXISTS && r->op == ST_ADD))
		r->status = ST_NOT_STORED;
	else if (rc == MEMCACHED_DATA_EXISTS && r->op == ST_DELETE)
		r->status = ST_EXISTS;
	else if (rc == MEMCACHED_E2BIG || rc == MEMCACHED_SERVER_MEMORY_ALLOCATION_FAILURE) {
		/* refused this item only: the connection goes on */
		char *why = conn_binary_strerror(mc, rc);
		r->status = ST_ERROR;
		r->error = xasprintf("server %s: key %.*s: value of %zu bytes refused: %s", sv->name,
				     (int)r->key_len, r->key, r->value_len, why);
		free(why);
	} else {
		*cause = conn_binary_cause(mc, p, sv, rc);
		return -1;
	}
	return 0;
}

static const struct item_limit *binary_limit(void *be, size_t i)
{
	struct binary_store *b = be;
	char *cause = NULL;
	if (b->limit[i].state != 0)
		return &b->limit[i];
	if (!b->mc[i] && !(b->mc[i] = conn_binary_open(b->pool, &b->pool->servers[i], &cause)))
		free(cause);
	else
		limit_fetch_binary(b->mc[i], &b->limit[i]);
	return &b->limit[i];
}

/* Why write r would be refused for its size (see limit.h), or NULL; new. */
static char *over_limit(struct binary_store *b, const struct store_req *r)
{
	return limit_check(binary_limit(b, r->server), b->pool->servers[r->server].name, r->key,
			   r->key_len, r->flags, r->value_len);
}

static void binary_run(void *be, struct store_req *reqs, size_t n)
{
	struct binary_store *b = be;
	const struct pool *p = b->pool;
	int64_t now = time(NULL);
	char **cause = xcalloc(p->n, sizeof(char *));
	for (size_t k = 0; k < n; k++) {
		struct store_req *r = &reqs[k];
		r->status = ST_ERROR;
		size_t i = r->server;
		if (i >= p->n || cause[i])
			continue;
		if (!b->mc[i] && !(b->mc[i] = conn_binary_open(p, &p->servers[i], &cause[i])))
			continue;
		if ((r->op == ST_ADD || r->op == ST_SET) && (r->error = over_limit(b, r)))
			continue;
		if (bin_status(b->mc[i], p, r, bin_do(b->mc[i], r, now), &cause[i]) < 0) {
			r->status = ST_ERROR;
			close_server(b, i);
		}
	}
	for (size_t i = 0; i < p->n; i++) {
		if (cause[i])
			store_reqs_fail(reqs, n, i, cause[i]);
		free(cause[i]);
	}
	free(cause);
}

const struct store_ops store_binary_ops = {
	.open = binary_open, .close = binary_close, .run = binary_run, .limit = binary_limit,
};
