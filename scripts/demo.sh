#!/bin/bash
# make demo: a throwaway local pool of 3 memcached servers filled with real PHP sessions
# (every serialize handler), then memcsess pointed at it. `make demo-stop` ends the pool.
set -u
cd "$(dirname "$0")/.."
DIR=build/demo
mkdir -p "$DIR"
scripts/demo-stop.sh >/dev/null 2>&1
user=()
[ "$(id -u)" -eq 0 ] && user=(-u nobody)
ports=()
for p in 22121 22122 22123; do
	# started in its own session and remembered by pid here: with -u nobody, memcached's own
	# -P pid file could not be written into a root-owned directory
	setsid memcached "${user[@]}" -l 127.0.0.1 -p "$p" -U 0 -m 64 </dev/null >"$DIR/mc-$p.log" 2>&1 &
	echo $! >"$DIR/mc-$p.pid"
	ports+=("127.0.0.1:$p")
done
POOL=$(IFS=,; echo "${ports[*]}")
sleep 0.3
for p in 22121 22122 22123; do
	kill -0 "$(cat "$DIR/mc-$p.pid")" 2>/dev/null ||
		{ echo "demo: cannot start memcached on 127.0.0.1:$p: $(cat "$DIR/mc-$p.log")" >&2; exit 1; }
done
echo "demo: pool $POOL; writing sessions with real PHP..."
for h in php php_binary php_serialize igbinary; do
	php -d session.save_handler=memcached -d "session.save_path=$POOL" \
		-d "session.serialize_handler=$h" tests/php/write.php 500 rich >/dev/null ||
		{ echo "demo: PHP could not write sessions ($h)" >&2; exit 1; }
done
export MEMCSESS_SERVERS=$POOL
./memcsess list --sort idle --limit 15
sid=$(./memcsess list --json --limit 1 | php -r 'echo json_decode(fgets(STDIN))->sid;')
echo
./memcsess inspect "$sid"
cat <<EOT

The demo pool keeps running. Try:
  export MEMCSESS_SERVERS=$POOL
  ./memcsess list --sort ttl
  ./memcsess inspect $sid
  ./memcsess dump | head -3
Stop it with: make demo-stop
EOT
if [ -t 1 ] && ./memcsess top --help >/dev/null 2>&1; then
	exec ./memcsess top
fi
