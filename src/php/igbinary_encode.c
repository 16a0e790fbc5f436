/* igbinary_encode.c: igbinary_serialize() of a pv tree (php-igbinary 3.x, src/php7/igbinary.c).
 * Every non-empty string written (values, keys, class names, enum case names) joins a string
 * table and is written again as its id; every array, object, and value written as a PHP
 * reference (&) takes the next reference id, which ref8/objref8 bytes name. */
#include "php/igbinary_encode.h"
#include "php/igbinary_format.h"

#include <stdlib.h>
#include <string.h>

/* The string table: bytes -> id, open addressing (the strings point into the tree). */
struct strtab_slot {
	const char *s;
	size_t len;
	uint64_t id;
};

struct igw {
	struct buf *out;
	struct strtab_slot *tab;
	size_t cap, n_strings;
	unsigned n_refs;
	struct buf **names;	/* mangled property names the table points into; owned */
	size_t n_names;
};

static struct strtab_slot *strtab_slot(const struct igw *w, const char *s, size_t len)
{
	size_t i = hash_bytes(s, len) & (w->cap - 1);
	while (w->tab[i].s && (w->tab[i].len != len || memcmp(w->tab[i].s, s, len) != 0))
		i = (i + 1) & (w->cap - 1);
	return &w->tab[i];
}

/* The id of the string, or -1 after adding it with the next id. */
static int64_t strtab_find_or_add(struct igw *w, const char *s, size_t len)
{
	if (2 * (w->n_strings + 1) > w->cap) {
		struct strtab_slot *old = w->tab;
		size_t old_cap = w->cap;
		w->cap = w->cap ? w->cap * 2 : 64;
		w->tab = xcalloc(w->cap, sizeof(*w->tab));
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].s)
				*strtab_slot(w, old[i].s, old[i].len) = old[i];
		free(old);
	}
	struct strtab_slot *slot = strtab_slot(w, s, len);
	if (slot->s)
		return (int64_t)slot->id;
	slot->s = s;
	slot->len = len;
	slot->id = w->n_strings++;
	return -1;
}

static void put_uint(struct buf *out, uint64_t u, unsigned width)
{
	for (unsigned i = width; i > 0; i--)
		buf_addc(out, (char)(u >> (8 * (i - 1))));
}

/* The smallest of the 8/16/32-bit forms (type base, base+1, base+2) for u. */
static void put_sized(struct buf *out, unsigned base, uint64_t u)
{
	unsigned step = u <= 0xff ? 0 : u <= 0xffff ? 1 : 2;
	buf_addc(out, (char)(base + step));
	put_uint(out, u, 1u << step);
}

static void put_long(struct buf *out, int64_t i)
{
	uint64_t k = i >= 0 ? (uint64_t)i : (uint64_t)0 - (uint64_t)i;
	int neg = i < 0;
	if (k > 0xffffffffu) {
		buf_addc(out, (char)(neg ? IGB_LONG64N : IGB_LONG64P));
		put_uint(out, k, 8);
		return;
	}
	unsigned step = k <= 0xff ? 0 : k <= 0xffff ? 1 : 2;
	buf_addc(out, (char)(IGB_LONG8P + 2 * step + neg));
	put_uint(out, k, 1u << step);
}

/* A string: empty, its id when written before, or in full (joining the table). base_id and
 * base_full are the 8-bit type bytes of the id and full forms. */
static void put_string(struct igw *w, const char *s, size_t len, unsigned base_id,
		       unsigned base_full)
{
	if (len == 0 && base_full == IGB_STRING8) {
		buf_addc(w->out, IGB_STRING_EMPTY);
		return;
	}
	int64_t id = strtab_find_or_add(w, s, len);
	if (id >= 0) {
		put_sized(w->out, base_id, (uint64_t)id);
		return;
	}
	if (base_full == IGB_STRING8 && len > 0xffffffffu) {
		buf_addc(w->out, IGB_STRING64);
		put_uint(w->out, len, 8);
	} else {
		put_sized(w->out, base_full, len);
	}
	buf_add(w->out, s, len);
}

static void put_value(struct igw *w, struct pv *v);

/* A property name as PHP stores it: \0*\0name, \0Class\0name, or name. */
static void put_prop_name(struct igw *w, const struct pv_entry *e)
{
	const struct pv *k = e->key;
	if (e->int_key) {
		put_long(w->out, strtoll(k->u.str.ptr, NULL, 10));
		return;
	}
	const char *cls = e->vis == PV_PROTECTED ? "*" : e->vis == PV_PRIVATE ? e->decl_class : NULL;
	if (!cls) {
		put_string(w, k->u.str.ptr, k->u.str.len, IGB_STRING_ID8, IGB_STRING8);
		return;
	}
	/* the table points at the name: it lives until the end of the encoding */
	struct buf *name = xcalloc(1, sizeof(*name));
	buf_addc(name, '\0');
	buf_adds(name, cls);
	buf_addc(name, '\0');
	buf_add(name, k->u.str.ptr, k->u.str.len);
	put_string(w, name->ptr, name->len, IGB_STRING_ID8, IGB_STRING8);
	w->names = xrealloc(w->names, (w->n_names + 1) * sizeof(*w->names));
	w->names[w->n_names++] = name;
}

static void put_entries(struct igw *w, struct pv *v)
{
	size_t count = v->n_items + (v->type == PV_OBJECT ? (size_t)v->u.i : 0);
	for (size_t i = 0; i < v->n_items; i++)
		count += v->items[i].igb_skipped;
	put_sized(w->out, IGB_ARRAY8, count);
	for (size_t i = 0; i < v->n_items; i++) {
		const struct pv_entry *e = &v->items[i];
		for (unsigned s = 0; s < e->igb_skipped; s++)
			buf_addc(w->out, IGB_NULL);
		if (v->type == PV_OBJECT)
			put_prop_name(w, e);
		else if (e->key->type == PV_INT)
			put_long(w->out, e->key->u.i);
		else
			put_string(w, e->key->u.str.ptr, e->key->u.str.len, IGB_STRING_ID8,
				   IGB_STRING8);
		put_value(w, e->value);
	}
	for (int64_t s = 0; v->type == PV_OBJECT && s < v->u.i; s++)
		buf_addc(w->out, IGB_NULL);
}

static int is_object(const struct pv *v)
{
	return v->type == PV_OBJECT || v->type == PV_CUSTOM || v->type == PV_ENUM;
}

static void put_object(struct igw *w, struct pv *v)
{
	put_string(w, v->class_name, strlen(v->class_name), IGB_OBJECT_ID8, IGB_OBJECT8);
	if (v->type == PV_OBJECT) {
		put_entries(w, v);
	} else if (v->type == PV_CUSTOM) {
		put_sized(w->out, IGB_OBJECT_SER8, v->u.str.len);
		buf_add(w->out, v->u.str.ptr, v->u.str.len);
	} else {
		buf_addc(w->out, IGB_ENUM_CASE);
		put_string(w, v->u.str.ptr, v->u.str.len, IGB_STRING_ID8, IGB_STRING8);
	}
}

static void put_value(struct igw *w, struct pv *v)
{
	if (v->type == PV_REF) {
		if (v->hard)
			buf_addc(w->out, IGB_REF);
		put_sized(w->out, is_object(v->target) ? IGB_OBJREF8 : IGB_REF8,
			  v->target->slot - 1);
		return;
	}
	int takes_id = v->type == PV_ARRAY || is_object(v) || v->php_ref || v->shared;
	if (v->php_ref || (v->shared && !(v->type == PV_ARRAY || is_object(v))))
		buf_addc(w->out, IGB_REF);
	v->slot = takes_id ? ++w->n_refs : 0;
	switch (v->type) {
	case PV_NULL: buf_addc(w->out, IGB_NULL); break;
	case PV_BOOL: buf_addc(w->out, v->u.b ? IGB_TRUE : IGB_FALSE); break;
	case PV_INT: put_long(w->out, v->u.i); break;
	case PV_FLOAT: {
		uint64_t u;
		memcpy(&u, &v->u.d, sizeof(u));
		buf_addc(w->out, IGB_DOUBLE);
		put_uint(w->out, u, 8);
		break;
	}
	case PV_STRING:
		put_string(w, v->u.str.ptr, v->u.str.len, IGB_STRING_ID8, IGB_STRING8);
		break;
	case PV_ARRAY: put_entries(w, v); break;
	case PV_OBJECT: case PV_CUSTOM: case PV_ENUM: put_object(w, v); break;
	case PV_REF: break;
	}
}

void igbinary_encode(struct buf *out, struct pv *v)
{
	struct igw w = { .out = out };
	put_uint(out, 2, 4);
	put_value(&w, v);
	for (size_t i = 0; i < w.n_names; i++) {
		buf_release(w.names[i]);
		free(w.names[i]);
	}
	free(w.names);
	free(w.tab);
}
