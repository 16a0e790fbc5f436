/* value.c: the PHP value tree (see value.h). */
#include "php/value.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <stdio.h>
#include <errno.h>

struct pv *pv_new(enum pv_type type)
{
	struct pv *v = xcalloc(1, sizeof(*v));
	v->type = type;
	return v;
}

struct pv *pv_new_int(int64_t i)
{
	struct pv *v = pv_new(PV_INT);
	v->u.i = i;
	return v;
}

struct pv *pv_new_string(const char *s, size_t len)
{
	struct pv *v = pv_new(PV_STRING);
	v->u.str.ptr = xstrndup(s, len);
	v->u.str.len = len;
	return v;
}

struct pv_entry *pv_append(struct pv *c, struct pv *key, struct pv *value)
{
	if (c->n_items == c->cap_items) {
		c->cap_items = c->cap_items ? c->cap_items * 2 : 4;
		c->items = xrealloc(c->items, c->cap_items * sizeof(*c->items));
	}
	struct pv_entry *e = &c->items[c->n_items++];
	e->key = key;
	e->value = value;
	e->vis = PV_PUBLIC;
	e->decl_class = NULL;
	e->igb_skipped = 0;
	e->int_key = 0;
	return e;
}

void pv_free(struct pv *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n_items; i++) {
		pv_free(v->items[i].key);
		pv_free(v->items[i].value);
		free(v->items[i].decl_class);
	}
	free(v->items);
	free(v->class_name);
	if (v->type == PV_STRING || v->type == PV_CUSTOM || v->type == PV_ENUM ||
	    v->type == PV_ARRAY)
		free(v->u.str.ptr);
	free(v);
}

void pv_build_init(struct pv_build *b, int check)
{
	b->check = check;
	if (!check)
		return;	/* the stand-ins are only for check mode */
	memset(b->stand_in, 0, sizeof(b->stand_in));
	for (enum pv_type t = PV_NULL; t <= PV_REF; t++)
		b->stand_in[t].type = t;
}

struct pv *pv_build_node(struct pv_build *b, enum pv_type type)
{
	return b->check ? &b->stand_in[type] : pv_new(type);
}

struct pv *pv_build_int(struct pv_build *b, int64_t i)
{
	return b->check ? &b->stand_in[PV_INT] : pv_new_int(i);
}

struct pv *pv_build_string(struct pv_build *b, const char *s, size_t len)
{
	return b->check ? &b->stand_in[PV_STRING] : pv_new_string(s, len);
}

char *pv_build_text(const struct pv_build *b, const char *s, size_t len)
{
	return b->check ? NULL : xstrndup(s, len);
}

struct pv_entry *pv_build_append(const struct pv_build *b, struct pv *container, struct pv *key,
				 struct pv *value)
{
	return b->check ? NULL : pv_append(container, key, value);
}

void pv_build_drop(const struct pv_build *b, struct pv *v)
{
	if (!b->check)
		pv_free(v);
}

const struct pv *pv_deref(const struct pv *v)
{
	/* References only point backwards, so a chain ends; bound it anyway. */
	for (int i = 0; v && v->type == PV_REF && i < 1024; i++)
		v = v->target;
	return v && v->type == PV_REF ? NULL : v;
}

/* Does entry key k match the path segment seg (n bytes)? */
static int key_matches(const struct pv *k, const char *seg, size_t n)
{
	if (k->type == PV_STRING)
		return k->u.str.len == n && memcmp(k->u.str.ptr, seg, n) == 0;
	if (k->type == PV_INT) {
		char tmp[32];
		int len = snprintf(tmp, sizeof(tmp), "%" PRId64, k->u.i);
		return (size_t)len == n && memcmp(tmp, seg, n) == 0;
	}
	return 0;
}

const struct pv *pv_lookup(const struct pv *root, const char *path)
{
	const struct pv *v = pv_deref(root);
	while (v && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		const struct pv *next = NULL;
		if (v->type == PV_ARRAY || v->type == PV_OBJECT) {
			for (size_t i = 0; i < v->n_items && !next; i++)
				if (key_matches(v->items[i].key, path, n))
					next = pv_deref(v->items[i].value);
		}
		v = next;
		path = dot ? dot + 1 : path + n;
	}
	return v;
}

const char *pv_type_name(enum pv_type type)
{
	switch (type) {
	case PV_NULL: return "NULL";
	case PV_BOOL: return "boolean";
	case PV_INT: return "integer";
	case PV_FLOAT: return "double";
	case PV_STRING: return "string";
	case PV_ARRAY: return "array";
	case PV_OBJECT: return "object";
	case PV_CUSTOM: return "object";
	case PV_ENUM: return "object";
	case PV_REF: return "reference";
	}
	return "unknown";
}

int pv_equals_text(const struct pv *v, const char *text)
{
	char *end;
	v = pv_deref(v);
	if (!v)
		return 0;
	switch (v->type) {
	case PV_STRING:
		return v->u.str.len == strlen(text) && memcmp(v->u.str.ptr, text, v->u.str.len) == 0;
	case PV_INT: {
		errno = 0;
		long long n = strtoll(text, &end, 10);
		return *text && !*end && !errno && n == v->u.i;
	}
	case PV_FLOAT: {
		double d = strtod(text, &end);
		return *text && !*end && d == v->u.d;
	}
	case PV_BOOL:
		if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
			return v->u.b != 0;
		if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0 || !*text)
			return v->u.b == 0;
		return 0;
	case PV_NULL:
		return strcmp(text, "null") == 0 || !*text;
	default:
		return 0;
	}
}
