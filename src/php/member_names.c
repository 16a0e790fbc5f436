/* member_names.c: the member names of a PHP array or object as JSON shows them (see
 * member_names.h), for both JSON writers of value_json.c. */
#include "php/member_names.h"
#include "php/json_escape.h"

#include <stdlib.h>
#include <string.h>

int member_names_class_key(const struct pv *k)
{
	return k->type == PV_STRING && k->u.str.len == 7 && memcmp(k->u.str.ptr, "__class", 7) == 0;
}

int member_names_foreign_private(const struct pv *v, const struct pv_entry *e)
{
	return e->vis == PV_PRIVATE && e->decl_class &&
	       strcmp(e->decl_class, v->class_name ? v->class_name : "") != 0;
}

/* Appends the bytes as a member name: as they are when UTF-8, else escaped \xNN. */
static void add_name_text(struct buf *keys, const char *s, size_t n)
{
	if (utf8_valid(s, n))
		buf_add(keys, s, n);
	else
		buf_add_escaped(keys, s, n);
}

/* Appends key as a member name to keys (an int key as its digits, as set_member in
 * value_json.c names it). */
static void add_key_text(struct buf *keys, const struct pv *key)
{
	if (key->type == PV_INT)
		json_write_int(keys, key->u.i);
	else
		add_name_text(keys, key->u.str.ptr, key->u.str.len);
}

static int same_key(const struct member_names *nm, const struct member_span *a,
		    const struct member_span *b)
{
	return a->len == b->len && memcmp(nm->keys.ptr + a->off, nm->keys.ptr + b->off, a->len) == 0;
}

/* 1 when the properties a and b, of one plain name, are one property of PHP's (the same
 * mangled name: a later one replaces the earlier, as in unserialize()). */
static int same_property(const struct pv_entry *a, const struct pv_entry *b)
{
	if (a->vis != b->vis)
		return 0;
	return a->vis != PV_PRIVATE || strcmp(a->decl_class ? a->decl_class : "",
					      b->decl_class ? b->decl_class : "") == 0;
}

/* Among the spans [base, base + m) of the object v: names each private property of another
 * class "Other::name" when another property has its plain name, so that PHP's shadowed
 * properties all show. Names that still repeat (hostile data) are left to the last-one-wins
 * rule. */
static void name_shadowed(struct member_names *nm, const struct pv *v, size_t base, size_t m)
{
	if (!member_names_repeats(nm, base, m))
		return;
	unsigned char *shared = xcalloc(m, 1);	/* by first span: two properties share the name */
	for (size_t k = base; k < base + m; k++) {
		size_t f = nm->spans[k].first;
		if (f != k && !same_property(&v->items[nm->spans[k].item], &v->items[nm->spans[f].item]))
			shared[f - base] = 1;
	}
	struct buf name = BUF_INIT;
	for (size_t k = base; k < base + m; k++) {
		struct member_span *s = &nm->spans[k];
		const struct pv_entry *e = &v->items[s->item];
		int rename = shared[s->first - base] && member_names_foreign_private(v, e);
		s->first = k;
		if (!rename)
			continue;
		buf_reset(&name);
		buf_adds(&name, e->decl_class);
		buf_add(&name, "::", 2);
		buf_add(&name, e->key->u.str.ptr, e->key->u.str.len);
		s->off = nm->keys.len;
		add_name_text(&nm->keys, name.ptr, name.len);
		s->len = nm->keys.len - s->off;
	}
	buf_release(&name);
	free(shared);
}

/* Leaves out the spans of [base, base + m) named "__class"; returns how many are left. */
static size_t drop_class_keys(struct member_names *nm, size_t base, size_t m)
{
	size_t n = base;
	for (size_t k = base; k < base + m; k++) {
		const struct member_span *s = &nm->spans[k];
		if (s->len == 7 && memcmp(nm->keys.ptr + s->off, "__class", 7) == 0)
			continue;
		nm->spans[n] = *s;
		nm->spans[n].first = n;
		n++;
	}
	nm->n_spans = n;
	return n - base;
}

size_t member_names_collect(struct member_names *nm, const struct pv *v)
{
	size_t base = nm->n_spans;
	int object = v->type == PV_OBJECT, foreign = 0, class_key = 0;
	for (size_t i = 0; i < v->n_items; i++) {
		const struct pv *k = v->items[i].key;
		if (object) {
			foreign |= member_names_foreign_private(v, &v->items[i]);
			class_key |= member_names_class_key(k);
		}
		if (nm->n_spans == nm->cap_spans) {
			nm->cap_spans = nm->cap_spans ? nm->cap_spans * 2 : 16;
			nm->spans = xrealloc(nm->spans, nm->cap_spans * sizeof(*nm->spans));
		}
		struct member_span *s = &nm->spans[nm->n_spans];
		s->off = nm->keys.len;
		add_key_text(&nm->keys, k);
		s->len = nm->keys.len - s->off;
		s->item = i;
		s->first = nm->n_spans++;
	}
	size_t m = nm->n_spans - base;
	if (foreign)
		name_shadowed(nm, v, base, m);
	if (class_key)
		m = drop_class_keys(nm, base, m);
	return m;
}

/* find_repeats for many members: a hash set of span numbers + 1. */
static int find_repeats_hashed(struct member_names *nm, size_t base, size_t m)
{
	size_t size = 64;
	while (size < 2 * m)
		size *= 2;
	size_t *set = xcalloc(size, sizeof(*set));
	int repeats = 0;
	for (size_t k = base; k < base + m; k++) {
		struct member_span *s = &nm->spans[k];
		size_t h = (size_t)hash_bytes(nm->keys.ptr + s->off, s->len) & (size - 1);
		while (set[h] && !same_key(nm, &nm->spans[set[h] - 1], s))
			h = (h + 1) & (size - 1);
		if (set[h]) {
			s->first = set[h] - 1;
			repeats = 1;
		} else {
			set[h] = k + 1;
		}
	}
	free(set);
	return repeats;
}

int member_names_repeats(struct member_names *nm, size_t base, size_t m)
{
	if (m > 16)
		return find_repeats_hashed(nm, base, m);
	int repeats = 0;
	for (size_t k = base + 1; k < base + m; k++) {
		for (size_t j = base; j < k; j++) {
			if (same_key(nm, &nm->spans[j], &nm->spans[k])) {
				nm->spans[k].first = j;
				repeats = 1;
				break;
			}
		}
	}
	return repeats;
}

void member_names_release(struct member_names *nm)
{
	buf_release(&nm->keys);
	free(nm->spans);
	nm->spans = NULL;
	nm->n_spans = nm->cap_spans = 0;
}
