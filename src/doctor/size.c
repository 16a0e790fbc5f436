/* doctor/size.c: serialize() lengths (see size.h). */
#include "doctor/size.h"

#include <stdio.h>
#include <string.h>

/* Decimal digits of u. */
static uint64_t digits(uint64_t u)
{
	uint64_t n = 1;
	while (u >= 10) {
		u /= 10;
		n++;
	}
	return n;
}

static uint64_t int_digits(int64_t i)
{
	return i < 0 ? 1 + digits((uint64_t)0 - (uint64_t)i) : digits((uint64_t)i);
}

/* "len:\"text\"" */
static uint64_t quoted(size_t len)
{
	return digits(len) + 3 + len;
}

static uint64_t entries(const struct pv *v)
{
	uint64_t n = 0;
	for (size_t i = 0; i < v->n_items; i++)
		n += doc_serialized_size(v->items[i].key) + doc_serialized_size(v->items[i].value);
	return n;
}

uint64_t doc_serialized_size(const struct pv *v)
{
	char d[40];
	if (!v)
		return 2;
	switch (v->type) {
	case PV_NULL: return 2;				/* N; */
	case PV_BOOL: return 4;				/* b:1; */
	case PV_INT: return 3 + int_digits(v->u.i);	/* i:5; */
	case PV_FLOAT: return 3 + (uint64_t)snprintf(d, sizeof(d), "%.17g", v->u.d);
	case PV_STRING: return 3 + quoted(v->u.str.len);	/* s:1:"x"; */
	case PV_ARRAY:					/* a:1:{...} */
		return 5 + digits(v->n_items) + entries(v);
	case PV_OBJECT:					/* O:1:"C":1:{...} */
		return 2 + quoted(v->class_name ? strlen(v->class_name) : 0) + 4 +
		       digits(v->n_items) + entries(v);
	case PV_CUSTOM:					/* C:1:"C":3:{abc} */
		return 2 + quoted(v->class_name ? strlen(v->class_name) : 0) + 1 +
		       digits(v->u.str.len) + 3 + v->u.str.len;
	case PV_ENUM:					/* E:5:"C:Case"; */
		return 3 + quoted((v->class_name ? strlen(v->class_name) : 0) + 1 + v->u.str.len);
	case PV_REF:
		return 3 + digits(v->target ? v->target->slot : 0);	/* R:2; */
	}
	return 2;
}
