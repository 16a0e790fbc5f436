#!/bin/bash
# The CPU memcsess top itself uses: 16 local memcached instances holding PHP sessions, the
# console running in a detached tmux at 1-second refresh, utime+stime from /proc/<pid>/stat
# over 60 seconds (after 5 seconds of warm-up). Usage: scripts/top-cpu.sh [BINARY] [TOP ARGS...]
# Prints "cpu: X% of one core over 60s".
set -u
cd "$(dirname "$0")/.."
BIN=${1:-./memcsess}
shift || true
SECS=${SECS:-60}
TMP=$(mktemp -d)
PIDS=()
SOCK=$TMP/tmux.sock
finish() {
	tmux -S "$SOCK" kill-server 2>/dev/null
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap finish EXIT
user=()
[ "$(id -u)" -eq 0 ] && user=(-u nobody)
servers=()
# start_one: one memcached on a free port below the ephemeral range; retried when it cannot.
start_one() {
	local port pid
	for _ in $(seq 20); do
		port=$((20000 + RANDOM % 12000))
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
		memcached "${user[@]}" -l 127.0.0.1 -p "$port" -U 0 -m 64 >/dev/null 2>&1 &
		pid=$!
		for _ in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
				PIDS+=("$pid")
				servers+=("127.0.0.1:$port")
				return 0
			fi
			sleep 0.05
		done
		kill "$pid" 2>/dev/null
	done
	echo "top-cpu: cannot start memcached" >&2
	exit 1
}
for _ in $(seq 16); do start_one; done
POOL=$(IFS=,; echo "${servers[*]}")
php -d session.save_handler=memcached -d "session.save_path=$POOL" \
	-d session.serialize_handler=php tests/php/write.php 2000 rich >/dev/null || exit 1
echo "pool of 16 servers with 2000 PHP sessions; running $BIN top -d 1 $* for ${SECS}s"
tmux -S "$SOCK" new-session -d -x 160 -y 45 \
	"echo \$\$ >$TMP/pid; $BIN -s $POOL top -d 1 $*; sleep 600"
sleep 5
pid=$(ps -o pid= --ppid "$(cat "$TMP/pid")" | head -1 | tr -d ' ')
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
t0=$(ticks)
sleep "$SECS"
t1=$(ticks)
hz=$(getconf CLK_TCK)
awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$SECS" \
	'BEGIN { printf "cpu: %.2f%% of one core over %ds (%d ticks of 1/%d s)\n", 100 * d / hz / s, s, d, hz }'
