#!/bin/bash
# memcsess top's activity screen, in tmux as a person uses it: a key from the pool panel opens it,
# it shows a contention between two real PHP requests and an eviction under memory pressure,
# Enter on an event opens its session in the inspector. Waits poll the screen (bounded).
. "$(dirname "$0")/../lib.sh"
tmux_start
unset MEMCSESS_KEY MEMCSESS_SERVERS
mc_start_var A || exit 1
mc_start_var S -m 2 || exit 1
POOL="127.0.0.1:$A,127.0.0.1:$S"
PHPS=(php -d session.save_handler=memcached -d memcached.sess_lock_retries=100
      -d memcached.sess_lock_wait_min=100 -d memcached.sess_lock_wait_max=100)

cat >"$TMP/run.sh" <<'EOS'
"$MEMCSESS" "$@"
echo "EXIT=$?"
exec sleep 600
EOS
tm new-session -d -s act -x 160 -y 50 env MEMCSESS="$MEMCSESS" TERM=screen \
	bash "$TMP/run.sh" -s "$POOL" --timeout 0.5 top --readonly
check_pane act "the pool panel shows the activity key" "a activity"
tm send-keys -t act a
check_pane act "a opens the activity screen" "^Activity \\(memcached watch\\)"
check_pane act "both servers are watched" "127.0.0.1:$S  watching"
check_pane act "the first is watched too" "127.0.0.1:$A  watching"

# evictions: sessions written past the 2 MB server's memory (through the whole pool, so that
# none is misplaced)
"${PHPS[@]}" -d "session.save_path=$POOL" -r 'ini_set("session.use_cookies", "0");
	for ($i = 0; $i < 4000; $i++) { session_id("fill$i"); session_start();
		$_SESSION["pad"] = str_repeat("p", 2000); session_write_close(); }' >/dev/null 2>&1
check_pane act "evictions with TTL left are listed" "eviction +127.0.0.1:$S sid fill[0-9]+ .*TTL left [0-9]+m"
check_pane act "the eviction rate line counts them" "^  eviction +[0-9.]+/s +[1-9]"

# contention: one request holds the lock two seconds, another waits on it
sid=contended1
"${PHPS[@]}" -d "session.save_path=$POOL" -r 'ini_set("session.use_cookies", "0");
	session_id($argv[1]); session_start(); $_SESSION["n"] = 1; echo "started\n"; sleep(2);' \
	"$sid" >"$TMP/php1.out" &
P1=$!
: >>"$TMP/php1.out"
for i in $(seq 100); do grep -q started "$TMP/php1.out" && break; sleep 0.05; done
"${PHPS[@]}" -d "session.save_path=$POOL" -r 'ini_set("session.use_cookies", "0");
	session_id($argv[1]); session_start();' "$sid" >/dev/null 2>&1 &
P2=$!
wait $P1 $P2
check_pane act "the contention is listed with its sid and holder" \
	"contention +127.0.0.1:[0-9]+ sid $sid 127.0.0.1:[0-9]+ +(acquired|waiting): held by 127.0.0.1:[0-9]+"
check_pane act "the contention has a rate line" "^  contention +[0-9.]+/s +[1-9]"

# Enter on the contention (among the newest events; the evictions came before it)
pane act
n=$(grep -E "^[0-9:]{8} " "$TMP/pane.act" | grep -n "^[0-9:]* contention .* sid $sid " | head -1 | cut -d: -f1)
check "the contention is on the screen among the last events" test -n "$n"
for ((i = 1; i < ${n:-1}; i++)); do tm send-keys -t act Down; done
tm send-keys -t act Enter
check_pane act "Enter opens the event's session in the inspector" "^session +$sid\$"
tm send-keys -t act Escape
check_pane act "Esc goes back to the activity screen" "^Activity \\(memcached watch\\)"
tm send-keys -t act q
check_pane act "q quits" "^EXIT=0"
tm capture-pane -p -S - -t act >"$TMP/history"
check "no sanitizer report" bash -c "! grep -E 'Sanitizer|runtime error' '$TMP/history'"
exit 0
