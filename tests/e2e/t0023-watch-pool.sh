#!/bin/bash
# memcsess watch on a pool of 64 servers: one reader thread serves them all (the threads do not
# grow with the pool), sessions PHP spreads by ketama are seen on every server that holds one,
# and a frozen server (kill -STOP) holds up none of the others: mid-stream nor when connecting.
. "$(dirname "$0")/../lib.sh"
N=64
PHPS=(php -d session.save_handler=memcached)

# threads PID: the fewest threads PID had over a second (connectors end once every server is
# open; a few samples let the last one go).
threads() {
	local i t min=
	for i in $(seq 20); do
		t=$(awk '/^Threads:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
		[ -n "$t" ] && { [ -z "$min" ] || [ "$t" -lt "$min" ]; } && min=$t
		sleep 0.05
	done
	echo "${min:-0}"
}

# watch_bg OUT COUNT ARGS...: memcsess watch in the background (pid in WPID); waits until COUNT
# servers are watched.
watch_bg() {
	local out=$1 want=$2 i
	shift 2
	"$MEMCSESS" "$@" >"$out" 2>"$out.err" &
	WPID=$!
	for i in $(seq 200); do
		[ "$(grep -c '"event":"server".*"status":"watching"' "$out")" -ge "$want" ] && return 0
		sleep 0.05
	done
}

PORTS=()
POOL=
for i in $(seq $N); do
	mc_start_var P -m 8 -t 1 || exit 1
	PORTS+=("$P")
	PIDOF[$P]=$P_PID
	POOL=$POOL${POOL:+,}127.0.0.1:$P
done

# --- the threads of a watch on 2 servers and on 64
watch_bg "$TMP/w2" 2 -s "127.0.0.1:${PORTS[0]},127.0.0.1:${PORTS[1]}" watch --json --duration 30
T2=$(threads $WPID)
kill $WPID; wait $WPID
watch_bg "$TMP/w" $N -s "$POOL" watch --json --duration 60
check_eq "every server of the $N is watched" $N \
	"$(grep -c '"event":"server".*"status":"watching"' "$TMP/w")"
T64=$(threads $WPID)
check "the watch's threads do not grow with the pool ($T2 on 2 servers, $T64 on $N)" \
	test "$T64" -gt 0 -a "$T64" -le "$T2"

# --- sessions across the pool: every server holding one is seen
"${PHPS[@]}" -d "session.save_path=$POOL" -r 'ini_set("session.use_cookies", "0");
	for ($i = 0; $i < 300; $i++) { session_id("spread$i"); session_start();
		$_SESSION["n"] = $i; session_write_close(); }' >/dev/null 2>&1
holders=()
for p in "${PORTS[@]}"; do
	[ "$(count_keys "$p" memc.sess.key.spread)" -gt 0 ] && holders+=("$p")
done
check "ketama spread the sessions over most of the pool (${#holders[@]} servers)" \
	test "${#holders[@]}" -ge $((N / 2))
# memcached's logger thread sleeps up to a second when idle: its lines may come that late
for i in $(seq 60); do
	seen=0
	for p in "${holders[@]}"; do
		grep -q "\"server\":\"127.0.0.1:$p\".*\"sid\":\"spread" "$TMP/w" && seen=$((seen + 1))
	done
	[ "$seen" -eq "${#holders[@]}" ] && break
	sleep 0.1
done
check_eq "events come from every server that holds a session" "${#holders[@]}" "$seen"

# --- a server frozen mid-stream: the others keep streaming
X=${holders[0]}
kill -STOP "${PIDOF[$X]}"
REST=$(echo "$POOL" | tr ',' '\n' | grep -v ":$X\$" | paste -sd,)
"${PHPS[@]}" -d "session.save_path=$REST" -r 'ini_set("session.use_cookies", "0");
	for ($i = 0; $i < 50; $i++) { session_id("frozen$i"); session_start();
		$_SESSION["n"] = $i; session_write_close(); }' >/dev/null 2>&1
for i in $(seq 60); do grep -q '"sid":"frozen49"' "$TMP/w" && break; sleep 0.1; done
check "with one server frozen, the others' events still come" grep -q '"sid":"frozen49"' "$TMP/w"
kill -TERM $WPID; wait $WPID
check_eq "SIGTERM ends the watch, exit 0 (the frozen server was watched)" 0 $?

# --- a frozen server when the watch starts: named, while every other one streams
watch_bg "$TMP/wf" $((N - 1)) -s "$POOL" --timeout 2 watch --json --duration 6
"${PHPS[@]}" -d "session.save_path=$REST" -r 'ini_set("session.use_cookies", "0");
	session_id("whilefrozen"); session_start(); $_SESSION["a"] = 1;' >/dev/null 2>&1
wait $WPID
rc=$?
check_eq "exit 1: the frozen server could not be watched" 1 "$rc"
check "the frozen server is named, with the timeout" \
	grep -q "server 127.0.0.1:$X: timeout after 2000 ms.*(not watched)" "$TMP/wf.err"
check_eq "and only it" 1 "$(grep -c . "$TMP/wf.err")"
check_eq "every other server is watched" $((N - 1)) \
	"$(grep -c '"event":"server".*"status":"watching"' "$TMP/wf")"
first_named=$(grep -n "\"server\":\"127.0.0.1:$X\".*\"event\":\"server\"" "$TMP/wf" | head -1 | cut -d: -f1)
last_on=$(grep -n '"event":"server".*"status":"watching"' "$TMP/wf" | tail -1 | cut -d: -f1)
check "the others were watched before the frozen one's timeout ran out" \
	test -n "$first_named" -a -n "$last_on" -a "${last_on:-0}" -lt "${first_named:-0}"
check "and their events came meanwhile" grep -q '"sid":"whilefrozen"' "$TMP/wf"
kill -CONT "${PIDOF[$X]}"
exit 0
