#!/bin/bash
# PHP's lock keys are shown as the lock of their session, not as sessions; the empty items PHP
# creates for new ids are shown as empty sessions.
. "$(dirname "$0")/../lib.sh"
mc_start_var A || exit 1
mc_start_var B || exit 1
POOL="127.0.0.1:$A,127.0.0.1:$B"
php_write "$POOL" php 5 simple | cut -d'"' -f4 >"$TMP/sids"
locked=$(head -1 "$TMP/sids")

# A PHP process that dies while holding the session leaves its lock behind (no expiry under CLI).
php -d session.save_handler=memcached -d "session.save_path=$POOL" -r '
	ini_set("session.use_cookies", "0"); session_id($argv[1]); session_start();
	echo "started\n"; flush(); sleep(60);' "$locked" >"$TMP/php.out" &
phppid=$!
for i in $(seq 100); do grep -q started "$TMP/php.out" && break; sleep 0.05; done
kill -9 "$phppid"
wait "$phppid" 2>/dev/null

"$MEMCSESS" -s "$POOL" list --json >"$TMP/list"
check_eq "the lock key is not listed as a session" 5 "$(wc -l <"$TMP/list")"
check "the locked session is marked locked" grep -q "\"sid\":\"$locked\".*\"locked\":true,\"lock_ttl\":null" "$TMP/list"
check_eq "the other sessions are not locked" 4 "$(grep -c '"locked":false' "$TMP/list")"
"$MEMCSESS" -s "$POOL" list >"$TMP/table"
check "the table notes the lock" grep -q "^$locked .*locked" "$TMP/table"
"$MEMCSESS" -s "$POOL" list --locks >"$TMP/table"
check "list --locks shows the lock key itself" grep -q "^$locked .*lock key" "$TMP/table"
"$MEMCSESS" -s "$POOL" inspect "$locked" >"$TMP/insp"
check "inspect shows the lock held with no expiry" grep -q "^lock *held (expires: never)" "$TMP/insp"
"$MEMCSESS" -s "$POOL" inspect "$(sed -n 2p "$TMP/sids")" >"$TMP/insp"
check "inspect shows no lock on an unlocked session" grep -q "^lock *none" "$TMP/insp"
"$MEMCSESS" -s "$POOL" dump >"$TMP/dump"
check "dump marks the locked session" grep -q "\"sid\":\"$locked\".*\"locked\":true" "$TMP/dump"

# A new id with nothing written: PHP leaves an empty item.
php -d session.save_handler=memcached -d "session.save_path=$POOL" "$PHP_DIR/write.php" 1 empty |
	cut -d'"' -f4 >"$TMP/empty.sid"
esid=$(cat "$TMP/empty.sid")
"$MEMCSESS" -s "$POOL" list --json "$esid" >"$TMP/l"
check "PHP's empty item is listed as an empty session" grep -q "\"size\":0,.*\"handler\":\"empty\"" "$TMP/l"
"$MEMCSESS" -s "$POOL" inspect --json "$esid" >"$TMP/i"
check "inspect --json of the empty session has empty data" grep -q '"data": \[\]' "$TMP/i"
exit 0
