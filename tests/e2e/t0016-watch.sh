#!/bin/bash
# memcsess watch: session events from memcached's log stream, checked against what real PHP
# does: a wait on another request's lock, evictions under memory pressure, a web server with
# another distribution, a session too large for the server (which must live), and servers that
# cannot be watched (20 watchers already, -W, SASL) or go away and come back.
. "$(dirname "$0")/../lib.sh"
command -v ss >/dev/null || { not_ok "ss (iproute2) is installed"; exit 1; }
PHPS=(php -d session.save_handler=memcached -d memcached.sess_lock_retries=100
      -d memcached.sess_lock_wait_min=100 -d memcached.sess_lock_wait_max=100)

# watch_bg OUT ARGS...: memcsess watch in the background, output in OUT, pid in WPID; waits
# until every server of the pool has been reported on (a server event each).
watch_bg() {
	local out=$1 n i
	shift
	"$MEMCSESS" "$@" >"$out" 2>"$out.err" &
	WPID=$!
	n=$(echo "$POOLW" | tr ',' '\n' | grep -c .)
	for i in $(seq 100); do
		[ "$(grep -c '"event":"server"' "$out")" -ge "$n" ] && return 0
		sleep 0.05
	done
}

# --- contention: the first request holds the lock two seconds, the second waits on it
mc_start_var A || exit 1
POOLW=127.0.0.1:$A
watch_bg "$TMP/w1" -s "$POOLW" watch --json --duration 30
"${PHPS[@]}" -d "session.save_path=$POOLW" -r 'ini_set("session.use_cookies", "0");
	session_id("contended1"); session_start(); $_SESSION["n"] = 1; echo "started\n"; sleep(2);
	session_write_close();' >"$TMP/php1.out" &
: >>"$TMP/php1.out"
P1=$!
for i in $(seq 100); do grep -q started "$TMP/php1.out" && break; sleep 0.05; done
C1=$(port_of $P1 "$A")
"${PHPS[@]}" -d "session.save_path=$POOLW" -r 'ini_set("session.use_cookies", "0");
	session_id("contended1"); session_start(); echo "got it\n";' >"$TMP/php2.out" &
P2=$!
C2=$(port_of $P2 "$A")
wait $P1 $P2
check "the waiting request got the session in the end" grep -q "got it" "$TMP/php2.out"
check "the PHP processes' addresses were found" test -n "$C1" -a -n "$C2" -a "$C1" != "$C2"
for i in $(seq 40); do grep -q '"event":"contention".*"acquired"' "$TMP/w1" && break; sleep 0.05; done
kill -TERM $WPID; wait $WPID
check_eq "watch ends with 0 on SIGTERM with every server watched" 0 $?
grep '"event":"contention"' "$TMP/w1" | grep '"status":"acquired"' >"$TMP/cont"
check "contention names the sid, the waiting client and the holder" \
	grep -q "\"client\":\"$C2\",\"event\":\"contention\",\"sid\":\"contended1\".*\"holder\":\"$C1\"" "$TMP/cont"
check "the wait took over a second, with retries, and is marked inferred (no mutations)" \
	grep -qE '"inferred":true,"holder":"[^"]*","since":"[^"]*","waited":(1\.[5-9]|2\.)[0-9]*,"retries":([5-9]|[1-9][0-9])' "$TMP/cont"
check "the holder's lock is reported with its client" \
	grep -q "\"client\":\"$C1\",\"event\":\"lock\",\"sid\":\"contended1\"" "$TMP/w1"
check "a lock held over --lock-slow (1 s) is reported" \
	grep -q "\"client\":\"$C1\",\"event\":\"lock-held\",\"sid\":\"contended1\"" "$TMP/w1"
check "the session's first read is missing, its write a new session" \
	grep -q "\"client\":\"$C1\",\"event\":\"new\",\"sid\":\"contended1\"" "$TMP/w1"
check "the final summary counts the contention" \
	grep -q '"event":"summary-final".*"top_contention":\[{"sid":"contended1","count":1}\]' "$TMP/w1"

# --- evictions: a 2 MB server, sessions written past its memory
mc_start_var S -m 2 || exit 1
POOLW=127.0.0.1:$S
watch_bg "$TMP/w2" -s "$POOLW" watch --json --events eviction,server --duration 60
"${PHPS[@]}" -d "session.save_path=$POOLW" -r 'ini_set("session.use_cookies", "0");
	for ($i = 0; $i < 3000; $i++) { session_id("fill$i"); session_start();
		$_SESSION["pad"] = str_repeat("p", 2000); session_write_close(); }' >/dev/null 2>&1
for i in $(seq 40); do grep -q '"event":"eviction"' "$TMP/w2" && break; sleep 0.05; done
kill -INT $WPID; wait $WPID
check "sessions are evicted" grep -q '"event":"eviction","sid":"[^"]*","lock":false' "$TMP/w2"
check "an eviction tells the TTL left (a user logged out by memory)" \
	grep -qE '"event":"eviction".*"lock":false,"ttl":1[0-9]{3},"idle":[0-9]+' "$TMP/w2"
check "--events keeps out the other kinds" \
	test -z "$(grep -v '"event":"\(eviction\|server\|summary-final\)"' "$TMP/w2")"

# --- misplaced: a web server with modula while the pool (and memcsess) use ketama
mc_start_var B || exit 1
POOLW=127.0.0.1:$A,127.0.0.1:$B
watch_bg "$TMP/w3" -s "$POOLW" watch --json --events misplaced,server --duration 60
php_modula "$POOLW" "${PHPS[@]}"
M1=$(port_of $MODULA_PID "$A")
M2=$(port_of $MODULA_PID "$B")
sleep 0.3
kill $WPID; wait $WPID
wait $MODULA_PID
grep '"event":"misplaced"' "$TMP/w3" >"$TMP/mis"
check "modula sessions are misplaced" test "$(grep -c . "$TMP/mis")" -ge 5
check "misplaced names the web server's address and port" \
	test -z "$(grep -v "\"client\":\"\\($M1\\|$M2\\)\"" "$TMP/mis")" -a -n "$M1$M2"
check "misplaced says where PHP with the pool's settings looks" \
	grep -q "\"home\":\"127.0.0.1:\\($A\\|$B\\)\"" "$TMP/mis"
line=$(grep '"lock":false' "$TMP/mis" | head -1)
sid=$(echo "$line" | sed 's/.*"sid":"\([^"]*\)".*/\1/')
stored=$(echo "$sid" | php "$PHP_DIR/where.php" "$POOLW" memc.sess.key. | cut -d' ' -f2)
check "a misplaced session is on the server named, where modula put it" \
	grep -q "\"server\":\"$stored\"" <<<"$line"
check "and its home is the other server" \
	test -n "$stored" -a -z "$(grep "\"home\":\"$stored\"" <<<"$line")"

# --- a session too large for the server while watching a 1.6.18 without --mutations: memcached
# before 1.6.42 crashes on a failed binary set when mutations are watched; it must live.
mc_start_var L || exit 1
POOLW=127.0.0.1:$L
watch_bg "$TMP/w4" -s "$POOLW" watch --json --duration 60
check "mutations are not asked of 1.6.18 unless --mutations" \
	grep -q '"text":"watching (fetchers evictions connevents)"' "$TMP/w4"
"${PHPS[@]}" -d "session.save_path=$POOLW" -r 'ini_set("session.use_cookies", "0");
	session_id("huge1"); session_start(); $_SESSION["x"] = str_repeat("z", 1500000);
	session_write_close();' >/dev/null 2>&1
sleep 0.3
check_eq "the server lives after PHP's 1.5 MB session" "VERSION" \
	"$(mc_cmd "$L" version | cut -d' ' -f1)"
check "memcached is still running" kill -0 "$L_PID"
kill $WPID; wait $WPID
check_eq "and the watch never lost it" 0 "$(grep -c '"status":"lost"' "$TMP/w4")"

# --- servers that cannot be watched are named; the others keep streaming
mc_start_var T || exit 1
mc_start_var W -W || exit 1
sasl_setup watcher secret || exit 1
SASL_CONF_PATH=$TMP/sasl mc_start_var Q -S || exit 1
watchers_hold "$T"
POOLW=127.0.0.1:$A,127.0.0.1:$T,127.0.0.1:$W,127.0.0.1:$Q
watch_bg "$TMP/w5" -s "$POOLW" watch --json --duration 3
"${PHPS[@]}" -d "session.save_path=127.0.0.1:$A" -r 'ini_set("session.use_cookies", "0");
	session_id("stillhere"); session_start(); $_SESSION["a"] = 1;' >/dev/null 2>&1
wait $WPID
rc=$?
check_eq "exit status 1 when a server could not be watched" 1 "$rc"
check "WATCHER_TOO_MANY is named" grep -q "server 127.0.0.1:$T: .*WATCHER_TOO_MANY" "$TMP/w5.err"
check "-W is named" grep -q "server 127.0.0.1:$W: .*watch commands not allowed" "$TMP/w5.err"
check "the SASL server is named" grep -q "server 127.0.0.1:$Q: .*SASL" "$TMP/w5.err"
check_eq "the watched server is not named" 0 "$(grep -c "127.0.0.1:$A:" "$TMP/w5.err")"
check "the watched server kept streaming" \
	grep -q "\"server\":\"127.0.0.1:$A\".*\"event\":\"read\",\"sid\":\"stillhere\"" "$TMP/w5"
kill $HOLD 2>/dev/null

# --- a server killed and restarted mid-watch comes back
mc_start_var R || exit 1
POOLW=127.0.0.1:$A,127.0.0.1:$R
watch_bg "$TMP/w6" -s "$POOLW" watch --json --duration 30
kill "$R_PID"; wait "$R_PID" 2>/dev/null
for i in $(seq 60); do grep -q "\"server\":\"127.0.0.1:$R\".*\"status\":\"lost\"" "$TMP/w6" && break; sleep 0.05; done
"${PHPS[@]}" -d "session.save_path=127.0.0.1:$A" -r 'ini_set("session.use_cookies", "0");
	session_id("during1"); session_start(); $_SESSION["a"] = 1;' >/dev/null 2>&1
# memcached's logger thread sleeps up to a second when idle: its lines may come that late
for i in $(seq 60); do grep -q '"sid":"during1"' "$TMP/w6" && break; sleep 0.05; done
user=(); [ "$(id -u)" -eq 0 ] && user=(-u nobody)
memcached "${user[@]}" -l 127.0.0.1 -p "$R" -U 0 -m 64 >"$TMP/mc-r2.log" 2>&1 &
MC_PIDS+=($!)
for i in $(seq 200); do
	[ "$(grep -c "\"server\":\"127.0.0.1:$R\".*\"status\":\"watching\"" "$TMP/w6")" -ge 2 ] && break
	sleep 0.05
done
"${PHPS[@]}" -d "session.save_path=127.0.0.1:$R" -r 'ini_set("session.use_cookies", "0");
	session_id("after1"); session_start(); $_SESSION["a"] = 1;' >/dev/null 2>&1
for i in $(seq 40); do grep -q '"sid":"after1"' "$TMP/w6" && break; sleep 0.05; done
kill $WPID; wait $WPID
rc=$?
check "the lost server is named" grep -q "\"server\":\"127.0.0.1:$R\".*\"event\":\"server\".*\"status\":\"lost\"" "$TMP/w6"
check "the other server kept streaming meanwhile" \
	grep -q "\"server\":\"127.0.0.1:$A\".*\"sid\":\"during1\"" "$TMP/w6"
check_eq "the restarted server is watched again" 2 \
	"$(grep -c "\"server\":\"127.0.0.1:$R\".*\"status\":\"watching\"" "$TMP/w6")"
check "and its events come again" grep -q "\"server\":\"127.0.0.1:$R\".*\"sid\":\"after1\"" "$TMP/w6"
check_eq "exit 0: every server is watched at the end" 0 "$rc"

# --- memcached -Y: the watch connection logs in like every other
printf 'ops:s3cret-pw\n' >"$TMP/authfile"
chmod 644 "$TMP/authfile"
chmod 755 "$TMP"
printf 's3cret-pw\n' >"$TMP/pw"
printf 'wrong\n' >"$TMP/badpw"
mc_start_var Y -Y "$TMP/authfile" || exit 1
"$MEMCSESS" -s "127.0.0.1:$Y" watch --duration 0.5 >"$TMP/w9" 2>"$TMP/w9.err"
check_eq "-Y without a login: exit 1" 1 $?
check "and the server is named as wanting one" \
	grep -q "server 127.0.0.1:$Y: authentication required" "$TMP/w9.err"
"$MEMCSESS" -s "127.0.0.1:$Y" --username ops --password-file "$TMP/pw" watch --duration 0.5 \
	>"$TMP/w9" 2>"$TMP/w9.err"
check_eq "-Y with the login: watched, exit 0" 0 $?
check "the watch is on" grep -q "127.0.0.1:$Y server watching: watching" "$TMP/w9"
"$MEMCSESS" -s "127.0.0.1:$Y" --username ops --password-file "$TMP/badpw" watch --duration 3 \
	>"$TMP/w9" 2>"$TMP/w9.err"
check_eq "-Y with a wrong password: exit 1" 1 $?
check_eq "a wrong password is tried once (not again with backoff)" 1 \
	"$(grep -c "authentication failed for user 'ops'" "$TMP/w9")"

# --- people's lines, options, the shell
"$MEMCSESS" -s "127.0.0.1:$A" watch --duration 0.5 >"$TMP/w7" 2>&1
check_eq "a quiet pool: exit 0" 0 $?
check "people's lines name the server and the streams" \
	grep -q "127.0.0.1:$A server watching: watching (fetchers evictions connevents)" "$TMP/w7"
check "the summary ends the output" grep -q "summary (final)" "$TMP/w7"
"$MEMCSESS" -s "127.0.0.1:$A" watch --summary 0.5 --duration 2.5 'keep*' >"$TMP/w8" 2>&1 &
WPID=$!
sleep 0.5
"${PHPS[@]}" -d "session.save_path=127.0.0.1:$A" -r 'ini_set("session.use_cookies", "0");
	foreach (["keep1", "drop1"] as $s) { session_id($s); session_start(); $_SESSION["a"] = 1;
		session_write_close(); }' >/dev/null 2>&1
wait $WPID
check "GLOB keeps the sessions it matches" grep -q "read sid=keep1 client=127.0.0.1:[0-9]* missing" "$TMP/w8"
check_eq "and only them" 0 "$(grep -c 'sid=drop1' "$TMP/w8")"
check "--summary prints summaries meanwhile" test "$(grep -c ' summary$' "$TMP/w8")" -ge 3
check "summaries count per kind per server" grep -q "^  127.0.0.1:$A: read=1 write=0 new=1 lock=1 " "$TMP/w8"
"$MEMCSESS" -s "127.0.0.1:$A" watch --events bogus >/dev/null 2>"$TMP/err"
check_eq "an unknown kind is a usage error" 2 $?
check "and is named" grep -q "unknown kind 'bogus'" "$TMP/err"
"$MEMCSESS" watch --help >"$TMP/help"
check "--help names the crash --mutations risks" grep -q "mutations.*1.6.42 CRASHES" <(tr '\n' ' ' <"$TMP/help")
echo "watch --duration 1" | "$MEMCSESS" -s "127.0.0.1:$A" shell >"$TMP/sh" 2>&1
check "the shell runs watch" grep -q "summary (final)" "$TMP/sh"
exit 0
