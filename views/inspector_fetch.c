/* inspector_fetch.c: the inspector's fetch of one session: its value from the server given, its
 * lock from the server PHP keeps it on, each on a connection of its own. */
#include "inspector_fetch.h"

#include <stdlib.h>

/* Asks server for key on a new connection; keeps the first failure's cause in the fetch. */
static int tcp_ask(struct fetch *f, size_t server, const char *key, size_t len, int value,
		   struct mg_reply *rep, struct buf *out)
{
	struct conn c;
	char *cause = NULL;
	int r = conn_open(&c, &f->pool->servers[server], f->pool->timeout_ms, &cause);
	if (r == 0)
		r = meta_get(&c, key, len, value, rep, out, &cause);
	if (c.fd >= 0 || r == 0)
		conn_close(&c);
	if (r < 0 && !f->cause)
		f->cause = cause;
	else
		free(cause);
	return r;
}

/* The fetch's thread: the session, then its lock when the session was found. */
static void *fetch_run(void *arg)
{
	struct fetch *f = arg;
	const struct pool *p = f->pool;
	struct buf key = BUF_INIT, lock = BUF_INIT;
	struct mg_reply lr;
	buf_printf(&key, "%s%s", p->prefix, f->sid);
	f->locked = -1;
	f->r = tcp_ask(f, f->server, key.ptr, key.len, 1, &f->rep, &f->value);
	if (f->r == 0)
		f->r = f->rep.found;
	buf_printf(&lock, "lock.%s", f->sid);
	size_t home = pool_home(p, lock.ptr, lock.len);
	buf_reset(&key);
	buf_printf(&key, "%slock.%s", p->prefix, f->sid);
	if (f->r == 1 && tcp_ask(f, home, key.ptr, key.len, 0, &lr, NULL) == 0) {
		f->locked = lr.found;
		f->lock_ttl = lr.ttl;
	}
	f->at = time(NULL);
	buf_release(&key);
	buf_release(&lock);
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
	if (f->wake)
		f->wake(f->wake_arg);
	return NULL;
}

struct fetch *fetch_start(const struct pool *pool, const char *sid, size_t server,
			  void (*wake)(void *), void *wake_arg)
{
	struct fetch *f = xcalloc(1, sizeof(*f));
	f->pool = pool;
	f->sid = xstrdup(sid);
	f->server = server;
	f->wake = wake;
	f->wake_arg = wake_arg;
	f->started = pthread_create(&f->tid, NULL, fetch_run, f) == 0;
	if (!f->started)
		fetch_run(f);
	return f;
}

void fetch_free(struct fetch *f)
{
	if (!f)
		return;
	if (f->started)
		pthread_join(f->tid, NULL);
	free(f->sid);
	free(f->cause);
	buf_release(&f->value);
	free(f);
}

int fetch_done(const struct fetch *f)
{
	return __atomic_load_n(&f->done, __ATOMIC_ACQUIRE);
}
