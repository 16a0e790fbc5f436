#!/bin/bash
# migrate: real PHP writes thousands of sessions to a 2-server pool; memcsess moves them to a
# 3-server pool, rebalances 2 -> 3 in place, and takes dump lines from a pipe; PHP configured
# with the new pool then reads every session exactly. Re-runs move nothing twice.
. "$(dirname "$0")/../lib.sh"
for v in A B C D E F G; do mc_start_var "$v" || exit 1; done
OLD="127.0.0.1:$A,127.0.0.1:$B"
NEW="127.0.0.1:$C,127.0.0.1:$D,127.0.0.1:$E"

php_write "$OLD" php 1500 rich >"$TMP/a.exp" || not_ok "PHP could not write"
php_write "$OLD" igbinary 500 rich >"$TMP/b.exp" || not_ok "PHP could not write"
cat "$TMP/a.exp" "$TMP/b.exp" >"$TMP/all.exp"

# 1. A copy to a new pool: the source stays, PHP on the new pool reads everything.
"$MEMCSESS" migrate --from "$OLD" --to "$NEW" --json >"$TMP/sum" 2>"$TMP/err"
check_eq "copy to a new pool exits 0" 0 $?
check "the JSON summary counts 2000 copied" grep -q '"read":2000,"copied":2000' "$TMP/sum"
check "one summary line on stderr" grep -q "^migrate: 2000 read, 2000 copied" "$TMP/err"
php_read "$NEW" "$TMP/a.exp" "PHP on the new pool reads the php-handler sessions"
php_read "$NEW" "$TMP/b.exp" "PHP on the new pool reads the igbinary sessions" -d session.serialize_handler=igbinary
php_read "$OLD" "$TMP/a.exp" "without --move the old pool still has every session"
for p in $C $D $E; do
	check "new server $p got a share" [ "$(count_keys "$p" memc.sess.key.t)" -gt 300 ]
done
"$MEMCSESS" migrate --from "$OLD" --to "$NEW" --json >"$TMP/sum" 2>/dev/null
check "a re-run copies nothing again (all already there)" grep -q '"copied":0,"already":2000' "$TMP/sum"

# A dry run reads the target: after the copy nothing is left to copy; with --move, every session
# would be moved (its copy is there, its source would go). A different session on the target
# under the same id is a conflict, named before anything is written.
"$MEMCSESS" migrate --from "$OLD" --to "$NEW" --dry-run --json >"$TMP/dry" 2>"$TMP/err"
check "a dry run of a done copy: 0 to copy, 2000 already there" grep -q '"read":2000,"copied":0,"already":2000' "$TMP/dry"
check_eq "... and each target server would get 0" 3 "$(grep -c '^migrate: would copy 0 sessions to' "$TMP/err")"
"$MEMCSESS" migrate --from "$OLD" --to "$NEW" --move --dry-run >/dev/null 2>"$TMP/err"
moves=$(awk '/^migrate: would move [0-9]+ sessions to / { n += $4 } END { print n + 0 }' "$TMP/err")
check_eq "a dry run with --move: all 2000 would move (their sources would go)" 2000 "$moves"
check "a dry run with --move deletes nothing, and says no sources were deleted" [ "$(grep -c 'sources deleted' "$TMP/err")" -eq 0 ]
sid=$(sed -n 7p "$TMP/a.exp" | cut -d'"' -f4)
php -d session.save_handler=memcached -d "session.save_path=$NEW" -r '
	ini_set("session.use_cookies", "0"); session_id($argv[1]); session_start(); $_SESSION = ["other" => 1]; session_write_close();' "$sid"
"$MEMCSESS" migrate --from "$OLD" --to "$NEW" --dry-run --json >"$TMP/dry" 2>"$TMP/err"
check_eq "a dry run with a different session on the target exits 1" 1 $?
check "it names the conflicting sid" grep -q "^memcsess: session $sid: a different session with this id is already on the target; would be kept" "$TMP/err"
check "it counts 1999 already there and 1 conflict" grep -q '"copied":0,"already":1999,"unchanged":0,"conflicts":1' "$TMP/dry"
"$MEMCSESS" migrate --from "$OLD" --to "$NEW" --dry-run --overwrite --json >"$TMP/dry" 2>/dev/null
check "with --overwrite the dry run counts it as to copy" grep -q '"copied":1,"already":1999,"unchanged":0,"conflicts":0' "$TMP/dry"
php -d session.save_handler=memcached -d "session.save_path=$NEW" -r '
	ini_set("session.use_cookies", "0"); session_id($argv[1]); session_start(); echo json_encode($_SESSION);' "$sid" >"$TMP/o"
check_eq "the dry runs changed nothing on the target" '{"other":1}' "$(cat "$TMP/o")"

# 2. Rebalance in place, 2 -> 3 servers, moving: only sessions whose server changes move.
GROWN="$OLD,127.0.0.1:$F"
"$MEMCSESS" migrate --from "$OLD" --to "$GROWN" --move --dry-run --json >"$TMP/dry" 2>/dev/null
moving=$(php -r '$d = json_decode(file_get_contents($argv[1]), true); echo $d["per_target"][$argv[2]];' "$TMP/dry" "127.0.0.1:$F")
check "dry run: only sessions for the new server would move ($moving)" [ "$moving" -gt 300 -a "$moving" -lt 1300 ]
check_eq "dry run moves nothing" 0 "$(count_keys "$F" memc.sess.key.t)"
"$MEMCSESS" migrate --from "$OLD" --to "$GROWN" --move --json >"$TMP/sum" 2>/dev/null
check_eq "rebalance exits 0" 0 $?
check "rebalance copied exactly the planned sessions" grep -q "\"copied\":$moving," "$TMP/sum"
check "rebalance deleted their sources" grep -q "\"deleted\":$moving," "$TMP/sum"
check_eq "the new server holds the moved sessions" "$moving" "$(count_keys "$F" memc.sess.key.t)"
check_eq "the old servers keep the rest" $((2000 - moving)) $(( $(count_keys "$A" memc.sess.key.t) + $(count_keys "$B" memc.sess.key.t) ))
php_read "$GROWN" "$TMP/a.exp" "PHP on the grown pool reads every php-handler session"
php_read "$GROWN" "$TMP/b.exp" "PHP on the grown pool reads every igbinary session" -d session.serialize_handler=igbinary
"$MEMCSESS" migrate --from "$GROWN" --to "$GROWN" --move --json >"$TMP/sum" 2>/dev/null
check "a re-run of the rebalance moves nothing" grep -q '"copied":0,"already":0,"unchanged":2000' "$TMP/sum"

# 3. dump | migrate into another pool.
"$MEMCSESS" -s "$GROWN" dump | "$MEMCSESS" migrate --to "127.0.0.1:$G" >"$TMP/out" 2>"$TMP/err"
check_eq "dump | migrate exits 0" 0 "${PIPESTATUS[1]}"
check "dump | migrate copied all 2000" grep -q "^migrate: 2000 read, 2000 copied" "$TMP/err"
php_read "127.0.0.1:$G" "$TMP/a.exp" "PHP reads the php-handler sessions dump | migrate wrote"
php_read "127.0.0.1:$G" "$TMP/b.exp" "PHP reads the igbinary sessions dump | migrate wrote" -d session.serialize_handler=igbinary

# 4. TTL and flags travel: the copy keeps the remaining TTL.
"$MEMCSESS" -s "127.0.0.1:$G" list --json >"$TMP/l"
php -r '$bad = 0; foreach (file($argv[1]) as $l) { $d = json_decode($l, true); if ($d["ttl"] < 1300 || $d["ttl"] > 1440 || $d["flags"] !== 0) $bad++; } exit($bad);' "$TMP/l"
check_eq "copies keep their remaining TTL and flags" 0 $?

# 5. Confirmation: each copy is looked up on the target before its source goes, by its size and
# flags; the value does not travel back. A target that keeps nothing, or holds something else
# at the key, loses no session.
mc_start_var H || exit 1
mc_start_var L || exit 1
php_write "127.0.0.1:$H" php 40 large >"$TMP/l.exp" || not_ok "PHP could not write"
bytes=$("$MEMCSESS" -s "127.0.0.1:$H" dump --no-data | php -r '$t = 0;
	while (($l = fgets(STDIN)) !== false) $t += json_decode($l, true)["size"]; echo $t;')
sent() { mc_cmd "$1" stats | tr -d '\r' | awk '$2 == "bytes_written" { print $3 }'; }
before=$(sent "$L")
"$MEMCSESS" migrate --from "127.0.0.1:$H" --to "127.0.0.1:$L" --move >"$TMP/out" 2>"$TMP/err"
check_eq "migrate --move of 40 large sessions exits 0" 0 $?
check "all 40 copied and their sources deleted" grep -q "^migrate: 40 read, 40 copied.*; 40 sources deleted" "$TMP/err"
back=$(( $(sent "$L") - before ))
check "the target sent back $back bytes for $bytes bytes of sessions: no value came back" \
	[ "$back" -gt 0 -a "$back" -lt $((bytes / 20)) ]
php_read "127.0.0.1:$L" "$TMP/l.exp" "PHP reads every moved large session on the target"
for mode in forget shrink; do
	php_write "127.0.0.1:$H" php 30 simple >"$TMP/$mode.exp" || not_ok "PHP could not write"
	fake_start K "$mode" || exit 1
	"$MEMCSESS" migrate --from "127.0.0.1:$H" --to "127.0.0.1:$K" --move >"$TMP/out" 2>"$TMP/err"
	check_eq "$mode: a target that does not keep the copies: exit 1" 1 $?
	check_eq "$mode: each of the 30 sessions is named as not confirmed" 30 \
		"$(grep -c "^memcsess: session t0.*could not be read back from the target; source kept" "$TMP/err")"
	check "$mode: none is deleted" grep -q "^migrate: 30 read, 0 copied.* 30 failed.*; 0 sources deleted" "$TMP/err"
	php_read "127.0.0.1:$H" "$TMP/$mode.exp" "$mode: PHP reads every session on the source still"
	kill "$K_PID"
	wait "$K_PID" 2>/dev/null
	"$MEMCSESS" migrate --from "127.0.0.1:$H" --to "127.0.0.1:$L" --move >/dev/null 2>&1
done
exit 0
