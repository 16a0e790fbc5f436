#!/bin/bash
# Encrypted and compressed sessions, written by real PHP at test time: the hand-rolled
# openssl_encrypt pattern through PHP's memcached session handler (whole values and values
# inside sessions), Laravel's Encrypter payloads stored as Laravel's memcached cache store does
# (CBC and GCM, a key ring, zlib-compressed), Symfony's sessions compressed by php-memcached
# (fastlz, zlib). memcsess must show what PHP put in, say what it cannot open and why, keep
# stored bytes as they are, and never print the key.
. "$(dirname "$0")/../lib.sh"
mc_start_var A || exit 1
mc_start_var B || exit 1
POOL="127.0.0.1:$A,127.0.0.1:$B"
OUT=$TMP/out
mkdir -p "$OUT"
unset MEMCSESS_KEY
rand() { php -r "echo $1(random_bytes($2));"; }
export MEMCSESS_TEST_OKEY="okey-$(rand bin2hex 12)"
export MEMCSESS_TEST_LKEY="base64:$(rand base64_encode 32)"
LKEY_B64=${MEMCSESS_TEST_LKEY#base64:}
# The key ring: the openssl scheme's key, a previous Laravel key (wrong now), the current one.
printf '%s\nbase64:%s\n%s\n' "$MEMCSESS_TEST_OKEY" "$(rand base64_encode 32)" \
	"$MEMCSESS_TEST_LKEY" >"$TMP/keys"
printf 'base64:%s\nnot-the-key\n' "$(rand base64_encode 32)" >"$TMP/wrong"
printf '%s\n' "$MEMCSESS_TEST_OKEY" >"$TMP/okey"	# the openssl scheme's key alone

cw() {
	php -d session.save_handler=memcached -d "session.save_path=$POOL" "$PHP_DIR/crypt-write.php" "$@"
}
cw whole 6 >"$TMP/whole.exp" || not_ok "PHP could not write whole-encrypted sessions"
cw inner 6 >"$TMP/inner.exp" || not_ok "PHP could not write sessions with encrypted values"
cw laravel 6 "$POOL" laravel_cache: aes-256-cbc >"$TMP/lcbc.exp" || not_ok "laravel cbc writes"
cw laravel 6 "$POOL" myapp_cache_ aes-256-gcm zlib >"$TMP/lgcm.exp" || not_ok "laravel gcm writes"
cw symfony 4 "$POOL" fastlz >"$TMP/sf.exp" || not_ok "symfony fastlz writes"
cw symfony 4 "$POOL" zlib >>"$TMP/sf.exp" || not_ok "symfony zlib writes"
cat "$TMP/whole.exp" "$TMP/inner.exp" >"$TMP/php.exp"
sid_of() { sed -n "${2}p" "$1" | cut -d'"' -f4; }

# m NAME ARGS...: runs memcsess, output in $OUT/NAME (stdout) and $OUT/NAME.err; prints the code.
m() {
	local name=$1
	shift
	"$MEMCSESS" -s "$POOL" "$@" >"$OUT/$name" 2>"$OUT/$name.err"
	echo $?
}
LV=(--app laravel --prefix laravel_cache:)
LG=(--app laravel --prefix myapp_cache_)

# --- PHP's session handler: whole values and values inside, key from a file ---
check_eq "dump --decrypt exits 0" 0 "$(m dump-dec --key-file "$TMP/keys" dump --decrypt)"
check_eq "dump --decrypt says nothing on stderr" "" "$(cat "$OUT/dump-dec.err")"
php "$PHP_DIR/compare.php" "$TMP/php.exp" "$OUT/dump-dec" "dump --decrypt: whole and inner values equal PHP's"
n=$(grep -F -f <(cut -d'"' -f4 "$TMP/whole.exp") "$OUT/dump-dec" |
	grep -c '"encryption":{"scheme":"openssl","cipher":"aes-256-cbc","decrypted":true,"key":1}')
check_eq "dump --decrypt names scheme, cipher and key for each whole value" 6 "$n"

# Without --decrypt: stored bytes only, whole values shown as encrypted, inner values as stored.
check_eq "dump (no --decrypt) exits 0" 0 "$(m dump-raw --key-file "$TMP/keys" dump)"
n=$(grep -F -f <(cut -d'"' -f4 "$TMP/whole.exp") "$OUT/dump-raw" | grep '"handler":"encrypted"' |
	grep -c '"decrypted":false')
check_eq "dump without --decrypt leaves whole values encrypted" 6 "$n"
check_eq "dump without --decrypt adds no data for them" 0 \
	"$(grep -F -f <(cut -d'"' -f4 "$TMP/whole.exp") "$OUT/dump-raw" | grep -c '"data"')"
check_eq "dump without --decrypt leaves inner values encrypted" 0 "$(grep -c '__decrypted' "$OUT/dump-raw")"
check_eq "... marks each with its scheme in data (openssl)" 12 "$(grep -o '{"__encrypted":"[A-Za-z0-9+/=]*","__scheme":"openssl"}' "$OUT/dump-raw" | wc -l)"
check_eq "... (laravel)" 6 "$(grep -o '"prefs":{"__encrypted":"eyJ[A-Za-z0-9+/=]*","__scheme":"laravel"}' "$OUT/dump-raw" | wc -l)"
check_eq "dump without --decrypt counts the inner values" 6 \
	"$(grep -c '"inner_encryption":{"found":3,"decrypted":0,"failed":0}' "$OUT/dump-raw")"
php -r '
	function vals($f) { $v = []; foreach (file($f) as $l) { $d = json_decode($l, true);
		$v[$d["key"]] = [$d["value"] ?? $d["value_b64"], $d["flags"]]; } ksort($v); return $v; }
	exit(vals($argv[1]) === vals($argv[2]) && count(vals($argv[1])) == 12 ? 0 : 1);' \
	"$OUT/dump-raw" "$OUT/dump-dec"
check_eq "dump and dump --decrypt carry the same stored bytes and flags" 0 $?

# The key from MEMCSESS_KEY instead of a file.
MEMCSESS_KEY=$(cat "$TMP/keys") "$MEMCSESS" -s "$POOL" dump --decrypt >"$OUT/dump-env" 2>"$OUT/dump-env.err"
check_eq "dump --decrypt with MEMCSESS_KEY exits 0" 0 $?
php "$PHP_DIR/compare.php" "$TMP/php.exp" "$OUT/dump-env" "MEMCSESS_KEY: same data"
check_eq "dump --decrypt without any key is a usage error" 2 "$(m dump-nokey dump --decrypt)"
check "... that says where keys come from" grep -q "key-file PATH or set MEMCSESS_KEY" "$OUT/dump-nokey.err"

# list: encrypted without a key, decrypted with it.
check_eq "list without a key exits 0" 0 "$(m list-nokey list)"
sid=$(sid_of "$TMP/whole.exp" 1)
check "list without a key: handler encrypted, scheme named" grep -q "^$sid .* encrypted *encrypted openssl" "$OUT/list-nokey"
check_eq "list with the key exits 0" 0 "$(m list-key --key-file "$TMP/keys" list)"
check "list with the key: handler of the plaintext, decrypted noted" grep -q "^$sid .* php *decrypted openssl" "$OUT/list-key"
check_eq "list without a key does not open sessions to look inside (no note)" 6 "$(grep -c '^i0.* php *$' "$OUT/list-nokey")"
check_eq "list with the key: values inside decrypted, counted" 6 "$(grep -c '^i0.* php *3 decrypted inside$' "$OUT/list-key")"
check_eq "list with only the openssl key exits 1 (a Laravel value inside stays encrypted)" 1 "$(m list-okey --key-file "$TMP/okey" list)"
check_eq "... each such session noted" 6 "$(grep -c '^i0.* php *cannot decrypt 1 of 3 inside$' "$OUT/list-okey")"
check_eq "... and named on stderr with the value and why" 6 "$(grep -c '^memcsess: server .*: key memc\.sess\.key\.i0.*: cannot decrypt 1 value: prefs: no key of 16 or 32 bytes' "$OUT/list-okey.err")"
check_eq "... the whole values still decrypted" 6 "$(grep -c '^w0.* php *decrypted openssl$' "$OUT/list-okey")"
check_eq "list --json with only the openssl key: inner_encryption says which failed" 6 "$(m list-okey-json --key-file "$TMP/okey" list --json >/dev/null; grep -c '"inner_encryption":{"found":3,"decrypted":2,"failed":1,"error":"prefs: no key of 16' "$OUT/list-okey-json")"
check_eq "list --json with the key exits 0" 0 "$(m list-json --key-file "$TMP/keys" list --json)"
check_eq "list --json: every whole value decrypted" 6 "$(grep -c '"handler":"php","encryption":{"scheme":"openssl","cipher":"aes-256-cbc","decrypted":true' "$OUT/list-json")"

# inspect: the tree marks what was decrypted; --json equals PHP's data.
sid=$(sid_of "$TMP/inner.exp" 2)
check_eq "inspect (inner values) exits 0" 0 "$(m insp-inner --key-file "$TMP/keys" inspect "$sid")"
check "inspect shows the decrypted card" grep -q '^  card: string(19) "4111 1111 1111 0001" (decrypted: openssl)$' "$OUT/insp-inner"
check "inspect shows the nested decrypted value" grep -q '^    ssn: string(8) "078-05-1" (decrypted: openssl)$' "$OUT/insp-inner"
check "inspect shows the unserialized Laravel value" grep -q '^  prefs: array(2) (decrypted: laravel)$' "$OUT/insp-inner"
check "inspect counts them" grep -q '^encrypted    3 values inside, 3 decrypted$' "$OUT/insp-inner"
check_eq "inspect (inner values) without a key exits 0" 0 "$(m insp-inner-nokey inspect "$sid")"
check "... the card is marked encrypted, with its scheme" grep -qE '^  card: string\([0-9]+\) "[A-Za-z0-9+/=]+" \(encrypted: openssl\)$' "$OUT/insp-inner-nokey"
check "... the nested value too" grep -qE '^    ssn: string\([0-9]+\) "[A-Za-z0-9+/=]+" \(encrypted: openssl\)$' "$OUT/insp-inner-nokey"
check "... the Laravel value with its scheme" grep -qE '^  prefs: string\([0-9]+\) "eyJ.* \(encrypted: laravel\)$' "$OUT/insp-inner-nokey"
check_eq "... and nothing else is marked" 3 "$(grep -c '(encrypted: \|(decrypted: ' "$OUT/insp-inner-nokey")"
check_eq "inspect with only the openssl key exits 1 (one value stays encrypted)" 1 "$(m insp-inner-okey --key-file "$TMP/okey" inspect "$sid")"
check "... the card is decrypted" grep -q '^  card: string(19) "4111 1111 1111 0001" (decrypted: openssl)$' "$OUT/insp-inner-okey"
check "... the Laravel value stays, marked encrypted" grep -q '^  prefs: string(.*"\.\.\. (encrypted: laravel)$' "$OUT/insp-inner-okey"
check "... and the header says why" grep -q '^encrypted    3 values inside, 2 decrypted; cannot decrypt prefs: no key of 16 or 32 bytes' "$OUT/insp-inner-okey"
"$MEMCSESS" -s "$POOL" --key-file "$TMP/okey" inspect --json "$sid" >"$OUT/insp-inner-okey-json" 2>&1
php -r '$d = json_decode(file_get_contents($argv[1]), true)["data"];
	exit($d["card"]["__scheme"] === "openssl" && isset($d["card"]["__decrypted"]) &&
	     $d["prefs"]["__scheme"] === "laravel" && str_starts_with($d["prefs"]["__encrypted"], "eyJ") ? 0 : 1);' \
	"$OUT/insp-inner-okey-json"
check_eq "... inspect --json: __decrypted for the card, __encrypted (laravel) for prefs" 0 $?
check_eq "inspect --json exits 0" 0 "$(m insp-json --key-file "$TMP/keys" inspect --json "$sid")"
php -r 'echo json_encode(json_decode(file_get_contents($argv[1]))), "\n";' "$OUT/insp-json" >"$OUT/insp-json.line"
grep "\"$sid\"" "$TMP/inner.exp" >"$TMP/one.exp"
php "$PHP_DIR/compare.php" "$TMP/one.exp" "$OUT/insp-json.line" "inspect --json: decrypted values marked"
sid=$(sid_of "$TMP/whole.exp" 3)
check_eq "inspect (whole value) exits 0" 0 "$(m insp-whole --key-file "$TMP/keys" inspect "$sid")"
check "inspect names scheme, cipher and key" grep -q '^encryption   openssl aes-256-cbc, decrypted with key 1$' "$OUT/insp-whole"
check "inspect shows the plaintext" grep -q '^  name: string(8) "whöle 2"$' "$OUT/insp-whole"
check_eq "inspect without a key exits 0" 0 "$(m insp-nokey inspect "$sid")"
check "inspect without a key says encrypted and how" grep -q '^encryption   openssl aes-256-cbc, not decrypted (no key' "$OUT/insp-nokey"

# decode: the stored bytes from inspect --raw, decrypted again.
"$MEMCSESS" -s "$POOL" inspect --raw "$sid" >"$TMP/raw"
"$MEMCSESS" --key-file "$TMP/keys" decode --json "$TMP/raw" >"$OUT/decode" 2>"$OUT/decode.err"
check_eq "decode of a stored encrypted value exits 0" 0 $?
php -r '$e = json_decode(explode("\n", file_get_contents($argv[1]))[2], true)["expect"];
	exit(json_decode(file_get_contents($argv[2]), true) === $e ? 0 : 1);' "$TMP/whole.exp" "$OUT/decode"
check_eq "decode --json gives PHP's data" 0 $?

# --- Laravel: cache prefix + 40-character id, whole key hashed, key ring ---
check_eq "laravel cbc: dump --decrypt exits 0" 0 "$(m lcbc "${LV[@]}" --key-file "$TMP/keys" dump --decrypt)"
check_eq "laravel cbc: nothing on stderr" "" "$(cat "$OUT/lcbc.err")"
php "$PHP_DIR/compare.php" "$TMP/lcbc.exp" "$OUT/lcbc" "laravel aes-256-cbc: data equals the attributes"
check_eq "laravel cbc: the third key of the ring opened each" 6 \
	"$(grep -c '"encryption":{"scheme":"laravel","cipher":"aes-256-cbc","decrypted":true,"key":3}' "$OUT/lcbc")"
check_eq "laravel: the plaintext's handler is php_serialize" 6 "$(grep -c '"handler":"php_serialize"' "$OUT/lcbc")"
check_eq "laravel: sessions found on the server the client hashed them to" 0 "$(grep -c php_server "$OUT/lcbc")"
check_eq "laravel gcm+zlib: dump --decrypt exits 0" 0 "$(m lgcm "${LG[@]}" --key-file "$TMP/keys" dump --decrypt)"
php "$PHP_DIR/compare.php" "$TMP/lgcm.exp" "$OUT/lgcm" "laravel aes-256-gcm, zlib-compressed: data equals the attributes"
check_eq "laravel gcm: compressed payloads named zlib" 3 "$(grep -c '"compression":"zlib","encryption":{"scheme":"laravel","cipher":"aes-256-gcm"' "$OUT/lgcm")"
sid=$(sid_of "$TMP/lcbc.exp" 4)
check_eq "laravel: inspect finds the session" 0 "$(m linsp "${LV[@]}" --key-file "$TMP/keys" inspect "$sid")"
check "laravel: inspect shows the decrypted attributes" grep -q '^  login_web_59ba36: int 4003$' "$OUT/linsp"
check "laravel: inspect names the server Laravel reads it from" grep -Eq '^server  *127\.0\.0\.1:[0-9]+ \(where Laravel reads it\)$' "$OUT/linsp"
# a copy of that item on the other server is one Laravel does not read, and is named so
home=$(sed -n 's/^server  *127\.0\.0\.1:\([0-9]*\) (where Laravel reads it)$/\1/p' "$OUT/linsp")
other=$([ "$home" = "$A" ] && echo "$B" || echo "$A")
mc_cmd "$other" "set laravel_cache:$sid 0 0 2"$'\r\n'"xx" >/dev/null
"$MEMCSESS" -s "$POOL" "${LV[@]}" list "$sid" >"$OUT/lmis"
check "laravel: a copy elsewhere is named as misplaced, with the server Laravel reads" \
	grep -q "127\.0\.0\.1:$other .*misplaced: Laravel reads 127\.0\.0\.1:$home" "$OUT/lmis"
mc_cmd "$other" "delete laravel_cache:$sid" >/dev/null
check_eq "laravel: --app laravel without --prefix is a usage error" 2 "$(m lnopfx --app laravel list)"

# --- load restores a dump --decrypt exactly: the application reads its sessions back ---
mc_start_var E || exit 1
EPOOL="127.0.0.1:$E"
ld() { "$MEMCSESS" -s "$EPOOL" "$@" >>"$OUT/load" 2>&1; echo $?; }
check_eq "load of a dump --decrypt exits 0" 0 "$(ld load "$OUT/dump-dec")"
check_eq "load of a Laravel dump --decrypt exits 0" 0 "$(ld "${LV[@]}" load "$OUT/lcbc")"
check_eq "load of a compressed Laravel dump --decrypt exits 0" 0 "$(ld "${LG[@]}" load "$OUT/lgcm")"
"$MEMCSESS" -s "$EPOOL" dump --no-data >"$OUT/dump-loaded" 2>>"$OUT/load"
"$MEMCSESS" -s "$EPOOL" "${LG[@]}" dump --no-data >"$OUT/dump-loaded-lgcm" 2>>"$OUT/load"
vals='function vals($f) { $v = []; foreach (file($f) as $l) { $d = json_decode($l, true);
	$v[$d["key"]] = [$d["value"] ?? $d["value_b64"], $d["flags"]]; } ksort($v); return $v; }'
php -r "$vals"' exit(vals($argv[1]) === vals($argv[2]) && count(vals($argv[1])) == 12 ? 0 : 1);' \
	"$OUT/dump-raw" "$OUT/dump-loaded"
check_eq "loaded: the stored bytes and flags, not the plaintext" 0 $?
php -r "$vals"' exit(vals($argv[1]) === vals($argv[2]) && count(array_filter(vals($argv[1]),
	fn($x) => $x[1] == 48)) == 3 ? 0 : 1);' "$OUT/lgcm" "$OUT/dump-loaded-lgcm"
check_eq "loaded: compressed payloads keep their bytes and zlib flags" 0 $?
php -d session.save_handler=memcached -d "session.save_path=$EPOOL" "$PHP_DIR/crypt-write.php" \
	readback whole "$TMP/whole.exp"
php "$PHP_DIR/crypt-write.php" readback laravel "$TMP/lcbc.exp" "$EPOOL" laravel_cache:
php "$PHP_DIR/crypt-write.php" readback laravel "$TMP/lgcm.exp" "$EPOOL" myapp_cache_

# --- Symfony: compressed by php-memcached ---
check_eq "symfony: dump exits 0" 0 "$(m sf --app symfony dump)"
php "$PHP_DIR/compare.php" "$TMP/sf.exp" "$OUT/sf" "symfony fastlz and zlib values decompressed"
check_eq "symfony: fastlz named" 4 "$(grep -c '"flags":80,.*"compression":"fastlz"' "$OUT/sf")"
check_eq "symfony: zlib named" 4 "$(grep -c '"flags":48,.*"compression":"zlib"' "$OUT/sf")"
check_eq "symfony: list shows the compression" 8 "$(m sfl --app symfony list >/dev/null; grep -c ' php  .*\(fastlz\|zlib\)' "$OUT/sfl")"

# --- list --detect ---
check_eq "list --detect exits 0" 0 "$(m detect list --detect)"
check "detect: php sessions, 6 encrypted" grep -qE '^php +memc\.sess\.key\. +12 +0  openssl 6$' "$OUT/detect"
check "detect: laravel_cache:" grep -qE '^laravel +laravel_cache: +6 +0  laravel 6$' "$OUT/detect"
check "detect: myapp_cache_ (compressed)" grep -qE '^laravel +myapp_cache_ +6 +3  laravel 6$' "$OUT/detect"
check "detect: symfony" grep -qE '^symfony +sf2s +8 +8  -$' "$OUT/detect"

# --- tampering and wrong keys: per-session errors, the rest unaffected, exit 1 ---
lsid=$(sid_of "$TMP/lcbc.exp" 2)
php -r '
	$m = new Memcached(); foreach (explode(",", $argv[1]) as $s) { [$h, $p] = explode(":", $s); $m->addServer($h, (int)$p); }
	$k = "laravel_cache:" . $argv[2];
	$j = json_decode(base64_decode($m->get($k)), true);
	$j["value"][10] = $j["value"][10] === "A" ? "B" : "A";
	exit($m->set($k, base64_encode(json_encode($j, JSON_UNESCAPED_SLASHES)), 600) ? 0 : 1);' "$POOL" "$lsid"
check_eq "a Laravel payload tampered with" 0 $?
check_eq "tampered: dump --decrypt exits 1" 1 "$(m ltamper "${LV[@]}" --key-file "$TMP/keys" dump --decrypt)"
check "tampered: stderr names the session and says mac mismatch" grep -q "key laravel_cache:$lsid: cannot decrypt (laravel aes-cbc): mac mismatch" "$OUT/ltamper.err"
check_eq "tampered: only that one failed" 1 "$(wc -l <"$OUT/ltamper.err")"
check_eq "tampered: the others are still decrypted" 5 "$(grep -c '"data"' "$OUT/ltamper")"
check_eq "tampered: shown as still encrypted, with the reason" 1 "$(grep -c '"handler":"encrypted","encryption":{"scheme":"laravel","cipher":"aes-cbc","decrypted":false,"error":"mac mismatch"}' "$OUT/ltamper")"
check_eq "tampered: inspect exits 1" 1 "$(m ltinsp "${LV[@]}" --key-file "$TMP/keys" inspect "$lsid")"
check "tampered: inspect says why" grep -q '^encryption   laravel aes-cbc, cannot decrypt: mac mismatch$' "$OUT/ltinsp"
wsid=$(sid_of "$TMP/whole.exp" 5)
RAW=$(grep -o "\"value\":\"[^\"]*\"" <(grep "\"$wsid\"" "$OUT/dump-raw") | cut -d'"' -f4)
RAW=${RAW%??} php -d session.save_handler=memcached -d "session.save_path=$POOL" -r '
	class Raw extends SessionHandler { public function read($id): string|false { return ""; }
		public function write($id, $data): bool { return parent::write($id, getenv("RAW")); } }
	ini_set("session.use_cookies", "0"); ini_set("session.use_strict_mode", "0");
	session_set_save_handler(new Raw(), true); session_id($argv[1]); session_start(); session_write_close();' "$wsid"
check_eq "tampered php: dump --decrypt exits 1" 1 "$(m wtamper --key-file "$TMP/keys" dump --decrypt)"
check "tampered php: truncated payload named" grep -q "key memc.sess.key.$wsid: cannot decrypt (openssl aes-256-cbc): truncated payload" "$OUT/wtamper.err"
check_eq "wrong keys: dump --decrypt exits 1" 1 "$(m wrong "${LV[@]}" --key-file "$TMP/wrong" dump --decrypt)"
check_eq "wrong keys: every Laravel session is a mac mismatch" 6 "$(grep -c 'mac mismatch' "$OUT/wrong.err")"
check_eq "wrong keys: list exits 1" 1 "$(m wrongl --key-file "$TMP/wrong" list)"
check_eq "unreadable key file: usage error" 2 "$(m nofile --key-file "$TMP/none" list)"
check "unreadable key file: named" grep -q "key file $TMP/none: No such file" "$OUT/nofile.err"

# --- every kind of damage, made by real PHP just now and stored through its session handler:
# each session says what is wrong, is dumped still encrypted, and the others are unaffected ---
mc_start_var D || exit 1
DPOOL="127.0.0.1:$D"
php -d session.save_handler=memcached -d "session.save_path=$DPOOL" "$PHP_DIR/crypt-write.php" \
	damaged >"$TMP/dmg.exp" || not_ok "PHP could not write the damaged sessions"
php -d session.save_handler=memcached -d "session.save_path=$DPOOL" "$PHP_DIR/crypt-write.php" \
	whole 3 >"$TMP/dgood.exp" || not_ok "PHP could not write whole-encrypted sessions"
"$MEMCSESS" -s "$DPOOL" --key-file "$TMP/keys" dump --decrypt >"$OUT/dmg" 2>"$OUT/dmg.err"
check_eq "damaged: dump --decrypt exits 1" 1 $?
while IFS=$'\t' read -r sid case error; do
	check "damaged: $case: '$error'" grep -qE "key memc\.sess\.key\.$sid: .*($error)" "$OUT/dmg.err"
done < <(php -r 'foreach (file($argv[1]) as $l) { $d = json_decode($l, true);
	echo $d["sid"], "\t", $d["case"], "\t", $d["error"], "\n"; }' "$TMP/dmg.exp")
check_eq "damaged: one message for each, no other" "$(wc -l <"$TMP/dmg.exp")" "$(wc -l <"$OUT/dmg.err")"
check_eq "damaged: each is dumped still encrypted, with its error" "$(($(wc -l <"$TMP/dmg.exp") - 1))" \
	"$(grep -c '"handler":"encrypted","encryption":{[^}]*"decrypted":false,"error":"' "$OUT/dmg")"
php "$PHP_DIR/compare.php" "$TMP/dgood.exp" "$OUT/dmg" "damaged: the good sessions beside them are decrypted"
gsid=$(grep '"non-base64 garbage"' "$TMP/dmg.exp" | cut -d'"' -f4)
check_eq "garbage with --scheme openssl: inspect exits 1" 1 "$(m dmg-forced -s "$DPOOL" --scheme openssl --key-file "$TMP/keys" inspect "$gsid")"
check "... and says the payload is not base64" grep -q '^encryption   openssl aes-256-cbc, cannot decrypt: payload is not base64$' "$OUT/dmg-forced"
check_eq "damaged: list with the key exits 1" 1 "$(m dmg-list -s "$DPOOL" --key-file "$TMP/keys" list)"
check_eq "damaged: list notes each reason" "$(($(wc -l <"$TMP/dmg.exp") - 1))" "$(grep -c ' encrypted *cannot decrypt: ' "$OUT/dmg-list")"
check_eq "damaged: list shows the good ones decrypted" 3 "$(grep -c ' php *decrypted openssl$' "$OUT/dmg-list")"

# --- --cipher and --scheme: the pattern with another cipher, made by real PHP ---
mc_start_var F || exit 1
FPOOL="127.0.0.1:$F"
MEMCSESS_TEST_CIPHER=aes-128-cbc php -d session.save_handler=memcached -d "session.save_path=$FPOOL" \
	"$PHP_DIR/crypt-write.php" whole 3 >"$TMP/c128.exp" || not_ok "PHP could not write aes-128-cbc sessions"
f() { m "$@" -s "$FPOOL" --key-file "$TMP/keys" dump --decrypt; }
check_eq "aes-128-cbc without --cipher: dump --decrypt exits 1" 1 "$(f c256)"
# the wrong cipher ends in bad padding, or (about one time in 256) padding that happens to look
# right over bytes that are no session: both name the cipher tried
check_eq "... each named, with the cipher tried" 3 "$(grep -cE 'cannot decrypt \(openssl aes-256-cbc\): (bad padding|wrong key or damaged data \(padding right, plaintext unusable\))' "$OUT/c256.err")"
check_eq "--cipher aes-128-cbc: dump --decrypt exits 0" 0 "$(f c128 --cipher aes-128-cbc)"
php "$PHP_DIR/compare.php" "$TMP/c128.exp" "$OUT/c128" "--cipher aes-128-cbc: data equals PHP's"
check_eq "--cipher aes-128-cbc: named in encryption" 3 "$(grep -c '"encryption":{"scheme":"openssl","cipher":"aes-128-cbc","decrypted":true,"key":1}' "$OUT/c128")"
check_eq "--cipher rot13: usage error" 2 "$(f crot13 --cipher rot13)"
check "... naming the cipher" grep -q "^memcsess: --cipher: cipher 'rot13' is unknown to libcrypto" "$OUT/crot13.err"
check_eq "--scheme sodium: usage error" 2 "$(f csodium --scheme sodium)"
check "... naming the schemes there are" grep -q "^memcsess: --scheme: expected auto, none, openssl or laravel, got 'sodium'" "$OUT/csodium.err"
check_eq "--scheme laravel on the openssl pattern: exits 1" 1 "$(f cforced --cipher aes-128-cbc --scheme laravel)"
check_eq "... each said not to be Laravel's" 3 "$(grep -c "cannot decrypt (laravel aes-[a-z0-9-]*): payload is not Laravel's JSON" "$OUT/cforced.err")"
check_eq "--scheme openssl: exits 0" 0 "$(f copenssl --cipher aes-128-cbc --scheme openssl)"
php "$PHP_DIR/compare.php" "$TMP/c128.exp" "$OUT/copenssl" "--scheme openssl: data equals PHP's"
m cnone -s "$FPOOL" --key-file "$TMP/keys" --scheme none dump >/dev/null
check_eq "--scheme none: nothing taken for encrypted" 0 "$(grep -c '"encryption"' "$OUT/cnone")"
# A key longer than the cipher's: PHP cuts it (here 40 bytes to aes-128-cbc's 16); memcsess too.
LONGKEY="long-$(rand bin2hex 16)-key"
MEMCSESS_TEST_OKEY=$LONGKEY MEMCSESS_TEST_CIPHER=aes-128-cbc php -d session.save_handler=memcached \
	-d "session.save_path=$FPOOL" "$PHP_DIR/crypt-write.php" whole 2 >"$TMP/clong.exp" || not_ok "PHP could not write with a long key"
{ cat "$TMP/keys"; echo "$LONGKEY"; } >"$TMP/keyslong"
check_eq "a key longer than the cipher's: dump --decrypt exits 0" 0 "$(m clong -s "$FPOOL" --key-file "$TMP/keyslong" --cipher aes-128-cbc dump --decrypt)"
php "$PHP_DIR/compare.php" "$TMP/clong.exp" "$OUT/clong" "long key cut as PHP cuts it: data equals PHP's"
check_eq "... opened by that key (the fourth)" 2 "$(grep -c '"cipher":"aes-128-cbc","decrypted":true,"key":4}' "$OUT/clong")"
# Laravel with a 16-byte APP_KEY (aes-128-cbc and aes-128-gcm), in Laravel 12's <app>-cache- shape.
L16="base64:$(rand base64_encode 16)"
MEMCSESS_TEST_LKEY=$L16 cw laravel 4 "$FPOOL" shop-cache- aes-128-cbc >"$TMP/l128.exp" || not_ok "laravel aes-128-cbc writes"
MEMCSESS_TEST_LKEY=$L16 cw laravel 4 "$FPOOL" shop-cache- aes-128-gcm >>"$TMP/l128.exp" || not_ok "laravel aes-128-gcm writes"
{ cat "$TMP/keys"; echo "$L16"; } >"$TMP/keys16"
check_eq "laravel aes-128: dump --decrypt exits 0" 0 "$(m l128 -s "$FPOOL" --app laravel --prefix shop-cache- --key-file "$TMP/keys16" dump --decrypt)"
php "$PHP_DIR/compare.php" "$TMP/l128.exp" "$OUT/l128" "laravel aes-128-cbc and aes-128-gcm: data equals the attributes"
check_eq "laravel aes-128-cbc: the fourth key of the ring" 4 "$(grep -c '"encryption":{"scheme":"laravel","cipher":"aes-128-cbc","decrypted":true,"key":4}' "$OUT/l128")"
check_eq "laravel aes-128-gcm: the fourth key of the ring" 4 "$(grep -c '"encryption":{"scheme":"laravel","cipher":"aes-128-gcm","decrypted":true,"key":4}' "$OUT/l128")"
check_eq "list --detect finds the <app>-cache- prefix" 0 "$(m fdetect -s "$FPOOL" list --detect)"
check "... with its 8 Laravel sessions" grep -qE '^laravel +shop-cache- +8 +[0-9]+  laravel 8$' "$OUT/fdetect"

# --- the key never appears anywhere ---
check_eq "the openssl key appears in no output" "" "$(grep -rlF -- "$MEMCSESS_TEST_OKEY" "$OUT")"
check_eq "the Laravel key appears in no output" "" "$(grep -rlF -- "$LKEY_B64" "$OUT")"
check_eq "no key appears in dumps' values" "" "$(grep -lF -e "$MEMCSESS_TEST_OKEY" -e "$LKEY_B64" "$OUT"/dump-*)"
exit 0
