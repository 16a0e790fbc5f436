/* test_crypto.c: encrypted values made by real PHP, opened; every kind of damage named. */
#include "unit.h"
#include "codec/crypto.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Rows printed by a PHP 8.2 script (kept beside the e2e helpers as tests/php/crypto-vectors.php):
 * openssl scheme payloads are base64_encode(openssl_encrypt($data, $cipher, $key, 0, $iv) .
 * '::' . $iv) with random_bytes() IVs; Laravel payloads are Illuminate's Encrypter::encrypt()
 * reproduced (openssl_encrypt, hash_hmac('sha256', $iv . $value, $key), json_encode,
 * base64_encode); tampered rows change one field (one base64 digit flipped, cut, MAC redone
 * where the MAC must stay right). parse: crypt_parse's return; open: crypt_open's. */
static const struct row {
	const char *name;
	enum crypt_scheme scheme;
	const char *cipher;
	const char *payload;
	const char *keys;	/* key file text; "" for none */
	int parse, open;
	const char *cause;	/* expected in the message, or NULL */
	const char *plain;	/* expected plaintext, or NULL */
	int key_index;
} rows[] = {
	{ "openssl: short key padded", CRYPT_AUTO, NULL,
	  "VTRmMVBrV1FGeVVGM3BJYk1ielgxRWJ5OG5ZaGtsbW5MTW9QcEdYSEFabnltdjFYeUJxeThJS29CSTVLTWl6YzczblhMemhUV1NFcGNiblZoZFR3bWc9PTo6E6CI+SPht5U8pXASW/m/CA==",
	  "secret", 1, 0, NULL, "user|s:5:\"alice\";n|i:42;card|s:16:\"4111111111111111\";", 1 },
	{ "openssl: forced scheme", CRYPT_OPENSSL, NULL,
	  "VTRmMVBrV1FGeVVGM3BJYk1ielgxRWJ5OG5ZaGtsbW5MTW9QcEdYSEFabnltdjFYeUJxeThJS29CSTVLTWl6YzczblhMemhUV1NFcGNiblZoZFR3bWc9PTo6E6CI+SPht5U8pXASW/m/CA==",
	  "secret", 1, 0, NULL, "user|s:5:\"alice\";n|i:42;card|s:16:\"4111111111111111\";", 1 },
	{ "openssl: long key cut", CRYPT_AUTO, NULL,
	  "c08yQnJ3cGdSZWJUZEVjOFdRRENwcFJIUWVLdW1RelRZcjJhakJIeUdWb0JjQ3VJYzdnUXlkUWMrVThlanN6bHhiV2VLaTVsM1lXMGtJNGhQenNoRHc9PTo61cYs0R4JpCi6DI7Px1ViHw==",
	  "0123456789012345678901234567890123456789", 1, 0, NULL, "user|s:5:\"alice\";n|i:42;card|s:16:\"4111111111111111\";", 1 },
	{ "openssl: --cipher aes-128-cbc", CRYPT_AUTO, "aes-128-cbc",
	  "WHpQNDIzWjNJMC9JL0xPZXk3YVMxWEorYkQ2a3FMV1B5ZThMbEhuMFFxdXdaRlVQdUROcko1MmcxUzdhMFJucmFTWlZsTkRyUUJpcW9sb3NjeS9ORGc9PTo6HTXiscQriBSIiR6f76YkSA==",
	  "secret", 1, 0, NULL, "user|s:5:\"alice\";n|i:42;card|s:16:\"4111111111111111\";", 1 },
	{ "openssl: --cipher aes-256-ctr (no padding)", CRYPT_AUTO, "aes-256-ctr",
	  "MFdEZjJwb3pUdlZZYlNnU1QySEw2ZWdTdWNyMkZuNXVURlk4WHRDTnNjb3JQaWREMEI4UW1ZQ1U1Mm0rbHF3R1NqZEUxQms9OjrZYv76fsVbAAzwPqYH5c+E",
	  "secret", 1, 0, NULL, "user|s:5:\"alice\";n|i:42;card|s:16:\"4111111111111111\";", 1 },
	{ "openssl: key ring, second key right", CRYPT_AUTO, NULL,
	  "VTRmMVBrV1FGeVVGM3BJYk1ielgxRWJ5OG5ZaGtsbW5MTW9QcEdYSEFabnltdjFYeUJxeThJS29CSTVLTWl6YzczblhMemhUV1NFcGNiblZoZFR3bWc9PTo6E6CI+SPht5U8pXASW/m/CA==",
	  "wrong-key-one\x0a""secret", 1, 0, NULL, "user|s:5:\"alice\";n|i:42;card|s:16:\"4111111111111111\";", 2 },
	{ "openssl: wrong key", CRYPT_AUTO, NULL,
	  "VTRmMVBrV1FGeVVGM3BJYk1ielgxRWJ5OG5ZaGtsbW5MTW9QcEdYSEFabnltdjFYeUJxeThJS29CSTVLTWl6YzczblhMemhUV1NFcGNiblZoZFR3bWc9PTo6E6CI+SPht5U8pXASW/m/CA==",
	  "not-the-key", 1, -1, "bad padding", NULL, 1 },
	{ "openssl: flipped ciphertext byte (last block)", CRYPT_AUTO, NULL,
	  "VTRmMVBrV1FGeVVGM3BJYk1ielgxRWJ5OG5ZaGtsbW5MTW9QcEdYSEFabnltdjFYeUJxeThJS29CSTVLTWl6YzczblhMemhUV1NFcGNiblZoZEF3bWc9PTo6E6CI+SPht5U8pXASW/m/CA==",
	  "secret", 1, -1, "bad padding", NULL, 1 },
	{ "openssl: flipped iv byte (no MAC: garbled first block)", CRYPT_AUTO, NULL,
	  "VTRmMVBrV1FGeVVGM3BJYk1ielgxRWJ5OG5ZaGtsbW5MTW9QcEdYSEFabnltdjFYeUJxeThJS29CSTVLTWl6YzczblhMemhUV1NFcGNiblZoZFR3bWc9PTo6E6CI+CPht5U8pXASW/m/CA==",
	  "secret", 1, 0, NULL, "uses|s:5:\"alice\";n|i:42;card|s:16:\"4111111111111111\";", 1 },
	{ "openssl: flipped separator", CRYPT_OPENSSL, NULL,
	  "VTRmMVBrV1FGeVVGM3BJYk1ielgxRWJ5OG5ZaGtsbW5MTW9QcEdYSEFabnltdjFYeUJxeThJS29CSTVLTWl6YzczblhMemhUV1NFcGNiblZoZFR3bWc9PTo7E6CI+SPht5U8pXASW/m/CA==",
	  "secret", -1, 0, "no '::'", NULL, 1 },
	{ "openssl: flipped separator (auto, whole)", CRYPT_AUTO, NULL,
	  "VTRmMVBrV1FGeVVGM3BJYk1ielgxRWJ5OG5ZaGtsbW5MTW9QcEdYSEFabnltdjFYeUJxeThJS29CSTVLTWl6YzczblhMemhUV1NFcGNiblZoZFR3bWc9PTo7E6CI+SPht5U8pXASW/m/CA==",
	  "secret", -1, 0, "no '::'", NULL, 1 },
	{ "openssl: short iv", CRYPT_AUTO, NULL,
	  "VTRmMVBrV1FGeVVGM3BJYk1ielgxRWJ5OG5ZaGtsbW5MTW9QcEdYSEFabnltdjFYeUJxeThJS29CSTVLTWl6YzczblhMemhUV1NFcGNiblZoZFR3bWc9PTo6E6CI+SPht5U=",
	  "secret", -1, 0, "short iv: 8 bytes, aes-256-cbc needs 16", NULL, 1 },
	{ "openssl: empty payload (forced)", CRYPT_OPENSSL, NULL,
	  "",
	  "secret", -1, 0, "empty payload", NULL, 1 },
	{ "openssl: empty payload (auto: not encrypted)", CRYPT_AUTO, NULL,
	  "",
	  "secret", 0, 0, NULL, NULL, 1 },
	{ "openssl: non-base64 garbage (forced)", CRYPT_OPENSSL, NULL,
	  "garbage \x01""\x02"" ~~",
	  "secret", -1, 0, "not base64", NULL, 1 },
	{ "openssl: non-base64 garbage (auto: not encrypted)", CRYPT_AUTO, NULL,
	  "garbage \x01""\x02"" ~~",
	  "secret", 0, 0, NULL, NULL, 1 },
	{ "openssl: plain session (auto: not encrypted)", CRYPT_AUTO, NULL,
	  "user|s:5:\"alice\";n|i:42;card|s:16:\"4111111111111111\";",
	  "secret", 0, 0, NULL, NULL, 1 },
	{ "openssl: truncated payload", CRYPT_AUTO, NULL,
	  "VTRmMVBrV1FGeVVGM3BJYk1ielgxRWJ5OG5ZaGtsbW5MTW9QcEdYSEFabnltdjFYeUJxeThJS29CSTVLTWl6YzczblhMemhUV1NFcGNiblZoZFR3bWc9PTo6E6CI+SPht5U8pXASW/m/CA=",
	  "secret", -1, 0, "truncated payload", NULL, 1 },
	{ "openssl: truncated ciphertext", CRYPT_AUTO, NULL,
	  "VTRmMVBrV1FGeVVGM3BJYk1ielgxRWJ5OG5ZaGtsbW5MTW9QcEdYSEFabnltdjFYeUJxeThJS29CSTVLTWl6YzczblhMemhUV1NFcGNiblZoZFR3OjoToIj5I+G3lTylcBJb+b8I",
	  "secret", -1, 0, "truncated ciphertext", NULL, 1 },
	{ "openssl: empty ciphertext", CRYPT_OPENSSL, NULL,
	  "OjoToIj5I+G3lTylcBJb+b8I",
	  "secret", -1, 0, "ciphertext", NULL, 1 },
	{ "openssl: bad padding (last byte 0)", CRYPT_AUTO, NULL,
	  "aTFiUFQ5Qnd3U1M2cC8ycDhYa2hJQT09OjoToIj5I+G3lTylcBJb+b8I",
	  "secret", 1, -1, "bad padding", NULL, 1 },
	{ "openssl: gcm cannot carry a tag", CRYPT_OPENSSL, "aes-256-gcm",
	  "VTRmMVBrV1FGeVVGM3BJYk1ielgxRWJ5OG5ZaGtsbW5MTW9QcEdYSEFabnltdjFYeUJxeThJS29CSTVLTWl6YzczblhMemhUV1NFcGNiblZoZFR3bWc9PTo6E6CI+SPht5U8pXAS",
	  "secret", -1, 0, "needs a tag", NULL, 1 },
	{ "openssl: no key", CRYPT_AUTO, NULL,
	  "VTRmMVBrV1FGeVVGM3BJYk1ielgxRWJ5OG5ZaGtsbW5MTW9QcEdYSEFabnltdjFYeUJxeThJS29CSTVLTWl6YzczblhMemhUV1NFcGNiblZoZFR3bWc9PTo6E6CI+SPht5U8pXASW/m/CA==",
	  "", 1, -1, "no key", NULL, 1 },
	{ "laravel: aes-256-cbc", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlQ2OFNSVmxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsIm1hYyI6ImU2MDJjNjZjNmJiMzY1MGRjOGYwMjUzZmQ1NGM1Zjg0NjE5OWFhYjU4M2ZkMTYzNmIzNTMxYmZiMzhiMzVjYWUiLCJ0YWciOiIifQ==",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", 1, 0, NULL, "s:42:\"a:2:{s:4:\"user\";s:5:\"alice\";s:1:\"n\";i:42;}\";", 1 },
	{ "laravel: forced scheme and cipher", CRYPT_LARAVEL, "aes-256-cbc",
	  "eyJpdiI6IlQ2OFNSVmxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsIm1hYyI6ImU2MDJjNjZjNmJiMzY1MGRjOGYwMjUzZmQ1NGM1Zjg0NjE5OWFhYjU4M2ZkMTYzNmIzNTMxYmZiMzhiMzVjYWUiLCJ0YWciOiIifQ==",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", 1, 0, NULL, "s:42:\"a:2:{s:4:\"user\";s:5:\"alice\";s:1:\"n\";i:42;}\";", 1 },
	{ "laravel: aes-128-cbc", CRYPT_AUTO, NULL,
	  "eyJpdiI6ImN2ZTlwTFowd0srSnhDTmNrcWs3eWc9PSIsInZhbHVlIjoiOHNTYndkUkZBNWdaZlZhK0k5Q3VHbTJVRUhJL1NMbWZ4elFNbU1mQjRkb3BXclExd1ZOQVQ1Ti8wem4xVHpsYXF5SU8vc0ZWdUQwdW53MGRxMHVyT3c9PSIsIm1hYyI6IjNjODM1NGEwNmMzNWRhN2ZhMjU5OTYwOTIzNzE5MjcxZWUzNDhhODNjMmZjYjIwOWQxYzA5MWJlNGU5ZTFjYTkiLCJ0YWciOiIifQ==",
	  "base64:ertzy6e/kZJovxgDvVx2gA==", 1, 0, NULL, "s:42:\"a:2:{s:4:\"user\";s:5:\"alice\";s:1:\"n\";i:42;}\";", 1 },
	{ "laravel: aes-256-gcm", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlpwdU9URzBrcFcvdE8zUkkiLCJ2YWx1ZSI6ImVaM3ptaStFYXJYN05aOG1jWFd2YXdJb285VmpYU2tHdEs5QjBvNkxsWU1KVzBTQk5wSzU3aG9TVkVoL3N6QnFFTms9IiwibWFjIjoiIiwidGFnIjoiNEg0U0gxcmV3NWhzMnNpMUE0Y0w2dz09In0=",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", 1, 0, NULL, "s:42:\"a:2:{s:4:\"user\";s:5:\"alice\";s:1:\"n\";i:42;}\";", 1 },
	{ "laravel: aes-128-gcm", CRYPT_AUTO, NULL,
	  "eyJpdiI6IkVEVksrZERzWHJQM0lGVWoiLCJ2YWx1ZSI6IjVWNmpCUWExSGxVM3padUF2MWhmL2dvZ01IN2o2eUNncVZvSUtndWgrRktpaDFMQXA1K1R2UER5c1BDd0ZiZmZZaE09IiwibWFjIjoiIiwidGFnIjoiYlF5YVNsa0U3QWxkN1N3WnhISHp4QT09In0=",
	  "base64:ertzy6e/kZJovxgDvVx2gA==", 1, 0, NULL, "s:42:\"a:2:{s:4:\"user\";s:5:\"alice\";s:1:\"n\";i:42;}\";", 1 },
	{ "laravel: key ring, previous key right", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlQ2OFNSVmxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsIm1hYyI6ImU2MDJjNjZjNmJiMzY1MGRjOGYwMjUzZmQ1NGM1Zjg0NjE5OWFhYjU4M2ZkMTYzNmIzNTMxYmZiMzhiMzVjYWUiLCJ0YWciOiIifQ==",
	  "base64:ertzy6e/kZJovxgDvVx2gA==\x0a""base64:pBpk5PGbuKjFAJqRSfXeTuFiy2sRbp+ztykXDH1VVp4=\x0a""base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", 1, 0, NULL, "s:42:\"a:2:{s:4:\"user\";s:5:\"alice\";s:1:\"n\";i:42;}\";", 3 },
	{ "laravel: gcm key ring, previous key right", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlpwdU9URzBrcFcvdE8zUkkiLCJ2YWx1ZSI6ImVaM3ptaStFYXJYN05aOG1jWFd2YXdJb285VmpYU2tHdEs5QjBvNkxsWU1KVzBTQk5wSzU3aG9TVkVoL3N6QnFFTms9IiwibWFjIjoiIiwidGFnIjoiNEg0U0gxcmV3NWhzMnNpMUE0Y0w2dz09In0=",
	  "base64:upZzXuPC8v4ACoDgB2BfMzGhXda41wDPG/+XdxyfTAI=\x0a""base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", 1, 0, NULL, "s:42:\"a:2:{s:4:\"user\";s:5:\"alice\";s:1:\"n\";i:42;}\";", 2 },
	{ "laravel: wrong key", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlQ2OFNSVmxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsIm1hYyI6ImU2MDJjNjZjNmJiMzY1MGRjOGYwMjUzZmQ1NGM1Zjg0NjE5OWFhYjU4M2ZkMTYzNmIzNTMxYmZiMzhiMzVjYWUiLCJ0YWciOiIifQ==",
	  "base64:M7WKDvVWKXj5rg48P+gbdYN9rqlcrk5pEJ/fLfSk0d4=", 1, -1, "mac mismatch", NULL, 1 },
	{ "laravel: gcm wrong key", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlpwdU9URzBrcFcvdE8zUkkiLCJ2YWx1ZSI6ImVaM3ptaStFYXJYN05aOG1jWFd2YXdJb285VmpYU2tHdEs5QjBvNkxsWU1KVzBTQk5wSzU3aG9TVkVoL3N6QnFFTms9IiwibWFjIjoiIiwidGFnIjoiNEg0U0gxcmV3NWhzMnNpMUE0Y0w2dz09In0=",
	  "base64:h0lnYt0moPvTOWgSJyBltJS4cJZwXQSlq3vf/Hto6QI=", 1, -1, "tag mismatch", NULL, 1 },
	{ "laravel: key of the wrong size", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlQ2OFNSVmxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsIm1hYyI6ImU2MDJjNjZjNmJiMzY1MGRjOGYwMjUzZmQ1NGM1Zjg0NjE5OWFhYjU4M2ZkMTYzNmIzNTMxYmZiMzhiMzVjYWUiLCJ0YWciOiIifQ==",
	  "twenty-bytes-key-xyz", 1, -1, "no key of 16 or 32 bytes", NULL, 1 },
	{ "laravel: forced aes-128-cbc, 32-byte key", CRYPT_LARAVEL, "aes-128-cbc",
	  "eyJpdiI6IlQ2OFNSVmxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsIm1hYyI6ImU2MDJjNjZjNmJiMzY1MGRjOGYwMjUzZmQ1NGM1Zjg0NjE5OWFhYjU4M2ZkMTYzNmIzNTMxYmZiMzhiMzVjYWUiLCJ0YWciOiIifQ==",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", 1, -1, "no key of 16 or 32", NULL, 1 },
	{ "laravel: flipped byte in iv", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlQ2OFNSQWxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsIm1hYyI6ImU2MDJjNjZjNmJiMzY1MGRjOGYwMjUzZmQ1NGM1Zjg0NjE5OWFhYjU4M2ZkMTYzNmIzNTMxYmZiMzhiMzVjYWUiLCJ0YWciOiIifQ==",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", 1, -1, "mac mismatch", NULL, 1 },
	{ "laravel: flipped byte in value", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlQ2OFNSVmxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNBUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsIm1hYyI6ImU2MDJjNjZjNmJiMzY1MGRjOGYwMjUzZmQ1NGM1Zjg0NjE5OWFhYjU4M2ZkMTYzNmIzNTMxYmZiMzhiMzVjYWUiLCJ0YWciOiIifQ==",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", 1, -1, "mac mismatch", NULL, 1 },
	{ "laravel: flipped byte in mac", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlQ2OFNSVmxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsIm1hYyI6ImU2MDJjQTZjNmJiMzY1MGRjOGYwMjUzZmQ1NGM1Zjg0NjE5OWFhYjU4M2ZkMTYzNmIzNTMxYmZiMzhiMzVjYWUiLCJ0YWciOiIifQ==",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", 1, -1, "mac mismatch", NULL, 1 },
	{ "laravel: gcm flipped byte in iv", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlpwdU9UQTBrcFcvdE8zUkkiLCJ2YWx1ZSI6ImVaM3ptaStFYXJYN05aOG1jWFd2YXdJb285VmpYU2tHdEs5QjBvNkxsWU1KVzBTQk5wSzU3aG9TVkVoL3N6QnFFTms9IiwibWFjIjoiIiwidGFnIjoiNEg0U0gxcmV3NWhzMnNpMUE0Y0w2dz09In0=",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", 1, -1, "tag mismatch", NULL, 1 },
	{ "laravel: gcm flipped byte in value", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlpwdU9URzBrcFcvdE8zUkkiLCJ2YWx1ZSI6ImVaM3ptQStFYXJYN05aOG1jWFd2YXdJb285VmpYU2tHdEs5QjBvNkxsWU1KVzBTQk5wSzU3aG9TVkVoL3N6QnFFTms9IiwibWFjIjoiIiwidGFnIjoiNEg0U0gxcmV3NWhzMnNpMUE0Y0w2dz09In0=",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", 1, -1, "tag mismatch", NULL, 1 },
	{ "laravel: gcm flipped byte in tag", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlpwdU9URzBrcFcvdE8zUkkiLCJ2YWx1ZSI6ImVaM3ptaStFYXJYN05aOG1jWFd2YXdJb285VmpYU2tHdEs5QjBvNkxsWU1KVzBTQk5wSzU3aG9TVkVoL3N6QnFFTms9IiwibWFjIjoiIiwidGFnIjoiNEg0U0hBcmV3NWhzMnNpMUE0Y0w2dz09In0=",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", 1, -1, "tag mismatch", NULL, 1 },
	{ "laravel: short iv (MAC redone)", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlQ2OFNSVmxodjQwPSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsIm1hYyI6IjcyMTQ5OWY4MTQ2Y2Y5MGI5NzJlODdiMDk1YTIwZjE1ZWIxMTYyYzg3ZDkyZDQzMjJlNzMzMTQyN2ZkNGYxYjgiLCJ0YWciOiIifQ==",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", -1, 0, "short iv: 8 bytes, aes-cbc needs 16", NULL, 1 },
	{ "laravel: iv not base64", CRYPT_AUTO, NULL,
	  "eyJpdiI6IiEhOFNSVmxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsIm1hYyI6ImU2MDJjNjZjNmJiMzY1MGRjOGYwMjUzZmQ1NGM1Zjg0NjE5OWFhYjU4M2ZkMTYzNmIzNTMxYmZiMzhiMzVjYWUiLCJ0YWciOiIifQ==",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", -1, 0, "iv is not base64", NULL, 1 },
	{ "laravel: no mac field", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlQ2OFNSVmxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsInRhZyI6IiJ9",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", -1, 0, "lacks iv, value or mac", NULL, 1 },
	{ "laravel: gcm tag cut", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlpwdU9URzBrcFcvdE8zUkkiLCJ2YWx1ZSI6ImVaM3ptaStFYXJYN05aOG1jWFd2YXdJb285VmpYU2tHdEs5QjBvNkxsWU1KVzBTQk5wSzU3aG9TVkVoL3N6QnFFTms9IiwibWFjIjoiIiwidGFnIjoiNEg0U0gxcmV3NWc9In0=",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", -1, 0, "tag: 8 bytes", NULL, 1 },
	{ "laravel: forced gcm, no tag", CRYPT_LARAVEL, "aes-256-gcm",
	  "eyJpdiI6IlpwdU9URzBrcFcvdE8zUkkiLCJ2YWx1ZSI6ImVaM3ptaStFYXJYN05aOG1jWFd2YXdJb285VmpYU2tHdEs5QjBvNkxsWU1KVzBTQk5wSzU3aG9TVkVoL3N6QnFFTms9IiwibWFjIjoiIiwidGFnIjoiIn0=",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", -1, 0, "missing tag", NULL, 1 },
	{ "laravel: empty payload", CRYPT_LARAVEL, NULL,
	  "",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", -1, 0, "empty payload", NULL, 1 },
	{ "laravel: non-base64 garbage", CRYPT_LARAVEL, NULL,
	  "{\"iv\":\"x\"}",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", -1, 0, "not base64", NULL, 1 },
	{ "laravel: truncated payload", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlQ2OFNSVmxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsIm1hYyI6ImU2MDJjNjZjNmJiMzY1MGRjOGYwMjUzZmQ1NGM1Zjg0NjE5OWFhYjU4M2ZkMTYzNmIzNTMxYmZiMzhiMzVjYWUiLCJ0YWciOiIifQ",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", -1, 0, "truncated payload", NULL, 1 },
	{ "laravel: truncated JSON", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlQ2OFNSVmxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsIm1hYyI6ImU2MDJjNjZjNmJiMzY1MGRjOGYwMjUzZmQ1NGM1Zjg0NjE5OWFhYjU4M2ZkMTYzNmIzNTMxYmZiMzhiMzVjYWUi",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", -1, 0, "not valid JSON", NULL, 1 },
	{ "laravel: truncated value (MAC redone)", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlQ2OFNSVmxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwUT09IiwibWFjIjoiN2MxOTZlYTU5ZGNlNmRlOTZiYTc2ZGQxNTM1OWI2NTMwZDJiNjBhM2M4OWVmM2Q3MWIxYTRhNDBhNmM4ZDc0NiIsInRhZyI6IiJ9",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", -1, 0, "truncated ciphertext", NULL, 1 },
	{ "laravel: bad padding under a good MAC", CRYPT_AUTO, NULL,
	  "eyJpdiI6InY3TnRHVGtGRm4xajYvdmFoeXd1Q1E9PSIsInZhbHVlIjoid2dJbkoxZjR6VkVObTRUVmpEZEJ6UT09IiwibWFjIjoiMDE5YjM0NDllMmY1MDc4MjcyNDU3YTI0NDgxZjQzNGZhNTYzMDFlYWJlODE4MTYwY2E4ODc5NmNjYjQ1ZjVmNiIsInRhZyI6IiJ9",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", 1, -1, "bad padding", NULL, 1 },
	{ "laravel: old payload without tag", CRYPT_AUTO, NULL,
	  "eyJpdiI6IlQ2OFNSVmxodjQya3kySGhiTkt4MFE9PSIsInZhbHVlIjoiQnZmUnNRUHFFUnFZbnJKb1JXYlRUdDhhSUc2d3hsbDd0OXBBRzUrc04xS0NubVVHa1grT3lnUEthQWUvcUNKTVoycHdra3ZKRzVUM1lUTmZwVGFVd1E9PSIsIm1hYyI6ImU2MDJjNjZjNmJiMzY1MGRjOGYwMjUzZmQ1NGM1Zjg0NjE5OWFhYjU4M2ZkMTYzNmIzNTMxYmZiMzhiMzVjYWUifQ==",
	  "base64:4gVYCr0RFq5Hkjleoi48IFkwLToYlpZSf66qN5UkFvM=", 1, 0, NULL, "s:42:\"a:2:{s:4:\"user\";s:5:\"alice\";s:1:\"n\";i:42;}\";", 1 },
};

/* 1 when no key of the ring appears in msg. */
static int key_free(const struct keyring *kr, const char *msg)
{
	for (size_t i = 0; msg && i < kr->n; i++)
		if (kr->keys[i].len >= 4 && memmem(msg, strlen(msg), kr->keys[i].ptr, kr->keys[i].len))
			return 0;
	return 1;
}

static void check_row(const struct row *w)
{
	struct keyring kr = { NULL, 0 };
	struct crypt_envelope env;
	struct buf out = BUF_INIT;
	char *cause = NULL, *ignored = NULL;
	int idx = 0, ok;
	if (*w->keys)
		keyring_add_text(&kr, w->keys, strlen(w->keys), "test", &ignored);
	free(ignored);
	int p = crypt_parse(w->payload, strlen(w->payload), w->scheme, w->cipher, 1, &env, &cause);
	if (p != 1 || w->parse != 1) {
		ok = p == w->parse && (!w->cause || (cause && strstr(cause, w->cause)));
	} else {
		int o = crypt_open(&env, &kr, NULL, NULL, &out, &idx, &cause);
		ok = o == w->open && (!w->cause || (cause && strstr(cause, w->cause)));
		if (ok && o == 0)
			ok = idx == w->key_index && (!w->plain || (out.len == strlen(w->plain) &&
						      memcmp(out.ptr, w->plain, out.len) == 0));
	}
	unit_check(ok && key_free(&kr, cause), "%s (%s)", w->name, cause ? cause : "ok");
	free(cause);
	buf_release(&out);
	crypt_envelope_release(&env);
	keyring_release(&kr);
}

static const struct { const char *text; int ok; size_t n; size_t len0; const char *what; } rings[] = {
	{ "secret\n", 1, 1, 6, "one raw key" },
	{ "a\r\n\nbase64:AAECAwQFBgcICQoLDA0ODw==\r\n", 1, 2, 1, "CRLF, empty line, base64 key" },
	{ "base64:%%%\n", 0, 0, 0, "bad base64 key" },
	{ "\n\n", 0, 0, 0, "no key at all" },
	{ "  spaced key  ", 1, 1, 14, "spaces are part of a raw key" },
};

static void check_rings(void)
{
	for (size_t i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
		struct keyring kr = { NULL, 0 };
		char *cause = NULL;
		int r = keyring_add_text(&kr, rings[i].text, strlen(rings[i].text), "MEMCSESS_KEY", &cause);
		int ok = rings[i].ok ? r == 0 && kr.n == rings[i].n && kr.keys[0].len == rings[i].len0
				     : r < 0 && cause && strstr(cause, "MEMCSESS_KEY");
		unit_check(ok, "key ring: %s (%s)", rings[i].what, cause ? cause : "ok");
		free(cause);
		keyring_release(&kr);
	}
	char path[] = "/tmp/memcsess-key.XXXXXX";
	int fd = mkstemp(path);
	struct keyring kr = { NULL, 0 };
	char *cause = NULL;
	unit_check(fd >= 0 && write(fd, "one\nbase64:dHdv\n", 16) == 16, "key file written");
	close(fd);
	unit_check(keyring_load_file(&kr, path, &cause) == 0 && kr.n == 2 && kr.keys[1].len == 3 &&
		   memcmp(kr.keys[1].ptr, "two", 3) == 0, "key file: two keys, base64 decoded");
	unlink(path);
	keyring_release(&kr);
	unit_check(kr.n == 0 && kr.keys == NULL, "key ring released");
	int r = keyring_load_file(&kr, path, &cause);
	unit_check(r < 0 && cause && strstr(cause, path), "missing key file named (%s)",
		   cause ? cause : "?");
	free(cause);
}

/* Strings inside a session are looked at strictly: tokens are not envelopes. */
static void check_inner(void)
{
	static const char *const plain[] = {
		"0123456789abcdefABCDEF0123456789abcdefAB",	/* a 40-character token */
		"aGVsbG8gd29ybGQ=",				/* base64 of plain text */
		"eyJmb28iOiJiYXIifQ==",				/* base64 of other JSON */
		"",
	};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		struct crypt_envelope env;
		char *cause = NULL;
		int r = crypt_parse(plain[i], strlen(plain[i]), CRYPT_AUTO, NULL, 0, &env, &cause);
		unit_check(r == 0 && !cause, "inner string %zu is not taken for an envelope", i);
		crypt_envelope_release(&env);
	}
	struct crypt_envelope env;
	char *cause = NULL;
	unit_check(crypt_parse(rows[0].payload, strlen(rows[0].payload), CRYPT_AUTO, NULL, 0, &env,
			       &cause) == 1 && env.scheme == CRYPT_OPENSSL, "inner openssl envelope found");
	crypt_envelope_release(&env);
	unit_check(crypt_parse(rows[0].payload, strlen(rows[0].payload), CRYPT_NONE, NULL, 1, &env,
			       &cause) == 0, "scheme none finds nothing");
	crypt_envelope_release(&env);
	unit_check(crypt_parse("bm90IGxhcmF2ZWw=", 16, CRYPT_LARAVEL, "aes-128-cbc", 1, &env,
			       &cause) < 0 && strcmp(env.cipher, "aes-128-cbc") == 0,
		   "forced Laravel on other data: the cipher named is the one given (%s)", env.cipher);
	crypt_envelope_release(&env);
	free(cause);
	cause = NULL;
	enum crypt_scheme s;
	unit_check(crypt_scheme_parse("laravel", &s) == 0 && s == CRYPT_LARAVEL &&
		   crypt_scheme_parse("sodium", &s) < 0, "scheme names");
	unit_check(crypt_cipher_check("aes-128-ctr", &cause) == 0, "cipher aes-128-ctr known");
	unit_check(crypt_cipher_check("rot13", &cause) < 0 && cause, "cipher rot13 unknown");
	free(cause);
}

/* crypt_inner_possible as its comment says, the slow way: 1 unless an OpenSSL-scheme string
 * decodes to no "::" with four base64 characters or more before it. */
static int ref_possible(const char *s, size_t n, enum crypt_scheme scheme)
{
	if (scheme == CRYPT_NONE || n < 8 || n % 4 || !base64_charset(s, n))
		return 0;
	if (scheme == CRYPT_LARAVEL || (scheme == CRYPT_AUTO && memcmp(s, "eyJ", 3) == 0))
		return 1;
	struct buf raw = BUF_INIT;
	int r = 0;
	if (base64_decode(s, n, &raw) == 0) {
		const char *sep = raw.len >= 2 ? memmem(raw.ptr, raw.len, "::", 2) : NULL;
		r = (scheme == CRYPT_AUTO && raw.len && raw.ptr[0] == '{') ||
		    (sep && sep - raw.ptr >= 4 && base64_charset(raw.ptr, (size_t)(sep - raw.ptr)));
	}
	buf_release(&raw);
	return r;
}

/* The cheap reject against the slow way on many short strings made of the bytes that matter
 * (':', '{', base64 digits, others), base64-encoded, and on bytes that are no base64. */
static void check_inner_possible(void)
{
	static const char pool[] = { 'a', 'Q', '9', '+', ':', ':', '{', '\0', '\xff', '=' };
	static const enum crypt_scheme schemes[] = { CRYPT_AUTO, CRYPT_OPENSSL, CRYPT_LARAVEL,
						     CRYPT_NONE };
	unsigned seed = 12345;
	size_t wrong = 0, yes = 0, tries = 0;
	for (size_t t = 0; t < 200000; t++) {
		char plain[220], *enc;
		size_t len = t % 211, n;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			plain[i] = pool[(seed >> 16) % sizeof(pool)];
		}
		int raw = t % 7 == 0;	/* the bytes themselves: mostly no base64 */
		enc = raw ? NULL : base64_encode(plain, len, &n);
		const char *s = raw ? plain : enc;
		if (raw)
			n = len;
		for (size_t k = 0; k < 4; k++) {
			/* never 0 where the slow way says 1; exact up to 256 bytes (longer: 1) */
			int got = crypt_inner_possible(s, n, schemes[k]),
			    want = ref_possible(s, n, schemes[k]);
			wrong += got < want || (n <= 256 && got != want);
			yes += got;
			tries++;
		}
		free(enc);
	}
	unit_check(wrong == 0 && yes > 1000, "crypt_inner_possible: %zu of %zu wrong (%zu yes)",
		   wrong, tries, yes);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *p = rows[i].payload;
		unit_check(crypt_inner_possible(p, strlen(p), rows[i].scheme) >=
			   ref_possible(p, strlen(p), rows[i].scheme), "possible: %s", rows[i].name);
	}
}

/* Every truncation and every flipped byte of every payload, as a whole value and as a string
 * inside a session, parsed and opened: an answer each time, never a crash (run under ASan). */
static void check_mangled(void)
{
	size_t tries = 0, opened_wrong = 0;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t n = strlen(rows[i].payload);
		char *copy = malloc(n + 1);
		struct keyring kr = { NULL, 0 };
		char *cause = NULL;
		if (*rows[i].keys)
			keyring_add_text(&kr, rows[i].keys, strlen(rows[i].keys), "t", &cause);
		free(cause);
		for (size_t at = 0; at < 2 * n; at++) {
			memcpy(copy, rows[i].payload, n);
			size_t len = at < n ? at : n;
			if (at >= n)
				copy[at - n] ^= 0x21;
			for (int whole = 0; whole < 2; whole++) {
				struct crypt_envelope env;
				struct buf out = BUF_INIT;
				int idx = 0;
				cause = NULL;
				if (crypt_parse(copy, len, rows[i].scheme, rows[i].cipher, whole, &env, &cause) == 1 &&
				    crypt_open(&env, &kr, NULL, NULL, &out, &idx, &cause) == 0 &&
				    env.scheme == CRYPT_LARAVEL && at >= n)
					opened_wrong++;	/* a MAC or tag must catch any flipped byte */
				free(cause);
				buf_release(&out);
				crypt_envelope_release(&env);
				tries++;
			}
		}
		keyring_release(&kr);
		free(copy);
	}
	unit_check(tries > 0 && opened_wrong == 0, "%zu mangled payloads: no tampered Laravel payload "
		   "opened", tries);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i]);
	check_rings();
	check_inner();
	check_inner_possible();
	check_mangled();
	return unit_done();
}
