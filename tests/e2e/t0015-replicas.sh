#!/bin/bash
# PHP's replicas (memcached.sess_number_of_replicas=1): PHP writes each session to its server and
# to the next one in save_path's order, and with memcached.sess_randomize_replica_read it reads
# either copy. migrate and load --replicas 1 write both copies on the target and confirm each;
# migrate --move takes the source's replicas too; a replica that cannot be written keeps the
# source. (expire by sid deleting every copy is in t0012.)
. "$(dirname "$0")/../lib.sh"
for v in A B X Y Z; do mc_start_var "$v" || exit 1; done
OLD="127.0.0.1:$A,127.0.0.1:$B"
NEW="127.0.0.1:$X,127.0.0.1:$Y,127.0.0.1:$Z"
REPL=(-d memcached.sess_number_of_replicas=1 -d memcached.sess_randomize_replica_read=1)
keys() { # PORT...: the session keys the servers hold, in all
	local p n=0
	for p in "$@"; do n=$((n + $(count_keys "$p" memc.sess.key.t))); done
	echo "$n"
}
flush() { local p; for p in "$@"; do mc_cmd "$p" flush_all >/dev/null; done; }

php_write "$OLD" php 300 simple "${REPL[@]}" >"$TMP/exp" || not_ok "PHP could not write sessions"
check_eq "PHP with one replica stores each of 300 sessions twice" 600 "$(keys "$A" "$B")"
php_read "$OLD" "$TMP/exp" "PHP reading either copy reads every session" "${REPL[@]}"

# Without --replicas only the copy PHP reads is written, and each replica is a stray copy.
"$MEMCSESS" migrate --from "$OLD" --to "$NEW" >/dev/null 2>"$TMP/err"
check "without --replicas each replica is named as a stray copy" \
	[ "$(grep -c 'stray copy' "$TMP/err")" -eq 300 ]
flush "$X" "$Y" "$Z"

# With --replicas 1 each copy goes where PHP itself puts it: the servers holding each sid after
# migrate are those holding it after PHP, with one replica, writes the same sids on that pool.
"$MEMCSESS" migrate --from "$OLD" --to "$NEW" --replicas 1 >/dev/null 2>"$TMP/err"
cut -d'"' -f4 "$TMP/exp" >"$TMP/sids"
php "$PHP_DIR/where.php" "$NEW" memc.sess.key. <"$TMP/sids" | sort >"$TMP/where.memcsess"
flush "$X" "$Y" "$Z"
php -d session.save_handler=memcached -d "session.save_path=$NEW" "${REPL[@]}" -r '
	ini_set("session.use_cookies", "0"); ini_set("session.use_strict_mode", "0");
	foreach (file($argv[1], FILE_IGNORE_NEW_LINES) as $sid) {
		session_id($sid); session_start(); $_SESSION["x"] = 1; session_write_close(); }' "$TMP/sids"
php "$PHP_DIR/where.php" "$NEW" memc.sess.key. <"$TMP/sids" | sort >"$TMP/where.php"
check_eq "every copy is on the server where PHP with one replica puts it (600 copies)" \
	"600 same" "$(wc -l <"$TMP/where.php") $(cmp -s "$TMP/where.memcsess" "$TMP/where.php" && echo same)"
flush "$X" "$Y" "$Z"

# migrate --replicas 1 --move: both copies on the new pool, none left on the old one.
"$MEMCSESS" migrate --from "$OLD" --to "$NEW" --replicas 1 --move >"$TMP/out" 2>"$TMP/err"
check_eq "migrate --replicas 1 --move exits 0" 0 $?
check "the summary counts 300 copied and the 300 replicas read as strays" \
	grep -q "^migrate: 600 read, 300 copied, .* 300 stray" "$TMP/err"
check_eq "with --replicas no stray copy is named" 0 "$(grep -c 'stray copy' "$TMP/err")"
check_eq "the new pool holds every session twice" 600 "$(keys "$X" "$Y" "$Z")"
check_eq "the old pool holds none (replicas moved too)" 0 "$(keys "$A" "$B")"
php_read "$NEW" "$TMP/exp" "PHP reading either copy on the new pool reads every session" "${REPL[@]}"
php_read "$NEW" "$TMP/exp" "PHP without replicas reads every session"

# A rebalance in place (3 -> 4 servers) with replicas: every session readable by either copy.
mc_start_var W || exit 1
"$MEMCSESS" migrate --from "$NEW" --to "$NEW,127.0.0.1:$W" --replicas 1 --move >"$TMP/out" 2>"$TMP/err"
check_eq "a rebalance with --replicas 1 --move exits 0" 0 $?
php_read "$NEW,127.0.0.1:$W" "$TMP/exp" "after the rebalance PHP reading either copy reads every session" "${REPL[@]}"
check_eq "and every session is held twice, no more" 600 "$(keys "$X" "$Y" "$Z" "$W")"

# dump | migrate --replicas and load --replicas: the same from dump lines.
"$MEMCSESS" -s "$NEW,127.0.0.1:$W" dump >"$TMP/dump"
"$MEMCSESS" migrate --to "$OLD" --replicas 1 <"$TMP/dump" >"$TMP/out" 2>"$TMP/err"
check_eq "dump | migrate --replicas 1 exits 0" 0 $?
check_eq "it names no stray copy" 0 "$(grep -c 'stray copy' "$TMP/err")"
php_read "$OLD" "$TMP/exp" "PHP reading either copy reads every migrated session" "${REPL[@]}"
flush "$A" "$B"
"$MEMCSESS" -s "$OLD" load --replicas 1 "$TMP/dump" >"$TMP/out" 2>"$TMP/err"
check_eq "load --replicas 1 exits 0" 0 $?
check_eq "it writes every session twice" 600 "$(keys "$A" "$B")"
php_read "$OLD" "$TMP/exp" "PHP reading either copy reads every loaded session" "${REPL[@]}"

# A target server that does not answer: the sessions with a copy there fail, named, and keep
# their source; the run after it is back completes.
flush "$X" "$Y" "$Z"
kill -STOP "$Z_PID"
"$MEMCSESS" --timeout 0.5 migrate --from "$OLD" --to "$NEW" --replicas 1 --move >"$TMP/out" 2>"$TMP/err"
check_eq "with a target server stopped migrate exits 1" 1 $?
failed=$(grep -c "^memcsess: session t.*127.0.0.1:$Z" "$TMP/err")
check "the sessions with a copy there are named ($failed)" [ "$failed" -gt 0 ]
left=$(($(keys "$A") + $(keys "$B")))
check "... and keep their source ($left copies left on the old pool)" [ "$left" -ge "$failed" ]
kill -CONT "$Z_PID"
"$MEMCSESS" migrate --from "$OLD" --to "$NEW" --replicas 1 --move >"$TMP/out" 2>"$TMP/err"
check_eq "the run after it exits 0" 0 $?
check_eq "the old pool is empty" 0 "$(keys "$A" "$B")"
php_read "$NEW" "$TMP/exp" "PHP reading either copy reads every session after the re-run" "${REPL[@]}"

"$MEMCSESS" -s "$OLD" load --replicas two "$TMP/dump" >/dev/null 2>"$TMP/err"
check_eq "--replicas two is a usage error" 2 $?
check "naming the option and the value" grep -q "^memcsess: --replicas: expected a whole number >= 0, got 'two'" "$TMP/err"
exit 0
