#!/bin/bash
# memcsess top on a pool of 64 servers (one sampling thread serves them all): the panel shows
# every server's stats and session count as PHP placed them, a stopped (SIGSTOP) memcached is
# named as not answering while every other row keeps updating, and it comes back by itself.
. "$(dirname "$0")/../lib.sh"
tmux_start

unset MEMCSESS_KEY MEMCSESS_SERVERS
N=64
POOL=""
PORTS=()
PIDS=()
for ((i = 0; i < N; i++)); do
	mc_start_var P -m 8 -t 1 || exit 1
	POOL="$POOL${POOL:+,}127.0.0.1:$P"
	PORTS+=("$P")
	PIDS+=("$P_PID")
done
php_write "$POOL" php 300 simple >"$TMP/w" || not_ok "PHP could not write sessions"
cut -d'"' -f4 "$TMP/w" >"$TMP/sids"
php "$PHP_DIR/where.php" "$POOL" memc.sess.key. <"$TMP/sids" >"$TMP/where"
on() { grep -c " 127.0.0.1:$1\$" "$TMP/where"; }

# cell FILE ROW HEAD: the right-aligned cell under column HEAD in the line starting with ROW.
cell() {
	LC_ALL=C.UTF-8 sed 's/[^ -~]/?/g' "$1" | awk -v row="$2" -v head="$3" '
		/^SERVER / && !end { i = index($0 " ", " " head " "); if (i) end = i + length(head) }
		end && index($0, row) == 1 { s = substr($0, 1, end); sub(/.* /, "", s); print s; exit }'
}
# every_row FILE: 0 when every server's row shows UP, its version, and the items and
# sessions PHP put there; else names the first row that does not.
every_row() {
	local p want
	for p in "${PORTS[@]}"; do
		want=$(on "$p")
		grep -qE "^127\.0\.0\.1:$p +UP +1\.[0-9]+\.[0-9]+ " "$1" || { echo "127.0.0.1:$p not UP"; return 1; }
		[ "$(cell "$1" "127.0.0.1:$p " ITEMS)" = "$want" ] || { echo "127.0.0.1:$p ITEMS"; return 1; }
		[ "$(cell "$1" "127.0.0.1:$p " SESS)" = "$want" ] || { echo "127.0.0.1:$p SESS"; return 1; }
	done
}

# ---- --once: every server sampled twice and counted ----
"$MEMCSESS" -s "$POOL" top --once -d 0.2 >"$TMP/once" 2>"$TMP/once.err"
check_eq "--once on $N servers exits 0" 0 $?
check_eq "--once has a row for each of the $N servers" "$N" "$(grep -cE '^127\.0\.0\.1:[0-9]+ +UP ' "$TMP/once")"
why=$(every_row "$TMP/once")
check "--once shows every server's version, items and sessions as PHP placed them${why:+ ($why)}" test -z "$why"
check_eq "--once TOTAL row counts $N of $N up" "TOTAL $N/${N}up" "$(grep -oE '^TOTAL +[0-9]+/[0-9]+up' "$TMP/once" | tr -s ' ')"

# ---- the console, tall enough for every row ----
cat >"$TMP/run.sh" <<'EOS'
"$MEMCSESS" "$@"
echo "EXIT=$?"
exec sleep 600
EOS
tm new-session -d -s main -x 200 -y 80 env MEMCSESS="$MEMCSESS" TERM=screen LC_ALL=C.UTF-8 \
	bash "$TMP/run.sh" -s "$POOL" --timeout 0.5 top
check_panel() {	# check_panel NAME: polls (bounded) until every row is as PHP placed it
	local k why=
	for ((k = 0; k < 100; k++)); do
		pane main
		why=$(every_row "$TMP/pane.main") && break
		sleep 0.1
	done
	check "$1${why:+ ($why)}" test -z "$why"
}
check_panel "the panel shows each of the $N servers UP with its items and sessions"

# A stopped server: named as not answering, while every other row keeps updating.
S=37
SP=${PORTS[$S]}
kill -STOP "${PIDS[$S]}"
check "a stopped memcached among $N shows TIMEOUT" wait_pane main "^127\.0\.0\.1:$SP +TIMEOUT "
check "the panel names it: no reply within the timeout" \
	grep -q "server 127\.0\.0\.1:$SP: timeout after 500 ms while waiting for a reply" "$TMP/pane.main"
# uptimes FILE: every other server's UPTIME cell, one a line
uptimes() {
	local p
	for p in "${PORTS[@]}"; do
		[ "$p" = "$SP" ] || cell "$1" "127.0.0.1:$p " UPTIME
	done
}
uptimes "$TMP/pane.main" >"$TMP/up1"
moved=0
for ((k = 0; k < 60 && moved == 0; k++)); do
	sleep 0.1
	pane main
	uptimes "$TMP/pane.main" >"$TMP/up2"
	# every row must have changed: no line of up2 equals its line in up1
	paste -d'|' "$TMP/up1" "$TMP/up2" | awk -F'|' '$1 == $2 || $2 == "" { same = 1 } END { exit same }' && moved=1
done
check "while one is stopped, the uptime of every one of the other $((N - 1)) changes" test "$moved" = 1
check "... and the stopped one is still TIMEOUT" grep -qE "^127\.0\.0\.1:$SP +TIMEOUT " "$TMP/pane.main"
check_eq "... and the other $((N - 1)) are UP" "$((N - 1))" "$(grep -cE '^127\.0\.0\.1:[0-9]+ +UP ' "$TMP/pane.main")"
kill -CONT "${PIDS[$S]}"
check_panel "once it goes on, every row is UP again with its items and sessions"

keys() { tm send-keys -t "$@"; }
keys main q
check "q quits with exit 0" wait_pane main "^EXIT=0"
check "top said nothing on stderr (no sanitizer report)" bash -c "! grep -qE 'Sanitizer|runtime error|memcsess:' '$TMP/pane.main'"
check "--once said nothing on stderr" test ! -s "$TMP/once.err"
exit $((FAILS > 0))
