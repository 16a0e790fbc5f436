/* copy.c: the confirm-before-delete copy engine (see copy.h). */
#include "mc/copy.h"

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

/* Are replicas written (--replicas, and a target pool of more than one server)? */
static int replicating(const struct copier *c)
{
	return c->replicas > 0 && c->dst->n > 1;
}

/* How many replicas a session has in a pool of n servers: --replicas, at most the others. */
static size_t replica_count(const struct copier *c, size_t n)
{
	return c->replicas < n - 1 ? c->replicas : n - 1;
}

/* The servers of item it's replicas in the target pool: the c->replicas servers after the one
 * PHP reads it from, in the pool's order, wrapping (libmemcached's replication). Returns how
 * many (at most the pool's other servers). */
static size_t replica_servers(const struct copier *c, const struct copy_item *it, size_t *out)
{
	size_t n = c->dst->n, home = pool_home(c->dst, it->sid, it->sid_len);
	size_t r = replica_count(c, n);
	for (size_t i = 0; i < r; i++)
		out[i] = (home + 1 + i) % n;
	return r;
}

/* Is item it already on the server PHP reads it from in the target pool (a rebalance)? */
static int stays(const struct copier *c, const struct copy_item *it, size_t home)
{
	return it->src_name && strcmp(it->src_name, c->dst->servers[home].name) == 0;
}

/* Decides whether item i is written; counts the skipped. Returns the target server or -1. An
 * item that stays where it is is skipped (with replicas, its replicas are seen to apart). */
static long plan_item(struct copier *c, size_t i, int64_t now)
{
	const struct copy_item *it = &c->items[i];
	size_t home = pool_home(c->dst, it->sid, it->sid_len);
	if (it->exp >= 0 && it->exp <= now) {
		c->st.expired++;
		return -1;
	}
	if (stays(c, it, home)) {
		c->st.unchanged += !replicating(c);
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

/* The read-back of write w. A write that stored: the item's size and flags, not its value (the
 * server stored the bytes it was sent; what is confirmed is that they are still there, or
 * that a newer write of the same size replaced them). An add that found the key: the value,
 * to tell a copy already there from another session. */
static struct store_req readback(const struct store_req *w)
{
	return (struct store_req){ .op = w->status == ST_DONE ? ST_CHECK : ST_GET,
				   .server = w->server, .key = w->key, .key_len = w->key_len };
}

/* Does the read-back g (see readback) show that the target holds item it? */
static int holds_copy(const struct store_req *g, const struct copy_item *it)
{
	if (g->op == ST_CHECK)
		return g->status == ST_DONE && g->got_size == it->value_len &&
		       g->got_flags == it->flags;
	return same_copy(g, it);
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
 * (their indexes left in ok[], fresh[] 1 when this run wrote it, 0 when it was there). */
static size_t confirm_items(struct copier *c, struct store_req *w, const size_t *idx, size_t n,
			    size_t *ok, unsigned char *fresh)
{
	struct store_req g[COPY_BATCH];
	size_t gi[COPY_BATCH], m = 0, k = 0;
	for (size_t j = 0; j < n; j++) {
		const struct copy_item *it = &c->items[idx[j]];
		if (w[j].status == ST_ERROR) {
			fail_item(c, it, w[j].error ? w[j].error : "write failed");
			continue;
		}
		g[m] = readback(&w[j]);
		gi[m++] = j;
	}
	store_run(&c->dst_store, g, m);
	for (size_t q = 0; q < m; q++) {
		size_t j = gi[q];
		const struct copy_item *it = &c->items[idx[j]];
		int same = holds_copy(&g[q], it);
		if (g[q].status == ST_ERROR) {
			fail_item(c, it, g[q].error ? g[q].error : "read-back failed");
		} else if (same) {
			fresh[k] = w[j].status == ST_DONE;
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

/* Is server name one that holds item it in the target pool (its own or a replica's)? */
static int target_holds(const struct copier *c, const struct copy_item *it, const char *name)
{
	size_t n = c->dst->n, home = pool_home(c->dst, it->sid, it->sid_len);
	size_t r = replica_count(c, n);
	for (size_t i = 0; i <= r; i++)
		if (strcmp(c->dst->servers[(home + i) % n].name, name) == 0)
			return 1;
	return 0;
}

/* With --replicas and --move: the replicas of each session whose source copy was deleted (d,
 * m of them; di: their items) go too, from the servers after its own in the source pool. */
static void delete_source_replicas(struct copier *c, const struct store_req *d, const size_t *di,
				   size_t m)
{
	size_t n = c->src->n, r = replica_count(c, n), k = 0;
	struct store_req *x = xcalloc(m * r + 1, sizeof(*x));
	size_t *xi = xcalloc(m * r + 1, sizeof(*xi));
	for (size_t q = 0; q < m; q++) {
		if (d[q].status != ST_DONE)
			continue;
		for (size_t i = 1; i <= r; i++) {
			size_t s = (d[q].server + i) % n;
			if (target_holds(c, &c->items[di[q]], c->src->servers[s].name))
				continue;	/* a rebalance: the copy there is the target's */
			x[k] = (struct store_req){ .op = ST_DELETE, .server = s, .key = d[q].key,
						   .key_len = d[q].key_len };
			xi[k++] = di[q];
		}
	}
	store_run(&c->src_store, x, k);
	for (size_t j = 0; j < k; j++) {
		if (x[j].status != ST_ERROR)
			continue;
		c->st.source_failed++;
		c->failed_now = 1;
		report(c, &c->items[xi[j]], CE_FAILED, x[j].error ? x[j].error :
		       "deleting a replica on the source failed; it stays");
	}
	store_reqs_release(x, k);
	free(x);
	free(xi);
}

/* Moving, items whose source copy stays (ok[], k: it is where the target pool holds the session
 * too) leave no replica behind where the source pool had one and the target pool has none. */
static void drop_old_replicas(struct copier *c, const size_t *ok, size_t k)
{
	struct store_req d[COPY_BATCH];
	size_t di[COPY_BATCH], m = 0;
	for (size_t j = 0; j < k; j++) {
		const struct copy_item *it = &c->items[ok[j]];
		int s = pool_find(c->src, it->src_name);
		if (s < 0)
			continue;
		d[m] = (struct store_req){ .status = ST_DONE, .server = (size_t)s, .key = it->key,
					   .key_len = it->key_len };
		di[m++] = ok[j];
	}
	delete_source_replicas(c, d, di, m);
}

/* Phase 3: delete the source copies of confirmed items, only if unchanged since read. */
static void delete_sources(struct copier *c, const size_t *ok, size_t k)
{
	struct store_req d[COPY_BATCH];
	size_t di[COPY_BATCH], m = 0, kept[COPY_BATCH], nk = 0;
	for (size_t j = 0; j < k; j++) {
		const struct copy_item *it = &c->items[ok[j]];
		int s = it->src_name ? pool_find(c->src, it->src_name) : -1;
		if (s < 0) {
			c->st.source_failed++;
			report(c, it, CE_FAILED, "source server is not in the --from pool; source kept");
			continue;
		}
		if (replicating(c) && target_holds(c, it, it->src_name)) {
			c->st.moved++;	/* a rebalance: its old copy is now one of its replicas */
			kept[nk++] = ok[j];
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
	if (replicating(c)) {
		delete_source_replicas(c, d, di, m);
		drop_old_replicas(c, kept, nk);
	}
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

/* Reads back the replica writes w (m; wi: the index in ok[] each is for) and clears good[] of
 * every item one of whose replicas is not there with its bytes. */
static void confirm_replicas(struct copier *c, struct store_req *w, const size_t *wi, size_t m,
			     const size_t *ok, unsigned char *good)
{
	struct store_req *g = xcalloc(m ? m : 1, sizeof(*g));
	for (size_t q = 0; q < m; q++)
		g[q] = readback(&w[q]);
	store_run(&c->dst_store, g, m);
	for (size_t q = 0; q < m; q++) {
		const struct copy_item *it = &c->items[ok[wi[q]]];
		if (!good[wi[q]])
			continue;
		if (w[q].status == ST_ERROR || g[q].status == ST_ERROR) {
			fail_item(c, it, w[q].error ? w[q].error : g[q].error ? g[q].error :
				  "replica write failed");
		} else if (holds_copy(&g[q], it)) {
			continue;
		} else if (w[q].status == ST_NOT_STORED) {
			c->st.conflicts++;
			char *why = xasprintf("a different session with this id is in its replica on %s; "
					      "kept (use --overwrite to replace it)",
					      c->dst->servers[w[q].server].name);
			report(c, it, CE_CONFLICT, why);
			free(why);
		} else {
			fail_item(c, it, "a replica could not be read back from the target; source kept");
		}
		good[wi[q]] = 0;
	}
	store_reqs_release(g, m);
	free(g);
}

/* Phase 2b (--replicas): writes each confirmed item (ok[], k) to its replica servers and reads
 * them back; keeps in ok[] (and fresh[]) only the items whose every replica holds its bytes.
 * Returns how many are left. */
static size_t replicate(struct copier *c, size_t *ok, unsigned char *fresh, size_t k)
{
	size_t per = c->dst->n, m = 0, *wi = xcalloc(k * per + 1, sizeof(*wi));
	struct store_req *w = xcalloc(k * per + 1, sizeof(*w));
	unsigned char *good = xcalloc(k + 1, 1);
	size_t *sv = xcalloc(per, sizeof(*sv));
	for (size_t j = 0; j < k; j++) {
		const struct copy_item *it = &c->items[ok[j]];
		good[j] = 1;
		for (size_t r = 0, nr = replica_servers(c, it, sv); r < nr; r++, m++) {
			w[m] = (struct store_req){ .op = c->overwrite ? ST_SET : ST_ADD, .server = sv[r],
						   .key = it->key, .key_len = it->key_len,
						   .value = it->value, .value_len = it->value_len,
						   .flags = it->flags, .exp = it->exp };
			wi[m] = j;
		}
	}
	store_run(&c->dst_store, w, m);
	confirm_replicas(c, w, wi, m, ok, good);
	store_reqs_release(w, m);
	size_t left = 0;
	for (size_t j = 0; j < k; j++) {
		if (!good[j])
			continue;
		fresh[left] = fresh[j];
		ok[left++] = ok[j];
	}
	free(w);
	free(wi);
	free(good);
	free(sv);
	return left;
}

/* With --replicas, the items that stay where they are (a rebalance) get their replicas seen to:
 * added where missing; counted unchanged once every one is there. */
static void replicate_stayers(struct copier *c)
{
	size_t ok[COPY_BATCH], k = 0;
	unsigned char fresh[COPY_BATCH] = { 0 };
	int64_t now = time(NULL);
	for (size_t i = 0; i < c->n; i++) {
		const struct copy_item *it = &c->items[i];
		if ((it->exp < 0 || it->exp > now) &&
		    stays(c, it, pool_home(c->dst, it->sid, it->sid_len)))
			ok[k++] = i;
	}
	if (k == 0)
		return;
	k = replicate(c, ok, fresh, k);
	c->st.unchanged += k;
	if (c->move && c->src)
		drop_old_replicas(c, ok, k);
}

void copier_flush(struct copier *c)
{
	struct store_req w[COPY_BATCH];
	size_t idx[COPY_BATCH], ok[COPY_BATCH];
	unsigned char fresh[COPY_BATCH];
	c->failed_now = 0;
	if (c->n == 0)
		return;
	if (c->dry_run) {
		check_items(c);
		c->n = 0;
		return;
	}
	size_t n = write_items(c, w, idx);
	size_t k = confirm_items(c, w, idx, n, ok, fresh);
	store_reqs_release(w, n);
	if (replicating(c)) {
		k = replicate(c, ok, fresh, k);
		replicate_stayers(c);
	}
	for (size_t j = 0; j < k; j++)
		fresh[j] ? c->st.copied++ : c->st.already++;
	if (c->move && c->src && k)
		delete_sources(c, ok, k);
	c->n = 0;
}
