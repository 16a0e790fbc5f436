/* serialize.c: PHP's serialize() (ext/standard/var.c, php_var_serialize_intern) of a pv tree.
 * Every value but R: takes the next variable number, C: payload values included (PHP's
 * Serializable::serialize() shares the outer numbering), as unserialize.c counts them. */
#include "php/serialize.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shortest digits (no dot, no sign) that read back as d > 0, and the decimal exponent:
 * d = 0.DIGITS * 10^decpt, as zend_dtoa mode 0 gives them. */
static void shortest_digits(double d, char digits[24], int *decpt)
{
	char tmp[40];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d || prec == 17)
			break;
	}
	/* tmp is "D.DDDDe+XX" or "De+XX" */
	char *e = strchr(tmp, 'e');
	int exp10 = atoi(e + 1);
	size_t n = 0;
	for (char *p = tmp; p < e; p++)
		if (*p != '.')
			digits[n++] = *p;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*decpt = exp10 + 1;
}

void php_format_float(struct buf *out, double d)
{
	if (isnan(d)) {
		buf_adds(out, "NAN");
		return;
	}
	if (isinf(d)) {
		buf_adds(out, d < 0 ? "-INF" : "INF");
		return;
	}
	if (signbit(d))
		buf_addc(out, '-');
	if (d == 0) {
		buf_addc(out, '0');
		return;
	}
	char digits[24];
	int decpt;
	shortest_digits(fabs(d), digits, &decpt);
	if (decpt < 0 ? decpt < -3 : decpt > 17) {
		/* 1.0E+25, 1.5E-7 */
		int e = decpt - 1;
		buf_printf(out, "%c.%s", digits[0], digits[1] ? digits + 1 : "0");
		buf_printf(out, "E%c%d", e < 0 ? '-' : '+', e < 0 ? -e : e);
	} else if (decpt <= 0) {
		buf_adds(out, "0.");
		for (int i = decpt; i < 0; i++)
			buf_addc(out, '0');
		buf_adds(out, digits);
	} else {
		size_t n = strlen(digits);
		for (int i = 0; i < decpt; i++)
			buf_addc(out, (size_t)i < n ? digits[i] : '0');
		if ((size_t)decpt < n)
			buf_printf(out, ".%s", digits + decpt);
	}
}

static void add_string(struct buf *out, char tag, const char *s, size_t len)
{
	buf_printf(out, "%c:%zu:\"", tag, len);
	buf_add(out, s, len);
	buf_adds(out, "\";");
}

/* An object's property name as PHP stores it: \0*\0name, \0Class\0name, or name. */
static void add_prop_name(struct buf *out, const struct pv_entry *e)
{
	const struct pv *k = e->key;
	if (e->int_key) {
		buf_printf(out, "i:%.*s;", (int)k->u.str.len, k->u.str.ptr);
		return;
	}
	const char *cls = e->vis == PV_PROTECTED ? "*" : e->vis == PV_PRIVATE ? e->decl_class : NULL;
	size_t cls_len = cls ? strlen(cls) : 0;
	size_t len = k->u.str.len + (cls ? cls_len + 2 : 0);
	buf_printf(out, "s:%zu:\"", len);
	if (cls) {
		buf_addc(out, '\0');
		buf_add(out, cls, cls_len);
		buf_addc(out, '\0');
	}
	buf_add(out, k->u.str.ptr, k->u.str.len);
	buf_adds(out, "\";");
}

static void add_entries(struct buf *out, struct pv *v, unsigned *counter)
{
	for (size_t i = 0; i < v->n_items; i++) {
		const struct pv_entry *e = &v->items[i];
		if (v->type == PV_OBJECT)
			add_prop_name(out, e);
		else if (e->key->type == PV_INT)
			buf_printf(out, "i:%" PRId64 ";", e->key->u.i);
		else
			add_string(out, 's', e->key->u.str.ptr, e->key->u.str.len);
		pv_serialize(out, e->value, counter);
	}
	buf_addc(out, '}');
}

/* Numbers the values of a C: payload (written verbatim) as PHP's nested serialize() did. */
static void count_payload(struct pv *v, unsigned *counter)
{
	struct buf ignored = BUF_INIT;
	for (size_t i = 0; i < v->n_items; i++)
		pv_serialize(&ignored, v->items[i].value, counter);
	buf_release(&ignored);
}

void pv_serialize(struct buf *out, struct pv *v, unsigned *counter)
{
	if (v->type == PV_REF && v->hard) {
		buf_printf(out, "R:%u;", v->target->slot);
		return;
	}
	v->slot = ++*counter;
	switch (v->type) {
	case PV_NULL: buf_adds(out, "N;"); break;
	case PV_BOOL: buf_printf(out, "b:%d;", v->u.b ? 1 : 0); break;
	case PV_INT: buf_printf(out, "i:%" PRId64 ";", v->u.i); break;
	case PV_FLOAT:
		buf_adds(out, "d:");
		php_format_float(out, v->u.d);
		buf_addc(out, ';');
		break;
	case PV_STRING: add_string(out, 's', v->u.str.ptr, v->u.str.len); break;
	case PV_ARRAY:
		buf_printf(out, "a:%zu:{", v->n_items);
		add_entries(out, v, counter);
		break;
	case PV_OBJECT:
		buf_printf(out, "O:%zu:\"%s\":%zu:{", strlen(v->class_name), v->class_name,
			   v->n_items);
		add_entries(out, v, counter);
		break;
	case PV_CUSTOM:
		buf_printf(out, "C:%zu:\"%s\":%zu:{", strlen(v->class_name), v->class_name,
			   v->u.str.len);
		buf_add(out, v->u.str.ptr, v->u.str.len);
		buf_addc(out, '}');
		count_payload(v, counter);
		break;
	case PV_ENUM:
		buf_printf(out, "E:%zu:\"%s:", strlen(v->class_name) + 1 + v->u.str.len,
			   v->class_name);
		buf_add(out, v->u.str.ptr, v->u.str.len);
		buf_adds(out, "\";");
		break;
	case PV_REF: buf_printf(out, "r:%u;", v->target->slot); break;
	}
}
