/* value_edit_text.c: the edit text of a session (see value_edit_text.h). */
#include "php/value_edit_text.h"
#include "codec/base64.h"
#include "php/serialize.h"
#include "php/json_escape.h"
#include "php/unserialize.h"
#include "php/value_from_json.h"
#include "codec/crypto.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing ---- */

struct ids {
	const struct pv **node;	/* node i has id i + 1 */
	size_t n;
};

static size_t id_of(const struct ids *ids, const struct pv *v)
{
	for (size_t i = 0; i < ids->n; i++)
		if (ids->node[i] == v)
			return i + 1;
	return 0;
}

static void indent(struct buf *out, int depth)
{
	buf_addc(out, '\n');
	for (int i = 0; i < depth; i++)
		buf_adds(out, "  ");
}

static void put_bytes(struct buf *out, const char *s, size_t n)
{
	if (json_write_utf8(out, s, n) == 0)
		return;
	buf_adds(out, "{\"__base64\":\"");
	base64_append(out, s, n);
	buf_adds(out, "\"}");
}

/* A key: "__" names get one more "_". */
static void put_key(struct buf *out, const char *prefix, const char *s, size_t n)
{
	struct buf k = BUF_INIT;
	buf_adds(&k, prefix);
	if (n >= 2 && s[0] == '_' && s[1] == '_' && !*prefix)
		buf_addc(&k, '_');
	buf_add(&k, s, n);
	if (utf8_valid(k.ptr, k.len) && !memchr(k.ptr, '\0', k.len)) {
		json_write_string(out, k.ptr, k.len);
	} else {	/* bytes that are not UTF-8: "__b64:" and their base64 */
		buf_adds(out, "\"__b64:");
		base64_append(out, k.ptr + (!*prefix && n >= 2 && s[0] == '_' && s[1] == '_'),
			      k.len - (!*prefix && n >= 2 && s[0] == '_' && s[1] == '_'));
		buf_addc(out, '"');
	}
	buf_release(&k);
	buf_adds(out, ": ");
}

static void put_value(struct buf *out, const struct pv *v, struct ids *ids, int depth);

static void put_float(struct buf *out, double d)
{
	if (isnan(d) || isinf(d)) {
		buf_adds(out, "{\"__float\":\"");
		php_format_float(out, d);
		buf_adds(out, "\"}");
		return;
	}
	size_t mark = out->len;
	php_format_float(out, d);
	if (!memchr(out->ptr + mark, '.', out->len - mark) &&
	    !memchr(out->ptr + mark, 'E', out->len - mark))
		buf_adds(out, ".0");
}

static int is_list(const struct pv *v)
{
	for (size_t i = 0; i < v->n_items; i++)
		if (v->items[i].key->type != PV_INT || v->items[i].key->u.i != (int64_t)i)
			return 0;
	return 1;
}

static void put_prop_key(struct buf *out, const struct pv_entry *e)
{
	const struct pv *k = e->key;
	const char *s = k->u.str.ptr;
	size_t n = k->u.str.len;
	struct buf p = BUF_INIT;
	if (e->int_key)
		buf_adds(&p, "int:");
	else if (e->vis == PV_PROTECTED)
		buf_adds(&p, "protected:");
	else if (e->vis == PV_PRIVATE)
		buf_printf(&p, "private:%s:", e->decl_class);
	else if ((n >= 4 && memcmp(s, "int:", 4) == 0) || (n >= 7 && memcmp(s, "public:", 7) == 0) ||
		 (n >= 8 && memcmp(s, "private:", 8) == 0) ||
		 (n >= 10 && memcmp(s, "protected:", 10) == 0))
		buf_adds(&p, "public:");
	put_key(out, p.ptr ? p.ptr : "", s, n);
	buf_release(&p);
}

static void put_items(struct buf *out, const struct pv *v, struct ids *ids, int depth)
{
	int list = v->type == PV_ARRAY && is_list(v);
	int skipped = v->type == PV_OBJECT && v->u.i;
	buf_addc(out, list ? '[' : '{');
	if (v->type == PV_OBJECT) {
		indent(out, depth + 1);
		buf_adds(out, "\"__class\": ");
		put_bytes(out, v->class_name, strlen(v->class_name));
	}
	for (size_t i = 0; i < v->n_items; i++)
		skipped |= v->items[i].igb_skipped != 0;
	if (skipped) {	/* igbinary's null-key entries, kept for the bytes */
		buf_adds(out, ",");
		indent(out, depth + 1);
		buf_adds(out, "\"__skipped\": [");
		for (size_t i = 0; i < v->n_items; i++)
			buf_printf(out, "%u,", v->items[i].igb_skipped);
		buf_printf(out, "%" PRId64 "]", v->u.i);
	}
	for (size_t i = 0; i < v->n_items; i++) {
		const struct pv_entry *e = &v->items[i];
		if (i || v->type == PV_OBJECT)
			buf_addc(out, ',');
		indent(out, depth + 1);
		if (v->type == PV_OBJECT)
			put_prop_key(out, e);
		else if (!list && e->key->type == PV_INT)
			buf_printf(out, "\"%" PRId64 "\": ", e->key->u.i);
		else if (!list)
			put_key(out, "", e->key->u.str.ptr, e->key->u.str.len);
		put_value(out, e->value, ids, depth + 1);
	}
	if (v->n_items || v->type == PV_OBJECT)
		indent(out, depth);
	buf_addc(out, list ? ']' : '}');
}

static void put_plain(struct buf *out, const struct pv *v, struct ids *ids, int depth)
{
	switch (v->type) {
	case PV_NULL: buf_adds(out, "null"); break;
	case PV_BOOL: buf_adds(out, v->u.b ? "true" : "false"); break;
	case PV_INT: buf_printf(out, "%" PRId64, v->u.i); break;
	case PV_FLOAT: put_float(out, v->u.d); break;
	case PV_STRING: put_bytes(out, v->u.str.ptr, v->u.str.len); break;
	case PV_ARRAY: case PV_OBJECT: put_items(out, v, ids, depth); break;
	case PV_CUSTOM: case PV_ENUM:
		buf_adds(out, "{\"__class\": ");
		put_bytes(out, v->class_name, strlen(v->class_name));
		buf_adds(out, v->type == PV_ENUM ? ", \"__case\": " : ", \"__serialized\": ");
		put_bytes(out, v->u.str.ptr, v->u.str.len);
		buf_addc(out, '}');
		break;
	case PV_REF:
		buf_printf(out, "{\"%s\": %zu}", v->hard ? "__ref" : "__objref", id_of(ids, v->target));
		break;
	}
}

static void put_value(struct buf *out, const struct pv *v, struct ids *ids, int depth)
{
	if (v->type == PV_REF || (!v->shared && !v->php_ref)) {
		put_plain(out, v, ids, depth);
		return;
	}
	ids->node = xrealloc(ids->node, (ids->n + 1) * sizeof(*ids->node));
	ids->node[ids->n++] = v;
	buf_printf(out, "{\"__id\": %zu, %s\"__value\": ", ids->n, v->php_ref ? "\"__amp\": true, " : "");
	put_plain(out, v, ids, depth);
	buf_addc(out, '}');
}

/* Appends a path segment as PATH arguments take it ('\' before '.', '\\' and '"'; control
 * bytes, which would end the comment line, as '?'). */
static void put_segment(struct buf *path, const struct pv *key)
{
	if (path->len)
		buf_addc(path, '.');
	if (key->type == PV_INT) {
		buf_printf(path, "%" PRId64, key->u.i);
		return;
	}
	for (size_t i = 0; i < key->u.str.len; i++) {
		char c = key->u.str.ptr[i];
		if (c == '.' || c == '\\' || c == '"')
			buf_addc(path, '\\');
		buf_addc(path, (unsigned char)c < 0x20 || c == 0x7f ? '?' : c);	/* one line */
	}
}

/* One comment line for each value the crypto layer opened (sealed again on save) or left
 * closed (kept as stored), with its path. */
static void note_crypted(const struct pv *v, struct buf *path, struct buf *out)
{
	if (v->decrypted || v->encrypted) {
		buf_printf(out, "# %s (%s): %s\n", v->decrypted ? "sealed again on save" :
			   "encrypted, no key: kept as stored, cannot be changed",
			   crypt_scheme_name(v->decrypted ? v->decrypted : v->encrypted),
			   path->ptr ? path->ptr : "");
		return;
	}
	if (v->type != PV_ARRAY && v->type != PV_OBJECT)
		return;
	for (size_t i = 0; i < v->n_items; i++) {
		size_t len = path->len;
		put_segment(path, v->items[i].key);
		note_crypted(v->items[i].value, path, out);
		path->len = len;
		if (path->ptr)
			path->ptr[len] = '\0';
	}
}

void pv_edit_write(const struct pv *root, struct buf *out)
{
	struct buf path = BUF_INIT;
	struct ids ids = { NULL, 0 };
	buf_adds(out, "# memcsess edit: the session's variables. Ints 5, floats 5.0 (or\n"
		 "# {\"__float\":\"INF\"}), binary strings {\"__base64\":...}, objects {\"__class\":...}\n"
		 "# with \"protected:name\" and \"private:Class:name\" properties, enums {\"__case\"},\n"
		 "# references {\"__ref\":N} to {\"__id\":N,...}. See memcsess(1), EDIT FORM.\n");
	note_crypted(root, &path, out);
	buf_release(&path);
	buf_addc(out, '{');
	for (size_t i = 0; i < root->n_items; i++) {
		const struct pv_entry *e = &root->items[i];
		if (i)
			buf_addc(out, ',');
		indent(out, 1);
		if (e->key->type == PV_INT)
			buf_printf(out, "\"%" PRId64 "\": ", e->key->u.i);
		else
			put_key(out, "", e->key->u.str.ptr, e->key->u.str.len);
		put_value(out, e->value, &ids, 1);
	}
	if (root->n_items)
		buf_addc(out, '\n');
	buf_adds(out, "}\n");
	free(ids.node);
}

/* ---- reading ---- */

struct reader {
	struct pv **ids;	/* id i + 1 */
	size_t n_ids;
	char *cause;
};

static struct pv *read_value(struct reader *r, const json_t *j, const char *where);

static struct pv *fail(struct reader *r, const char *where, const char *what)
{
	if (!r->cause)
		r->cause = xasprintf("%s: %s", where, what);
	return NULL;
}

/* A key as written: one "_" less on "___" names. */
static const char *unescape_key(const char *k, size_t *n)
{
	if (*n >= 3 && k[0] == '_' && k[1] == '_' && k[2] == '_') {
		(*n)--;
		return k + 1;
	}
	return k;
}

/* The key's bytes: "__b64:..." decoded into tmp (then not to unescape: *raw set), else the
 * key itself. */
static const char *key_bytes(const char *k, size_t *n, struct buf *tmp, int *raw)
{
	*raw = 0;
	if (*n > 6 && memcmp(k, "__b64:", 6) == 0 && base64_decode(k + 6, *n - 6, tmp) == 0) {
		*raw = 1;
		*n = tmp->len;
		return tmp->ptr ? tmp->ptr : "";
	}
	return k;
}

static struct pv *bytes_of(struct reader *r, const json_t *j, const char *where)
{
	if (json_is_string(j))
		return pv_new_string(json_string_value(j), json_string_length(j));
	const char *b64 = json_string_value(json_object_get(j, "__base64"));
	struct buf b = BUF_INIT;
	if (!json_is_object(j) || json_object_size(j) != 1 || !b64 ||
	    base64_decode(b64, strlen(b64), &b) != 0) {
		buf_release(&b);
		return fail(r, where, "expected a string or {\"__base64\": ...}");
	}
	struct pv *v = pv_new_string(b.ptr ? b.ptr : "", b.len);
	buf_release(&b);
	return v;
}

static struct pv *ref_of(struct reader *r, const json_t *j, int hard, const char *where)
{
	json_int_t id = json_integer_value(j);
	if (!json_is_integer(j) || id < 1 || (size_t)id > r->n_ids)
		return fail(r, where, "a reference to an __id not given before it");
	if (!r->ids[id - 1])
		return fail(r, where, "a reference into the value that holds it");
	struct pv *v = pv_new(PV_REF);
	v->target = r->ids[id - 1];
	v->target->shared++;
	v->hard = hard;	/* igbinary also names a copied array this way */
	return v;
}

/* "protected:x", "private:C:x", "int:5", "public:x", or a plain (public) name. */
static void prop_key(const char *k, size_t n, int raw, struct pv_entry *e)
{
	const char *name = k;
	if (n > 4 && memcmp(k, "int:", 4) == 0) {
		e->int_key = 1;
		name = k + 4;
	} else if (n > 7 && memcmp(k, "public:", 7) == 0) {
		name = k + 7;
	} else if (n > 10 && memcmp(k, "protected:", 10) == 0) {
		e->vis = PV_PROTECTED;
		name = k + 10;
	} else if (n > 8 && memcmp(k, "private:", 8) == 0 && memchr(k + 8, ':', n - 8)) {
		const char *colon = memchr(k + 8, ':', n - 8);
		e->vis = PV_PRIVATE;
		e->decl_class = xstrndup(k + 8, (size_t)(colon - (k + 8)));
		name = colon + 1;
	} else if (!raw) {
		size_t m = n;
		name = unescape_key(k, &m);
	}
	size_t m = n - (size_t)(name - k);
	pv_free(e->key);
	e->key = pv_new_string(name, m);
}

static struct pv *read_items(struct reader *r, const json_t *j, struct pv *c, const char *where)
{
	const char *key;
	size_t klen;
	json_t *x;
	const json_t *skipped = json_object_get(j, "__skipped");
	size_t k = 0;
	json_object_keylen_foreach((json_t *)j, key, klen, x) {
		if (c->type == PV_OBJECT && (strcmp(key, "__class") == 0 || strcmp(key, "__skipped") == 0))
			continue;
		char *sub = xasprintf("%s.%s", where, key);
		struct pv *v = read_value(r, x, sub);
		free(sub);
		if (!v) {
			pv_free(c);
			return NULL;
		}
		struct buf tmp = BUF_INIT;
		int raw;
		size_t kn = klen;
		const char *kb = key_bytes(key, &kn, &tmp, &raw);
		size_t n = kn;
		const char *name = raw ? kb : unescape_key(kb, &n);
		int64_t i;
		struct pv_entry *e = pv_append(c, c->type == PV_ARRAY && n &&
					       php_numeric_key(name, n, &i) ? pv_new_int(i) :
					       pv_new_string(name, n), v);
		if (c->type == PV_OBJECT)
			prop_key(kb, kn, raw, e);
		buf_release(&tmp);
		if (skipped)
			e->igb_skipped = (unsigned short)json_integer_value(json_array_get(skipped, k));
		k++;
	}
	if (skipped)
		c->u.i = json_integer_value(json_array_get(skipped, k));
	return c;
}

/* The class name of j's "__class" (a string or {"__base64"}), new; NULL when none. */
static char *class_of(const json_t *j)
{
	const json_t *c = json_object_get(j, "__class");
	const char *b64 = json_string_value(json_object_get(c, "__base64"));
	struct buf b = BUF_INIT;
	if (json_is_string(c))
		return xstrdup(json_string_value(c));
	if (!json_is_object(c) || json_object_size(c) != 1 || !b64 ||
	    base64_decode(b64, strlen(b64), &b) != 0) {
		buf_release(&b);
		return NULL;
	}
	return b.ptr ? buf_detach(&b, NULL) : xstrdup("");
}

/* A C: payload's serialize() values become the object's items, as unserialize.c reads them
 * (they count in PHP's variable numbering); a payload that does not read so keeps none. */
static void payload_items(struct pv *c)
{
	struct phpser *p = phpser_new(c->u.str.ptr, c->u.str.len);
	struct decode_error err;
	size_t pos = 0;
	for (int64_t i = 0; pos < c->u.str.len; i++) {
		struct pv *v = phpser_value(p, &pos, &err);
		if (!v) {
			for (size_t k = 0; k < c->n_items; k++) {
				pv_free(c->items[k].key);
				pv_free(c->items[k].value);
			}
			c->n_items = 0;
			break;
		}
		pv_append(c, pv_new_int(i), v);
	}
	phpser_free(p);
}

/* PV_ARRAY or PV_OBJECT when j is an array or object written as a container; else -1. */
static int container_kind(const json_t *j)
{
	if (json_is_array(j))
		return PV_ARRAY;
	if (!json_is_object(j))
		return -1;
	static const char *const special[] = { "__float", "__base64", "__ref", "__objref", "__id" };
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (json_object_get(j, special[i]))
			return -1;
	char *cls = class_of(j);
	free(cls);
	if (!cls)
		return PV_ARRAY;
	if (json_object_size(j) == 2 && (json_object_get(j, "__case") ||
					 json_object_get(j, "__serialized")))
		return -1;
	return PV_OBJECT;
}

static struct pv *read_list(struct reader *r, const json_t *j, struct pv *v, const char *where)
{
	for (size_t i = 0; i < json_array_size(j); i++) {
		char *sub = xasprintf("%s.%zu", where, i);
		struct pv *item = read_value(r, json_array_get(j, i), sub);
		free(sub);
		if (!item) {
			pv_free(v);
			return NULL;
		}
		pv_append(v, pv_new_int((int64_t)i), item);
	}
	return v;
}

static struct pv *read_object(struct reader *r, const json_t *j, const char *where)
{
	const json_t *x;
	if (json_object_size(j) == 1 && (x = json_object_get(j, "__float"))) {
		const char *s = json_string_value(x);
		struct pv *v = pv_new(PV_FLOAT);
		if (json_is_number(x))
			v->u.d = json_number_value(x);
		else if (s && (strcmp(s, "INF") == 0 || strcmp(s, "-INF") == 0 || strcmp(s, "NAN") == 0))
			v->u.d = s[0] == 'N' ? NAN : s[0] == '-' ? -INFINITY : INFINITY;
		else {
			pv_free(v);
			return fail(r, where, "__float takes a number, \"INF\", \"-INF\" or \"NAN\"");
		}
		return v;
	}
	if (json_object_size(j) == 1 && json_object_get(j, "__base64"))
		return bytes_of(r, j, where);
	if (json_object_size(j) == 1 && (x = json_object_get(j, "__ref")))
		return ref_of(r, x, 1, where);
	if (json_object_size(j) == 1 && (x = json_object_get(j, "__objref")))
		return ref_of(r, x, 0, where);
	if ((x = json_object_get(j, "__id"))) {
		json_int_t id = json_integer_value(x);
		const json_t *val = json_object_get(j, "__value");
		if (!json_is_integer(x) || id != (json_int_t)r->n_ids + 1 || !val)
			return fail(r, where, "__id must count 1, 2, 3... in order, with __value");
		r->ids = xrealloc(r->ids, (r->n_ids + 1) * sizeof(*r->ids));
		r->ids[r->n_ids++] = NULL;
		/* an array or object is named by its id while its contents are read: they may
		 * refer to it */
		int kind = container_kind(val);
		struct pv *v = NULL;
		if (kind >= 0) {
			v = r->ids[id - 1] = pv_new((enum pv_type)kind);
			if (kind == PV_OBJECT)
				v->class_name = class_of(val);
			v = json_is_array(val) ? read_list(r, val, v, where) :
			    read_items(r, val, v, where);
		} else {
			v = read_value(r, val, where);
		}
		if (!v) {
			r->ids[id - 1] = NULL;
			return NULL;
		}
		r->ids[id - 1] = v;
		v->php_ref = json_is_true(json_object_get(j, "__amp"));
		return v;
	}
	char *cls = class_of(j);
	if (!cls)
		return read_items(r, j, pv_new(PV_ARRAY), where);
	const json_t *payload;
	int is_enum = (payload = json_object_get(j, "__case")) != NULL;
	if (!is_enum)
		payload = json_object_get(j, "__serialized");
	if (payload && json_object_size(j) == 2) {
		struct pv *s = bytes_of(r, payload, where);
		if (!s) {
			free(cls);
			return NULL;
		}
		s->type = is_enum ? PV_ENUM : PV_CUSTOM;
		s->class_name = cls;
		if (!is_enum)
			payload_items(s);
		return s;
	}
	struct pv *o = pv_new(PV_OBJECT);
	o->class_name = cls;
	return read_items(r, j, o, where);
}

static struct pv *read_value(struct reader *r, const json_t *j, const char *where)
{
	switch (json_typeof(j)) {
	case JSON_NULL: case JSON_TRUE: case JSON_FALSE: case JSON_INTEGER: case JSON_REAL:
	case JSON_STRING:
		return pv_from_json_scalar(j);
	case JSON_ARRAY: return read_list(r, j, pv_new(PV_ARRAY), where);
	case JSON_OBJECT: return read_object(r, j, where);
	}
	return fail(r, where, "unknown JSON value");
}

struct pv *pv_edit_read(const char *text, size_t len, enum sess_handler h, char **cause)
{
	size_t off = 0, line = 1;
	while (off < len && text[off] == '#') {	/* comment lines */
		const char *nl = memchr(text + off, '\n', len - off);
		off = nl ? (size_t)(nl - text) + 1 : len;
		line++;
	}
	json_error_t e;
	json_t *j = json_loadb(text + off, len - off, JSON_ALLOW_NUL, &e);
	if (!j) {
		*cause = xasprintf("line %zu column %d: %s", e.line + line - 1, e.column, e.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		*cause = xstrdup("the session must be a JSON object of variables");
		return NULL;
	}
	struct reader r = { NULL, 0, NULL };
	struct pv *root = pv_new(PV_ARRAY);
	const char *key;
	size_t klen;
	json_t *x;
	json_object_keylen_foreach(j, key, klen, x) {
		struct pv *v = read_value(&r, x, key);
		if (!v) {
			pv_free(root);
			root = NULL;
			break;
		}
		struct buf tmp = BUF_INIT;
		int raw;
		size_t n = klen;
		const char *kb = key_bytes(key, &n, &tmp, &raw);
		const char *name = raw ? kb : unescape_key(kb, &n);
		int64_t i;
		int numeric = (h == SESS_PHP_SERIALIZE || h == SESS_IGBINARY) && n &&
			      php_numeric_key(name, n, &i);
		pv_append(root, numeric ? pv_new_int(i) : pv_new_string(name, n), v);
		buf_release(&tmp);
	}
	json_decref(j);
	free(r.ids);
	if (!root)
		*cause = r.cause ? r.cause : xstrdup("cannot read the session");
	else
		free(r.cause);
	return root;
}
