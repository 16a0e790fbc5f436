/* conn_binary.c: binary-protocol handles to SASL servers (see conn_binary.h). */
#include "mc/conn_binary.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

memcached_st *conn_binary_open(const struct pool *p, const struct pool_server *sv, char **cause)
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

char *conn_binary_strerror(memcached_st *mc, memcached_return_t rc)
{
	char *s = xstrdup(memcached_strerror(mc, rc));
	for (char *c = s; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return s;
}

char *conn_binary_cause(memcached_st *mc, const struct pool *p, const struct pool_server *sv,
			memcached_return_t rc)
{
	if (rc == MEMCACHED_AUTH_FAILURE || rc == MEMCACHED_AUTH_PROBLEM)
		return xasprintf("server %s: authentication failed for user '%s'", sv->name,
				 sv->username ? sv->username : "");
	if (rc == MEMCACHED_TIMEOUT)
		return xasprintf("server %s: timeout after %d ms while waiting for a reply "
				 "(binary protocol, SASL)", sv->name, p->timeout_ms);
	char *why = conn_binary_strerror(mc, rc);
	int err = memcached_last_error_errno(mc);
	char *cause = xasprintf("server %s: %s%s%s (binary protocol, SASL)", sv->name, why,
				err ? ": " : "", err ? strerror(err) : "");
	free(why);
	return cause;
}
