#!/bin/bash
# A few thousand sessions written by PHP into a 2-server pool: the listing is complete and each
# session's server is the one PHP used, under each of PHP's distributions and server namings
# (host:port, host:port:weight, a unix socket).
. "$(dirname "$0")/../lib.sh"
mc_start_var A || exit 1
mc_start_var B || exit 1
mc_start_var C || exit 1
# a server on a unix socket (memcached runs as nobody when we are root: a directory it can write)
mkdir -p "$TMP/sock" && chmod 755 "$TMP" && chmod 777 "$TMP/sock"
SOCK=$TMP/sock/mc.sock
user=()
[ "$(id -u)" -eq 0 ] && user=(-u nobody)
memcached "${user[@]}" -s "$SOCK" -a 0666 -m 64 >"$TMP/mc-sock.log" 2>&1 &
MC_PIDS+=($!)
for i in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
[ -S "$SOCK" ] || { not_ok "memcached on a unix socket did not start: $(cat "$TMP/mc-sock.log")"; exit 1; }

# run_case LABEL SAVE_PATH MEMCSESS_DIST PHP_INI...: writes $N sessions, compares placement.
N=1500
run_case() {
	local label=$1 pool=$2 dist=$3
	shift 3
	php -d session.save_handler=memcached -d "session.save_path=$pool" "$@" \
		"$PHP_DIR/write.php" $N simple | cut -d'"' -f4 | sort >"$TMP/sids" ||
		not_ok "$label: PHP could not write"
	php "$PHP_DIR/where.php" "$pool" memc.sess.key. <"$TMP/sids" | sort >"$TMP/where"
	"$MEMCSESS" --servers "$pool" --distribution "$dist" list --json --sid 't0*' >"$TMP/list"
	check_eq "$label: list exits 0" 0 $?
	php -r 'foreach (file($argv[1]) as $l) { $d = json_decode($l, true);
		echo $d["sid"], " ", $d["php_server"] ?? $d["server"], "\n"; }' "$TMP/list" | sort >"$TMP/home"
	check_eq "$label: all $N sessions listed" $N "$(wc -l <"$TMP/home")"
	check_eq "$label: PHP put each session on exactly one server" $N "$(wc -l <"$TMP/where")"
	if cmp -s "$TMP/where" "$TMP/home"; then
		ok "$label: memcsess names the server PHP reads each session from"
	else
		not_ok "$label: placement differs: $(diff "$TMP/where" "$TMP/home" | head -5 | tr '\n' ' ')"
	fi
	check_eq "$label: no session is marked misplaced" 0 "$(grep -c php_server "$TMP/list")"
	# both servers got a share
	check "$label: sessions spread over the servers" \
		[ "$(cut -d' ' -f2 "$TMP/where" | sort -u | wc -l)" -ge 2 ]
	mc_cmd "$A" "flush_all" >/dev/null
	mc_cmd "$B" "flush_all" >/dev/null
	mc_cmd "$C" "flush_all" >/dev/null
	php -r '$m = new Memcached(); $m->addServer($argv[1], 0); $m->flush();' "$SOCK"
}

N=4000 run_case "ketama (PHP default)" "127.0.0.1:$A,127.0.0.1:$B" ketama
run_case "ketama, 3 servers" "127.0.0.1:$A,127.0.0.1:$B,127.0.0.1:$C" ketama
run_case "ketama, localhost names" "localhost:$A,localhost:$B" ketama
run_case "ketama_weighted" "127.0.0.1:$A:1,127.0.0.1:$B:3" ketama_weighted \
	-d memcached.sess_consistent_hash_type=ketama_weighted
run_case "modula (consistent hash off)" "127.0.0.1:$A,127.0.0.1:$B,127.0.0.1:$C" modula \
	-d memcached.sess_consistent_hash=Off
run_case "ketama, a unix socket and a TCP server" "$SOCK,127.0.0.1:$B" ketama

# The same sessions under a pool named differently are placed differently: memcsess must say so.
php -d session.save_handler=memcached -d "session.save_path=127.0.0.1:$A,127.0.0.1:$B" \
	"$PHP_DIR/write.php" 300 simple >/dev/null
"$MEMCSESS" --servers "127.0.0.1:$A,127.0.0.1:$B,127.0.0.1:$C" list --json >"$TMP/list3"
n=$(grep -c php_server "$TMP/list3")
check "adding a server marks the sessions PHP would now miss as misplaced ($n of 300)" \
	[ "$n" -gt 0 -a "$n" -lt 300 ]
exit 0
