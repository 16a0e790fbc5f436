#!/bin/bash
# A server older than memcached 1.6.9 (no "lru_crawler metadump hash"; tests/php/old-server.php
# in front of a real one): memcsess walks it with "lru_crawler metadump all", which on a busy
# server can meet an item twice, and lists, dumps and inspects every session exactly once.
. "$(dirname "$0")/../lib.sh"
mc_start_var A || exit 1
php_server_start OLD old-server.php "$A" || exit 1
php_write "127.0.0.1:$A" php 200 simple >"$TMP/exp" || not_ok "PHP could not write sessions"
php_write "127.0.0.1:$A" igbinary 20 rich >>"$TMP/exp" || not_ok "PHP could not write sessions"
cut -d'"' -f4 "$TMP/exp" | sort >"$TMP/sids"
locked=$(head -1 "$TMP/sids")
mc_cmd "$A" "set memc.sess.key.lock.$locked 0 0 1"$'\r\n'"1" >/dev/null

# the stand-in behaves as such a server does
check "the old server refuses metadump hash" \
	grep -q "^BADCLASS" <(mc_cmd "$OLD" "lru_crawler metadump hash")
n=$(mc_cmd "$OLD" "lru_crawler metadump all" | grep -c "^key=")
check_eq "its metadump all meets every key twice" $((2 * 221)) "$n"

"$MEMCSESS" -s "127.0.0.1:$OLD" list --json >"$TMP/list" 2>"$TMP/err"
check_eq "list exits 0" 0 $?
check_eq "list says nothing on stderr" "" "$(cat "$TMP/err")"
php -r 'foreach (file($argv[1]) as $l) echo json_decode($l)->sid, "\n";' "$TMP/list" >"$TMP/got"
check_eq "list gives 220 lines" 220 "$(wc -l <"$TMP/got")"
check "list gives every session PHP wrote, each once" cmp -s "$TMP/sids" <(sort "$TMP/got")
check "the lock key is the lock of its session" \
	grep -q "\"sid\":\"$locked\".*\"locked\":true" "$TMP/list"

"$MEMCSESS" -s "127.0.0.1:$OLD" dump >"$TMP/dump" 2>"$TMP/err"
check_eq "dump exits 0" 0 $?
check_eq "dump gives 220 lines" 220 "$(wc -l <"$TMP/dump")"
php "$PHP_DIR/compare.php" "$TMP/exp" "$TMP/dump" "dump through metadump all"

"$MEMCSESS" -s "127.0.0.1:$OLD" inspect "$locked" >"$TMP/insp"
check_eq "inspect exits 0" 0 $?
check "inspect shows the lock" grep -q "^lock *held" "$TMP/insp"
exit 0
