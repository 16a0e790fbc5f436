#!/bin/bash
# A sick server in the pool, four ways: down, accepting but never answering (SIGSTOP), closing
# in the middle of a reply (fake), answering garbage (fake). Every command (list, dump, inspect,
# expire, load, migrate) finishes in bounded time, names the server, still serves the healthy
# one, and exits non-zero. The sick server keeps its name (same port), so PHP's placement holds.
. "$(dirname "$0")/../lib.sh"
mc_start_var A || exit 1
mc_start_var B || exit 1
mc_start_var C || exit 1
POOL="127.0.0.1:$A,127.0.0.1:$B"
TO=(--timeout 0.5)
php_write "$POOL" php 80 simple | cut -d'"' -f4 | sort >"$TMP/sids"
php "$PHP_DIR/where.php" "$POOL" memc.sess.key. <"$TMP/sids" >"$TMP/where"
grep " 127.0.0.1:$A\$" "$TMP/where" | cut -d' ' -f1 >"$TMP/onA"
grep " 127.0.0.1:$B\$" "$TMP/where" | cut -d' ' -f1 >"$TMP/onB"
onA=$(wc -l <"$TMP/onA")
"$MEMCSESS" -s "$POOL" dump --no-data >"$TMP/dump" || not_ok "the healthy pool dumps"
n=0

# run NAME CMD...: runs memcsess with the pool's settings, timed; sets rc and ms.
run() {
	local start
	start=$(date +%s%N)
	timeout 30 "$MEMCSESS" "${TO[@]}" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
}
# verdict WHAT: the common checks: non-zero exit, bounded time, the sick server named.
verdict() {
	check "$KIND: $1 exits non-zero ($rc) within 5 s ($ms ms)" [ "$rc" -ne 0 -a "$rc" -ne 124 -a "$ms" -lt 5000 ]
	check "$KIND: $1 names the sick server" grep -q "127.0.0.1:$B" "$TMP/err"
}

faults() {
	n=$((n + 1))
	local sa sb
	sa=$(sed -n "${n}p" "$TMP/onA")
	sb=$(sed -n "${n}p" "$TMP/onB")
	run -s "$POOL" list --json
	verdict "list"
	check_eq "$KIND: list still shows the healthy server's sessions" "$((onA - n + 1))" "$(grep -c '"sid":"t0' "$TMP/out")"
	if [ "$KIND" = garbage ]; then
		check "garbage: list says the server's reply is no memcached reply (not a timeout)" \
			grep -q "server 127.0.0.1:$B: lru_crawler metadump hash: unexpected reply" "$TMP/err"
	fi
	run -s "$POOL" dump
	verdict "dump"
	check_eq "$KIND: dump still writes the healthy server's sessions" "$((onA - n + 1))" "$(grep -c '"sid":"t0' "$TMP/out")"
	run -s "$POOL" inspect "$sb"
	verdict "inspect of a session on it"
	run -s "$POOL" inspect "$sa"
	check "$KIND: inspect of a session on the healthy server shows it (exit $rc, $ms ms)" grep -q "$sa" "$TMP/out"
	run -s "$POOL" expire "$sa" "$sb"
	verdict "expire"
	# one session of the healthy server is logged out per round, hence the counts above
	check_eq "$KIND: expire still logs out the session on the healthy server" "" \
		"$(php "$PHP_DIR/where.php" "127.0.0.1:$A" memc.sess.key. <<<"$sa")"
	mc_cmd "$C" flush_all >/dev/null
	run -s "127.0.0.1:$C,127.0.0.1:$B" load "$TMP/dump"
	verdict "load"
	check "$KIND: load still writes to the healthy server" [ "$(count_keys "$C" memc.sess.key.t0)" -gt 10 ]
	mc_cmd "$C" flush_all >/dev/null
	run migrate --from "127.0.0.1:$A" --to "127.0.0.1:$C,127.0.0.1:$B"
	verdict "migrate to a pool with it"
	check "$KIND: migrate still copies to the healthy target" [ "$(count_keys "$C" memc.sess.key.t0)" -gt 10 ]
	mc_cmd "$C" flush_all >/dev/null
	run migrate --from "$POOL" --to "127.0.0.1:$C" --json
	verdict "migrate from a pool with it"
	check_eq "$KIND: migrate still copies the healthy source's sessions" "$((onA - n))" "$(count_keys "$C" memc.sess.key.t0)"
}

KIND=stopped
kill -STOP "$B_PID"
faults
kill -CONT "$B_PID"

KIND=down
kill "$B_PID"
wait "$B_PID" 2>/dev/null
faults

KIND=closing
fake_start F close "$B" || exit 1
faults
kill "$F_PID"
wait "$F_PID" 2>/dev/null

KIND=garbage
fake_start F garbage "$B" || exit 1
faults
exit 0
