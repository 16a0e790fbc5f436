/* store.c: requests on a pool, through the backend of its protocol (see store.h). */
#include "mc/store.h"
#include "mc/limit.h"
#include "mc/store_binary.h"
#include "mc/store_text.h"

void store_init(struct store *s, const struct pool *p)
{
	s->pool = p;
	s->ops = p->sasl ? &store_binary_ops : &store_text_ops;
	s->be = s->ops->open(p);
}

void store_release(struct store *s)
{
	if (!s->be)
		return;
	s->ops->close(s->be);
	s->be = NULL;
}

void store_run(struct store *s, struct store_req *reqs, size_t n)
{
	s->ops->run(s->be, reqs, n);
}

char *store_over_limit(struct store *s, const struct store_req *r)
{
	size_t i = r->server;
	if (i >= s->pool->n)
		return NULL;
	return limit_check(s->ops->limit(s->be, i), s->pool->servers[i].name, r->key, r->key_len,
			   r->flags, r->value_len);
}
