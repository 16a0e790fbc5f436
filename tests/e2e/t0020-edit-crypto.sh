#!/bin/bash
# memcsess set on encrypted sessions: written by real PHP (the openssl_encrypt pattern through
# a SessionHandler, Laravel's Encrypter stored as its memcached cache store, CBC and GCM, zlib),
# changed with the key, re-encrypted with the same scheme, cipher and key and a fresh IV; the
# application then reads the change back. Without the key: refused, nothing written.
. "$(dirname "$0")/../lib.sh"
mc_start_var A || exit 1
POOL="127.0.0.1:$A"
unset MEMCSESS_KEY
rand() { php -r "echo $1(random_bytes($2));"; }
export MEMCSESS_TEST_OKEY="okey-$(rand bin2hex 12)"
export MEMCSESS_TEST_LKEY="base64:$(rand base64_encode 32)"
printf '%s\n%s\n' "$MEMCSESS_TEST_OKEY" "$MEMCSESS_TEST_LKEY" >"$TMP/keys"
cw() {
	php -d session.save_handler=memcached -d "session.save_path=$POOL" "$PHP_DIR/crypt-write.php" "$@"
}
# expect.jsonl with "edited": 1 added at the end of each session (what set edited=1 makes)
edited() { php -r 'foreach (file($argv[1]) as $l) { $d = json_decode($l, true); $d["expect"]["edited"] = 1;
	echo json_encode($d, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION), "\n"; }' "$1"; }

cw whole 2 >"$TMP/whole.exp" || not_ok "PHP could not write whole-encrypted sessions"
cw laravel 2 "$POOL" laravel_cache: aes-256-cbc >"$TMP/lcbc.exp" || not_ok "laravel cbc writes"
cw laravel 2 "$POOL" myapp_cache_ aes-256-gcm zlib >"$TMP/lgcm.exp" || not_ok "laravel gcm writes"

# without the key: refused, nothing written
sid=$(head -1 "$TMP/whole.exp" | cut -d'"' -f4)
"$MEMCSESS" -s "$POOL" inspect --raw "$sid" >"$TMP/before"
"$MEMCSESS" -s "$POOL" set "$sid" edited=1 >/dev/null 2>"$TMP/err"
check_eq "no key: exit 1" 1 $?
check "no key: says it cannot be edited" grep -q "is encrypted (openssl) and no key was given" "$TMP/err"
"$MEMCSESS" -s "$POOL" inspect --raw "$sid" >"$TMP/after"
check "no key: nothing written" cmp -s "$TMP/before" "$TMP/after"

for sid in $(cut -d'"' -f4 "$TMP/whole.exp"); do
	"$MEMCSESS" -s "$POOL" --key-file "$TMP/keys" set "$sid" edited=1 >"$TMP/out" 2>"$TMP/err"
	check_eq "openssl: set exits 0" 0 $?
	"$MEMCSESS" -s "$POOL" inspect --raw "$sid" >"$TMP/after"
	check "openssl: stored encrypted (no plaintext)" test "$(grep -c edited "$TMP/after")" -eq 0
done
edited "$TMP/whole.exp" >"$TMP/whole.edited"
cw readback whole "$TMP/whole.edited"
# the same plaintext sealed twice: a fresh IV each time
sid=$(head -1 "$TMP/whole.exp" | cut -d'"' -f4)
"$MEMCSESS" -s "$POOL" --key-file "$TMP/keys" set "$sid" edited=2 >/dev/null
"$MEMCSESS" -s "$POOL" inspect --raw "$sid" >"$TMP/one"
"$MEMCSESS" -s "$POOL" --key-file "$TMP/keys" set "$sid" edited=1 >/dev/null
"$MEMCSESS" -s "$POOL" --key-file "$TMP/keys" set "$sid" edited=2 >/dev/null
"$MEMCSESS" -s "$POOL" inspect --raw "$sid" >"$TMP/two"
if cmp -s "$TMP/one" "$TMP/two"; then not_ok "openssl: the same data sealed again is the same bytes"
else ok "openssl: the same data sealed again differs (fresh IV)"; fi

for kind in "lcbc laravel_cache:" "lgcm myapp_cache_"; do
	set -- $kind
	for sid in $(cut -d'"' -f4 "$TMP/$1.exp"); do
		"$MEMCSESS" -s "$POOL" --app laravel --prefix "$2" --key-file "$TMP/keys" set "$sid" edited=1 \
			>"$TMP/out" 2>"$TMP/err"
		check_eq "$1: set exits 0" 0 $?
		check_eq "$1: nothing on stderr" "" "$(cat "$TMP/err")"
	done
	edited "$TMP/$1.exp" >"$TMP/$1.edited"
	cw readback laravel "$TMP/$1.edited" "$POOL" "$2"
done

exit $((FAILS > 0))
