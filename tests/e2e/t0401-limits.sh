#!/bin/bash
# Memory bounded by design: a value over the item limit and a session nested deeper than the
# decoder's limit are refused with a clear error, never a crash or an unbounded allocation.
. "$(dirname "$0")/../lib.sh"
mc_start_var A -I 1m || exit 1
mc_start_var N -I 1m -C || exit 1
mc_start_var W -I 4m || exit 1
php_server_start P old-server.php "$A nostats" || exit 1
fake_start H huge || exit 1
fake_start D deep || exit 1
SID=t0fake0000000000000001

# A fake server announcing a 2 GB value: refused before anything is allocated.
"$MEMCSESS" -s "127.0.0.1:$H" --timeout 10 inspect "$SID" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "inspect of a 2 GB value exits non-zero ($rc)" [ "$rc" -ne 0 ]
check "the error names the server and the limit" \
	grep -q "server 127.0.0.1:$H: key memc.sess.key.$SID: value of 2000000000 bytes is over the 1073741824 byte limit" "$TMP/err"
"$MEMCSESS" -s "127.0.0.1:$H" --timeout 10 dump >"$TMP/out" 2>"$TMP/err"
rc=$?
check "dump of a 2 GB value exits non-zero ($rc)" [ "$rc" -ne 0 ]
check "dump names the limit" grep -q "value of 2000000000 bytes is over the 1073741824 byte limit" "$TMP/err"

# A session nested 2000 levels deep: a decode error, the rest of the output intact.
"$MEMCSESS" -s "127.0.0.1:$D" --timeout 10 inspect "$SID" >"$TMP/out" 2>"$TMP/err"
check "inspect of a 2000-deep session says the nesting is too deep" \
	grep -q "nesting deeper than 1024 levels" "$TMP/out" "$TMP/err"
"$MEMCSESS" -s "127.0.0.1:$D" --timeout 10 inspect --json "$SID" >"$TMP/out" 2>"$TMP/err"
check "inspect --json of it says so too" grep -q "nesting deeper than 1024 levels" "$TMP/out" "$TMP/err"
"$MEMCSESS" -s "127.0.0.1:$D" --timeout 10 dump >"$TMP/out" 2>"$TMP/err"
check "dump keeps the raw value and gives the decode error" \
	grep -q '"decode_error".*nesting deeper than 1024 levels' "$TMP/out"

# load of a value over the server's item limit (-I 1m): that session is not written, and is named
# with its size and the limit; the rest is loaded.
php -r '
	$big = "a|s:2097152:\"" . str_repeat("x", 2097152) . "\";";
	foreach (["t0big000000000000000001" => $big, "t0small0000000000000001" => "a|i:1;"] as $sid => $v)
		echo json_encode(["key" => "memc.sess.key.$sid", "sid" => $sid, "value" => $v, "flags" => 0, "exp" => -1]), "\n";' >"$TMP/dump"
"$MEMCSESS" -s "127.0.0.1:$A" load "$TMP/dump" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "load of a value over the item limit exits 1 ($rc)" [ "$rc" -eq 1 ]
TOO_BIG="value of 2097167 bytes not written: the item would take [0-9]* bytes, over the server's item_size_max of 1048576"
check "the session is named with its size and the server's limit" \
	grep -q "session t0big000000000000000001: server 127.0.0.1:$A: key memc.sess.key.t0big000000000000000001: $TOO_BIG" "$TMP/err"
check_eq "the other session is loaded" 1 "$(count_keys "$A" memc.sess.key.t0small)"
"$MEMCSESS" -s "127.0.0.1:$A" load --dry-run "$TMP/dump" >"$TMP/out" 2>"$TMP/err"
check_eq "load --dry-run of it exits 1" 1 $?
check "load --dry-run names it too" grep -q "session t0big000000000000000001: .*$TOO_BIG" "$TMP/err"

# memcached drops the item under a key when it refuses a write to that key, add or set: a
# session over the limit is never sent, so the one already there stays, with load (add) and
# load --overwrite.
for mode in --add --overwrite; do
	mc_cmd "$A" "set memc.sess.key.t0big000000000000000001 0 0 6"$'\r\n'"a|i:7;" >/dev/null
	"$MEMCSESS" -s "127.0.0.1:$A" load ${mode#--add} "$TMP/dump" >"$TMP/out" 2>"$TMP/err"
	check_eq "load $mode over an older session with a value over the limit exits 1" 1 $?
	check "load $mode: the summary counts 1 failed" grep -q "^load: 2 sessions read, .* 1 failed" "$TMP/err"
	check_eq "load $mode: the older session is still there" "a|i:7;" \
		"$(mc_cmd "$A" "get memc.sess.key.t0big000000000000000001" | sed -n 2p | tr -d '\r')"
done

# The limit is exact: memcached 1.6 (64-bit) takes an item of 48 bytes of header, the key and a
# NUL, 4 bytes of flags when not zero, the value and \r\n, and 8 bytes of CAS unless -C. A
# session of the largest size that fits is loaded, and PHP reads it; one byte more is not sent.
# big_dump SID VALUE_LEN [FLAGS]: one dump line with a PHP session of exactly VALUE_LEN bytes.
big_dump() {
	php -r '$n = (int)$argv[2] - 10; $n -= strlen("a|s:$n:\"\";") - 10;
		$v = "a|s:$n:\"" . str_repeat("y", $n) . "\";";
		if (strlen($v) != (int)$argv[2]) { fwrite(STDERR, "big_dump: " . strlen($v) . "\n"); exit(1); }
		echo json_encode(["key" => "memc.sess.key.$argv[1]", "value" => $v, "flags" => (int)($argv[3] ?? 0)]), "\n";' "$@"
}
fit() { echo $((1048576 - 48 - 14 - ${#1} - 1 - 2 - $2)); }	# fit SID OVERHEAD
S1=t0edge000000000000000001 S2=t0edge000000000000000002
big_dump "$S1" "$(fit "$S1" 8)" >"$TMP/edge"
big_dump "$S2" "$(($(fit "$S2" 8) + 1))" >>"$TMP/edge"
"$MEMCSESS" -s "127.0.0.1:$A" load "$TMP/edge" >"$TMP/out" 2>"$TMP/err"
check_eq "load of the largest session that fits and one byte more exits 1" 1 $?
check "the largest that fits is loaded" grep -q "^load: 2 sessions read, 1 loaded, .* 1 failed" "$TMP/err"
check "one byte more is named, not sent" grep -q "session $S2: .*not written: the item would take 1048577 bytes" "$TMP/err"
php -d session.save_handler=memcached -d "session.save_path=127.0.0.1:$A" -r '
	ini_set("session.use_cookies", "0"); session_id($argv[1]); session_start();
	echo strlen($_SESSION["a"] ?? ""), "\n";' "$S1" >"$TMP/php.out" 2>&1
check_eq "PHP reads the largest session whole" \
	"$(head -1 "$TMP/edge" | php -r 'echo substr_count(json_decode(fgets(STDIN))->value, "y");')" "$(cat "$TMP/php.out")"
# With flags, 4 bytes less; on a server without CAS (-C), 8 bytes more.
big_dump "$S1" "$(fit "$S1" 12)" 16 >"$TMP/edge"
big_dump "$S2" "$(($(fit "$S2" 12) + 1))" 16 >>"$TMP/edge"
"$MEMCSESS" -s "127.0.0.1:$A" load --overwrite "$TMP/edge" >"$TMP/out" 2>"$TMP/err"
check "with flags: the largest that fits is loaded, one byte more named" \
	grep -q "^load: 2 sessions read, 1 loaded, .* 1 failed" "$TMP/err"
check_eq "with flags: it is on the server, flags and all" "HD s$(fit "$S1" 12) f16" \
	"$(mc_cmd "$A" "mg memc.sess.key.$S1 s f" | head -1 | tr -d '\r')"
big_dump "$S1" "$(fit "$S1" 0)" >"$TMP/edge"
big_dump "$S2" "$(($(fit "$S2" 0) + 1))" >>"$TMP/edge"
"$MEMCSESS" -s "127.0.0.1:$N" load "$TMP/edge" >"$TMP/out" 2>"$TMP/err"
check "without CAS: the largest that fits is loaded, one byte more named" \
	grep -q "^load: 2 sessions read, 1 loaded, .* 1 failed" "$TMP/err"
check "without CAS: the one byte more is named with the limit" \
	grep -q "session $S2: server 127.0.0.1:$N: .*not written: the item would take 1048577 bytes" "$TMP/err"

# Behind a proxy that answers ERROR to "stats" the limit cannot be known: writes are sent, and
# memcached's refusal of a quiet write names no request. Among 600 sessions, three over the
# limit (two side by side) are each named with their size, the 597 others are loaded.
php -r 'for ($i = 0; $i < 600; $i++) { $v = in_array($i, [100, 101, 400]) ? "a|s:2097152:\"" .
	str_repeat("x", 2097152) . "\";" : "a|i:$i;";
	echo json_encode(["key" => sprintf("memc.sess.key.t0many%017d", $i), "value" => $v]), "\n"; }' >"$TMP/many"
"$MEMCSESS" -s "127.0.0.1:$P" load "$TMP/many" >"$TMP/out" 2>"$TMP/err"
check_eq "load with three values over the limit exits 1" 1 $?
grep -o "^memcsess: session t0many[0-9]*: server 127.0.0.1:$P: key memc.sess.key.t0many[0-9]*: value of 2097167 bytes refused: SERVER_ERROR object too large" "$TMP/err" |
	cut -d' ' -f3 | tr -d : >"$TMP/refused"
check_eq "exactly the three are named, each with its size and the server's reason" \
	"t0many00000000000000100 t0many00000000000000101 t0many00000000000000400" "$(echo $(cat "$TMP/refused"))"
check "the summary counts 597 loaded, 3 failed" grep -q "^load: 600 sessions read, 597 loaded, .* 3 failed" "$TMP/err"
check_eq "the 597 are on the server" 597 "$(count_keys "$A" memc.sess.key.t0many)"

# migrate --move to a pool with a smaller limit: the session that does not fit is named and
# stays on the source, the older one on the target stays too; the others move.
"$MEMCSESS" -s "127.0.0.1:$W" load "$TMP/many" >"$TMP/out" 2>"$TMP/err"
check_eq "a 4m server takes all 600" 600 "$(count_keys "$W" memc.sess.key.t0many)"
mc_cmd "$A" "set memc.sess.key.t0many00000000000000400 0 0 6"$'\r\n'"a|i:7;" >/dev/null
"$MEMCSESS" migrate --from "127.0.0.1:$W" --to "127.0.0.1:$A" --move --overwrite >"$TMP/out" 2>"$TMP/err"
check_eq "migrate --move of three sessions over the target's limit exits 1" 1 $?
check "each is named with the target's limit" \
	[ "$(grep -c "^memcsess: session t0many[0-9]*: server 127.0.0.1:$A: .*$TOO_BIG" "$TMP/err")" -eq 3 ]
check_eq "the three stay on the source" 3 "$(count_keys "$W" memc.sess.key.t0many)"
check_eq "the older session on the target stays" "a|i:7;" \
	"$(mc_cmd "$A" "get memc.sess.key.t0many00000000000000400" | sed -n 2p | tr -d '\r')"
exit 0
