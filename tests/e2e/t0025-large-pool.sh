#!/bin/bash
# A pool of 256 servers holding 3,000 sessions written by real PHP, three of them sick at once:
# one down (port closed), one frozen (SIGSTOP: accepts, never answers), one answering garbage.
# Every command that walks the pool (list, list --fast, dump, doctor, expire by filter, migrate,
# top --once, the exporter) still gives exactly the sessions of the 253 others, names each sick
# server, exits with its documented partial-failure status, and returns: each run is bounded by
# --timeout (under an outer `timeout`, which would exit 124); doctor too while the exporter
# watches every server. This guards the pool walk (src/mc/scan.c) whatever its threading.
#
# PHP writes with modula (memcached.sess_consistent_hash=0, memcsess --distribution modula):
# Debian's libmemcached asserts (abort) in its ketama continuum above 100 servers, in PHP as in
# memcsess; what memcsess does with ketama at 256 servers has its own check.
. "$(dirname "$0")/../lib.sh"
N=256
SESSIONS=3000
TO=2		# --timeout of every run
OUTER=60	# the outer timeout: a run that hangs is killed and exits 124

# mc_start_pool N: N memcached (-m 4 -t 1 -c 64) started at once on distinct free ports; sets
# PORTS and PIDS (index i: server i of the pool). A port taken meanwhile is retried.
mc_start_pool() {
	local n=$1 user=() i p try try2 left
	declare -gA PORT_USED=()
	[ "$(id -u)" -eq 0 ] && user=(-u nobody)
	PORTS=() PIDS=()
	left=$(seq 0 $((n - 1)))
	for try in 1 2 3; do
		for i in $left; do
			p=$(free_port)
			while [ -n "${PORT_USED[$p]:-}" ]; do p=$(free_port); done
			PORT_USED[$p]=1
			PORTS[i]=$p
			memcached "${user[@]}" -l 127.0.0.1 -p "$p" -U 0 -m 4 -t 1 -c 64 \
				>"$TMP/mc-$p.log" 2>&1 &
			PIDS[i]=$!
			MC_PIDS+=($!)
		done
		for i in $left; do
			for ((try2 = 0; try2 < 200; try2++)); do
				(exec 3<>"/dev/tcp/127.0.0.1/${PORTS[i]}") 2>/dev/null && break
				kill -0 "${PIDS[i]}" 2>/dev/null || break
				sleep 0.05
			done
		done
		# which did not start (port taken meanwhile): start those again on other ports
		left=$(for i in $left; do kill -0 "${PIDS[i]}" 2>/dev/null || echo "$i"; done)
		[ -z "$left" ] && return 0
	done
	echo "memcached did not start on $(for i in $left; do echo -n "${PORTS[i]} "; done)" >&2
	return 1
}

# held PORT...: "sid port" for each session item each server holds, asked over the raw protocol
# (lru_crawler metadump hash): where PHP's sessions really are, independent of memcsess.
held() {
	php -r '
		foreach (array_slice($argv, 1) as $port) {
			$s = fsockopen("127.0.0.1", (int)$port, $e, $es, 5);
			if (!$s) { fwrite(STDERR, "127.0.0.1:$port: $es\n"); exit(1); }
			stream_set_timeout($s, 10);
			fwrite($s, "lru_crawler metadump hash\r\n");
			while (($l = fgets($s)) !== false && $l !== "END\r\n") {
				if (preg_match("/^key=memc\.sess\.key\.(?!lock\.)(\S+) /", $l, $m))
					echo urldecode($m[1]), " $port\n";
			}
			fclose($s);
		}' "$@"
}

# start NAME ARGS...: memcsess ARGS on the pool (--timeout $TO, $DIST_OPT) under `timeout $OUTER`,
# in the background (the runs of a group wait out the frozen server together); its output in
# $TMP/NAME.out and $TMP/NAME.err.
declare -A RUNS
DIST_OPT="--distribution modula"
start() {
	local name=$1
	shift
	(
		t0=$(date +%s%N)
		timeout $OUTER "$MEMCSESS" -s "$POOL" $DIST_OPT --timeout $TO "$@" \
			>"$TMP/$name.out" 2>"$TMP/$name.err"
		echo "$? $(( ($(date +%s%N) - t0) / 1000000 ))" >"$TMP/$name.rc"
	) &
	RUNS[$name]=$!
}
# result NAME: waits for run NAME; sets rc, secs, OUT and ERR (the files of its output).
result() {
	local ms
	wait "${RUNS[$1]}"
	read -r rc ms <"$TMP/$1.rc"
	secs=$((ms / 1000)).$(printf '%03d' $((ms % 1000)))
	OUT=$TMP/$1.out
	ERR=$TMP/$1.err
	echo "# $1: exit $rc in $secs s"
}
# run NAME ARGS...: start, then result.
run() { start "$@"; result "$1"; }
# same_sids WHAT EXPECTED GOT: both sorted sid lists equal; on failure, how they differ.
same_sids() {
	local miss extra
	if cmp -s "$2" "$3"; then
		ok "$1: exactly the $(wc -l <"$2") sessions expected"
		return
	fi
	miss=$(comm -23 "$2" "$3" | wc -l)
	extra=$(comm -13 "$2" "$3" | wc -l)
	not_ok "$1: $miss of $(wc -l <"$2") expected sessions missing, $extra unexpected" \
		"(missing ones held by: $(comm -23 "$2" "$3" | join - "$TMP/held" | cut -d' ' -f2 |
			sort | uniq -c | awk '{printf "127.0.0.1:%s (%d) ", $2, $1}'))"
	[ -n "${ERR:-}" ] && sed 's/^/#   stderr: /' "$ERR" | head -8
}
# json_sids FILE: the sorted sids of JSON lines.
json_sids() { grep -o '"sid":"[^"]*"' "$1" | cut -d'"' -f4 | sort; }

T0=$(date +%s)
mc_start_pool $N || exit 1
echo "# $N memcached up after $(($(date +%s) - T0)) s"
POOL=$(printf '127.0.0.1:%s,' "${PORTS[@]}")
POOL=${POOL%,}

# Real PHP writes the sessions, two writers at once (the sids carry random bytes).
for w in 1 2; do
	php_write "$POOL" php $((SESSIONS / 2)) simple -d memcached.sess_consistent_hash=0 \
		>"$TMP/w$w" 2>"$TMP/w$w.err" &
	wpid[w]=$!
done
wait "${wpid[1]}" && wait "${wpid[2]}" || not_ok "PHP could not write: $(head -3 "$TMP"/w*.err)"
cat "$TMP/w1" "$TMP/w2" >"$TMP/all.exp"
echo "# PHP's sessions written after $(($(date +%s) - T0)) s"
cut -d'"' -f4 "$TMP/all.exp" | sort >"$TMP/all.sids"
check_eq "PHP wrote $SESSIONS sessions over $N servers" $SESSIONS "$(sort -u "$TMP/all.sids" | wc -l)"
held "${PORTS[@]}" | sort >"$TMP/held"
cut -d' ' -f1 "$TMP/held" >"$TMP/got"
same_sids "the servers hold every session PHP wrote, each once" "$TMP/all.sids" "$TMP/got"
# 3,000 sids over 256 servers: about 12 each, and now and then a server with none (chance)
holding=$(cut -d' ' -f2 "$TMP/held" | sort -u | wc -l)
check "the sessions are spread over the servers ($holding of $N hold some)" \
	test "$holding" -ge $((N - 3))
# holding_from I: the index of the first server from I on that holds sessions
holding_from() {
	local i=$1
	while [ "$i" -lt $((N - 1)) ] && ! grep -q " ${PORTS[$i]}\$" "$TMP/held"; do i=$((i + 1)); done
	echo "$i"
}

# cell FILE ROW HEAD: the right-aligned cell under column HEAD in the line starting with ROW
# (as t0100).
cell() {
	awk -v row="$2" -v head="$3" '
		/^SERVER / && !end { i = index($0 " ", " " head " "); if (i) end = i + length(head) }
		end && index($0, row) == 1 { s = substr($0, 1, end); sub(/.* /, "", s); print s; exit }' "$1"
}

# ---- the healthy pool first: the yardstick for what follows
run dump dump --no-data
check_eq "healthy: dump exits 0" 0 $rc
json_sids "$OUT" >"$TMP/got"
same_sids "healthy: dump" "$TMP/all.sids" "$TMP/got"
check_eq "healthy: dump says nothing on stderr" "" "$(head -3 "$ERR")"

# ketama over 256 servers: libmemcached's ketama continuum asserts past 100 servers (PHP's
# too): memcsess refuses such a pool with exit 2 and says why, never aborts.
DIST_OPT="" run ketama list --fast
check_eq "ketama over $N servers: list --fast is refused with exit code 2 (not killed)" 2 "$rc"
check "ketama over $N servers: the error says why and to give modula" \
	grep -q "$N servers with consistent hashing (ketama): libmemcached.*--distribution modula" "$ERR"

# ---- three sick servers, each in place of a real one (same name: PHP's placement holds)
# (each one that holds sessions, so that losing it shows)
iD=$(holding_from 10)
iF=$(holding_from 100)
iG=$(holding_from 200)
DEAD=${PORTS[$iD]}
FROZEN=${PORTS[$iF]}
GARBAGE=${PORTS[$iG]}
SICK="$DEAD $FROZEN $GARBAGE"
kill "${PIDS[$iD]}"
kill -STOP "${PIDS[$iF]}"
kill "${PIDS[$iG]}"
wait "${PIDS[$iD]}" "${PIDS[$iG]}" 2>/dev/null
fake_start G garbage "$GARBAGE" || { not_ok "the garbage server could not start on $GARBAGE"; exit 1; }
grep -vE " ($DEAD|$FROZEN|$GARBAGE)\$" "$TMP/held" | cut -d' ' -f1 >"$TMP/good.sids"
good=$(wc -l <"$TMP/good.sids")
grep -F -f "$TMP/good.sids" "$TMP/all.exp" >"$TMP/good.exp"
echo "# sick: down 127.0.0.1:$DEAD, frozen 127.0.0.1:$FROZEN, garbage 127.0.0.1:$GARBAGE;" \
	"$((SESSIONS - good)) sessions on them, $good on the others"

# verdict WHAT EXPECTED_RC WHY [FILE]: the run returned (the outer timeout did not strike),
# its exit status is the documented one, and each sick server is named in FILE (default: its
# stderr) as host:port.
verdict() {
	local p missing=""
	check "$1 returns, bounded by --timeout $TO (took $secs s; the outer timeout of $OUTER s exits 124)" \
		[ "$rc" -ne 124 -a "$rc" -ne 137 ]
	check_eq "$1 exits $2 ($3)" "$2" "$rc"
	for p in $SICK; do
		grep -q "127\.0\.0\.1:$p\b" "${4:-$ERR}" || missing="$missing 127.0.0.1:$p"
	done
	check_eq "$1 names each sick server" "" "$missing"
}
# why FILE PORT REGEX: the line of FILE naming the server matches REGEX.
why() { grep "127\.0\.0\.1:$2\b" "$1" | grep -qE "$3"; }

check_eq "the frozen server is stopped (state T)" T \
	"$(for i in $(seq 20); do st=$(awk '{print $3}' "/proc/${PIDS[$iF]}/stat"); [ "$st" = T ] && break; sleep 0.1; done; echo "$st")"

# Each walker in turn (together they would contend for the servers' 64 connections and their
# one crawler).
mc_start_var T -m 64 || exit 1

run list list --json
verdict "list --json" 1 "partial"
json_sids "$OUT" >"$TMP/got"
same_sids "list --json with 3 sick servers" "$TMP/good.sids" "$TMP/got"
check "list --json says the down server refused" why "$ERR" "$DEAD" "refused"
check "list --json says the frozen server timed out" why "$ERR" "$FROZEN" "timeout"
check "list --json says what the garbage server replied" why "$ERR" "$GARBAGE" "unexpected reply|replied"

run fast list --fast
verdict "list --fast" 1 "partial"
awk 'NR > 1 {print $1}' "$OUT" | sort >"$TMP/got"
same_sids "list --fast with 3 sick servers" "$TMP/good.sids" "$TMP/got"

run dump dump
verdict "dump" 1 "partial"
json_sids "$OUT" >"$TMP/got"
same_sids "dump with 3 sick servers" "$TMP/good.sids" "$TMP/got"
php "$PHP_DIR/compare.php" "$TMP/good.exp" "$OUT" "dump with 3 sick servers: data of every healthy session equals PHP's"

run dry expire --all --dry-run
verdict "expire --all --dry-run" 1 "partial"
grep -o '^would expire [^ ]*' "$OUT" | cut -d' ' -f3 | sort >"$TMP/got"
same_sids "expire --all --dry-run with 3 sick servers" "$TMP/good.sids" "$TMP/got"

# doctor: each sick server is an unreachable finding (critical), and no other server is.
run doctor doctor --json
verdict "doctor --json" 6 "worst finding critical" "$OUT"
missing=""
for p in $SICK; do
	grep -q "\"check\":\"unreachable\",\"severity\":\"critical\",.*\"server\":\"127.0.0.1:$p\"" "$OUT" ||
		missing="$missing 127.0.0.1:$p"
done
check_eq "doctor --json: an unreachable finding for each sick server" "" "$missing"
check_eq "doctor --json: no other server is unreachable" \
	"$(for p in $SICK; do echo "127.0.0.1:$p"; done | sort | tr '\n' ' ')" \
	"$(grep '"check":"unreachable","severity":"critical"' "$OUT" | grep -o '"server":"[^"]*"' |
		cut -d'"' -f4 | sort | tr '\n' ' ')"

# migrate copies what it can read: a fresh target holds exactly the healthy servers' sessions.
run migrate migrate --from "$POOL" --to "127.0.0.1:$T"
verdict "migrate from the pool" 1 "partial"
held "$T" | cut -d' ' -f1 | sort >"$TMP/got"
same_sids "migrate with 3 sick source servers: the target" "$TMP/good.sids" "$TMP/got"

run top top --once -d 0.2
cat "$OUT" "$ERR" >"$TMP/top.both"
verdict "top --once" 1 "some server not up" "$TMP/top.both"
check_eq "top --once: $((N - 3)) of $N up" "TOTAL $((N - 3))/${N}up" \
	"$(grep -oE '^TOTAL +[0-9]+/[0-9]+up' "$OUT" | tr -s ' ')"
check_eq "top --once: a row for every server" $N "$(grep -cE '^127\.0\.0\.1:[0-9]+ ' "$OUT")"
check_eq "top --once: the sick servers are the ones not UP" \
	"$(for p in $SICK; do echo "127.0.0.1:$p"; done | sort)" \
	"$(grep -E '^127\.0\.0\.1:[0-9]+ ' "$OUT" | awk '$2 != "UP" {print $1}' | sort)"
wrong=$(for p in "${PORTS[@]}"; do
	case " $SICK " in *" $p "*) continue ;; esac
	want=$(grep -c " $p\$" "$TMP/held")
	got=$(cell "$OUT" "127.0.0.1:$p " SESS)
	[ "$got" = "$want" ] || echo -n "127.0.0.1:$p shows '$got', holds $want; "
done)
check_eq "top --once counts the sessions each up server holds" "" "$wrong"
check_eq "top --once TOTAL counts their $good sessions (SESS, 5th column from the end)" \
	$good "$(awk '/^TOTAL / {print $(NF - 4)}' "$OUT")"
check_eq "top --once's TOTAL row lines up with the header (its SESS cell; '$((N - 3))/${N}up' is wider than the STATE column)" \
	$good "$(cell "$OUT" "TOTAL " SESS)"

# The exporter: its first walk ends (bounded), the sick servers are memcsess_up 0 with no
# other series, every other server's memcsess_sessions is what it holds.
for try in 1 2 3; do
	EXP=$(free_port)
	"$MEMCSESS" -s "$POOL" $DIST_OPT --timeout $TO exporter --listen "127.0.0.1:$EXP" \
		--walk-interval 3600 2>"$TMP/exp.err" &
	EPID=$!
	MC_PIDS+=($EPID)
	t0=$(date +%s)
	for ((i = 0; i < OUTER * 5; i++)); do
		php -r 'echo @file_get_contents($argv[1]);' "http://127.0.0.1:$EXP/metrics" >"$TMP/scrape"
		grep -q "^memcsess_last_walk_age_seconds " "$TMP/scrape" && break
		kill -0 $EPID 2>/dev/null || break
		sleep 0.2
	done
	kill -0 $EPID 2>/dev/null && break	# else its port was taken: another one
done
echo "# exporter: first walk done after about $(($(date +%s) - t0)) s"
check "exporter: its first walk ends within $OUTER s" grep -q "^memcsess_last_walk_age_seconds " "$TMP/scrape"
wrong=$(for p in "${PORTS[@]}"; do
	up=$(grep "^memcsess_up{server=\"127.0.0.1:$p\"} " "$TMP/scrape" | awk '{print $2}')
	n=$(grep "^memcsess_sessions{server=\"127.0.0.1:$p\"} " "$TMP/scrape" | awk '{print $2}')
	case " $SICK " in
	*" $p "*) [ "$up/$n" = "0/" ] || echo -n "127.0.0.1:$p (sick) up '$up' sessions '$n'; " ;;
	*) want=$(grep -c " $p\$" "$TMP/held")
	   [ "$up/$n" = "1/$want" ] || echo -n "127.0.0.1:$p up '$up' sessions '$n', holds $want; " ;;
	esac
done)
check_eq "exporter: sick servers memcsess_up 0, every other one its sessions" "" "$wrong"

# doctor while the exporter watches every server (its watch connection on each, as in a
# monitored pool): memcached answers a new watcher once its logger thread wakes, up to 1 s
# later when it has watchers and nothing to log, so doctor's look at each server's watch must
# not add those waits up one server after the other.
run doctorw doctor --json
verdict "doctor --json while the exporter watches" 6 "worst finding critical" "$OUT"

kill "$EPID"
wait "$EPID"
check_eq "exporter: SIGTERM ends it with 0" 0 $?

# Last, for real: expire --all logs out every session of the healthy servers.
run expire expire --all --yes
verdict "expire --all" 1 "partial"
held "${PORTS[@]:0:10}" "${PORTS[@]:11:89}" "${PORTS[@]:101:99}" "${PORTS[@]:201}" >"$TMP/left"
check_eq "expire --all with 3 sick servers: the healthy servers hold no session" "" \
	"$(cut -d' ' -f2 "$TMP/left" | sort | uniq -c | awk '{printf "127.0.0.1:%s holds %d; ", $2, $1}')"
check "expire --all: the summary counts $good expired" grep -q "\b$good expired" "$ERR"
echo "# done after $(($(date +%s) - T0)) s"
exit 0
