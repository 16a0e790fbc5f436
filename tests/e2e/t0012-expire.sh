#!/bin/bash
# expire: log one user out everywhere by what the session holds, by sid, by idle time and TTL,
# or give sessions a new TTL; PHP then sees an empty session for exactly those sessions.
. "$(dirname "$0")/../lib.sh"
mc_start_var A || exit 1
mc_start_var B || exit 1
POOL="127.0.0.1:$A,127.0.0.1:$B"
php_write "$POOL" php 40 rich >"$TMP/php.exp"
php_write "$POOL" igbinary 40 rich >"$TMP/igb.exp"
cat "$TMP/php.exp" "$TMP/igb.exp" >"$TMP/all.exp"

# user_id 1005 exists once per handler: both sessions go, nothing else does.
grep '"user_id":1005,' "$TMP/all.exp" >"$TMP/gone.exp"
grep -v '"user_id":1005,' "$TMP/php.exp" >"$TMP/php.keep"
grep -v '"user_id":1005,' "$TMP/igb.exp" >"$TMP/igb.keep"
"$MEMCSESS" -s "$POOL" expire --where user_id=1005 --dry-run >"$TMP/out" 2>"$TMP/err"
check_eq "dry run lists the two sessions of user 1005" 2 "$(grep -c '^would expire t0' "$TMP/out")"
php_read "$POOL" "$TMP/php.exp" "after a dry run nothing is gone" >/dev/null && ok "dry run deletes nothing" || not_ok "dry run deleted something"
"$MEMCSESS" -s "$POOL" expire --where user_id=1005 >"$TMP/out" 2>"$TMP/err"
check_eq "expire --where exits 0" 0 $?
check "summary: 2 matched, 2 expired" grep -q "^expire: 2 matched, 2 expired, 0 already gone, 0 failed" "$TMP/err"
READ_MISSING="$TMP/missing" php_read "$POOL" "$TMP/gone.exp" "x" >/dev/null
check_eq "PHP now sees an empty session for both sessions of user 1005" 2 "$(wc -l <"$TMP/missing")"
php_read "$POOL" "$TMP/php.keep" "every other php-handler session is intact"
php_read "$POOL" "$TMP/igb.keep" "every other igbinary session is intact" -d session.serialize_handler=igbinary

# Nested fields by dotted path; no match does nothing.
sid=$(grep '"user_id":1007,' "$TMP/php.exp" | cut -d'"' -f4)
"$MEMCSESS" -s "$POOL" expire --where cart.owner=user7 --where user_id=1007 2>"$TMP/err"
check "a dotted path reaches a nested property" grep -q "^expire: 2 matched, 2 expired" "$TMP/err"
"$MEMCSESS" -s "$POOL" expire --where user_id=999999 2>"$TMP/err"
check_eq "no match exits 0" 0 $?
check "no match says 0 matched" grep -q "^expire: 0 matched" "$TMP/err"

# By sid: twice, the second time it is already gone.
sid=$(sed -n 12p "$TMP/php.exp" | cut -d'"' -f4)
"$MEMCSESS" -s "$POOL" expire "$sid" 2>"$TMP/err"
check "expire SID deletes it" grep -q "^expire: 1 matched, 1 expired" "$TMP/err"
"$MEMCSESS" -s "$POOL" expire "$sid" 2>"$TMP/err"
check "expire SID again: already gone" grep -q "^expire: 1 matched, 0 expired, 1 already gone" "$TMP/err"
there=$(sed -n 14p "$TMP/php.exp" | cut -d'"' -f4)
"$MEMCSESS" -s "$POOL" expire --dry-run "$sid" "$there" >"$TMP/out" 2>"$TMP/err"
check "a dry run by sid looks each up: only the one still there would be expired" \
	[ "$(cut -d' ' -f1-3 "$TMP/out")" = "would expire $there" ]
check "and the gone one is counted as already gone" grep -q "^expire: 2 matched, 0 expired, 1 already gone, 0 failed (dry run" "$TMP/err"

# A new TTL instead of deleting.
sid=$(sed -n 13p "$TMP/php.exp" | cut -d'"' -f4)
"$MEMCSESS" -s "$POOL" expire --ttl 90s "$sid" 2>"$TMP/err"
check "expire --ttl touches" grep -q "^expire: 1 matched, 1 touched" "$TMP/err"
ttl=$("$MEMCSESS" -s "$POOL" inspect --json "$sid" | php -r 'echo json_decode(stream_get_contents(STDIN))->ttl;')
check "the session now has about 90 s left ($ttl)" [ "$ttl" -le 90 -a "$ttl" -ge 80 ]

# --ttl-under selects it; --idle-over 1h selects nothing that was just written.
"$MEMCSESS" -s "$POOL" expire --ttl-under 2m --dry-run >"$TMP/out" 2>/dev/null
check "--ttl-under 2m selects exactly the touched session" [ "$(cat "$TMP/out")" = "would expire $sid on $(grep -o '127.0.0.1:[0-9]*' <<<"$("$MEMCSESS" -s "$POOL" list --json "$sid")")" ]
"$MEMCSESS" -s "$POOL" expire --idle-over 1h 2>"$TMP/err"
check "--idle-over 1h matches nothing fresh" grep -q "^expire: 0 matched" "$TMP/err"
sleep 2.2
"$MEMCSESS" -s "$POOL" expire --idle-over 1s --sid 't0003*' --dry-run >"$TMP/out" 2>/dev/null
check "--idle-over 1s with --sid selects the idle sessions matching the glob" [ "$(grep -c '^would expire t0003' "$TMP/out")" -ge 2 ]

# Locks are left alone unless --locks.
sid=$(sed -n 20p "$TMP/php.exp" | cut -d'"' -f4)
php -d session.save_handler=memcached -d "session.save_path=$POOL" -r '
	ini_set("session.use_cookies", "0"); session_id($argv[1]); session_start();
	echo "started\n"; flush(); sleep(60);' "$sid" >"$TMP/php.out" &
phppid=$!
for i in $(seq 100); do grep -q started "$TMP/php.out" && break; sleep 0.05; done
kill -9 "$phppid"; wait "$phppid" 2>/dev/null
"$MEMCSESS" -s "$POOL" expire "$sid" 2>/dev/null
check "without --locks the lock key stays" [ "$(count_keys $A memc.sess.key.lock.)$(count_keys $B memc.sess.key.lock.)" != "00" ]
"$MEMCSESS" -s "$POOL" expire --dry-run --locks "$sid" >"$TMP/out" 2>/dev/null
check "a dry run with --locks finds the lock key left behind" \
	grep -qx "would delete the lock key of $sid (the session is already gone)" "$TMP/out"
"$MEMCSESS" -s "$POOL" expire --dry-run --locks "$there" >"$TMP/out" 2>/dev/null
check "and says nothing of a lock key that is not there" grep -qx "would expire $there on 127.0.0.1:[0-9]*" "$TMP/out"
"$MEMCSESS" -s "$POOL" expire --locks "$sid" 2>"$TMP/err"
check "--locks deletes the lock key too" grep -q "1 locks deleted" "$TMP/err"
check_eq "no lock key is left" "00" "$(count_keys $A memc.sess.key.lock.)$(count_keys $B memc.sess.key.lock.)"

# PHP's replicas (memcached.sess_number_of_replicas=1 on 3 servers): each session is stored
# twice. A filter (--where, --sid) finds and deletes both copies; so does a sid argument.
mc_start_var C || exit 1
RPOOL="127.0.0.1:$A,127.0.0.1:$B,127.0.0.1:$C"
rphp() { # SID [CODE]: PHP with replicas opens SID, runs CODE, prints $_SESSION as JSON; with
	# RREAD=1 it reads a copy at random (memcached.sess_randomize_replica_read)
	php -d session.save_handler=memcached -d "session.save_path=$RPOOL" \
		-d memcached.sess_number_of_replicas=1 -d "memcached.sess_randomize_replica_read=${RREAD:-0}" -r '
		ini_set("session.use_cookies", "0"); ini_set("session.use_strict_mode", "0");
		session_id($argv[1]); session_start(); eval($argv[2] ?? ""); echo json_encode($_SESSION);' "$@"
}
for u in 1 2 3; do rphp "trepl000$u" "\$_SESSION['user_id'] = 770$u;" >/dev/null; done
check_eq "PHP with one replica stores each session twice" 2 "$("$MEMCSESS" -s "$RPOOL" list --json trepl0001 | wc -l)"
"$MEMCSESS" -s "$RPOOL" expire --where user_id=7701 2>"$TMP/err"
check "expire --where deletes both copies" grep -q "^expire: 2 matched, 2 expired, 0 already gone, 0 failed" "$TMP/err"
check_eq "and PHP (with replicas) sees an empty session" "[]" "$(rphp trepl0001)"
"$MEMCSESS" -s "$RPOOL" expire --dry-run trepl0002 >"$TMP/out" 2>/dev/null
check_eq "expire --dry-run SID names both copies" 2 "$(grep -c '^would expire trepl0002 on 127' "$TMP/out")"
"$MEMCSESS" -s "$RPOOL" expire trepl0002 2>"$TMP/err"
check "expire SID deletes both copies" grep -q "^expire: 2 matched, 2 expired, 0 already gone, 0 failed" "$TMP/err"
check_eq "no copy of it is left" 0 "$("$MEMCSESS" -s "$RPOOL" list --json trepl0002 | wc -l)"
# PHP that reads a copy at random would find a copy left behind (and write it back to both):
# twelve users expired by sid are each logged out.
for u in $(seq 10 21); do rphp "trepl00$u" "\$_SESSION['user_id'] = 77$u;" >/dev/null; done
"$MEMCSESS" -s "$RPOOL" expire $(seq -f 'trepl00%g' 10 21) 2>"$TMP/err"
check "expire of twelve sids deletes 24 copies" grep -q "^expire: 24 matched, 24 expired, 0 already gone, 0 failed" "$TMP/err"
for u in $(seq 10 21); do RREAD=1 rphp "trepl00$u"; echo; done >"$TMP/rread"
check_eq "PHP reading a copy at random finds each of the twelve empty" "[]x12" "$(sort -u "$TMP/rread")x$(grep -c '^\[\]$' "$TMP/rread")"
# A server that cannot be asked for copies is a failure: the sid's other copy may be there.
# (A sid PHP would read from A or B, so that C is only asked for copies.)
for none in $(seq -f 'tnone%g' 1 50); do
	"$MEMCSESS" -s "$RPOOL" inspect "$none" 2>&1 | grep -q "not found on 127.0.0.1:$C " || break
done
kill -STOP "$C_PID"
"$MEMCSESS" -s "$RPOOL" --timeout 0.3 expire "$none" >/dev/null 2>"$TMP/err"
check_eq "expire SID with a server not answering exits 1" 1 $?
check "it names the server it could not ask" \
	grep -q "session $none: looking for other copies: server 127.0.0.1:$C: timeout" "$TMP/err"
kill -CONT "$C_PID"
check_eq "the third user's session, both copies, is untouched" 2 "$("$MEMCSESS" -s "$RPOOL" list --json trepl0003 | wc -l)"
check "and PHP reads it whole" grep -q '"user_id":7703' <(rphp trepl0003)
"$MEMCSESS" -s "$RPOOL" expire --sid 'trepl*' --yes 2>/dev/null

# Refusals.
"$MEMCSESS" -s "$POOL" expire 2>"$TMP/err"
check_eq "expire with nothing selected is a usage error" 2 $?
check "it says how to select" grep -q "nothing selected: give session ids, a filter, or --all" "$TMP/err"
"$MEMCSESS" -s "$POOL" expire --where user_id 2>/dev/null
check_eq "--where without = is a usage error" 2 $?
"$MEMCSESS" -s "$POOL" expire --all --yes 2>"$TMP/err"
check "--all --yes expires everything left" grep -q "expired, 0 already gone, 0 failed" "$TMP/err"
check_eq "nothing is left" 0 "$("$MEMCSESS" -s "$POOL" list --json | wc -l)"
exit 0
