/* value_from_json.c: PHP values from JSON text (see value_from_json.h). */
#include "php/value_from_json.h"
#include "codec/base64.h"
#include "php/handlers.h"
#include "util.h"
#include "php/unserialize.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct pv *from_json(const json_t *j, char **cause);

/* {"__float": number or "INF" / "-INF" / "NAN"} */
static struct pv *float_form(const json_t *x, char **cause)
{
	struct pv *v = pv_new(PV_FLOAT);
	const char *s = json_string_value(x);
	if (json_is_number(x))
		v->u.d = json_number_value(x);
	else if (s && strcmp(s, "INF") == 0)
		v->u.d = INFINITY;
	else if (s && strcmp(s, "-INF") == 0)
		v->u.d = -INFINITY;
	else if (s && strcmp(s, "NAN") == 0)
		v->u.d = NAN;
	else {
		pv_free(v);
		*cause = xstrdup("__float takes a number, \"INF\", \"-INF\" or \"NAN\"");
		return NULL;
	}
	return v;
}

static struct pv *base64_form(const json_t *x, char **cause)
{
	const char *s = json_string_value(x);
	struct buf b = BUF_INIT;
	if (!s || base64_decode(s, strlen(s), &b) != 0) {
		buf_release(&b);
		*cause = xstrdup("__base64 takes a base64 string");
		return NULL;
	}
	struct pv *v = pv_new_string(b.ptr ? b.ptr : "", b.len);
	buf_release(&b);
	return v;
}

/* A string member of o, or NULL. */
static const char *member_text(const json_t *o, const char *name, size_t *len)
{
	const json_t *x = json_object_get(o, name);
	if (!json_is_string(x))
		return NULL;
	*len = json_string_length(x);
	return json_string_value(x);
}

/* {"__class": C, ...}: an enum case, a C: object, or an object with public properties. */
static struct pv *object_form(const json_t *o, const char *cls, char **cause)
{
	size_t n;
	const char *text;
	int is_enum = (text = member_text(o, "__case", &n)) != NULL;
	if (!is_enum)
		text = member_text(o, "__serialized", &n);
	if (text && json_object_size(o) == 2) {
		struct pv *v = pv_new(is_enum ? PV_ENUM : PV_CUSTOM);
		v->class_name = xstrdup(cls);
		v->u.str.ptr = xstrndup(text, n);
		v->u.str.len = n;
		return v;
	}
	struct pv *v = pv_new(PV_OBJECT);
	v->class_name = xstrdup(cls);
	const char *key;
	size_t klen;
	json_t *x;
	json_object_keylen_foreach((json_t *)o, key, klen, x) {
		if (strcmp(key, "__class") == 0)
			continue;
		struct pv *item = from_json(x, cause);
		if (!item) {
			pv_free(v);
			return NULL;
		}
		pv_append(v, pv_new_string(key, klen), item);
	}
	return v;
}

static struct pv *object_value(const json_t *o, char **cause)
{
	const json_t *x;
	if (json_object_size(o) == 1 && (x = json_object_get(o, "__float")))
		return float_form(x, cause);
	if (json_object_size(o) == 1 && (x = json_object_get(o, "__base64")))
		return base64_form(x, cause);
	const char *cls = json_string_value(json_object_get(o, "__class"));
	if (cls)
		return object_form(o, cls, cause);
	struct pv *v = pv_new(PV_ARRAY);
	const char *key;
	size_t klen;
	json_object_keylen_foreach((json_t *)o, key, klen, x) {
		struct pv *item = from_json(x, cause);
		if (!item) {
			pv_free(v);
			return NULL;
		}
		int64_t i;
		pv_append(v, klen && php_numeric_key(key, klen, &i) ? pv_new_int(i) :
			  pv_new_string(key, klen), item);
	}
	return v;
}

struct pv *pv_from_json_scalar(const json_t *j)
{
	struct pv *v;
	switch (json_typeof(j)) {
	case JSON_NULL: return pv_new(PV_NULL);
	case JSON_TRUE: case JSON_FALSE:
		v = pv_new(PV_BOOL);
		v->u.b = json_is_true(j);
		return v;
	case JSON_INTEGER: return pv_new_int(json_integer_value(j));
	case JSON_REAL:
		v = pv_new(PV_FLOAT);
		v->u.d = json_real_value(j);
		return v;
	case JSON_STRING: return pv_new_string(json_string_value(j), json_string_length(j));
	case JSON_ARRAY: case JSON_OBJECT: break;
	}
	return NULL;
}

static struct pv *from_json(const json_t *j, char **cause)
{
	struct pv *v;
	switch (json_typeof(j)) {
	case JSON_NULL: case JSON_TRUE: case JSON_FALSE: case JSON_INTEGER: case JSON_REAL:
	case JSON_STRING:
		return pv_from_json_scalar(j);
	case JSON_ARRAY:
		v = pv_new(PV_ARRAY);
		for (size_t i = 0; i < json_array_size(j); i++) {
			struct pv *item = from_json(json_array_get(j, i), cause);
			if (!item) {
				pv_free(v);
				return NULL;
			}
			pv_append(v, pv_new_int((int64_t)i), item);
		}
		return v;
	case JSON_OBJECT: return object_value(j, cause);
	}
	*cause = xstrdup("unknown JSON value");
	return NULL;
}

struct pv *pv_from_json_text(const char *text, size_t len, char **cause)
{
	json_error_t e;
	json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	if (!j) {
		*cause = xasprintf("bad JSON at line %d column %d: %s", e.line, e.column, e.text);
		return NULL;
	}
	struct pv *v = from_json(j, cause);
	json_decref(j);
	return v;
}
