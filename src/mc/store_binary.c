/* binstore.c: store requests on a SASL pool (memcached -S), which speaks only the binary
 * protocol: through libmemcached, one handle per server (that server alone), one request at a
 * time (see store.h). The binary protocol cannot read a TTL: ST_GET gives TTL_UNKNOWN. */
#include "mc/store.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An absolute expiry long past (30 days and 1 s after the epoch; memcached reads values over
 * 30 days as unix times): an item stored with it is expired at once. The binary protocol has no
 * delete with CAS, so a CAS-checked store of an empty item with this expiry stands in for one. */
#define PAST_EXP ((time_t)(30 * 86400 + 1))

void binstore_close(struct store *s, size_t i)
{
	if (!s->bin[i])
		return;
	memcached_free(s->bin[i]);
	s->bin[i] = NULL;
}

memcached_st *binstore_open(const struct pool *p, const struct pool_server *sv, char **cause)
{
	memcached_st *mc = memcached_create(NULL);
	if (!mc) {
		*cause = xasprintf("server %s: cannot create a libmemcached handle", sv->name);
		return NULL;
	}
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_BINARY_PROTOCOL, 1);
	pool_set_timeouts(mc, p->timeout_ms);
	memcached_return_t rc = sv->socket ? memcached_server_add_unix_socket(mc, sv->socket) :
				memcached_server_add(mc, sv->host, (in_port_t)atoi(sv->port));
	if (rc == MEMCACHED_SUCCESS)
		rc = memcached_set_sasl_auth_data(mc, sv->username ? sv->username : "",
						  sv->password ? sv->password : "");
	if (rc != MEMCACHED_SUCCESS) {
		*cause = xasprintf("server %s: %s", sv->name, memcached_strerror(mc, rc));
		memcached_free(mc);
		return NULL;
	}
	return mc;
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
		return bin_get(mc, r);
	}
	return MEMCACHED_INVALID_ARGUMENTS;
}

/* libmemcached's name for rc, in lower case (it shouts); returns new. */
static char *bin_strerror(memcached_st *mc, memcached_return_t rc)
{
	char *s = xstrdup(memcached_strerror(mc, rc));
	for (char *c = s; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return s;
}

char *binstore_cause(memcached_st *mc, const struct pool *p, const struct pool_server *sv,
			  memcached_return_t rc)
{
	if (rc == MEMCACHED_AUTH_FAILURE || rc == MEMCACHED_AUTH_PROBLEM)
		return xasprintf("server %s: authentication failed for user '%s'", sv->name,
				 sv->username ? sv->username : "");
	if (rc == MEMCACHED_TIMEOUT)
		return xasprintf("server %s: timeout after %d ms while waiting for a reply "
				 "(binary protocol, SASL)", sv->name, p->timeout_ms);
	char *why = bin_strerror(mc, rc);
	int err = memcached_last_error_errno(mc);
	char *cause = xasprintf("server %s: %s%s%s (binary protocol, SASL)", sv->name, why,
				err ? ": " : "", err ? strerror(err) : "");
	free(why);
	return cause;
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
		char *why = bin_strerror(mc, rc);
		r->status = ST_ERROR;
		r->error = xasprintf("server %s: key %.*s: value of %zu bytes refused: %s", sv->name,
				     (int)r->key_len, r->key, r->value_len, why);
		free(why);
	} else {
		*cause = binstore_cause(mc, p, sv, rc);
		return -1;
	}
	return 0;
}

void binstore_limit(struct store *s, size_t i)
{
	char *cause = NULL;
	if (!s->bin[i] && !(s->bin[i] = binstore_open(s->pool, &s->pool->servers[i], &cause))) {
		free(cause);
		return;
	}
	limit_fetch_binary(s->bin[i], &s->limit[i]);
}

void binstore_run(struct store *s, struct store_req *reqs, size_t n)
{
	const struct pool *p = s->pool;
	int64_t now = time(NULL);
	char **cause = xcalloc(p->n, sizeof(char *));
	for (size_t k = 0; k < n; k++) {
		struct store_req *r = &reqs[k];
		r->status = ST_ERROR;
		size_t i = r->server;
		if (i >= p->n || cause[i])
			continue;
		if (!s->bin[i] && !(s->bin[i] = binstore_open(p, &p->servers[i], &cause[i])))
			continue;
		if ((r->op == ST_ADD || r->op == ST_SET) && (r->error = store_over_limit(s, r)))
			continue;
		if (bin_status(s->bin[i], p, r, bin_do(s->bin[i], r, now), &cause[i]) < 0) {
			r->status = ST_ERROR;
			binstore_close(s, i);
		}
	}
	for (size_t i = 0; i < p->n; i++) {
		if (cause[i])
			store_reqs_fail(reqs, n, i, cause[i]);
		free(cause[i]);
	}
	free(cause);
}
