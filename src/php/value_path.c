/* value_path.c: paths into a decoded session, and changes at them (see value_path.h). */
#include "php/value_path.h"
#include "php/handlers.h"
#include "util.h"
#include "php/unserialize.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_seg(struct pv_path *p, struct buf *b)
{
	p->seg = xrealloc(p->seg, (p->n + 1) * sizeof(*p->seg));
	p->len = xrealloc(p->len, (p->n + 1) * sizeof(*p->len));
	p->len[p->n] = b->len;
	p->seg[p->n++] = b->ptr ? buf_detach(b, NULL) : xstrdup("");
}

int pv_path_parse(const char *text, struct pv_path *p, char **cause)
{
	struct buf b = BUF_INIT;
	int quoted = 0, was_quoted = 0;
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; text[i]; i++) {
		char c = text[i];
		if (c == '\\' && text[i + 1]) {
			buf_addc(&b, text[++i]);
		} else if (c == '"') {
			quoted = !quoted;
			was_quoted = 1;
		} else if (c == '.' && !quoted) {
			if (!b.len && !was_quoted)
				goto empty;
			add_seg(p, &b);
			was_quoted = 0;
		} else {
			buf_addc(&b, c);
		}
	}
	if (quoted) {
		*cause = xasprintf("path %s: unterminated quote", text);
		goto bad;
	}
	if (!b.len && !was_quoted)
		goto empty;
	add_seg(p, &b);
	return 0;
empty:
	*cause = xasprintf("path \"%s\": empty key (quote a key that holds a dot: a.\"b.c\")",
			   text);
bad:
	buf_release(&b);
	pv_path_release(p);
	return -1;
}

void pv_path_release(struct pv_path *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->seg[i]);
	free(p->seg);
	free(p->len);
	memset(p, 0, sizeof(*p));
}

/* Does entry e of container c answer to segment s (n bytes)? Array keys compare as PHP
 * converts them (the key "5" is 5); properties by plain name. */
static int entry_matches(const struct pv *c, const struct pv_entry *e, const char *s, size_t n)
{
	const struct pv *k = e->key;
	int64_t i;
	if (k->type == PV_INT)
		return c->type == PV_ARRAY && n && php_numeric_key(s, n, &i) && i == k->u.i;
	return k->u.str.len == n && memcmp(k->u.str.ptr, s, n) == 0;
}

static struct pv *follow(struct pv *v)
{
	for (int i = 0; v && v->type == PV_REF && i < 1024; i++)
		v = v->target;
	return v;
}

/* The path up to segment upto, for messages (new). */
static char *path_text(const struct pv_path *p, size_t upto)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i <= upto && i < p->n; i++) {
		if (i)
			buf_addc(&b, '.');
		buf_add_escaped(&b, p->seg[i], p->len[i]);
	}
	return buf_detach(&b, NULL);
}

/* Walks to the container of the last segment; *index gets the entry there or n_items when the
 * key is missing. Returns the container, or NULL with *cause. */
static struct pv *walk(struct pv *root, const struct pv_path *p, size_t *index, char **cause)
{
	struct pv *c = root;
	for (size_t s = 0; s < p->n; s++) {
		c = follow(c);
		if (!c || (c->type != PV_ARRAY && c->type != PV_OBJECT)) {
			char *at = path_text(p, s - 1);
			*cause = xasprintf("%s is %s, not an array or object", at,
					   c ? pv_type_name(c->type) : "a broken reference");
			free(at);
			return NULL;
		}
		size_t i = 0;
		while (i < c->n_items && !entry_matches(c, &c->items[i], p->seg[s], p->len[s]))
			i++;
		if (s + 1 == p->n) {
			*index = i;
			return c;
		}
		if (i == c->n_items) {
			char *at = path_text(p, s);
			*cause = xasprintf("no such key: %s", at);
			free(at);
			return NULL;
		}
		c = c->items[i].value;
	}
	*cause = xstrdup("empty path");
	return NULL;
}

/* The nodes of x (refs included) in nodes; grows it. */
static void collect(const struct pv *x, const struct pv ***nodes, size_t *n)
{
	*nodes = xrealloc(*nodes, (*n + 1) * sizeof(**nodes));
	(*nodes)[(*n)++] = x;
	for (size_t i = 0; i < x->n_items; i++)
		collect(x->items[i].value, nodes, n);
}

static int member(const struct pv *x, const struct pv **nodes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (nodes[i] == x)
			return 1;
	return 0;
}

/* Refuses to drop v when references outside it point into it: how many references point at
 * v's nodes, less those that come from v itself. */
static int check_unreferenced(const struct pv *v, const struct pv_path *p, char **cause)
{
	const struct pv **nodes = NULL;
	size_t n = 0, targeted = 0, internal = 0;
	collect(v, &nodes, &n);
	for (size_t i = 0; i < n; i++) {
		if (nodes[i]->type != PV_REF)
			targeted += nodes[i]->shared;
		else if (member(nodes[i]->target, nodes, n))
			internal++;
	}
	free(nodes);
	if (targeted <= internal)
		return 0;
	char *at = path_text(p, p->n - 1);
	*cause = xasprintf("%s is referenced elsewhere in the session (R:/r:); change it there or "
			   "edit the whole session", at);
	free(at);
	return -1;
}

/* Tells the targets of the references inside x that these go. */
static void drop_refs(struct pv *x)
{
	if (x->type == PV_REF && x->target->shared)
		x->target->shared--;
	for (size_t i = 0; i < x->n_items; i++)
		drop_refs(x->items[i].value);
}

/* Frees what v owns and takes over w's contents (v keeps its place, slot and referrers). */
static void replace_contents(struct pv *v, struct pv *w)
{
	unsigned shared = v->shared, slot = v->slot;
	struct pv old = *v;
	old.type = v->type;
	*v = *w;
	v->shared = shared;
	v->slot = slot;
	v->php_ref = old.php_ref;
	struct pv *shell = xcalloc(1, sizeof(*shell));
	*shell = old;
	shell->shared = 0;
	drop_refs(shell);
	pv_free(shell);
	free(w);
}

int pv_path_set(struct pv *root, const struct pv_path *p, struct pv *v, char **cause)
{
	size_t i;
	struct pv *c = walk(root, p, &i, cause);
	if (!c) {
		pv_free(v);
		return -1;
	}
	if (i == c->n_items) {
		int64_t k;
		const char *s = p->seg[p->n - 1];
		size_t n = p->len[p->n - 1];
		struct pv *key = c->type == PV_ARRAY && n && php_numeric_key(s, n, &k) ?
				 pv_new_int(k) : pv_new_string(s, n);
		pv_append(c, key, v);
		return 0;
	}
	struct pv *old = c->items[i].value;
	if (old->type == PV_REF && old->hard)
		old = follow(old);	/* assigning to a reference writes through it */
	if (old->type == PV_REF) {	/* an object handle: the variable now holds v */
		drop_refs(old);
		pv_free(old);
		c->items[i].value = v;
		return 0;
	}
	if (old->shared && v->type != PV_ARRAY && v->type != PV_OBJECT && v->type != PV_CUSTOM &&
	    v->type != PV_ENUM && (old->type == PV_OBJECT || old->type == PV_ENUM ||
				   old->type == PV_CUSTOM)) {
		char *at = path_text(p, p->n - 1);
		*cause = xasprintf("%s is an object other values refer to (r:); it stays an object",
				   at);
		free(at);
		pv_free(v);
		return -1;
	}
	/* the old contents go: nothing outside may refer into them */
	for (size_t k = 0; k < old->n_items; k++)
		if (check_unreferenced(old->items[k].value, p, cause)) {
			pv_free(v);
			return -1;
		}
	replace_contents(old, v);
	return 0;
}

int pv_path_unset(struct pv *root, const struct pv_path *p, char **cause)
{
	size_t i;
	struct pv *c = walk(root, p, &i, cause);
	if (!c)
		return -1;
	if (i == c->n_items) {
		char *at = path_text(p, p->n - 1);
		*cause = xasprintf("no such key: %s", at);
		free(at);
		return -1;
	}
	struct pv_entry *e = &c->items[i];
	if (check_unreferenced(e->value, p, cause))
		return -1;
	drop_refs(e->value);
	pv_free(e->key);
	pv_free(e->value);
	free(e->decl_class);
	memmove(e, e + 1, (c->n_items - i - 1) * sizeof(*e));
	c->n_items--;
	return 0;
}
