/* test_session_inner.c: values encrypted one by one inside a session, opened and sealed
 * again (session_inner.h). */
#include "unit.h"
#include "codec/crypto.h"
#include "codec/crypto_seal.h"
#include "session_inner.h"

static struct keyring ring;

/* A string the openssl pattern encrypted with ring's key (new pv). */
static struct pv *sealed(const char *plain)
{
	struct buf b = BUF_INIT;
	char *cause = NULL;
	crypt_seal(CRYPT_OPENSSL, "aes-256-cbc", &ring.keys[0], plain, strlen(plain), &b, &cause);
	free(cause);
	struct pv *v = pv_new_string(b.ptr ? b.ptr : "", b.len);
	buf_release(&b);
	return v;
}

static struct pv *session(void)
{
	struct pv *root = pv_new(PV_ARRAY), *profile = pv_new(PV_ARRAY);
	pv_append(root, pv_new_string("card", 4), sealed("4111 0001"));
	pv_append(root, pv_new_string("n", 1), pv_new_int(5));
	pv_append(profile, pv_new_string("ssn", 3), sealed("078-05"));
	pv_append(root, pv_new_string("profile", 7), profile);
	return root;
}

/* What string v opens to with ring ("" when it does not). */
static int opens_to(const struct pv *v, const char *want)
{
	struct crypt_envelope env;
	struct buf out = BUF_INIT;
	char *cause = NULL;
	int idx = 0, ok = 0;
	if (v->type == PV_STRING &&
	    crypt_parse(v->u.str.ptr, v->u.str.len, CRYPT_AUTO, NULL, 0, &env, &cause) > 0) {
		ok = crypt_open(&env, &ring, NULL, NULL, &out, &idx, &cause) == 0 &&
		     out.len == strlen(want) && !memcmp(out.ptr, want, out.len);
	}
	crypt_envelope_release(&env);
	buf_release(&out);
	free(cause);
	return ok;
}

static void set_string(struct pv *v, const char *s)
{
	free(v->u.str.ptr);
	v->u.str.ptr = xstrdup(s);
	v->u.str.len = strlen(s);
}

static int is(const struct pv *v, const struct buf *b)
{
	return v->type == PV_STRING && v->u.str.len == b->len && !memcmp(v->u.str.ptr, b->ptr, b->len);
}

static void test_with_key(void)
{
	struct pv *root = session();
	struct pv *card = root->items[0].value, *ssn = root->items[2].value->items[0].value;
	struct sess_inner in = { 0 };
	char *cause = NULL;
	sess_inner_open(&in, root, CRYPT_AUTO, NULL, &ring);
	unit_check(in.n == 2, "key: two encrypted values found (%zu)", in.n);
	unit_check(!strcmp(card->u.str.ptr, "4111 0001") && card->decrypted == CRYPT_OPENSSL,
		   "key: the card opened in place, marked decrypted");
	unit_check(!strcmp(ssn->u.str.ptr, "078-05"), "key: the nested one too");
	unit_check(sess_inner_seal(&in, root, &cause) == 0 && is(card, &in.v[0].stored) &&
		   is(ssn, &in.v[1].stored), "key: unchanged values sealed as stored");
	sess_inner_unseal(&in);
	unit_check(!strcmp(card->u.str.ptr, "4111 0001"), "key: unsealed: the plaintext again");
	set_string(card, "4111 9999");
	unit_check(sess_inner_seal(&in, root, &cause) == 0 && !is(card, &in.v[0].stored) &&
		   opens_to(card, "4111 9999") && is(ssn, &in.v[1].stored),
		   "key: a changed value sealed anew, the other as stored");
	sess_inner_unseal(&in);
	pv_free(card);
	root->items[0].value = pv_new_int(1);
	unit_check(sess_inner_seal(&in, root, &cause) == -1 && cause &&
		   strstr(cause, "card: encrypted (openssl) as a string"),
		   "key: an openssl value that is no longer a string: refused");
	unit_check(!strcmp(ssn->u.str.ptr, "078-05"), "key: after a refusal nothing stays sealed");
	free(cause);
	sess_inner_release(&in);
	pv_free(root);
}

static void test_without_key(void)
{
	struct pv *root = session();
	struct pv *card = root->items[0].value;
	struct sess_inner in = { 0 };
	char *cause = NULL;
	struct buf stored = BUF_INIT;
	buf_add(&stored, card->u.str.ptr, card->u.str.len);
	sess_inner_open(&in, root, CRYPT_AUTO, NULL, NULL);
	unit_check(in.n == 2 && card->encrypted == CRYPT_OPENSSL && is(card, &stored),
		   "no key: found, marked encrypted, kept as stored");
	root->items[1].value->u.i = 6;
	unit_check(sess_inner_seal(&in, root, &cause) == 0 && is(card, &stored),
		   "no key: another value changed: sealed as stored");
	sess_inner_unseal(&in);
	set_string(root->items[2].value->items[0].value, "x");
	unit_check(sess_inner_seal(&in, root, &cause) == -1 && cause &&
		   strstr(cause, "profile.ssn: encrypted (openssl) and not opened"),
		   "no key: a changed one refused, naming its path");
	free(cause);
	cause = NULL;
	pv_free(root->items[2].value);
	root->n_items = 2;	/* profile unset */
	pv_free(root->items[2].key);
	unit_check(sess_inner_seal(&in, root, &cause) == 0, "no key: an unset one is no change");
	sess_inner_unseal(&in);
	buf_release(&stored);
	sess_inner_release(&in);
	pv_free(root);
}

int main(void)
{
	char *cause = NULL;
	keyring_add_text(&ring, "okey-unit\n", 10, "test", &cause);
	test_with_key();
	test_without_key();
	keyring_release(&ring);
	return unit_done();
}
