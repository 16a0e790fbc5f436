/* value_text.c: a pv tree as indented text for people (see value_text.h). Shape:
 *
 *   name: string(5) "alice"
 *   u: object(User) #3 (2)
 *     -name (private User): string(5) "alice"
 *     *role (protected): string(5) "admin"
 *   again: &ref #3 (object User)
 *
 * A value that references point at carries its slot (#3); references name it. A value the
 * crypto layer decrypted ends with "(decrypted: openssl)", one it found encrypted and could
 * not open with "(encrypted: openssl)". */
#include "php/value_text.h"
#include "php/value.h"
#include "codec/crypto.h"
#include "util.h"

#include <float.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Strings longer than this are cut (the full length is still shown). */
#define TREE_MAX_STRING 200

static locale_t c_locale(void)
{
	static locale_t loc;
	if (!loc)
		loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	return loc;
}

/* The shortest "%.Ne" form of d >= 0 that reads back as d. 15 digits are enough to find
 * it for normal numbers; subnormals have fewer significant digits. */
static void shortest_e(double d, char *out, size_t n)
{
	locale_t loc = c_locale(), old = loc ? uselocale(loc) : (locale_t)0;
	for (int prec = d < DBL_MIN ? 0 : 14; prec <= 16; prec++) {
		snprintf(out, n, "%.*e", prec, d);
		if (prec == 16 || (loc ? strtod_l(out, NULL, loc) : strtod(out, NULL)) == d)
			break;
	}
	if (loc)
		uselocale(old);
}

/* A float as PHP prints it with serialize_precision=-1 (0.1, 1.0E+25, -0.0, INF), except
 * that whole numbers keep ".0" as var_export does. */
static void add_float(struct buf *out, double d)
{
	char e[48], digits[24];
	size_t nd = 0;
	if (isnan(d) || isinf(d)) {
		buf_adds(out, isnan(d) ? "NAN" : d > 0 ? "INF" : "-INF");
		return;
	}
	shortest_e(fabs(d), e, sizeof(e));
	char *p = e;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	int exp = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (signbit(d))
		buf_addc(out, '-');
	if (exp < -4 || exp >= 17) {
		buf_printf(out, "%c.%.*sE%c%d", digits[0], nd > 1 ? (int)nd - 1 : 1,
			   nd > 1 ? digits + 1 : "0", exp < 0 ? '-' : '+', abs(exp));
	} else if (exp >= 0) {
		for (int i = 0; i <= exp; i++)
			buf_addc(out, (size_t)i < nd ? digits[i] : '0');
		buf_addc(out, '.');
		if ((size_t)exp + 1 < nd)
			buf_add(out, digits + exp + 1, nd - (size_t)exp - 1);
		else
			buf_addc(out, '0');
	} else {
		buf_adds(out, "0.");
		for (int i = 0; i < -exp - 1; i++)
			buf_addc(out, '0');
		buf_add(out, digits, nd);
	}
}

/* Appends UTF-8 text, escaping quotes, backslashes and control characters. */
static void add_text(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			buf_printf(out, "\\%c", c);
		else if (c == '\n')
			buf_adds(out, "\\n");
		else if (c == '\t')
			buf_adds(out, "\\t");
		else if (c == '\r')
			buf_adds(out, "\\r");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(out, "\\x%02x", c);
		else
			buf_addc(out, (char)c);
	}
}

/* Appends the quoted form of s: UTF-8 as text, anything else as \xNN escapes. */
static void add_quoted(struct buf *out, const char *s, size_t n, int utf8)
{
	buf_addc(out, '"');
	if (utf8)
		add_text(out, s, n);
	else
		buf_add_escaped(out, s, n);
	buf_addc(out, '"');
}

/* string(5) "alice", cut after TREE_MAX_STRING bytes, marked (binary) if not UTF-8. */
static void add_string(struct buf *out, const char *s, size_t len)
{
	int utf8 = utf8_valid(s, len);
	size_t show = len > TREE_MAX_STRING ? TREE_MAX_STRING : len;
	while (utf8 && show < len && show > 0 && ((unsigned char)s[show] & 0xc0) == 0x80)
		show--;
	buf_printf(out, "string(%zu) ", len);
	add_quoted(out, s, show, utf8);
	if (show < len)
		buf_adds(out, "...");
	if (!utf8)
		buf_adds(out, " (binary)");
}

static const char *class_of(const struct pv *v)
{
	return v->class_name ? v->class_name : "";
}

/* Appends the one-line form of a scalar or enum; returns 0 (appending nothing) otherwise. */
static int add_scalar(struct buf *out, const struct pv *v)
{
	switch (v->type) {
	case PV_NULL: buf_adds(out, "null"); return 1;
	case PV_BOOL: buf_adds(out, v->u.b ? "bool true" : "bool false"); return 1;
	case PV_INT: buf_printf(out, "int %" PRId64, v->u.i); return 1;
	case PV_FLOAT: buf_adds(out, "float "); add_float(out, v->u.d); return 1;
	case PV_STRING: add_string(out, v->u.str.ptr, v->u.str.len); return 1;
	case PV_ENUM:
		buf_printf(out, "enum %s::", class_of(v));
		add_text(out, v->u.str.ptr, v->u.str.len);
		return 1;
	default: return 0;
	}
}

/* What a reference points at, in short: (object User), (array(2)), (int 7). */
static void add_target(struct buf *out, const struct pv *t)
{
	buf_adds(out, " (");
	if (!t)
		buf_adds(out, "nothing");
	else if (t->type == PV_ARRAY)
		buf_printf(out, "array(%zu)", t->n_items);
	else if (t->type == PV_OBJECT)
		buf_printf(out, "object %s", class_of(t));
	else if (t->type == PV_CUSTOM)
		buf_printf(out, "custom %s", class_of(t));
	else
		add_scalar(out, t);
	buf_addc(out, ')');
}

/* The text after "key: " (no newline). */
static void add_value(struct buf *out, const struct pv *v)
{
	if (v->type == PV_REF) {
		const struct pv *t = pv_deref(v);
		buf_printf(out, "%sref #%u", v->hard ? "&" : "", t ? t->slot : 0);
		add_target(out, t);
		return;
	}
	if (v->type == PV_OBJECT || v->type == PV_CUSTOM) {
		buf_printf(out, "%s(%s)", v->type == PV_OBJECT ? "object" : "custom", class_of(v));
		if (v->shared)
			buf_printf(out, " #%u", v->slot);
		if (v->type == PV_OBJECT) {
			buf_printf(out, " (%zu)", v->n_items);
		} else {
			buf_addc(out, ' ');
			add_string(out, v->u.str.ptr, v->u.str.len);
		}
		return;
	}
	if (v->type == PV_ARRAY)
		buf_printf(out, "array(%zu)", v->n_items);
	else
		add_scalar(out, v);
	if (v->shared)
		buf_printf(out, " #%u", v->slot);
}

/* 1 when a string key can be shown bare: UTF-8, no controls, quotes or colons, no edge
 * spaces, not starting with a visibility sign. */
static int plain_key(const char *s, size_t n)
{
	if (n == 0 || !utf8_valid(s, n) || s[0] == ' ' || s[n - 1] == ' ' ||
	    s[0] == '-' || s[0] == '*')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == ':')
			return 0;
	}
	return 1;
}

static void add_key(struct buf *out, const struct pv_entry *e)
{
	const struct pv *k = e->key;
	if (e->vis == PV_PRIVATE)
		buf_addc(out, '-');
	else if (e->vis == PV_PROTECTED)
		buf_addc(out, '*');
	if (k->type == PV_INT)
		buf_printf(out, "%" PRId64, k->u.i);
	else if (plain_key(k->u.str.ptr, k->u.str.len))
		buf_add(out, k->u.str.ptr, k->u.str.len);
	else
		add_quoted(out, k->u.str.ptr, k->u.str.len, utf8_valid(k->u.str.ptr, k->u.str.len));
	if (e->vis == PV_PRIVATE)
		buf_printf(out, " (private %s)", e->decl_class ? e->decl_class : "");
	else if (e->vis == PV_PROTECTED)
		buf_adds(out, " (protected)");
}

void pv_add_crypt_mark(struct buf *out, const struct pv *v)
{
	if (v->decrypted)
		buf_printf(out, " (decrypted: %s)", crypt_scheme_name(v->decrypted));
	else if (v->encrypted)
		buf_printf(out, " (encrypted: %s)", crypt_scheme_name(v->encrypted));
}

static void add_entries(struct buf *out, const struct pv *v, int indent);

static void add_entry(struct buf *out, const struct pv_entry *e, int indent)
{
	buf_printf(out, "%*s", indent * 2, "");
	add_key(out, e);
	buf_adds(out, ": ");
	add_value(out, e->value);
	pv_add_crypt_mark(out, e->value);
	buf_addc(out, '\n');
	add_entries(out, e->value, indent + 1);
}

/* The entries of an array or object (or a C: payload read as serialize() data). */
static void add_entries(struct buf *out, const struct pv *v, int indent)
{
	if (v->type == PV_REF)
		return;
	for (size_t i = 0; i < v->n_items; i++)
		add_entry(out, &v->items[i], indent);
}

void pv_format_tree(const struct pv *root, struct buf *out)
{
	if (!root)
		return;
	if (root->type == PV_ARRAY) {
		add_entries(out, root, 0);
		return;
	}
	add_value(out, root);
	buf_addc(out, '\n');
	add_entries(out, root, 1);
}
