#!/bin/bash
# A dead server and a stalled one: a clear error naming each, bounded time, the healthy server
# still served, and a non-zero exit code.
. "$(dirname "$0")/../lib.sh"
mc_start_var A || exit 1
mc_start_var B || exit 1
DEAD=$(free_port)
POOL="127.0.0.1:$A,127.0.0.1:$B"
php_write "$POOL" php 200 simple | cut -d'"' -f4 | sort >"$TMP/sids"
onA=$(php "$PHP_DIR/where.php" "127.0.0.1:$A" memc.sess.key. <"$TMP/sids" | wc -l)

"$MEMCSESS" --servers "127.0.0.1:$A,127.0.0.1:$DEAD" list --json >"$TMP/out" 2>"$TMP/err"
check_eq "a dead server gives exit code 1" 1 $?
check "the error names the dead server" grep -q "server 127.0.0.1:$DEAD: connect: Connection refused" "$TMP/err"
check_eq "the live server's sessions are still listed" "$onA" "$(grep -c '"sid":"t0' "$TMP/out")"

"$MEMCSESS" --servers "127.0.0.1:$DEAD" list >/dev/null 2>&1
check_eq "no server reachable gives exit code 3" 3 $?

kill -STOP "$B_PID"
start=$(date +%s%N)
timeout 20 "$MEMCSESS" --servers "$POOL" --timeout 0.5 dump >"$TMP/out" 2>"$TMP/err"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill -CONT "$B_PID"
check_eq "a stalled server gives exit code 1 (not a hang)" 1 "$rc"
check "the error names the stalled server and the timeout" grep -q "server 127.0.0.1:$B: timeout after 500 ms" "$TMP/err"
check_eq "the healthy server's sessions are still dumped" "$onA" "$(grep -c '"sid":"t0' "$TMP/out")"
echo "# stalled-server dump took $ms ms"

"$MEMCSESS" --servers "127.0.0.1:$DEAD" inspect nosuchsid >/dev/null 2>"$TMP/err"
check_eq "inspect with its server down gives exit code 3" 3 $?
check "inspect names the server it could not reach" grep -q "server 127.0.0.1:$DEAD" "$TMP/err"
exit 0
