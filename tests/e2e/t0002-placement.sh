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

# A server named twice (PHP accepts it and gives it a double share): memcsess places as PHP
# does, warns, and lists each session on that server twice (the second time as misplaced).
dup="127.0.0.1:$A,127.0.0.1:$B,127.0.0.1:$A"
php -d session.save_handler=memcached -d "session.save_path=$dup" "$PHP_DIR/write.php" 300 simple |
	cut -d'"' -f4 | sort >"$TMP/sids"
php "$PHP_DIR/where.php" "$dup" memc.sess.key. <"$TMP/sids" | sort >"$TMP/where"
"$MEMCSESS" --servers "$dup" list --json --sid 't0*' >"$TMP/list" 2>"$TMP/err"
check_eq "a server named twice: list exits 0" 0 $?
check "and a warning names it" grep -q "^memcsess: warning: server 127\.0\.0\.1:$A is named twice in the server list" "$TMP/err"
php -r 'foreach (file($argv[1]) as $l) { $d = json_decode($l, true);
	if (!isset($d["php_server"])) echo $d["sid"], " ", $d["server"], "\n"; }' "$TMP/list" | sort >"$TMP/home"
if cmp -s "$TMP/where" "$TMP/home"; then
	ok "a server named twice: each session once where PHP reads it"
else
	not_ok "a server named twice: placement differs: $(diff "$TMP/where" "$TMP/home" | head -5 | tr '\n' ' ')"
fi
onA=$(grep -c " 127\.0\.0\.1:$A\$" "$TMP/where")
check_eq "the sessions on the twice-named server are listed twice" $((300 + onA)) "$(wc -l <"$TMP/list")"
"$MEMCSESS" --servers "127.0.0.1:$A,127.0.0.1:$B" list --json >/dev/null 2>"$TMP/err"
check_eq "no warning when each server is named once" 0 "$(wc -c <"$TMP/err")"
mc_cmd "$A" "flush_all" >/dev/null
mc_cmd "$B" "flush_all" >/dev/null

# PHP's memcached.sess_prefix is a namespace, not hashed: with --prefix, the same placement, and
# PHP's lock under that prefix (prefix lock.sid) is the lock of its session.
POOL="127.0.0.1:$A,127.0.0.1:$B"
PFX=(-d memcached.sess_prefix=shop1:)
php -d session.save_handler=memcached -d "session.save_path=$POOL" "${PFX[@]}" \
	"$PHP_DIR/write.php" 300 simple | cut -d'"' -f4 | sort >"$TMP/sids"
php "$PHP_DIR/where.php" "$POOL" shop1: <"$TMP/sids" | sort >"$TMP/where"
locked=$(head -1 "$TMP/sids")
php_leave_lock "$POOL" "$locked" "${PFX[@]}"
"$MEMCSESS" --servers "$POOL" --prefix shop1: list --json >"$TMP/list"
check_eq "--prefix shop1: list exits 0" 0 $?
php -r 'foreach (file($argv[1]) as $l) { $d = json_decode($l, true);
	echo $d["sid"], " ", $d["php_server"] ?? $d["server"], "\n"; }' "$TMP/list" | sort >"$TMP/home"
check_eq "--prefix shop1: all 300 sessions listed, the lock key not among them" 300 "$(wc -l <"$TMP/home")"
check "--prefix shop1: memcsess names the server PHP reads each session from" cmp -s "$TMP/where" "$TMP/home"
check_eq "--prefix shop1: no session is marked misplaced" 0 "$(grep -c php_server "$TMP/list")"
check "--prefix shop1: PHP's lock shop1:lock.sid locks its session" \
	grep -q "\"sid\":\"$locked\".*\"locked\":true" "$TMP/list"
check_eq "--prefix shop1: the other sessions are not locked" 299 "$(grep -c '"locked":false' "$TMP/list")"
"$MEMCSESS" --servers "$POOL" inspect "$locked" >/dev/null 2>&1
check_eq "without --prefix the session is not found" 1 $?
"$MEMCSESS" --servers "$POOL" --prefix shop1: inspect "$locked" >"$TMP/insp"
check "--prefix shop1: inspect shows the key and the lock" \
	grep -qz "key *shop1:$locked.*lock *held" "$TMP/insp"
for s in "127.0.0.1:$A" "127.0.0.1:$B"; do mc_cmd "${s##*:}" flush_all >/dev/null; done

# Ids as PHP makes them with session.sid_bits_per_character=6: ',' and '-', which metadump
# URL-encodes; every session found, placed as PHP placed it, its data and inspect by sid intact.
php -d session.save_handler=memcached -d "session.save_path=$POOL" \
	-d session.sid_bits_per_character=6 -d session.sid_length=40 -d session.use_cookies=0 \
	-d session.cache_limiter= -r '
	for ($i = 0; $i < 300; $i++) {
		session_id(session_create_id()); session_start(); $_SESSION["n"] = $i;
		echo session_id(), " ", $i, "\n"; session_write_close();
	}' | sort >"$TMP/ids"
check "PHP made ids with ',' or '-'" grep -q '[,-]' "$TMP/ids"
cut -d' ' -f1 "$TMP/ids" | php "$PHP_DIR/where.php" "$POOL" memc.sess.key. | sort >"$TMP/where"
"$MEMCSESS" --servers "$POOL" dump >"$TMP/dump"
check_eq "PHP ids: dump exits 0" 0 $?
php -r 'foreach (file($argv[1]) as $l) { $d = json_decode($l, true);
	echo $d["sid"], " ", $d["php_server"] ?? $d["server"], "\n"; }' "$TMP/dump" | sort >"$TMP/home"
check "PHP ids: every session found, on the server PHP reads it from" cmp -s "$TMP/where" "$TMP/home"
php -r 'foreach (file($argv[1]) as $l) { $d = json_decode($l, true); echo $d["sid"], " ", $d["data"]["n"], "\n"; }' \
	"$TMP/dump" | sort >"$TMP/data"
check "PHP ids: each session's data is its own" cmp -s "$TMP/ids" "$TMP/data"
sid=$(grep -m1 ',' "$TMP/ids" | cut -d' ' -f1)
"$MEMCSESS" --servers "$POOL" inspect -- "$sid" >"$TMP/insp"
check "PHP ids: inspect -- $sid finds it" grep -q "^session *$sid\$" "$TMP/insp"
for s in "127.0.0.1:$A" "127.0.0.1:$B"; do mc_cmd "${s##*:}" flush_all >/dev/null; done

# The same sessions under a pool named differently are placed differently: memcsess must say so.
php -d session.save_handler=memcached -d "session.save_path=127.0.0.1:$A,127.0.0.1:$B" \
	"$PHP_DIR/write.php" 300 simple >/dev/null
"$MEMCSESS" --servers "127.0.0.1:$A,127.0.0.1:$B,127.0.0.1:$C" list --json >"$TMP/list3"
n=$(grep -c php_server "$TMP/list3")
check "adding a server marks the sessions PHP would now miss as misplaced ($n of 300)" \
	[ "$n" -gt 0 -a "$n" -lt 300 ]
exit 0
