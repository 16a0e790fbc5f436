#!/bin/bash
# memcsess set / unset: real PHP writes sessions with every handler (nested arrays, objects with
# private and protected properties, references, enums, floats, binary, unicode); each is copied
# byte for byte to a twin; memcsess changes one and real PHP makes the same change to the twin:
# both must hold the same bytes, and PHP must read the changed data. Then: untouched sessions
# come back byte for byte (set + unset), a CAS conflict (PHP writes between memcsess's read and
# write) keeps PHP's write, a held lock is refused without --force, replicas, bad input,
# compressed values (zlib, FastLZ) that php-memcached reads back.
. "$(dirname "$0")/../lib.sh"
mc_start_var A || exit 1
POOL="127.0.0.1:$A"
P=memc.sess.key.

raw() { "$MEMCSESS" -s "$1" inspect --raw "$2"; }

# Every session PHP writes, decoded and encoded again, gives its stored bytes: an edit that
# changes nothing says "no change" only when the encoding equals the stored bytes.
mc_start_var R || exit 1
for h in php php_binary php_serialize igbinary; do
	{ php_write "127.0.0.1:$R" "$h" 4 rich; php_write "127.0.0.1:$R" "$h" 4 edge
	  php_write "127.0.0.1:$R" "$h" 2 simple; } >"$TMP/rt.$h" || not_ok "$h: PHP could not write"
	n=0
	for sid in $(cut -d'"' -f4 "$TMP/rt.$h"); do
		EDITOR=true "$MEMCSESS" -s "127.0.0.1:$R" edit --dry-run "$sid" 2>&1 |
			grep -q "^$sid: no change, nothing written" && n=$((n + 1))
	done
	check_eq "$h: all 10 sessions PHP wrote encode back to their stored bytes" 10 "$n"
done

for h in php php_binary php_serialize igbinary; do
	php_write "$POOL" "$h" 3 edge >"$TMP/$h.exp" || not_ok "$h: PHP could not write sessions"
	sid=$(head -1 "$TMP/$h.exp" | cut -d'"' -f4)
	twin=${sid}twin
	php "$PHP_DIR/rawcopy.php" "$A" "$P$sid" "$P$twin" || not_ok "$h: copy to the twin"

	# untouched: a variable added then removed gives the stored bytes back
	other=$(sed -n 2p "$TMP/$h.exp" | cut -d'"' -f4)
	raw "$POOL" "$other" >"$TMP/before"
	"$MEMCSESS" -s "$POOL" set "$other" tmp=1 >/dev/null && "$MEMCSESS" -s "$POOL" unset "$other" tmp >/dev/null
	raw "$POOL" "$other" >"$TMP/after"
	check "$h: set + unset gives PHP's bytes back" cmp -s "$TMP/before" "$TMP/after"

	"$MEMCSESS" -s "$POOL" set "$sid" user_id=42 map.k.deep.deeper.1=9.5 \
		'added={"a":[1,2],"f":{"__float":2},"n":null,"7":"seven"}' 'bin={"__base64":"AP8="}' \
		cart.items.0.qty=7 alias.0='"z"' 'name="Zed ✓"' \
		'status={"__class":"Status","__case":"Banned"}' >"$TMP/set.out" 2>"$TMP/set.err"
	check_eq "$h: set exits 0" "0" "$?"
	check "$h: set says written" grep -q "^$sid: written ($h," "$TMP/set.out"
	check "$h: set shows the change as a diff" grep -q '^+  *qty: int 7' "$TMP/set.out"
	"$MEMCSESS" -s "$POOL" unset "$sid" flags >/dev/null 2>>"$TMP/set.err"
	check_eq "$h: unset exits 0" "0" "$?"
	php -d session.save_handler=memcached -d "session.save_path=$POOL" \
		-d "session.serialize_handler=$h" "$PHP_DIR/edit_same.php" "$twin" ||
		not_ok "$h: PHP could not change the twin"
	raw "$POOL" "$sid" >"$TMP/mine"
	raw "$POOL" "$twin" >"$TMP/php"
	if cmp -s "$TMP/mine" "$TMP/php"; then
		ok "$h: memcsess wrote the bytes PHP writes for the same change"
	else
		not_ok "$h: bytes differ from PHP's: $(cmp "$TMP/mine" "$TMP/php" 2>&1)"
	fi
	# what PHP reads: the twin's data (PHP changed it) under memcsess's session id
	"$MEMCSESS" -s "$POOL" inspect --json "$twin" |
		php -r '$d = json_decode(stream_get_contents(STDIN), true);
			echo json_encode(["sid" => $argv[1], "expect" => $d["data"]],
				JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION), "\n";' \
			"$sid" >"$TMP/changed.exp"
	php_read "$POOL" "$TMP/changed.exp" "$h: PHP reads the changed session" -d "session.serialize_handler=$h"
	check_eq "$h: nothing on stderr" "" "$(cat "$TMP/set.err")"
done

# --dry-run: the diff, nothing written
sid=$(sed -n 3p "$TMP/php.exp" | cut -d'"' -f4)
raw "$POOL" "$sid" >"$TMP/before"
"$MEMCSESS" -s "$POOL" set --dry-run "$sid" user_id=7 >"$TMP/dry"
check_eq "dry run exits 0" 0 $?
check "dry run shows old and new value" grep -q '^-user_id: int 1002' "$TMP/dry"
check "dry run shows the new value" grep -q '^+user_id: int 7' "$TMP/dry"
check "dry run says nothing written" grep -q 'dry run, nothing written' "$TMP/dry"
raw "$POOL" "$sid" >"$TMP/after"
check "dry run writes nothing" cmp -s "$TMP/before" "$TMP/after"

# bad input: a clear error and nothing written
bad() {
	local what=$1 want=$2
	shift 2
	"$MEMCSESS" -s "$POOL" "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	local rc=$?
	raw "$POOL" "$sid" >"$TMP/after"
	if [ $rc -ne 0 ] && grep -q -- "$want" "$TMP/bad.err" && cmp -s "$TMP/before" "$TMP/after"; then
		ok "$what: refused, nothing written"
	else
		not_ok "$what: rc $rc, $(cat "$TMP/bad.err")"
	fi
}
bad "bad JSON" "bad JSON" set "$sid" 'user_id={"a":'
bad "missing path" "no such key: nosuch" set "$sid" nosuch.x=1
bad "unset of a missing key" "no such key: nosuch" unset "$sid" nosuch
bad "a name the php handler cannot hold" "holds '|'" set "$sid" '"a|b"=1'
bad "a name starting with !" "starts with '!'" set "$sid" '"!x"=1'
bad "a path through a scalar" "user_id is integer" set "$sid" user_id.x=1
bad "no PATH=JSON" "expected PATH=JSON" set "$sid" user_id
bad "no such session" "no session nosuchsid" set nosuchsid x=1
bad "a value referred to elsewhere" "referenced elsewhere" unset "$sid" list

# a key holding a dot, quoted
"$MEMCSESS" -s "$POOL" set "$sid" '"a.b"={"c.d":1}' >/dev/null &&
	"$MEMCSESS" -s "$POOL" set "$sid" '"a.b"."c.d"=2' >/dev/null
"$MEMCSESS" -s "$POOL" inspect --json "$sid" >"$TMP/j"
check_eq "quoted keys with dots" 2 "$(php -r '$d = json_decode(file_get_contents($argv[1]), true); echo $d["data"]["a.b"]["c.d"];' "$TMP/j")"

# a CAS conflict: PHP writes the session between memcsess's read and its write
sid=$(sed -n 3p "$TMP/php_serialize.exp" | cut -d'"' -f4)
MEMCSESS_TEST_WRITE_DELAY_MS=1500 "$MEMCSESS" -s "$POOL" set "$sid" mine=1 >"$TMP/cas.out" 2>"$TMP/cas.err" &
mpid=$!
sleep 0.5
php -d session.save_handler=memcached -d "session.save_path=$POOL" \
	-d session.serialize_handler=php_serialize -r '
	require $argv[2]; ini_set("session.use_cookies", "0"); session_id($argv[1]); session_start();
	$_SESSION["php"] = "wins"; session_write_close();' "$sid" "$PHP_DIR/classes.php"
wait $mpid
check_eq "conflict: set exits 1" 1 $?
check "conflict: says the session changed and nothing was written" \
	grep -q "changed on 127.0.0.1:$A since it was read: nothing written" "$TMP/cas.err"
"$MEMCSESS" -s "$POOL" inspect --json "$sid" >"$TMP/j"
check_eq "conflict: PHP's write survives, memcsess's is not there" "wins-" \
	"$(php -r '$d = json_decode(file_get_contents($argv[1]), true)["data"]; echo $d["php"], "-", $d["mine"] ?? "";' "$TMP/j")"

# PHP's lock: refused (naming its age) without --force; --force writes and leaves PHP's lock
php_write "$POOL" igbinary 1 simple -d session.serialize_handler=igbinary >"$TMP/lock.exp"
sid=$(head -1 "$TMP/lock.exp" | cut -d'"' -f4)
php_leave_lock "$POOL" "$sid" -d session.serialize_handler=igbinary
raw "$POOL" "$sid" >"$TMP/before"
"$MEMCSESS" -s "$POOL" set "$sid" x=1 >"$TMP/lock.out" 2>"$TMP/lock.err"
check_eq "locked: set exits 1" 1 $?
check "locked: names the lock and its age" grep -q "is locked by PHP (lock taken [0-9]*s ago)" "$TMP/lock.err"
raw "$POOL" "$sid" >"$TMP/after"
check "locked: nothing written" cmp -s "$TMP/before" "$TMP/after"
"$MEMCSESS" -s "$POOL" set --force "$sid" x=1 >/dev/null 2>"$TMP/lock.err"
check_eq "locked: --force writes" 0 $?
check "locked: --force leaves PHP's lock" grep -q '^VALUE' <(mc_cmd "$A" "get ${P}lock.$sid")

# --ttl and the TTL kept
sid=$(sed -n 2p "$TMP/php_binary.exp" | cut -d'"' -f4)
"$MEMCSESS" -s "$POOL" set --ttl 2h "$sid" x=1 >/dev/null
ttl=$(mc_cmd "$A" "mg $P$sid t" | sed -n 's/^HD t\([0-9]*\).*/\1/p')
check "--ttl 2h sets the TTL" test "${ttl:-0}" -gt 7000
"$MEMCSESS" -s "$POOL" set "$sid" x=2 >/dev/null
ttl2=$(mc_cmd "$A" "mg $P$sid t" | sed -n 's/^HD t\([0-9]*\).*/\1/p')
check "the TTL is kept" test "${ttl2:-0}" -gt 7000

# the item limit: a value the server cannot store is refused before anything is written
mc_start_var S -I 1m || exit 1
php_write "127.0.0.1:$S" php 1 rich >"$TMP/s.exp"
sid=$(head -1 "$TMP/s.exp" | cut -d'"' -f4)
raw "127.0.0.1:$S" "$sid" >"$TMP/before"
{ printf '"'; head -c 1100000 /dev/zero | tr '\0' a; printf '"'; } >"$TMP/big.json"
"$MEMCSESS" -s "127.0.0.1:$S" set "$sid" "big=@$TMP/big.json" >/dev/null 2>"$TMP/lim.err"
check_eq "over the item limit: exits 1" 1 $?
check "over the item limit: says so" grep -q "over the server.s item_size_max" "$TMP/lim.err"
raw "127.0.0.1:$S" "$sid" >"$TMP/after"
check "over the item limit: nothing written" cmp -s "$TMP/before" "$TMP/after"

# replicas: both copies written and the same
mc_start_var B || exit 1
mc_start_var C || exit 1
RP="127.0.0.1:$B,127.0.0.1:$C"
REPL=(-d memcached.sess_number_of_replicas=1)
php_write "$RP" php 2 rich "${REPL[@]}" >"$TMP/r.exp"
for sid in $(cut -d'"' -f4 "$TMP/r.exp"); do
	"$MEMCSESS" -s "$RP" set --replicas 1 "$sid" user_id=5 >/dev/null 2>"$TMP/r.err"
	check_eq "replicas: set exits 0" 0 $?
	mc_cmd "$B" "mg $P$sid v" >"$TMP/vb"
	mc_cmd "$C" "mg $P$sid v" >"$TMP/vc"
	check "replicas: both copies hold the same bytes" cmp -s "$TMP/vb" "$TMP/vc"
	check "replicas: the new value" grep -aq 'user_id|i:5;' "$TMP/vb"
done

# compressed values (as php-memcached stores them with Memcached::set): recompressed so that
# php-memcached reads them back
for ct in zlib fastlz; do
	php -r '
		$m = new Memcached(); $m->addServer("127.0.0.1", (int)$argv[1]);
		$m->setOption(Memcached::OPT_COMPRESSION, true);
		$m->setOption(Memcached::OPT_COMPRESSION_TYPE, $argv[2] === "zlib" ? Memcached::COMPRESSION_ZLIB : Memcached::COMPRESSION_FASTLZ);
		$v = "user_id|i:1;pad|s:5000:\"" . str_repeat("abcdefgh", 625) . "\";";
		$m->set("memc.sess.key.comp" . $argv[2], $v, 600) or exit(1);' "$A" "$ct" ||
		not_ok "$ct: PHP could not store a compressed value"
	"$MEMCSESS" -s "$POOL" set "comp$ct" user_id=2 >/dev/null 2>"$TMP/c.err"
	check_eq "$ct: set on a compressed value exits 0" 0 $?
	check "$ct: still compressed" grep -q "^compression  $ct" <("$MEMCSESS" -s "$POOL" inspect "comp$ct")
	got=$(php -r '
		$m = new Memcached(); $m->addServer("127.0.0.1", (int)$argv[1]);
		$v = $m->get("memc.sess.key.comp" . $argv[2]);
		echo substr($v, 0, 12), strlen($v);' "$A" "$ct")
	check_eq "$ct: php-memcached reads the recompressed value" "user_id|i:2;5026" "$got"
done

exit $((FAILS > 0))
