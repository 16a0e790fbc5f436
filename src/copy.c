/* copy.c: the confirm-before-delete copy engine (see copy.h). */
#include "copy.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What happens to each batched item, decided before any write. */
enum plan { P_WRITE, P_SKIP };

void copier_init(struct copier *c, const struct pool *dst, const struct pool *src)
{
	memset(c, 0, sizeof(*c));
	c->dst = dst;
	c->src = src;
	store_init(&c->dst_store, dst);
	if (src)
		store_init(&c->src_store, src);
	c->st.per_target = xcalloc(dst->n, sizeof(size_t));
}

void copier_release(struct copier *c)
{
	store_release(&c->dst_store);
	if (c->src)
		store_release(&c->src_store);
	for (size_t i = 0; i < COPY_BATCH; i++) {
		buf_release(&c->keys[i]);
		buf_release(&c->values[i]);
		buf_release(&c->names[i]);
	}
	free(c->st.per_target);
	c->st.per_target = NULL;
}

void copier_add(struct copier *c, const struct copy_item *it)
{
	size_t i = c->n++;
	struct copy_item *d = &c->items[i];
	*d = *it;
	buf_reset(&c->keys[i]);
	buf_add(&c->keys[i], it->key, it->key_len);
	buf_reset(&c->values[i]);
	buf_add(&c->values[i], it->value, it->value_len);
	buf_reset(&c->names[i]);
	if (it->src_name)
		buf_adds(&c->names[i], it->src_name);
	d->key = c->keys[i].ptr;
	d->sid = d->key + (it->sid - it->key);
	d->value = c->values[i].ptr;
	d->src_name = it->src_name ? c->names[i].ptr : NULL;
	c->st.read++;
	if (c->n == COPY_BATCH)
		copier_flush(c);
}

static void report(struct copier *c, const struct copy_item *it, enum copy_event ev,
		   const char *what)
{
	if (c->report)
		c->report(it->sid, it->sid_len, ev, what, c->report_arg);
}

/* Counts item it as failed (its source kept) and reports why. */
static void fail_item(struct copier *c, const struct copy_item *it, const char *why)
{
	c->st.failed++;
	c->failed_now = 1;
	report(c, it, CE_FAILED, why);
}

/* Decides whether item i is written; counts the skipped. Returns the target server or -1. */
static long plan_item(struct copier *c, size_t i, int64_t now)
{
	const struct copy_item *it = &c->items[i];
	size_t home = pool_home(c->dst, it->sid, it->sid_len);
	if (it->exp >= 0 && it->exp <= now) {
		c->st.expired++;
		return -1;
	}
	if (it->src_name && strcmp(it->src_name, c->dst->servers[home].name) == 0) {
		c->st.unchanged++;
		return -1;
	}
	if (it->locked) {
		c->st.locked++;
		report(c, it, CE_LOCKED, "was locked by a running request while read; copied as read");
	}
	return (long)home;
}

/* Does the read-back g hold exactly the item's bytes and flags? */
static int same_copy(const struct store_req *g, const struct copy_item *it)
{
	return g->status == ST_DONE && g->got.len == it->value_len &&
	       memcmp(g->got.ptr ? g->got.ptr : "", it->value, it->value_len) == 0 &&
	       g->got_flags == it->flags;
}

/* Dry run: counts item it as copied to server, or as failed when it is over the server's item
 * limit (a real run would not write it). */
static void would_copy(struct copier *c, const struct copy_item *it, size_t server)
{
	struct store_req w = { .op = c->overwrite ? ST_SET : ST_ADD, .server = server,
			       .key = it->key, .key_len = it->key_len, .value = it->value,
			       .value_len = it->value_len, .flags = it->flags };
	char *why = store_over_limit(&c->dst_store, &w);
	if (why) {
		fail_item(c, it, why);
		free(why);
		return;
	}
	c->st.copied++;
	c->st.per_target[server]++;
}

/* Dry run: reads each planned item on its target and counts what a real run would do. */
static void check_items(struct copier *c)
{
	struct store_req g[COPY_BATCH];
	size_t gi[COPY_BATCH], m = 0;
	int64_t now = time(NULL);
	for (size_t i = 0; i < c->n; i++) {
		long home = plan_item(c, i, now);
		if (home < 0)
			continue;
		memset(&g[m], 0, sizeof(g[m]));
		g[m].op = ST_GET;
		g[m].server = (size_t)home;
		g[m].key = c->items[i].key;
		g[m].key_len = c->items[i].key_len;
		gi[m++] = i;
	}
	store_run(&c->dst_store, g, m);
	for (size_t q = 0; q < m; q++) {
		const struct copy_item *it = &c->items[gi[q]];
		if (g[q].status == ST_ERROR) {
			fail_item(c, it, g[q].error ? g[q].error : "reading the target failed");
		} else if (same_copy(&g[q], it)) {
			c->st.already++;
			c->st.per_target[g[q].server] += c->move;	/* its source would go */
		} else if (g[q].status == ST_DONE && !c->overwrite) {
			c->st.conflicts++;
			report(c, it, CE_CONFLICT, "a different session with this id is already on the target; "
				      "would be kept (use --overwrite to replace it)");
		} else {
			would_copy(c, it, g[q].server);
		}
	}
	store_reqs_release(g, m);
}

/* Phase 1: add (or set) every planned item on its target. */
static size_t write_items(struct copier *c, struct store_req *w, size_t *idx)
{
	int64_t now = time(NULL);
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++) {
		long home = plan_item(c, i, now);
		if (home < 0)
			continue;
		const struct copy_item *it = &c->items[i];
		struct store_req *r = &w[n];
		memset(r, 0, sizeof(*r));
		r->op = c->overwrite ? ST_SET : ST_ADD;
		r->server = (size_t)home;
		r->key = it->key;
		r->key_len = it->key_len;
		r->value = it->value;
		r->value_len = it->value_len;
		r->flags = it->flags;
		r->exp = it->exp;
		idx[n++] = i;
	}
	store_run(&c->dst_store, w, n);
	return n;
}

/* Phase 2: read back each written (or already present) item; returns how many are confirmed
 * (their indexes left in ok[]). */
static size_t confirm_items(struct copier *c, struct store_req *w, const size_t *idx, size_t n,
			    size_t *ok)
{
	struct store_req g[COPY_BATCH];
	size_t gi[COPY_BATCH], m = 0, k = 0;
	for (size_t j = 0; j < n; j++) {
		const struct copy_item *it = &c->items[idx[j]];
		if (w[j].status == ST_ERROR) {
			fail_item(c, it, w[j].error ? w[j].error : "write failed");
			continue;
		}
		memset(&g[m], 0, sizeof(g[m]));
		g[m].op = ST_GET;
		g[m].server = w[j].server;
		g[m].key = it->key;
		g[m].key_len = it->key_len;
		gi[m++] = j;
	}
	store_run(&c->dst_store, g, m);
	for (size_t q = 0; q < m; q++) {
		size_t j = gi[q];
		const struct copy_item *it = &c->items[idx[j]];
		int same = same_copy(&g[q], it);
		if (g[q].status == ST_ERROR) {
			fail_item(c, it, g[q].error ? g[q].error : "read-back failed");
		} else if (same) {
			if (w[j].status == ST_DONE)
				c->st.copied++;
			else
				c->st.already++;
			ok[k++] = idx[j];
		} else if (w[j].status == ST_NOT_STORED) {
			c->st.conflicts++;
			report(c, it, CE_CONFLICT, "a different session with this id is already on the target; "
				      "kept both (use --overwrite to replace it)");
		} else {
			fail_item(c, it, "the copy could not be read back from the target; source kept");
		}
	}
	store_reqs_release(g, m);
	return k;
}

/* Phase 3: delete the source copies of confirmed items, only if unchanged since read. */
static void delete_sources(struct copier *c, const size_t *ok, size_t k)
{
	struct store_req d[COPY_BATCH];
	size_t di[COPY_BATCH], m = 0;
	for (size_t j = 0; j < k; j++) {
		const struct copy_item *it = &c->items[ok[j]];
		int s = it->src_name ? pool_find(c->src, it->src_name) : -1;
		if (s < 0) {
			c->st.source_failed++;
			report(c, it, CE_FAILED, "source server is not in the --from pool; source kept");
			continue;
		}
		memset(&d[m], 0, sizeof(d[m]));
		d[m].op = ST_DELETE;
		d[m].server = (size_t)s;
		d[m].key = it->key;
		d[m].key_len = it->key_len;
		d[m].cas = it->cas;
		di[m++] = ok[j];
	}
	store_run(&c->src_store, d, m);
	for (size_t q = 0; q < m; q++) {
		const struct copy_item *it = &c->items[di[q]];
		if (d[q].status == ST_DONE) {
			c->st.moved++;
		} else if (d[q].status == ST_EXISTS) {
			c->st.source_changed++;
			report(c, it, CE_SOURCE_CHANGED, "changed on the source during the copy; source kept, target has "
				      "the older copy (re-run with --overwrite)");
		} else if (d[q].status == ST_NOT_FOUND) {
			c->st.source_gone++;
		} else {
			c->st.source_failed++;
			c->failed_now = 1;
			report(c, it, CE_FAILED, d[q].error ? d[q].error : "deleting the source failed; both copies kept");
		}
	}
	store_reqs_release(d, m);
}

void copier_flush(struct copier *c)
{
	struct store_req w[COPY_BATCH];
	size_t idx[COPY_BATCH], ok[COPY_BATCH];
	c->failed_now = 0;
	if (c->n == 0)
		return;
	if (c->dry_run) {
		check_items(c);
		c->n = 0;
		return;
	}
	size_t n = write_items(c, w, idx);
	size_t k = confirm_items(c, w, idx, n, ok);
	store_reqs_release(w, n);
	if (c->move && c->src && k)
		delete_sources(c, ok, k);
	c->n = 0;
}
