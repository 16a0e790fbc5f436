/* session_encode.c: the encoders of ext/session/session.c (php, php_binary, php_serialize)
 * and php-igbinary's session serializer over a decoded session. */
#include "php/session_encode.h"
#include "php/igbinary_encode.h"
#include "php/serialize.h"

#include <stdlib.h>
#include <string.h>

/* Whether handler h can write variable e's name; else *cause says why. */
static int name_ok(const struct pv_entry *e, enum sess_handler h, char **cause)
{
	const struct pv *k = e->key;
	if (k->type != PV_STRING) {
		*cause = xasprintf("variable %lld: the %s handler cannot store integer names",
				   (long long)k->u.i, sess_handler_name(h));
		return 0;
	}
	const char *s = k->u.str.ptr;
	size_t n = k->u.str.len;
	if (h == SESS_PHP && memchr(s, '|', n)) {
		*cause = xasprintf("variable name \"%.*s\" holds '|', which the php handler cannot "
				   "store", (int)n, s);
		return 0;
	}
	if (h == SESS_PHP && n && s[0] == '!') {
		*cause = xasprintf("variable name \"%.*s\" starts with '!', which the php handler "
				   "reads as an undefined variable", (int)n, s);
		return 0;
	}
	if (h == SESS_PHP_BINARY && n > 127) {
		*cause = xasprintf("variable name of %zu bytes: the php_binary handler stores at "
				   "most 127", n);
		return 0;
	}
	return 1;
}

/* php: name|value...; php_binary: <len>name value... (one numbering for all values). */
static int encode_vars(struct pv *root, enum sess_handler h, struct buf *out, char **cause)
{
	unsigned counter = 0;
	for (size_t i = 0; i < root->n_items; i++) {
		struct pv_entry *e = &root->items[i];
		if (!name_ok(e, h, cause))
			return -1;
		if (h == SESS_PHP_BINARY)
			buf_addc(out, (char)e->key->u.str.len);
		buf_add(out, e->key->u.str.ptr, e->key->u.str.len);
		if (h == SESS_PHP)
			buf_addc(out, '|');
		pv_serialize(out, e->value, &counter);
	}
	return 0;
}

int sess_encode(struct pv *root, enum sess_handler h, struct buf *out, char **cause)
{
	size_t mark = out->len;
	unsigned counter = 0;
	if (root->type != PV_ARRAY) {
		*cause = xasprintf("session data is a %s, not an array", pv_type_name(root->type));
		return -1;
	}
	switch (h) {
	case SESS_PHP: case SESS_PHP_BINARY:
		if (encode_vars(root, h, out, cause) == 0)
			return 0;
		out->len = mark;
		if (out->ptr)
			out->ptr[mark] = '\0';
		return -1;
	case SESS_PHP_SERIALIZE:
		pv_serialize(out, root, &counter);
		if (root->u.str.len)
			buf_add(out, root->u.str.ptr, root->u.str.len);
		return 0;
	case SESS_IGBINARY:
		igbinary_encode(out, root);
		return 0;
	default:
		*cause = xasprintf("cannot encode for handler %s", sess_handler_name(h));
		return -1;
	}
}
