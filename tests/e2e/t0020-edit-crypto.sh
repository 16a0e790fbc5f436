#!/bin/bash
# memcsess set on encrypted sessions: written by real PHP (the openssl_encrypt pattern through
# a SessionHandler, Laravel's Encrypter stored as its memcached cache store, CBC and GCM, zlib),
# changed with the key, re-encrypted with the same scheme, cipher and key and a fresh IV; the
# application then reads the change back. Without the key: refused, nothing written.
# Values encrypted one by one inside a plain session (the openssl pattern, Laravel payloads):
# changed with the key, only the changed one is sealed again (fresh IV), the others keep their
# bytes; without the key, changing one is refused (naming its path), changing others works.
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

# ---- values encrypted one by one inside a plain session ----
cw inner 2 >"$TMP/inner.exp" || not_ok "PHP could not write sessions with encrypted values"
sid=$(head -1 "$TMP/inner.exp" | cut -d'"' -f4)
show() { php -d session.save_handler=memcached -d "session.save_path=$POOL" "$PHP_DIR/crypt-write.php" \
	inner-show "$1"; }
# j FILE FIELD: one field of inner-show's JSON line
j() { php -r '$d = json_decode(file_get_contents($argv[1]), true); echo json_encode($d[$argv[2]]);' "$1" "$2"; }
show "$sid" >"$TMP/i0"
check_eq "inner: PHP wrote the card encrypted" '"4111 1111 1111 0000"' "$(j "$TMP/i0" card)"

# without the key: changing an encrypted value is refused, naming it; nothing written
"$MEMCSESS" -s "$POOL" inspect --raw "$sid" >"$TMP/before"
"$MEMCSESS" -s "$POOL" set "$sid" 'card="4111 0000 0000 9999"' >"$TMP/out" 2>"$TMP/err"
check_eq "inner, no key: set of an encrypted value exits 1" 1 $?
check "inner, no key: the error names the path" grep -q "card: encrypted (openssl) and not opened" "$TMP/err"
"$MEMCSESS" -s "$POOL" set "$sid" 'profile.ssn="1"' >/dev/null 2>"$TMP/err"
check "inner, no key: a nested one too" grep -q "profile\.ssn: encrypted (openssl)" "$TMP/err"
"$MEMCSESS" -s "$POOL" inspect --raw "$sid" >"$TMP/after"
check "inner, no key: nothing written" cmp -s "$TMP/before" "$TMP/after"
# without the key: another value changes, the encrypted ones keep their bytes
"$MEMCSESS" -s "$POOL" set "$sid" user_id=3333 >/dev/null 2>"$TMP/err"
check_eq "inner, no key: setting another value exits 0" 0 $?
show "$sid" >"$TMP/i1"
check_eq "inner, no key: PHP reads the other value" 3333 "$(j "$TMP/i1" user_id)"
for f in card_raw ssn_raw prefs_raw; do
	check_eq "inner, no key: $f byte-identical" "$(j "$TMP/i0" $f)" "$(j "$TMP/i1" $f)"
done

# with the key: the card sealed again (same key, fresh IV), the others byte-identical
"$MEMCSESS" -s "$POOL" --key-file "$TMP/keys" set "$sid" 'card="4111 0000 0000 9999"' \
	>"$TMP/out" 2>"$TMP/err"
check_eq "inner, key: set exits 0" 0 $?
check_eq "inner, key: nothing on stderr" "" "$(cat "$TMP/err")"
show "$sid" >"$TMP/i2"
check_eq "inner, key: PHP decrypts the new value" '"4111 0000 0000 9999"' "$(j "$TMP/i2" card)"
check "inner, key: stored encrypted (no plaintext)" test "$(grep -c '9999' "$TMP/i2")" -eq 1
if [ "$(j "$TMP/i0" card_iv)" != "$(j "$TMP/i2" card_iv)" ] && [ "$(j "$TMP/i2" card_iv)" != null ]
then ok "inner, key: a fresh IV"; else not_ok "inner, key: a fresh IV"; fi
for f in ssn_raw prefs_raw; do
	check_eq "inner, key: $f byte-identical" "$(j "$TMP/i0" $f)" "$(j "$TMP/i2" $f)"
done
check_eq "inner, key: user_id kept" 3333 "$(j "$TMP/i2" user_id)"
# a value inside a Laravel payload: the payload sealed again (its MAC checked by PHP)
"$MEMCSESS" -s "$POOL" --key-file "$TMP/keys" set "$sid" 'prefs.theme="light"' >/dev/null 2>"$TMP/err"
check_eq "inner, key: set inside a Laravel payload exits 0" 0 $?
show "$sid" >"$TMP/i3"
check_eq "inner, key: PHP decrypts the Laravel payload" '{"theme":"light","n":0}' "$(j "$TMP/i3" prefs)"
check_eq "inner, key: the card kept its new bytes" "$(j "$TMP/i2" card_raw)" "$(j "$TMP/i3" card_raw)"
# edit: the plaintext shown, marked to be sealed again, changed, sealed
cat >"$TMP/ied.sh" <<'ED'
#!/bin/sh
cp "$1" "$TMPDIR_IED/text"
sed -i 's/"078-05-0"/"078-05-7777"/' "$1"
ED
chmod +x "$TMP/ied.sh"
TMPDIR_IED=$TMP EDITOR="$TMP/ied.sh" "$MEMCSESS" -s "$POOL" --key-file "$TMP/keys" edit "$sid" \
	</dev/null >"$TMP/out" 2>"$TMP/err"
check_eq "inner, edit: exits 0" 0 $?
check "inner, edit: the text shows the plaintext" grep -q '"ssn": "078-05-0"' "$TMP/text"
check "inner, edit: ... marked to be sealed again" grep -q '^# sealed again on save (openssl): profile\.ssn$' "$TMP/text"
show "$sid" >"$TMP/i4"
check_eq "inner, edit: PHP decrypts the edited value" '"078-05-7777"' "$(j "$TMP/i4" ssn)"
check_eq "inner, edit: the card kept its bytes" "$(j "$TMP/i3" card_raw)" "$(j "$TMP/i4" card_raw)"
check_eq "inner, edit: the Laravel payload kept its bytes" "$(j "$TMP/i3" prefs_raw)" "$(j "$TMP/i4" prefs_raw)"
# without the key: unsetting an encrypted value works
"$MEMCSESS" -s "$POOL" unset "$sid" card >/dev/null 2>"$TMP/err"
check_eq "inner, no key: unset of an encrypted value exits 0" 0 $?
show "$sid" >"$TMP/i5"
check_eq "inner, no key: PHP sees it gone" false "$(j "$TMP/i5" has_card)"
check_eq "inner, no key: the others kept their bytes" "$(j "$TMP/i4" ssn_raw)" "$(j "$TMP/i5" ssn_raw)"

exit $((FAILS > 0))
