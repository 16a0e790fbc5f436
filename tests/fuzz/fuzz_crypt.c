/* fuzz_crypt.c: the envelope parsers of every encryption scheme (first byte: scheme and whole),
 * then opening the envelope with a fixed key ring. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "codec/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ring_text[] = "base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
				"0123456789abcdef\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct keyring kr;
	static int ring_ready;
	if (!ring_ready) {
		char *why = NULL;
		keyring_add_text(&kr, ring_text, sizeof(ring_text) - 1, "fuzz", &why);
		free(why);
		ring_ready = 1;
	}
	if (size < 1)
		return 0;
	static const enum crypt_scheme schemes[] = { CRYPT_AUTO, CRYPT_OPENSSL, CRYPT_LARAVEL };
	enum crypt_scheme s = schemes[data[0] % 3];
	int whole = (data[0] >> 2) & 1;
	const char *cipher = (data[0] >> 3) & 1 ? "aes-128-cbc" : NULL;
	char *in = malloc(size - 1 ? size - 1 : 1);
	memcpy(in, data + 1, size - 1);
	struct crypt_envelope env;
	memset(&env, 0, sizeof(env));
	char *cause = NULL;
	int r = crypt_parse(in, size - 1, s, cipher, whole, &env, &cause);
	free(cause);
	cause = NULL;
	if (r == 1) {
		struct buf out = BUF_INIT;
		int idx = 0;
		crypt_open(&env, &kr, NULL, NULL, &out, &idx, &cause);
		free(cause);
		buf_release(&out);
	}
	crypt_envelope_release(&env);
	free(in);
	return 0;
}
