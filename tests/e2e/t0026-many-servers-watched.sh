#!/bin/bash
# A pool of 120 servers (modula: Debian's libmemcached aborts on ketama above 100), one of them
# refusing watch (-W), holding sessions written by real PHP, while `memcsess watch` is attached
# to every other server, as a monitored pool is:
# - doctor returns (under an outer `timeout`) with the findings of a healthy pool, and names
#   the -W server as the one refusing watch. memcached answers a new watcher when its logger
#   thread wakes, up to a second later once it has watchers: doctor must not wait for the
#   servers' answers one after the other (about 40 s and more here).
# - top --once keeps every column of every row under its header: the TOTAL row's STATE cell
#   "120/120up" is wider than the 7 columns of a small pool's.
. "$(dirname "$0")/../lib.sh"
N=120
SESSIONS=240
OUTER=30	# a doctor that waits for the watchers one server after the other is killed (124)
OPTS=(--distribution modula --timeout 2)

# Starts the N servers at once (server 7 with -W), then waits for each; one that did not start
# (its port taken meanwhile) is started again with mc_start_var.
declare -A USED=()
PORTS=() PIDS=()
user=()
[ "$(id -u)" -eq 0 ] && user=(-u nobody)
for ((i = 0; i < N; i++)); do
	p=$(free_port)
	while [ -n "${USED[$p]:-}" ]; do p=$(free_port); done
	USED[$p]=1
	extra=()
	[ $i -eq 7 ] && extra=(-W)
	memcached "${user[@]}" -l 127.0.0.1 -p "$p" -U 0 -m 4 -t 1 -c 64 "${extra[@]}" \
		>"$TMP/mc-$p.log" 2>&1 &
	PORTS[i]=$p PIDS[i]=$!
	MC_PIDS+=($!)
done
for ((i = 0; i < N; i++)); do
	for ((k = 0; k < 200; k++)); do
		(exec 3<>"/dev/tcp/127.0.0.1/${PORTS[i]}") 2>/dev/null && break
		kill -0 "${PIDS[i]}" 2>/dev/null || break
		sleep 0.05
	done
	if ! kill -0 "${PIDS[i]}" 2>/dev/null; then
		extra=()
		[ $i -eq 7 ] && extra=(-W)
		mc_start_var p -m 4 -t 1 -c 64 "${extra[@]}" || exit 1
		PORTS[i]=$p
	fi
done
POOL=$(printf '127.0.0.1:%s,' "${PORTS[@]}")
POOL=${POOL%,}
W=${PORTS[7]}

php_write "$POOL" php $SESSIONS simple -d memcached.sess_consistent_hash=0 >"$TMP/exp" ||
	not_ok "PHP could not write: $(head -3 "$TMP/exp")"
check_eq "PHP wrote $SESSIONS sessions" $SESSIONS "$(cut -d'"' -f4 "$TMP/exp" | sort -u | wc -l)"

# memcsess watch on every server; ready once it has reported on each (a server event each).
"$MEMCSESS" -s "$POOL" "${OPTS[@]}" watch --json --duration 120 >"$TMP/watch" 2>"$TMP/watch.err" &
WPID=$!
MC_PIDS+=($WPID)
for ((k = 0; k < 400; k++)); do
	[ "$(grep -c '"event":"server"' "$TMP/watch")" -ge $N ] && break
	sleep 0.05
done
check "memcsess watch runs on the pool" kill -0 $WPID
check_eq "and is refused by the -W server only" "127.0.0.1:$W" \
	"$(grep '"event":"server".*"status":"refused"' "$TMP/watch" | grep -o '"server":"[^"]*"' |
		cut -d'"' -f4 | tr '\n' ' ' | sed 's/ $//')"

# ---- doctor while every other server has a watcher
timeout $OUTER "$MEMCSESS" -s "$POOL" "${OPTS[@]}" doctor --json >"$TMP/json" 2>"$TMP/err"
rc=$?
check "doctor on $N watched servers returns (the outer timeout of $OUTER s exits 124)" [ $rc -ne 124 ]
check_eq "doctor: exit 0, a healthy pool" 0 $rc
check_eq "doctor: nothing at warning or critical" "0 0" \
	"$(count "$TMP/json" warning) $(count "$TMP/json" critical)"
check_eq "doctor: every line is a finding" "-" "$(fig "$TMP/json" none none none)"
check "doctor: every session sits where PHP (modula) reads it" \
	grep -q '"check":"placement","severity":"info","ok":true' "$TMP/json"
check_eq "doctor: the -W server is the one refusing watch" "127.0.0.1:$W" \
	"$(grep '"watch_enabled":0' "$TMP/json" | grep -o '"server":"[^"]*"' | cut -d'"' -f4 |
		tr '\n' ' ' | sed 's/ $//')"
check_eq "doctor: nothing on stderr" "" "$(head -3 "$TMP/err")"
check "memcsess watch still runs" kill -0 $WPID
kill $WPID
wait $WPID 2>/dev/null

# ---- top --once: every line of the table as wide as its header (no cell wider than its
# column), the TOTAL row's STATE cell whole
timeout $OUTER "$MEMCSESS" -s "$POOL" "${OPTS[@]}" top --once -d 0.2 >"$TMP/top" 2>"$TMP/top.err"
check_eq "top --once: exit 0" 0 $?
sed -n '/^SERVER /,/^TOTAL /p' "$TMP/top" >"$TMP/table"
check_eq "top --once: a header, a row for each server, the total" $((N + 2)) "$(wc -l <"$TMP/table")"
check_eq "top --once: every line of the table as long as its header" "" \
	"$(awk 'NR == 1 { w = length($0) } length($0) != w { printf "%s (%d, header %d); ", $1, length($0), w }' \
		"$TMP/table")"
check "top --once: TOTAL says $N/${N}up" grep -qE "^TOTAL +$N/${N}up " "$TMP/table"
# cell ROW HEAD: the right-aligned cell under column HEAD in the line starting with ROW (t0100)
cell() {
	awk -v row="$1" -v head="$2" '
		/^SERVER / && !end { i = index($0 " ", " " head " "); if (i) end = i + length(head) }
		end && index($0, row) == 1 { s = substr($0, 1, end); sub(/.* /, "", s); print s; exit }' \
		"$TMP/table"
}
check_eq "top --once: TOTAL's SESS cell under its header counts every session" $SESSIONS \
	"$(cell "TOTAL " SESS)"
check_eq "top --once: TOTAL's ITEMS cell under its header" $SESSIONS "$(cell "TOTAL " ITEMS)"
exit 0
