# lib.sh: shared by the end-to-end scripts (bash). Starts throwaway memcached instances on
# loopback, writes sessions with real PHP, and prints one "ok"/"not ok" line per check.
set -u
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${MEMCSESS:=$TESTS_DIR/../memcsess}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/memcsess-test.XXXXXX")
MC_PIDS=()
FAILS=0

cleanup() {
	local p
	for p in "${MC_PIDS[@]}"; do
		kill -CONT "$p" 2>/dev/null
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }
# check NAME COMMAND...: ok when the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1: expected '$2', got '$3'"
	fi
}

# free_port: prints a loopback TCP port nobody listens on, below the kernel's ephemeral range
# (so that no client connection of ours holds it as its local port when a server binds it).
free_port() {
	local p low=32768
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null
	while :; do
		p=$((20000 + RANDOM % (low - 20000)))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

# mc_start [memcached args...]: starts memcached on a free loopback port; prints the port and
# sets MC_LAST_PID. Call as: port=$(mc_start) is wrong (subshell); use mc_start_var VAR.
# A port taken meanwhile (or still held by a local connection) is retried with another one.
mc_start_var() {
	local var=$1 port user=() try i pid
	shift
	[ "$(id -u)" -eq 0 ] && user=(-u nobody)
	for try in 1 2 3 4 5; do
		port=$(free_port)
		memcached "${user[@]}" -l 127.0.0.1 -p "$port" -U 0 -m 64 "$@" >"$TMP/mc-$port.log" 2>&1 &
		pid=$!
		MC_PIDS+=($pid)
		eval "$var=$port"
		eval "${var}_PID=$pid"
		for i in $(seq 100); do
			(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		grep -q "Address already in use" "$TMP/mc-$port.log" || break
	done
	echo "memcached on $port did not start: $(cat "$TMP/mc-$port.log")" >&2
	return 1
}

# mc_cmd PORT "command": sends one text-protocol command, prints the reply up to END/a status.
mc_cmd() {
	php -r '
		$s = fsockopen("127.0.0.1", (int)$argv[1], $e, $es, 2);
		fwrite($s, $argv[2] . "\r\n");
		stream_set_timeout($s, 2);
		while (($l = fgets($s)) !== false) {
			echo $l;
			if (preg_match("/^(END|STORED|DELETED|NOT_FOUND|OK|ERROR|HD|EN|NS|VA .*)\r\n$/", $l) && strncmp($l, "VA ", 3)) break;
		}' "$1" "$2"
}

PHP_DIR=$TESTS_DIR/php
# php_leave_lock SERVERS SID [PHP -d options...]: a PHP process that dies while holding session
# SID leaves its lock behind (no expiry under the CLI), on the server PHP takes the lock on.
php_leave_lock() {
	local pool=$1 sid=$2 pid i
	shift 2
	php -d session.save_handler=memcached -d "session.save_path=$pool" "$@" -r '
		ini_set("session.use_cookies", "0"); session_id($argv[1]); session_start();
		echo "started\n"; flush(); sleep(60);' "$sid" >"$TMP/php-lock.out" &
	pid=$!
	for i in $(seq 100); do grep -q started "$TMP/php-lock.out" && break; sleep 0.05; done
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
}

# tmux_start: a tmux server of the test's own (tm runs tmux commands on it), killed at exit.
tmux_start() {
	command -v tmux >/dev/null || { not_ok "tmux is not installed (scripts/deps.sh installs it)"; exit 1; }
	SOCK=$TMP/tmux.sock
	tm() { tmux -S "$SOCK" "$@"; }
	trap 'tm kill-server 2>/dev/null; cleanup' EXIT
	# A session that lasts the whole test: tmux ends its server when its last session ends,
	# and a test's next new-session could then find it shutting down.
	tm new-session -d -s keep -x 80 -y 24 "sleep 86400"
}

# pane NAME: tmux session NAME's screen into $TMP/pane.NAME (wrapped lines joined when
# PANE_JOIN is set).
pane() {
	if [ -n "${PANE_JOIN:-}" ]; then
		tm capture-pane -p -J -t "$1" >"$TMP/pane.$1"
	else
		tm capture-pane -p -t "$1" >"$TMP/pane.$1"
	fi
}
# wait_pane NAME REGEX [SECONDS]: polls the screen until REGEX (grep -E) shows; bounded
# (SECONDS, else $PANE_WAIT, else 10).
wait_pane() {
	local i
	for ((i = 0; i < ${3:-${PANE_WAIT:-10}} * 10; i++)); do
		pane "$1" && grep -qE -- "$2" "$TMP/pane.$1" && return 0
		sleep 0.1
	done
	return 1
}
# check_pane NAME DESCRIPTION REGEX [SECONDS]: one check, with the screen when it fails.
check_pane() {
	if wait_pane "$1" "$3" "${4:-${PANE_WAIT:-10}}"; then
		ok "$2"
	else
		not_ok "$2: no /$3/ on the screen:"
		sed 's/^/#   /' "$TMP/pane.$1"
	fi
}

# php_write SERVERS HANDLER COUNT [MODE [PHP -d options...]]: real PHP writes COUNT sessions
# through the memcached session handler; prints one JSON line per session:
# {"sid":..,"expect":..} (see php/write.php).
php_write() {
	local pool=$1 handler=$2 count=$3 mode=${4:-rich}
	shift $(($# < 4 ? $# : 4))
	php -d session.save_handler=memcached -d "session.save_path=$pool" \
		-d "session.serialize_handler=$handler" "$@" "$PHP_DIR/write.php" "$count" "$mode"
}

# php_read SERVERS EXPECT LABEL [PHP -d options...]: real PHP reads every session of EXPECT
# through its session handler configured with SERVERS and checks $_SESSION (php/read.php).
php_read() {
	local pool=$1 exp=$2 label=$3
	shift 3
	php -d session.save_handler=memcached -d "session.save_path=$pool" "$@" \
		"$PHP_DIR/read.php" "$exp" "$label"
}

# count_keys PORT PREFIX: how many keys starting with PREFIX one server holds.
count_keys() {
	mc_cmd "$1" "lru_crawler metadump hash" | grep -c "^key=$2"
}

# php_server_start VAR SCRIPT [ARG] [PORT]: starts tests/php/SCRIPT PORT ARG (a fake server that
# prints "ready" once listening) on PORT or a free loopback port, retried when the port is
# taken meanwhile; sets VAR and VAR_PID.
php_server_start() {
	local var=$1 script=$2 arg=${3:-} fixed=${4:-} port try i pid
	for try in 1 2 3 4 5; do
		port=${fixed:-$(free_port)}
		php "$PHP_DIR/$script" "$port" $arg >"$TMP/fake-$port.log" 2>&1 &
		pid=$!
		MC_PIDS+=($pid)
		eval "$var=$port"
		eval "${var}_PID=$pid"
		for i in $(seq 100); do
			grep -qx ready "$TMP/fake-$port.log" 2>/dev/null && return 0
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		[ -z "$fixed" ] || break
	done
	echo "$script on $port did not start: $(cat "$TMP/fake-$port.log")" >&2
	return 1
}

# fake_start VAR MODE [PORT]: tests/php/fake-server.php (a sick server: garbage, close, huge,
# deep) on PORT or a free port; sets VAR and VAR_PID.
fake_start() { php_server_start "$1" fake-server.php "$2" "${3:-}"; }

# sasl_setup USER PASSWORD: a SASL configuration for memcached -S in $TMP/sasl (mech_list plain,
# a sasldb with USER); start servers with SASL_CONF_PATH=$TMP/sasl mc_start_var VAR -S.
# Fails (not ok) when saslpasswd2 (sasl2-bin, installed by make deps) is missing.
sasl_setup() {
	if ! command -v saslpasswd2 >/dev/null; then
		not_ok "saslpasswd2 is installed (sasl2-bin; make deps installs it)"
		return 1
	fi
	mkdir -p "$TMP/sasl"
	printf 'mech_list: plain\nsasldb_path: %s\n' "$TMP/sasl/sasldb2" >"$TMP/sasl/memcached.conf"
	printf '%s' "$2" | saslpasswd2 -p -a memcached -c -f "$TMP/sasl/sasldb2" "$1"
	chmod 644 "$TMP/sasl/sasldb2"
	chmod 755 "$TMP" "$TMP/sasl"
}

# port_of PID MCPORT: the local address:port of process PID's connection to MCPORT.
port_of() {
	local i a
	for i in $(seq 60); do
		a=$(ss -tnpH "dport = :$2" 2>/dev/null | grep "pid=$1," | awk '{print $4}' | head -1)
		[ -n "$a" ] && { echo "$a"; return 0; }
		sleep 0.05
	done
	return 1
}
# watchers_hold PORT: a PHP process holds 20 watch connections to PORT (memcached takes no more),
# for 30 s; its pid in HOLD (killed at exit). Returns once they are all open.
watchers_hold() {
	local i
	php -r '$s = [];
		for ($i = 0; $i < 20; $i++) { $f = fsockopen("127.0.0.1", (int)$argv[1]);
			fwrite($f, "watch fetchers\r\n"); $s[] = $f; fgets($f); }
		echo "holding\n"; sleep(30);' "$1" >"$TMP/hold.out" &
	: >>"$TMP/hold.out"
	HOLD=$!
	MC_PIDS+=($HOLD)
	for i in $(seq 100); do grep -q holding "$TMP/hold.out" && break; sleep 0.05; done
}

# php_modula POOL PHP...: PHP (the command PHP..., with the memcached session handler) as a web
# server hashing with modula (memcached.sess_consistent_hash=0, persistent connections) writes
# the sessions modula0..modula39 through POOL, then keeps its connections 3 s. Returns once they
# are written; the process's pid in MODULA_PID.
php_modula() {
	local pool=$1 i
	shift
	"$@" -d "session.save_path=$pool" -d memcached.sess_consistent_hash=0 \
		-d memcached.sess_persistent=1 -r '
		ini_set("session.use_cookies", "0");
		for ($i = 0; $i < 40; $i++) { session_id("modula$i"); session_start(); $_SESSION["i"] = $i;
			session_write_close(); }
		echo "done\n"; sleep(3);' >"$TMP/php3.out" &
	: >>"$TMP/php3.out"
	MODULA_PID=$!
	for i in $(seq 100); do grep -q done "$TMP/php3.out" && break; sleep 0.05; done
}

# Reading memcsess doctor --json output (t0017, t0021):
# fig FILE CHECK SEVERITY FIGURE: the figure of the first finding of CHECK at SEVERITY ("bad":
# warning or critical) in a --json output; "server", "message" and "severity" too. "-" when
# there is none; "INVALID" when a line is no JSON finding.
fig() {
	php -r '
		foreach (file($argv[1], FILE_IGNORE_NEW_LINES) as $l) {
			$f = json_decode($l, true);
			if (!is_array($f) || !isset($f["check"], $f["severity"], $f["message"]) ||
			    !array_key_exists("server", $f) || !is_array($f["figures"])) { echo "INVALID\n"; exit; }
			$sev = $argv[3] === "bad" ? in_array($f["severity"], ["warning", "critical"]) :
			       $f["severity"] === $argv[3] && !$f["ok"];
			if ($f["check"] === $argv[2] && $sev) {
				$v = in_array($argv[4], ["server", "message", "severity"]) ? $f[$argv[4]] :
				     ($f["figures"][$argv[4]] ?? "-");
				echo is_string($v) ? $v : json_encode($v), "\n"; exit;
			}
		}
		echo "-\n";' "$@"
}
# count FILE SEVERITY: findings at SEVERITY (not counting healthy checks).
count() { grep -c "\"severity\":\"$2\",\"ok\":false" "$1"; }
