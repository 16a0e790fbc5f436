#!/bin/bash
# top's expire and touch reach every copy of a session, as memcsess expire SID does: PHP with one
# replica (memcached.sess_number_of_replicas=1) stores each session twice, and with
# memcached.sess_randomize_replica_read reads either copy. Expiring from top must leave no copy
# (else PHP keeps finding the user logged in on some requests); touching must re-date both.
# Driven in tmux as a person uses it; every wait polls the screen (bounded).
. "$(dirname "$0")/../lib.sh"
tmux_start

unset MEMCSESS_KEY MEMCSESS_SERVERS
for v in A B C; do mc_start_var "$v" || exit 1; done
POOL="127.0.0.1:$A,127.0.0.1:$B,127.0.0.1:$C"
REPL=(-d memcached.sess_number_of_replicas=1 -d memcached.sess_randomize_replica_read=1)
# php_set SID...: PHP with one replica writes each session (user_id 42).
php_set() {
	php -d session.save_handler=memcached -d "session.save_path=$POOL" "${REPL[@]}" -r '
		ini_set("session.use_cookies", "0"); ini_set("session.use_strict_mode", "0");
		foreach (array_slice($argv, 1) as $sid) {
			session_id($sid); session_start(); $_SESSION["user_id"] = 42; session_write_close(); }' "$@"
}
# copies SID: how many servers hold SID.
copies() {
	local p n=0
	for p in "$A" "$B" "$C"; do n=$((n + $(count_keys "$p" "memc.sess.key.$1"))); done
	echo "$n"
}
# ttls SID: the TTL of each copy of SID, one line per server that holds it.
ttls() {
	local p
	for p in "$A" "$B" "$C"; do
		mc_cmd "$p" "mg memc.sess.key.$1 t" | grep -oE '^HD .*t-?[0-9]+' | grep -oE -- '-?[0-9]+$'
	done
}
# in_range MIN MAX VALUE...: every value within [MIN, MAX], and at least one.
in_range() {
	local lo=$1 hi=$2 v
	shift 2
	[ $# -gt 0 ] || return 1
	for v in "$@"; do [ "$v" -ge "$lo" ] && [ "$v" -le "$hi" ] || return 1; done
}

php_set trepl0001 trepl0002 trepl0003
for s in trepl0001 trepl0002 trepl0003; do
	check_eq "PHP with one replica stores $s twice on the pool" 2 "$(copies "$s")"
done

cat >"$TMP/run.sh" <<'EOF'
"$MEMCSESS" "$@"
echo "EXIT=$?"
exec sleep 600
EOF
tm new-session -d -s top -x 160 -y 40 env MEMCSESS="$MEMCSESS" TERM=screen LC_ALL=C.UTF-8 \
	bash "$TMP/run.sh" -s "$POOL" --timeout 0.5 top -d 0.5
keys() { tm send-keys -t top "$@"; }
# wait_rows N REGEX: polls the screen until N lines match REGEX (grep -E); bounded.
wait_rows() {
	local i
	for ((i = 0; i < 100; i++)); do
		pane top && [ "$(grep -cE -- "$2" "$TMP/pane.top")" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# two_ttls MIN MAX SID: polls until both copies of SID have a TTL in [MIN, MAX] (bounded); the
# TTLs seen are left in t.
two_ttls() {
	local i
	for ((i = 0; i < 100; i++)); do
		mapfile -t t < <(ttls "$3")
		[ "${#t[@]}" = 2 ] && in_range "$1" "$2" "${t[@]}" && return 0
		sleep 0.1
	done
	return 1
}
# list SID: the session list filtered to SID, once both copies show.
list() {
	keys / "$1" Enter
	check_pane top "the list shows both copies of $1" "^2 shown of [0-9]+; walk done.*sid \*$1\*"
}

check_pane top "top starts on the pool panel" "^SERVER +STATE"
keys Tab
check_pane top "Tab opens the session list" "shown of [0-9]+; walk done"

# ---- expire: the selected row, every copy ----
list trepl0001
keys x
check_pane top "x asks for confirmation" "\[y/N\]"
check "... naming the session, every copy" \
	grep -qE "Expire \(delete\) every copy of session trepl0001\? PHP will start an empty session for this id\." "$TMP/pane.top"
keys y
check_pane top "y expires it; the status line says what memcsess expire says" \
	"expire: 2 matched, 2 expired, 0 already gone, 0 failed"
check_eq "no copy of trepl0001 is left on any server" 0 "$(copies trepl0001)"
check_pane top "the list drops both rows" "^0 shown of [0-9]+; walk done.*sid \*trepl0001\*"
# A PHP worker reading the session on request after request, spread over 10 seconds (the replica
# libmemcached reads is chosen from a seed taken each second).
php -d session.save_handler=memcached -d "session.save_path=$POOL" -d session.use_cookies=0 \
	-d session.use_strict_mode=0 -d session.cache_limiter= "${REPL[@]}" -r '
	for ($i = 0; $i < 10; $i++) {
		session_id($argv[1]); session_start(["read_and_close" => true]);
		echo isset($_SESSION["user_id"]) ? "logged-in\n" : "empty\n"; $_SESSION = []; sleep(1); }' \
	trepl0001 >"$TMP/reads"
check_eq "PHP reading either copy starts an empty session on each of 10 requests" \
	"10 empty" "$(grep -c '^empty$' "$TMP/reads") $(sort -u "$TMP/reads" | tr '\n' ' ' | sed 's/ $//')"

# ---- touch: both rows marked (one session), then one row selected ----
list trepl0002
keys Space Space t
check_pane top "t on both marked copies asks for one session's TTL" "New TTL for every copy of session trepl0002 \("
keys 1 0 m Enter
check_pane top "and confirmation naming the new TTL" "Set the TTL of every copy of session trepl0002 to 10m00s \(expires .*\)\? \[y/N\]"
keys y
check_pane top "y touches both copies" "expire: 2 matched, 2 touched, 0 already gone, 0 failed"
two_ttls 590 600 trepl0002
check "memcached has the new TTL on both copies (about 600 s: ${t[*]})" two_ttls 590 600 trepl0002
check "the list shows the new TTL on both rows" \
	wait_rows 2 "trepl0002 +127\.0\.0\.1:[0-9]+ +[0-9]+ +(10m00s|9m5[0-9]s) "
keys u
keys t
check_pane top "t on the selected row asks for the TTL of every copy" "New TTL for every copy of session trepl0002 \("
keys 4 0 d Enter
check_pane top "and confirmation naming 40 days" "Set the TTL of every copy of session trepl0002 to 40d"
keys y
two_ttls $((40 * 86400 - 30)) $((40 * 86400)) trepl0002
check "past 30 days memcached is given a unix time: both copies have about 40 days left (${t[*]})" \
	two_ttls $((40 * 86400 - 30)) $((40 * 86400)) trepl0002

# ---- a server that does not answer: named, counted, and the retry finishes the job ----
list trepl0003
home=$("$MEMCSESS" -s "$POOL" inspect --json trepl0003 |	# the server PHP reads it from first
	php -r 'echo explode(":", json_decode(stream_get_contents(STDIN))->server)[1];')
for v in A B C; do	# the server holding the replica (asked for a copy, which a get leaves there)
	[ "${!v}" != "$home" ] && [ "$(count_keys "${!v}" memc.sess.key.trepl0003)" = 1 ] && break
done
stopped=${!v} pidvar=${v}_PID
kill -STOP "${!pidvar}"
keys x y
check_pane top "with a server stopped the status line sums up and names the failure" \
	"expire: 1 matched, 1 expired, 0 already gone, 1 failed; session trepl0003: looking for other copies: server 127\.0\.0\.1:$stopped: timeout" 15
kill -CONT "${!pidvar}"
check_pane top "the list keeps the row of the copy left there" "^  trepl0003 +127\.0\.0\.1:$stopped "
check_pane top "... and only that one" "^1 shown of [0-9]+; walk done.*sid \*trepl0003\*"
keys x y
check_pane top "expiring again removes it (the copy PHP reads first is already gone)" \
	"expire: 2 matched, 1 expired, 1 already gone, 0 failed"
check_eq "no copy of trepl0003 is left" 0 "$(copies trepl0003)"

keys q
check_pane top "q quits with exit code 0" "^EXIT=0"
check "stderr got the summaries, as memcsess expire writes them" \
	grep -qx "expire: 2 matched, 2 expired, 0 already gone, 0 failed" "$TMP/pane.top"
check "... and the failure, named" \
	grep -q "^memcsess: session trepl0003: looking for other copies: server 127.0.0.1:$stopped: timeout" "$TMP/pane.top"
exit 0
