#!/bin/bash
# Threads and memory of memcsess watch by pool size (issue 22: bounded by a setting, not by the
# pool). Starts the largest pool asked for (memcached -m 8 -t 1 on free loopback ports), then
# for each size runs each binary's watch --json on the first N servers while PHP writes
# sessions through them, and prints, once every server is watched and S seconds have passed,
# the watch's threads, RSS and peak RSS (/proc/PID/status), the CPU it used meanwhile, and the
# seconds from its start until every server was watched. Over 100 servers the pool is modula
# (libmemcached's ketama aborts there: 100 points a server, 10000 at most), for PHP too.
# Usage: tests/bench/watch-pool.sh [BINARY...]   (SIZES="2 64 256" S=5 by default)
set -u
cd "$(dirname "$0")/../.."
BINS=("$@")
[ ${#BINS[@]} -eq 0 ] && BINS=(./memcsess)
SIZES=${SIZES:-2 64 256}
S=${S:-5}
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
max=0
for n in $SIZES; do [ "$n" -gt "$max" ] && max=$n; done
PORTS=()
while [ ${#PORTS[@]} -lt "$max" ]; do
	port=$((20000 + RANDOM % 12000))
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
	memcached "${user[@]}" -l 127.0.0.1 -p "$port" -U 0 -m 8 -t 1 >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
		sleep 0.02
	done
	kill -0 $pid 2>/dev/null && { PIDS+=($pid); PORTS+=("$port"); }
done
hz=$(getconf CLK_TCK)
field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
now() { date +%s.%N; }
printf '%-8s %-24s %8s %10s %10s %6s %8s\n' servers binary threads rss_kb peak_kb cpu ready_s
for n in $SIZES; do
	pool=$(printf '127.0.0.1:%s\n' "${PORTS[@]:0:$n}" | paste -sd,)
	dist=(--distribution ketama) hash=1
	[ "$n" -gt 100 ] && dist=(--distribution modula) hash=0
	for bin in "${BINS[@]}"; do
		start=$(now)
		"$bin" -s "$pool" "${dist[@]}" watch --json >"$TMP/out" 2>/dev/null &
		w=$!
		for _ in $(seq 1000); do
			[ "$(grep -c '"status":"watching"' "$TMP/out")" -ge "$n" ] && break
			sleep 0.02
		done
		ready=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
		t0=$(ticks $w)
		php -d session.save_handler=memcached -d "session.save_path=$pool" \
			-d "memcached.sess_consistent_hash=$hash" \
			-r 'ini_set("session.use_cookies", "0"); $end = microtime(true) + '"$S"';
			for ($i = 0; microtime(true) < $end; $i++) { session_id("b$i"); session_start();
				$_SESSION["n"] = $i; session_write_close(); }' >/dev/null 2>&1
		t1=$(ticks $w)
		printf '%-8s %-24s %8s %10s %10s %5.1f%% %8s\n' "$n" "$bin" "$(field $w Threads)" \
			"$(field $w VmRSS)" "$(field $w VmHWM)" \
			"$(awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$S" 'BEGIN { print 100 * d / hz / s }')" \
			"$ready"
		kill -TERM $w
		wait $w
	done
done
