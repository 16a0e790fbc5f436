/* test_session_decode.c: the decode pipeline: decompress, decrypt the whole value, decode,
 * decrypt the values inside; what it reports when a stage cannot be undone; JSON and tree
 * marking. */
#include "unit.h"
#include "session_decode.h"
#include "php/handlers.h"
#include "php/value.h"
#include "php/value_json.h"
#include "php/value_text.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Payloads made by real PHP (rows of test_crypto.c, see tests/php/crypto-vectors.php):
 * OSS is base64_encode(openssl_encrypt(SESSION, 'aes-256-cbc', 'secret', 0, $iv) . '::' . $iv);
 * LAR is Laravel's Encrypter::encrypt(serialize(['user' => 'alice', 'n' => 42])) under LKEY: a
 * whole session once unwrapped, the serialized string itself as a value inside one. */
#define OSS "VTRmMVBrV1FGeVVGM3BJYk1ielgxRWJ5OG5ZaGtsbW5MTW9QcEdYSEFabnltdjFYeUJxeThJS29CSTVLTWl6YzczblhMemhUV1NFcGNiblZoZFR3bWc9PTo6E6CI+SPht5U8pXASW/m/CA=="
#define SESSION "user|s:5:\"alice\";n|i:42;card|s:16:\"4111111111111111\";"
#define LAR "eyJpdiI6IlQ2OFNSVmxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsIm1hYyI6ImU2MDJjNjZjNmJiMzY1MGRjOGYwMjUzZmQ1NGM1Zjg0NjE5OWFhYjU4M2ZkMTYzNmIzNTMxYmZiMzhiMzVjYWUiLCJ0YWciOiIifQ=="
#define LKEY "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM="
#define OSS_LEN (sizeof(OSS) - 1)
#define LAR_LEN (sizeof(LAR) - 1)

static struct keyring ring;

struct vcase {
	const char *name;
	const char *value;	/* built by main() when NULL */
	unsigned flags;
	enum crypt_scheme scheme;
	int keys;
	enum decode_status status;
	const char *json;	/* expected data, or NULL */
	const char *handler;
};

static char inner[1024];	/* a php-handler session holding OSS and LAR as strings */

static struct vcase cases[] = {
	{ "plain session", "a|i:1;", 0, CRYPT_AUTO, 1, DECODE_OK, "{\"a\": 1}", "php" },
	{ "openssl whole value", OSS, 0, CRYPT_AUTO, 1, DECODE_OK,
	  "{\"user\": \"alice\", \"n\": 42, \"card\": \"4111111111111111\"}", "php" },
	{ "openssl whole value, no key", OSS, 0, CRYPT_AUTO, 0, DECODE_ENCRYPTED, NULL, "encrypted" },
	{ "laravel whole value: serialize() unwrapped", LAR, 0, CRYPT_AUTO, 1, DECODE_OK,
	  "{\"user\": \"alice\", \"n\": 42}", "php_serialize" },
	{ "laravel forced on an openssl value", OSS, 0, CRYPT_LARAVEL, 1, DECODE_CRYPT_FAILED, NULL,
	  "encrypted" },
	{ "scheme none: bytes as they are", OSS, 0, CRYPT_NONE, 1, DECODE_FAILED, NULL, NULL },
	{ "inner values decrypted and marked", NULL, 0, CRYPT_AUTO, 1, DECODE_OK,
	  "{\"o\": {\"__decrypted\": \"user|s:5:\\\"alice\\\";n|i:42;card|s:16:\\\"4111111111111111\\\";\","
	  " \"__scheme\": \"openssl\"}, \"t\": \"tok\","
	  " \"l\": {\"__decrypted\": \"a:2:{s:4:\\\"user\\\";s:5:\\\"alice\\\";s:1:\\\"n\\\";i:42;}\","
	  " \"__scheme\": \"laravel\"}}", "php" },
	{ "inner values without a key stay", NULL, 0, CRYPT_AUTO, 0, DECODE_OK, NULL, "php" },
	{ "compressed flag on plain bytes", "a|i:1;", 0x50, CRYPT_AUTO, 1, DECODE_UNCOMPRESS_FAILED,
	  NULL, "unknown" },
	{ "zstd flag", "\x06\x00\x00\x00zzzz", 0x90, CRYPT_AUTO, 1, DECODE_UNCOMPRESS_FAILED, NULL,
	  "unknown" },
	{ "fastlz value", "\x06\x00\x00\x00\x05" "a|i:1;", 0x50, CRYPT_AUTO, 1, DECODE_OK,
	  "{\"a\": 1}", "php" },
};

static void check_case(const struct vcase *c)
{
	struct decode_opts o = { SESS_UNKNOWN, c->scheme, NULL, c->keys ? &ring : NULL };
	struct decode_info d;
	const char *value = c->value ? c->value : inner;
	size_t len = c->value ? strlen(c->value) : strlen(inner);
	if (c->flags == 0x90)
		len = 8;
	if (c->flags == 0x50 && c->status == DECODE_OK)
		len = 11;
	struct pv *v = session_decode_value(value, len, c->flags, &o, &d);
	int ok = d.status == c->status && (v != NULL) == (c->status == DECODE_OK);
	if (ok && c->json) {
		json_t *got = pv_to_json(v), *want = json_loads(c->json, 0, NULL);
		ok = want && json_equal(got, want);
		json_decref(got);
		json_decref(want);
	}
	if (ok && c->handler)
		ok = strcmp(session_handler(&d), c->handler) == 0;
	struct buf why = BUF_INIT;
	session_describe(&d, &why);
	unit_check(ok, "%s (%s)", c->name, why.ptr ? why.ptr : "ok");
	buf_release(&why);
	pv_free(v);
}

/* The tree marks decrypted values; counts say what was found. */
static void check_tree(void)
{
	struct decode_opts o = { SESS_UNKNOWN, CRYPT_AUTO, NULL, &ring };
	struct decode_info d;
	struct pv *v = session_decode_value(inner, strlen(inner), 0, &o, &d);
	struct buf tree = BUF_INIT;
	pv_format_tree(v, &tree);
	const struct pv *o_val = v ? pv_lookup(v, "o") : NULL;
	unit_check(o_val && o_val->type == PV_STRING && strcmp(o_val->u.str.ptr, SESSION) == 0 &&
		   o_val->decrypted == CRYPT_OPENSSL, "inner openssl value replaced by its plaintext");
	unit_check(v && strstr(tree.ptr, "(decrypted: openssl)\n") &&
		   strstr(tree.ptr, "l: string(42) \"a:2:{") &&
		   strstr(tree.ptr, "(decrypted: laravel)\n"), "tree marks decrypted values");
	unit_check(d.inner_found == 2 && d.inner_decrypted == 2 && d.inner_failed == 0,
		   "inner values counted");
	buf_release(&tree);
	pv_free(v);
	o.keys = NULL;
	v = session_decode_value(inner, strlen(inner), 0, &o, &d);
	pv_format_tree(v, &tree);
	o_val = v ? pv_lookup(v, "o") : NULL;
	unit_check(o_val && o_val->encrypted == CRYPT_OPENSSL && !o_val->decrypted &&
		   o_val->u.str.len == OSS_LEN, "without a key an inner value stays, marked encrypted");
	unit_check(v && strstr(tree.ptr, "\" (encrypted: openssl)\n") &&
		   strstr(tree.ptr, " (encrypted: laravel)\n") &&
		   strstr(tree.ptr, "t: string(3) \"tok\"\n"), "tree names the scheme of values left "
		   "encrypted, and only theirs");
	buf_release(&tree);
	pv_free(v);
	o.keys = &ring;
	struct keyring wrong = { NULL, 0 };
	char *cause = NULL;
	keyring_add_text(&wrong, "base64:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 51, "t", &cause);
	o.keys = &wrong;
	v = session_decode_value(inner, strlen(inner), 0, &o, &d);
	unit_check(v && d.inner_found == 2 && d.inner_failed == 2 && session_failed(&d) &&
		   strstr(d.inner_error, "o: ") == d.inner_error, "inner failures named by path (%s)",
		   d.inner_error);
	o_val = v ? pv_lookup(v, "l") : NULL;
	unit_check(o_val && o_val->encrypted == CRYPT_LARAVEL && !o_val->decrypted,
		   "a value no key opens is marked encrypted");
	pv_free(v);
	keyring_release(&wrong);
}

int main(void)
{
	char *cause = NULL;
	const char *keys = "secret\n" LKEY "\n";
	keyring_add_text(&ring, keys, strlen(keys), "test", &cause);
	snprintf(inner, sizeof(inner), "o|s:%zu:\"%s\";t|s:3:\"tok\";l|s:%zu:\"%s\";", OSS_LEN, OSS,
		 LAR_LEN, LAR);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	check_tree();
	keyring_release(&ring);
	return unit_done();
}
