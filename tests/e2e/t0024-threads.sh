#!/bin/bash
# --threads: a fixed set of threads walks a pool of more servers than threads, each thread
# several servers at once. Every session comes out whatever the count; the process never holds
# more threads than asked, even while a stopped server keeps it waiting; bad counts are refused.
. "$(dirname "$0")/../lib.sh"
POOL=
for i in $(seq 12); do
	mc_start_var P -m 8 -t 1 || exit 1
	POOL="$POOL${POOL:+,}127.0.0.1:$P"
	PIDS+=("$P_PID")
	PORTS+=("$P")
done
php_write "$POOL" php 400 simple | cut -d'"' -f4 | sort >"$TMP/sids"
check_eq "PHP wrote 400 sessions" 400 "$(wc -l <"$TMP/sids")"

for t in 1 3 64 ""; do
	"$MEMCSESS" -s "$POOL" ${t:+--threads "$t"} dump >"$TMP/out" 2>"$TMP/err"
	check_eq "dump ${t:+--threads $t }exits 0" 0 $?
	grep -o '"sid":"[^"]*"' "$TMP/out" | cut -d'"' -f4 | sort >"$TMP/got"
	check "dump ${t:+--threads $t }gives every session PHP wrote" cmp -s "$TMP/sids" "$TMP/got"
	"$MEMCSESS" -s "$POOL" ${t:+--threads "$t"} list --json >"$TMP/out" 2>"$TMP/err"
	grep -o '"sid":"[^"]*"' "$TMP/out" | cut -d'"' -f4 | sort >"$TMP/got"
	check "list --json ${t:+--threads $t }gives every session PHP wrote" cmp -s "$TMP/sids" "$TMP/got"
done

# A stopped server holds the walk for the timeout: meanwhile the threads are counted.
kill -STOP "${PIDS[5]}"
"$MEMCSESS" -s "$POOL" --threads 2 --timeout 3 dump >"$TMP/out" 2>"$TMP/err" &
pid=$!
most=0
for i in $(seq 40); do
	n=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	[ -n "$n" ] && [ "$n" -gt "$most" ] && most=$n
	sleep 0.05
done
wait "$pid"
rc=$?
kill -CONT "${PIDS[5]}"
check "the walk was still running when counted" test "$most" -gt 0
check "--threads 2 on 12 servers holds at most 2 threads (saw $most)" test "$most" -le 2
check_eq "a stopped server among 12 gives exit code 1" 1 "$rc"
check "its error names it and the timeout" \
	grep -q "server 127.0.0.1:${PORTS[5]}: timeout after 3000 ms" "$TMP/err"
onstopped=$(php "$PHP_DIR/where.php" "127.0.0.1:${PORTS[5]}" memc.sess.key. <"$TMP/sids" | wc -l)
check_eq "every other server's sessions come out" $((400 - onstopped)) \
	"$(grep -c '"sid":"t0' "$TMP/out")"

# Servers that never answer the connect (a listener whose queue is full: the kernel drops the
# handshake, as for a host that is down) are waited for side by side, not one after another.
php "$PHP_DIR/blackhole.php" 3 60 >"$TMP/holes" &
HOLES_PID=$!
for i in $(seq 50); do [ "$(wc -l <"$TMP/holes")" -ge 3 ] && break; sleep 0.1; done
HOLED=$POOL
while read -r hp; do HOLED="$HOLED,127.0.0.1:$hp"; done <"$TMP/holes"
start=$(date +%s%N)
timeout 30 "$MEMCSESS" -s "$HOLED" --threads 1 --timeout 2 dump >"$TMP/out" 2>"$TMP/err"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill "$HOLES_PID" 2>/dev/null
check_eq "three servers that never connect give exit code 1 (not a hang)" 1 "$rc"
check_eq "each is named, with the timeout" 3 \
	"$(grep -c "timeout after 2000 ms while connecting" "$TMP/err")"
grep -o '"sid":"[^"]*"' "$TMP/out" | cut -d'"' -f4 | sort >"$TMP/got"
check "every other server's sessions come out" cmp -s "$TMP/sids" "$TMP/got"
echo "# three unconnectable servers, one thread: $ms ms"

# Past 100 servers libmemcached (and PHP with it) aborts on a ketama ring: refused, named.
BIG=$(for i in $(seq 101); do printf '127.0.0.1:%d,' "$((40000 + i))"; done)
"$MEMCSESS" -s "${BIG%,}" --timeout 0.2 list >/dev/null 2>"$TMP/err"
check_eq "101 servers with ketama give exit code 2 (no abort)" 2 $?
check "the error says why and what to give" grep -q "101 servers with consistent hashing (ketama): libmemcached.*--distribution modula" "$TMP/err"
"$MEMCSESS" -s "${BIG%,}" --distribution ketama_weighted --timeout 0.2 list >/dev/null 2>&1
check_eq "and with ketama_weighted" 2 $?
"$MEMCSESS" -s "${BIG%,}" --distribution modula --timeout 0.2 list --fast >/dev/null 2>"$TMP/err"
check "101 servers with modula are walked (each named when down)" \
	test "$(grep -c 'connect: Connection refused' "$TMP/err")" -eq 101

for bad in 0 65 x; do
	"$MEMCSESS" -s "$POOL" --threads "$bad" list >/dev/null 2>"$TMP/err"
	check_eq "--threads $bad gives exit code 2" 2 $?
	check "and says what it expected" grep -q "^memcsess: --threads: expected" "$TMP/err"
done
exit 0
