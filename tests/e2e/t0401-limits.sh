#!/bin/bash
# Memory bounded by design: a value over the item limit and a session nested deeper than the
# decoder's limit are refused with a clear error, never a crash or an unbounded allocation.
. "$(dirname "$0")/../lib.sh"
mc_start_var A -I 1m || exit 1
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

# load of a value over the server's item limit (-I 1m): that session refused, named, the rest loaded.
php -r '
	$big = "a|s:2097152:\"" . str_repeat("x", 2097152) . "\";";
	foreach (["t0big000000000000000001" => $big, "t0small0000000000000001" => "a|i:1;"] as $sid => $v)
		echo json_encode(["key" => "memc.sess.key.$sid", "sid" => $sid, "value" => $v, "flags" => 0, "exp" => -1]), "\n";' >"$TMP/dump"
"$MEMCSESS" -s "127.0.0.1:$A" load "$TMP/dump" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "load of a value over the item limit exits 1 ($rc)" [ "$rc" -eq 1 ]
check "the refused session is named with its size and the server's reason" \
	grep -q "t0big000000000000000001.*127.0.0.1:$A.*value of 2097167 bytes refused: SERVER_ERROR object too large for cache" "$TMP/err"
check_eq "the other session is loaded" 1 "$(count_keys "$A" memc.sess.key.t0small)"

# Writes are quiet, and memcached's refusal names no request: among 600 sessions, three over the
# limit (two side by side) are each named with their size, the 597 others are loaded.
php -r 'for ($i = 0; $i < 600; $i++) { $v = in_array($i, [100, 101, 400]) ? "a|s:2097152:\"" .
	str_repeat("x", 2097152) . "\";" : "a|i:$i;";
	echo json_encode(["key" => sprintf("memc.sess.key.t0many%017d", $i), "value" => $v]), "\n"; }' >"$TMP/many"
"$MEMCSESS" -s "127.0.0.1:$A" load "$TMP/many" >"$TMP/out" 2>"$TMP/err"
check_eq "load with three values over the limit exits 1" 1 $?
grep -o "^memcsess: session t0many[0-9]*: server 127.0.0.1:$A: key memc.sess.key.t0many[0-9]*: value of 2097167 bytes refused: SERVER_ERROR object too large" "$TMP/err" |
	cut -d' ' -f3 | tr -d : >"$TMP/refused"
check_eq "exactly the three are named, each with its size and the server's reason" \
	"t0many00000000000000100 t0many00000000000000101 t0many00000000000000400" "$(echo $(cat "$TMP/refused"))"
check "the summary counts 597 loaded, 3 failed" grep -q "^load: 600 sessions read, 597 loaded, .* 3 failed" "$TMP/err"
check_eq "the 597 are on the server" 597 "$(count_keys "$A" memc.sess.key.t0many)"
# --overwrite of a session that is there with a value over the limit: the refused write is
# named and counted (memcached itself drops the older item when it refuses a set).
mc_cmd "$A" "set memc.sess.key.t0big000000000000000001 0 0 6"$'\r\n'"a|i:7;" >/dev/null
"$MEMCSESS" -s "127.0.0.1:$A" load --overwrite "$TMP/dump" >"$TMP/out" 2>"$TMP/err"
check_eq "load --overwrite over an older session with a value over the limit exits 1" 1 $?
check "the refused session is named" \
	grep -q "t0big000000000000000001.*value of 2097167 bytes refused: SERVER_ERROR object too large" "$TMP/err"
check "the summary counts 1 loaded, 1 failed" grep -q "^load: 2 sessions read, 1 loaded, .* 1 failed" "$TMP/err"
check "and memcached dropped the older session, as it does" grep -qx "END" <(mc_cmd "$A" "get memc.sess.key.t0big000000000000000001" | tr -d "\r")
exit 0
