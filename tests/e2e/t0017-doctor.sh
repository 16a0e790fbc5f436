#!/bin/bash
# memcsess doctor: a healthy pool written by PHP gives nothing at warning or worse (exit 0); each
# condition built here with real PHP and real memcached gives its finding with its figures: a
# PHP worker killed holding its lock, session.gc_maxlifetime=0, a session close to a small -I, a
# -m 2 server evicting, a web server hashing with modula, replicas that differ, UDP on, dumps off
# (-X), a server stopped. --json (one finding a line) and --nagios (status line, plugin codes).
. "$(dirname "$0")/../lib.sh"

doctor() { "$MEMCSESS" -s "$POOL" doctor "$@"; }

mc_start_var A || exit 1
mc_start_var B || exit 1
POOL="127.0.0.1:$A,127.0.0.1:$B"
php_write "$POOL" php 40 rich >"$TMP/exp" || not_ok "PHP could not write sessions"

# A healthy pool.
doctor >"$TMP/out" 2>"$TMP/err"
check_eq "a healthy pool written by PHP: exit 0" 0 $?
check "the report lists the healthy checks one a line" grep -q "^  placement: every session sits where PHP reads it" "$TMP/out"
check "and ends with its counts" grep -q "^doctor: 0 critical, 0 warning, [0-9]* info, [0-9]* ok$" "$TMP/out"
doctor --json >"$TMP/json"
check_eq "--json: exit 0" 0 $?
check_eq "--json: nothing at warning or critical" "0 0" "$(count "$TMP/json" warning) $(count "$TMP/json" critical)"
check_eq "--json: every line is a finding with check, severity, server, message, figures" "-" \
	"$(fig "$TMP/json" none none none)"
check "--json: exposure on loopback is fine and says so" \
	grep -q '"check":"exposure","severity":"info","ok":true,.*loopback 127.0.0.1' "$TMP/json"
doctor --nagios >"$TMP/nag"
check_eq "--nagios on a healthy pool: exit 0 (OK)" 0 $?
check "--nagios: one OK status line with perfdata" \
	grep -qx "MEMCSESS DOCTOR OK - 0 critical, 0 warning | critical=0 warning=0 servers=2" "$TMP/nag"
check_eq "--nagios prints one line" 1 "$(wc -l <"$TMP/nag")"

# A PHP worker killed while holding its lock (the CLI takes it with no expiry).
php_leave_lock "$POOL" deadworker00000000000000000001
doctor --json >"$TMP/json"
check_eq "a fresh lock with no expiry: exit 5 (warning)" 5 $?
check_eq "stuck-lock names it as a lock with no expiry" "deadworker00000000000000000001" \
	"$(fig "$TMP/json" stuck-lock warning sids)"
sleep 2
doctor --json --lock-age 1 >"$TMP/json"
check_eq "older than --lock-age and never expiring: exit 6 (critical)" 6 $?
check_eq "stuck-lock is critical, counting 1 lock" 1 "$(fig "$TMP/json" stuck-lock critical locks)"
check "its age is in the figures" [ "$(fig "$TMP/json" stuck-lock critical oldest_s)" -ge 2 ]
check "it says how to release it" grep -q "memcsess expire --locks SID" "$TMP/json"
doctor --lock-age 1 >"$TMP/out"
check "the report puts it under CRITICAL with the sid" \
	grep -q "^  stuck-lock: 1 lock key never expires .*: deadworker00000000000000000001$" "$TMP/out"
doctor --nagios --lock-age 1 >"$TMP/nag"
check_eq "--nagios with a critical finding: exit 2" 2 $?
check "--nagios names the check" grep -q "^MEMCSESS DOCTOR CRITICAL - 1 critical, 0 warning: stuck-lock |" "$TMP/nag"
"$MEMCSESS" -s "$POOL" expire --yes --locks deadworker00000000000000000001 >/dev/null 2>&1
# A lock that expires but whose session is gone (a new session's worker killed).
rm -f "$TMP/php-lock.out"	# php_leave_lock waits for "started" in it
php_leave_lock "$POOL" goneworker00000000000000000001 -d memcached.sess_lock_expire=600
doctor --json >"$TMP/json"
check_eq "a lock whose session is gone: a warning naming it" "goneworker00000000000000000001" \
	"$(fig "$TMP/json" stuck-lock warning sids)"
check "the message says the session is gone" grep -q "1 lock belongs to a session that is gone" "$TMP/json"
"$MEMCSESS" -s "$POOL" expire --yes --locks goneworker00000000000000000001 >/dev/null 2>&1
doctor >/dev/null
check_eq "with the locks deleted the pool is healthy again" 0 $?

# session.gc_maxlifetime=0: sessions that never expire.
php_write "$POOL" php 3 simple -d session.gc_maxlifetime=0 | cut -d'"' -f4 >"$TMP/noexp"
doctor --json >"$TMP/json"
check_eq "sessions without expiry: exit 5" 5 $?
check_eq "no-expiry counts the 3 sessions" 3 "$(fig "$TMP/json" no-expiry warning sessions)"
check "and names them" grep -q "$(head -1 "$TMP/noexp")" <(fig "$TMP/json" no-expiry warning sids)
"$MEMCSESS" -s "$POOL" expire --yes $(cat "$TMP/noexp") >/dev/null 2>&1

# A web server hashing with modula writes on the pool: placement names modula.
php_write "$POOL" php 60 simple -d memcached.sess_consistent_hash=0 >/dev/null
doctor --json >"$TMP/json"
check "misplaced sessions: a placement finding" [ "$(fig "$TMP/json" placement warning misplaced)" -gt 0 ]
check_eq "modula explains where they sit" "modula 1" \
	"$(fig "$TMP/json" placement warning explained_by) $(fig "$TMP/json" placement warning explained_share)"
check "the message says a web server hashes with sess_consistent_hash=0" \
	grep -q "where modula puts them: a web server hashes with memcached.sess_consistent_hash=0" \
	<(fig "$TMP/json" placement warning message)
misplaced=$("$MEMCSESS" -s "$POOL" list --fast | grep -c misplaced)
check_eq "its count is list's count of misplaced sessions" "$misplaced" "$(fig "$TMP/json" placement warning misplaced)"
share=$(fig "$TMP/json" placement warning "share.127.0.0.1:$A")
expected=$(fig "$TMP/json" placement warning "expected.127.0.0.1:$A")
check "the share each server holds and the share PHP gives it are figures" \
	[ -n "$share" ] && [ "$share" != - ] && [ "$expected" != - ]
"$MEMCSESS" -s "$POOL" --distribution modula doctor --json >"$TMP/json"
check "told modula, doctor finds ketama explains the others" \
	grep -q "where ketama puts them" <(fig "$TMP/json" placement warning message)
for p in "$A" "$B"; do mc_cmd "$p" flush_all >/dev/null; done

# Replicas: PHP with one replica writes each session on both servers; one copy altered.
REPL=(-d memcached.sess_number_of_replicas=1)
php_write "$POOL" php 20 simple "${REPL[@]}" | cut -d'"' -f4 >"$TMP/repl"
doctor --json --replicas 1 >"$TMP/json"
check_eq "with --replicas 1 the copies of PHP's replicas are healthy" "0 0" \
	"$(count "$TMP/json" warning) $(count "$TMP/json" critical)"
check "and every session was compared" grep -q '"check":"replicas",.*"checked":20,"differ":0,"missing":0' "$TMP/json"
sid=$(head -1 "$TMP/repl")
for p in "$A" "$B"; do mc_cmd "$p" "set memc.sess.key.$sid 0 600 9"$'\r\n'"changed|1" >/dev/null; break; done
doctor --json --replicas 1 >"$TMP/json"
check_eq "one copy altered: replicas warns, naming the sid" "$sid" "$(fig "$TMP/json" replicas warning sids)"
check_eq "with 1 copy differing" 1 "$(fig "$TMP/json" replicas warning differ)"
for p in "$A" "$B"; do mc_cmd "$p" flush_all >/dev/null; done

# A session close to a small item limit (-I 2k).
mc_start_var S -I 2k -o slab_chunk_max=1024 || exit 1
php -d session.save_handler=memcached -d "session.save_path=127.0.0.1:$S" -r '
	ini_set("session.use_cookies", "0");
	session_id("bigsession000000000000000000001"); session_start();
	$_SESSION["blob"] = str_repeat("x", 1800); session_write_close();
	session_id("smallsession0000000000000000001"); session_start();
	$_SESSION["a"] = 1; session_write_close();'
"$MEMCSESS" -s "127.0.0.1:$S" doctor --json >"$TMP/json"
check_eq "near-item-limit names the large session only" "bigsession000000000000000000001" \
	"$(fig "$TMP/json" near-item-limit warning sids)"
check_eq "with the server's limit in the figures" 2048 "$(fig "$TMP/json" near-item-limit warning item_size_max)"
"$MEMCSESS" -s "127.0.0.1:$S" doctor --json --deep >"$TMP/json"
check "--deep names the variable taking the bytes" \
	grep -q '"check":"near-item-limit","severity":"info".*"message":"of 2 sessions read .*blob: [0-9]*%' "$TMP/json"

# A -m 2 server that evicts sessions before they expire.
mc_start_var M -m 2 || exit 1
php -d session.save_handler=memcached -d "session.save_path=127.0.0.1:$M" -r '
	ini_set("session.use_cookies", "0");
	for ($i = 0; $i < 3000; $i++) { session_id(sprintf("ev%030d", $i)); session_start();
		$_SESSION["blob"] = str_repeat("x", 1500); session_write_close(); }'
"$MEMCSESS" -s "127.0.0.1:$M" doctor --json >"$TMP/json"
check "early-eviction: sessions evicted before their lifetime" \
	[ "$(fig "$TMP/json" early-eviction warning evicted_nonzero)" -gt 0 ]
check_eq "against the lifetime PHP gives them" 1440 "$(fig "$TMP/json" early-eviction warning session_lifetime)"
check "memory: full and evicting" [ "$(fig "$TMP/json" memory warning evictions)" -gt 0 ]

# UDP enabled, and dumps disabled (-X).
mc_start_var U -U 0 || exit 1
kill "$U_PID"; wait "$U_PID" 2>/dev/null
udp=$(free_port)
mc_start_var U -U "$udp" -X -W || exit 1
"$MEMCSESS" -s "127.0.0.1:$U" doctor --json >"$TMP/json"
check_eq "exposure warns of the UDP port" "$udp" "$(fig "$TMP/json" exposure warning udpport)"
check_eq "listing warns that dumps are disabled (-X)" 0 "$(fig "$TMP/json" listing warning dump_enabled)"
check_eq "and notes that watch is refused (-W)" 0 "$(fig "$TMP/json" listing info watch_enabled)"

# A server answering garbage counts as not answering, with what it said.
fake_start G garbage || exit 1
"$MEMCSESS" -s "127.0.0.1:$G" doctor --json >"$TMP/json"
check_eq "a server answering garbage: exit 3 (no server answers)" 3 $?
check "unreachable says what it answered" grep -q '"check":"unreachable","severity":"critical".*version: server replied' "$TMP/json"

# A server stopped; then every server.
kill "$B_PID"; wait "$B_PID" 2>/dev/null
doctor --json >"$TMP/json"
check_eq "a server stopped: exit 6" 6 $?
check_eq "unreachable names it" "127.0.0.1:$B" "$(fig "$TMP/json" unreachable critical server)"
doctor --nagios >"$TMP/nag"
check_eq "--nagios: exit 2" 2 $?
check "--nagios names the server" grep -q "^MEMCSESS DOCTOR CRITICAL - .*unreachable 127.0.0.1:$B" "$TMP/nag"
kill "$A_PID"; wait "$A_PID" 2>/dev/null
doctor >"$TMP/out" 2>&1
check_eq "no server answers: exit 3" 3 $?
doctor --nagios >/dev/null
check_eq "no server answers, --nagios: exit 2 (critical)" 2 $?

# Usage.
doctor --lock-age soon >/dev/null 2>&1
check_eq "a bad --lock-age: exit 2" 2 $?
doctor --nagios --lock-age soon >/dev/null 2>&1
check_eq "a bad --lock-age with --nagios: exit 3 (unknown)" 3 $?
doctor --json --nagios >/dev/null 2>&1
check_eq "--json with --nagios: exit 3 (with --nagios a bad doctor option is unknown)" 3 $?
exit $FAILS
