#!/bin/bash
# PHP's lock keys are shown as the lock of their session, not as sessions; the empty items PHP
# creates for new ids are shown as empty sessions.
. "$(dirname "$0")/../lib.sh"
mc_start_var A || exit 1
mc_start_var B || exit 1
POOL="127.0.0.1:$A,127.0.0.1:$B"
php_write "$POOL" php 5 simple | cut -d'"' -f4 >"$TMP/sids"
locked=$(head -1 "$TMP/sids")

php_leave_lock "$POOL" "$locked"

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

# The walk keeps the lock keys it meets, so only those sessions need a look-up; the look-up goes
# to the server PHP takes the lock from. A lock key on any other server is not the session's
# lock: move a real lock there and the session is not locked.
stray=$(sed -n 3p "$TMP/sids")
php_leave_lock "$POOL" "$stray"
home=$(echo "$stray" | php "$PHP_DIR/where.php" "$POOL" memc.sess.key.lock. | cut -d' ' -f2)
check_eq "PHP left the second lock on one server" 1 "$(echo "$home" | grep -c .)"
other=127.0.0.1:$A
[ "$home" = "$other" ] && other=127.0.0.1:$B
check_eq "the lock is taken off PHP's server" DELETED \
	"$(mc_cmd "${home##*:}" "delete memc.sess.key.lock.$stray" | tr -d '\r')"
check_eq "and put on the other one" STORED \
	"$(mc_cmd "${other##*:}" "set memc.sess.key.lock.$stray 0 0 1"$'\r\n'"1" | tr -d '\r')"
"$MEMCSESS" -s "$POOL" dump >"$TMP/dump"
check "a lock key off PHP's server does not lock the session" \
	grep -q "\"sid\":\"$stray\".*\"locked\":false" "$TMP/dump"
check "the real lock still does" grep -q "\"sid\":\"$locked\".*\"locked\":true" "$TMP/dump"

# Past 65,536 lock keys the walk keeps none and every session's lock is looked up.
php -r '
	foreach (explode(",", $argv[1]) as $s) {
		[$h, $p] = explode(":", $s);
		$m = new Memcached(); $m->addServer($h, (int)$p);
		for ($i = 0; $i < 34000; $i += 1000) {
			$keys = [];
			for ($j = $i; $j < $i + 1000; $j++) $keys["memc.sess.key.lock.gone$p-$j"] = "1";
			$m->setMulti($keys) or exit(1);
		}
	}' "$POOL" || not_ok "writing 68,000 lock keys"
"$MEMCSESS" -s "$POOL" list --json >"$TMP/list"
check_eq "68,000 stray lock keys are not sessions" 5 "$(wc -l <"$TMP/list")"
check "with that many lock keys the locked session is still locked" \
	grep -q "\"sid\":\"$locked\".*\"locked\":true" "$TMP/list"
check_eq "and the others are not" 4 "$(grep -c '"locked":false' "$TMP/list")"

# A new id with nothing written: PHP leaves an empty item.
php -d session.save_handler=memcached -d "session.save_path=$POOL" "$PHP_DIR/write.php" 1 empty |
	cut -d'"' -f4 >"$TMP/empty.sid"
esid=$(cat "$TMP/empty.sid")
"$MEMCSESS" -s "$POOL" list --json "$esid" >"$TMP/l"
check "PHP's empty item is listed as an empty session" grep -q "\"size\":0,.*\"handler\":\"empty\"" "$TMP/l"
"$MEMCSESS" -s "$POOL" inspect --json "$esid" >"$TMP/i"
check "inspect --json of the empty session has empty data" grep -q '"data": \[\]' "$TMP/i"
exit 0
