#!/bin/bash
# memcsess doctor --sample: the pool watched for a while through watch's engine, and the sampled
# findings checked against what real PHP does meanwhile: a web server hashing with modula
# (misplaced clients, named by address), two requests on one session's lock (contention, naming
# the sid), a -m 2 server evicting sessions that still had TTL left, servers that cannot be
# watched (-W, 20 watchers already); a quiet healthy pool gives nothing at warning; Ctrl-C ends
# the sample early with a report.
. "$(dirname "$0")/../lib.sh"
command -v ss >/dev/null || { not_ok "ss (iproute2) is installed"; exit 1; }
PHPS=(php -d session.save_handler=memcached -d memcached.sess_lock_retries=100
      -d memcached.sess_lock_wait_min=100 -d memcached.sess_lock_wait_max=100)

# watchers PORT: memcached's count of log watchers.
watchers() { mc_cmd "$1" stats | sed -n 's/^STAT log_watchers \([0-9]*\).*/\1/p'; }
# sampling PORT...: waits until every server has had a watcher for 1.5 s on end: doctor's own
# probe of -W before the sample opens one for an instant, which memcached's logger may count for
# up to a second after it is closed.
sampling() {
	local p i since=$(date +%s%N) ok
	for i in $(seq 150); do
		ok=1
		for p in "$@"; do [ "$(watchers "$p")" -ge 1 ] || ok=0; done
		[ $ok = 0 ] && since=$(date +%s%N)
		[ $(($(date +%s%N) - since)) -ge 1500000000 ] && return 0
		sleep 0.05
	done
	return 1
}
mc_start_var A || exit 1
mc_start_var B || exit 1
POOL="127.0.0.1:$A,127.0.0.1:$B"
php_write "$POOL" php 20 rich >/dev/null || not_ok "PHP could not write sessions"

# --- a quiet healthy pool
"$MEMCSESS" -s "$POOL" doctor --json --sample 1 >"$TMP/json" 2>"$TMP/err"
check_eq "a quiet healthy pool sampled 1 s: exit 0" 0 $?
check_eq "nothing at warning or critical" "0 0" "$(count "$TMP/json" warning) $(count "$TMP/json" critical)"
check_eq "every line is a finding" "-" "$(fig "$TMP/json" none none none)"
check "the sample says it watched both servers about 1 s" \
	grep -qE '"check":"sample",.*"figures":\{"sample_s":(1|1\.0[0-9]*|0\.9[5-9][0-9]*),"asked_s":1,"servers_watched":2' "$TMP/json"
for c in contention live-eviction refused-write misplaced-client sample-loss not-sampled; do
	check "the healthy $c check is listed" grep -q "\"check\":\"$c\",\"severity\":\"info\",\"ok\":true" "$TMP/json"
done
check "refused writes are said to be invisible on 1.6.18 (no mutations asked)" \
	grep -q '"check":"refused-write".*not visible' "$TMP/json"
check_eq "and nothing on stderr" "" "$(cat "$TMP/err")"

# --- a web server hashing with modula writes while the pool is sampled
"$MEMCSESS" -s "$POOL" doctor --json --sample 6 >"$TMP/json" 2>"$TMP/err" &
D=$!
sampling "$A" "$B" || not_ok "doctor's watch started on both servers"
php_modula "$POOL" "${PHPS[@]}"
M1=$(port_of $MODULA_PID "$A")
M2=$(port_of $MODULA_PID "$B")
wait $D
rc=$?
wait $MODULA_PID
check "misplaced clients: exit 5 or 6" test "$rc" = 5 -o "$rc" = 6
check "the PHP process's connections were found" test -n "$M1" -a -n "$M2"
clients=$(fig "$TMP/json" misplaced-client bad clients)
check "misplaced-client names the web server's connection ($M1 or $M2): $clients" \
	grep -qE "(^|, )($M1|$M2)(,|$)" <<<"$clients"
check "and no other client" test -z "$(tr ',' '\n' <<<"$clients" | sed 's/^ //' | grep -vxE "$M1|$M2")"
check_eq "its host" "127.0.0.1" "$(fig "$TMP/json" misplaced-client bad hosts)"
mis=$(fig "$TMP/json" misplaced-client bad misplaced)
acc=$(fig "$TMP/json" misplaced-client bad accesses)
check "misplaced reads and writes are counted, of all the reads and writes ($mis of $acc)" \
	test "$mis" -ge 10 -a "$acc" -ge 80 -a "$mis" -lt "$acc"
check "with the share and the rate" \
	php -r '$s = $argv[1]; $r = $argv[2]; exit($s > 0 && $s < 1 && $r > 0 ? 0 : 1);' \
	"$(fig "$TMP/json" misplaced-client bad share)" "$(fig "$TMP/json" misplaced-client bad rate_per_s)"
check "the message names the address" \
	grep -qE "a web server with another configuration; from .*($M1|$M2)" <(fig "$TMP/json" misplaced-client bad message)
"$MEMCSESS" -s "$POOL" doctor --json --sample 1 >"$TMP/json"
check_eq "sampled again without that web server: no misplaced client" "-" \
	"$(fig "$TMP/json" misplaced-client bad misplaced)"
for p in "$A" "$B"; do mc_cmd "$p" flush_all >/dev/null; done

# --- two requests on one session's lock: the first holds it two seconds
"$MEMCSESS" -s "127.0.0.1:$A" doctor --json --sample 7 >"$TMP/json" 2>"$TMP/err" &
D=$!
sampling "$A" || not_ok "doctor's watch started"
"${PHPS[@]}" -d "session.save_path=127.0.0.1:$A" -r 'ini_set("session.use_cookies", "0");
	session_id("contended1"); session_start(); $_SESSION["n"] = 1; echo "started\n"; sleep(2);
	session_write_close();' >"$TMP/php1.out" &
: >>"$TMP/php1.out"
P1=$!
for i in $(seq 100); do grep -q started "$TMP/php1.out" && break; sleep 0.05; done
"${PHPS[@]}" -d "session.save_path=127.0.0.1:$A" -r 'ini_set("session.use_cookies", "0");
	session_id("contended1"); session_start(); echo "got it\n";' >"$TMP/php2.out" &
P2=$!
wait $P1 $P2
check "the waiting request got the session in the end" grep -q "got it" "$TMP/php2.out"
wait $D
check_eq "one wait under the thresholds: exit 0 (info)" 0 $?
check_eq "contention names the sid" "contended1" "$(fig "$TMP/json" contention info sids)"
check_eq "one wait" 1 "$(fig "$TMP/json" contention info waits)"
check "that lasted over a second and a half" \
	php -r 'exit($argv[1] >= 1.5 && $argv[1] < 5 ? 0 : 1);' "$(fig "$TMP/json" contention info longest_wait_s)"
check "the rate per server and over the pool" \
	php -r 'exit($argv[1] > 0.1 && $argv[1] == $argv[2] ? 0 : 1);' \
	"$(fig "$TMP/json" contention info rate_per_s)" "$(fig "$TMP/json" contention info "rate_per_s.127.0.0.1:$A")"
check "the message says how many waited and on which sid" \
	grep -q "^1 request waited on another request's session lock in .* most on: contended1 (1)$" \
	<(fig "$TMP/json" contention info message)
mc_cmd "$A" flush_all >/dev/null

# --- a -m 2 server: PHP writes past its memory while the pool is sampled
mc_start_var S -m 2 || exit 1
"$MEMCSESS" -s "127.0.0.1:$S" doctor --json --sample 5 >"$TMP/json" 2>"$TMP/err" &
D=$!
sampling "$S" || not_ok "doctor's watch started"
"${PHPS[@]}" -d "session.save_path=127.0.0.1:$S" -r 'ini_set("session.use_cookies", "0");
	for ($i = 0; $i < 3000; $i++) { session_id("fill$i"); session_start();
		$_SESSION["pad"] = str_repeat("p", 2000); session_write_close(); }' >/dev/null 2>&1
wait $D
check_eq "evictions of live sessions: exit 5 (warning)" 5 $?
ev=$(fig "$TMP/json" live-eviction warning evicted)
check "live-eviction counts the evictions ($ev)" test "$ev" -gt 100
check "the TTL they had left is in the figures (PHP gives them 1440 s)" \
	test "$(fig "$TMP/json" live-eviction warning ttl_left_max_s)" -le 1440 -a \
	"$(fig "$TMP/json" live-eviction warning ttl_left_min_s)" -ge 1000
check "an evicted sid is named" grep -q "^fill[0-9]" <(fig "$TMP/json" live-eviction warning sids)
check "with the rate" test "$(fig "$TMP/json" live-eviction warning rate_per_s)" != "-"
check "the message says users are logged out" \
	grep -q "evicted with TTL left in .*: their users are logged out early" \
	<(fig "$TMP/json" live-eviction warning message)

# --- servers that cannot be watched: -W, and one with 20 watchers already
mc_start_var W -W || exit 1
mc_start_var T || exit 1
watchers_hold "$T"
POOLW="127.0.0.1:$A,127.0.0.1:$W,127.0.0.1:$T"
"$MEMCSESS" -s "$POOLW" doctor --json --sample 1 >"$TMP/json" 2>"$TMP/err"
check_eq "servers not sampled: exit 5 (warning)" 5 $?
check "-W: not sampled, with the reason" \
	grep -q '"check":"not-sampled","severity":"warning","ok":false,"server":"127.0.0.1:'"$W"'","message":"could not be sampled: watch refused: watch commands not allowed (memcached -W)' "$TMP/json"
check_eq "WATCHER_TOO_MANY: not sampled, with the reason" \
	"watch refused: WATCHER_TOO_MANY (memcached takes 20 watchers at most)" \
	"$(grep "\"server\":\"127.0.0.1:$T\"" "$TMP/json" >"$TMP/t.json"; fig "$TMP/t.json" not-sampled warning reason)"
check_eq "the sampled server is not named" 0 \
	"$(grep -c "\"check\":\"not-sampled\",.*\"server\":\"127.0.0.1:$A\"" "$TMP/json")"
check "the sample counts 1 server of 3 watched" \
	grep -q '"check":"sample",.*"message":"watched 1 of 3 servers' "$TMP/json"
"$MEMCSESS" -s "$POOLW" doctor --nagios --sample 1 >"$TMP/nag"
check_eq "--nagios with --sample: exit 1 (WARNING)" 1 $?
check "--nagios names both servers" \
	grep -q "^MEMCSESS DOCTOR WARNING - 0 critical, 2 warning: not-sampled 127.0.0.1:$W, not-sampled 127.0.0.1:$T |" "$TMP/nag"
kill $HOLD 2>/dev/null

# --- Ctrl-C ends the sample early; the report is still given
"$MEMCSESS" -s "127.0.0.1:$A" doctor --sample 60 >"$TMP/out" 2>"$TMP/err" &
D=$!
sampling "$A" || not_ok "doctor's watch started"
kill -INT $D
wait $D
check_eq "interrupted while sampling: the report's exit status (0)" 0 $?
check "the sample says it ended early" \
	grep -q "^  sample: watched 1 of 1 servers for [0-9.]* s (ended early by an interrupt)" "$TMP/out"
check "and the report ends with its counts" grep -q "^doctor: 0 critical, 0 warning" "$TMP/out"

# --- --timeout bounds the wait on a frozen server; the sample still ends
mc_start_var F || exit 1
"$MEMCSESS" -s "127.0.0.1:$A,127.0.0.1:$F" doctor --json --sample 1 >/dev/null
kill -STOP "$F_PID"
start=$(date +%s)
"$MEMCSESS" -s "127.0.0.1:$A,127.0.0.1:$F" --timeout 1 doctor --json --sample 1 >"$TMP/json" 2>"$TMP/err"
rc=$?
kill -CONT "$F_PID"
check_eq "a frozen server: exit 6 (unreachable is critical)" 6 "$rc"
check "the whole run stays within a few timeouts" test $(($(date +%s) - start)) -le 8
check_eq "the frozen server is unreachable, not also not-sampled" "-" \
	"$(fig "$TMP/json" not-sampled warning server)"

# --- usage
"$MEMCSESS" -s "127.0.0.1:$A" doctor --sample soon >/dev/null 2>"$TMP/err"
check_eq "a bad --sample: exit 2" 2 $?
check "and it is named" grep -q -- "--sample: expected a duration" "$TMP/err"
"$MEMCSESS" -s "127.0.0.1:$A" doctor --nagios --sample 0 >/dev/null 2>&1
check_eq "a bad --sample with --nagios: exit 3 (unknown)" 3 $?
exit $FAILS
