#!/bin/bash
# The CPU memcsess watch itself uses under the heaviest session traffic this machine's PHP
# makes (issue 17: under 10% of a core, nothing dropped). Starts one memcached on a free
# loopback port, N PHP processes making requests on random sids for the whole run
# (tests/bench/php-sessload.php), and runs memcsess watch once per mode (for people, --json,
# --events server) into /dev/null and into a file, each for S seconds after 2 seconds of warm-up,
# reading utime+stime from /proc/PID/stat. Prints per run the share of a core, the events a
# second (file runs) and the lines memcached skipped.
# Usage: tests/bench/watch-cpu.sh [BINARY]   (N=4 S=10 by default; env N, S)
set -u
cd "$(dirname "$0")/../.."
BIN=$(realpath "${1:-./memcsess}")
N=${N:-4}
S=${S:-10}
TMP=$(mktemp -d)
PIDS=()
finish() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap finish EXIT
user=()
[ "$(id -u)" -eq 0 ] && user=(-u nobody)
for _ in $(seq 20); do
	port=$((20000 + RANDOM % 12000))
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
	memcached "${user[@]}" -l 127.0.0.1 -p "$port" -U 0 -m 256 >/dev/null 2>&1 &
	PIDS+=($!)
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break 2
		sleep 0.05
	done
done
POOL=127.0.0.1:$port
RUNS=("people /dev/null" "people file" "json /dev/null" "json file" "server /dev/null")
TOTAL=$(( ${#RUNS[@]} * (S + 3) + 5 ))
for _ in $(seq "$N"); do
	php -d session.save_handler=memcached -d "session.save_path=$POOL" \
		tests/bench/php-sessload.php "$TOTAL" >>"$TMP/requests" &
	PIDS+=($!)
done
hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
printf '%-8s %-10s %8s %10s %8s\n' mode sink cpu events/s skipped
for run in "${RUNS[@]}"; do
	set -- $run
	case $1 in
	people) args=() ;;
	json) args=(--json) ;;
	server) args=(--events server) ;;
	esac
	out=/dev/null
	[ "$2" = file ] && out=$TMP/out
	: >"$TMP/out"
	"$BIN" -s "$POOL" watch "${args[@]}" >"$out" 2>"$TMP/err" &
	w=$!
	sleep 2
	t0=$(ticks $w)
	l0=$(wc -l <"$TMP/out")
	sleep "$S"
	t1=$(ticks $w)
	l1=$(wc -l <"$TMP/out")
	kill -TERM $w
	wait $w
	if [ "$2" = file ]; then
		rate=$(( (l1 - l0) / S ))
		if [ "$1" = json ]; then
			skipped=$(grep -o '"skipped":[0-9]*' "$TMP/out" | tail -1 | cut -d: -f2)
		else
			skipped=$(grep -o ' skipped=[0-9]*' "$TMP/out" | tail -1 | cut -d= -f2)
		fi
	else
		rate=- skipped=-
	fi
	printf '%-8s %-10s %7.1f%% %10s %8s\n' "$1" "$2" \
		"$(awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$S" 'BEGIN { print 100 * d / hz / s }')" \
		"$rate" "$skipped"
done
wait "${PIDS[@]:1}" 2>/dev/null
echo "PHP requests a second: $(awk -v t="$TOTAL" '{ n += $1 } END { printf "%d", n / t }' "$TMP/requests")"
