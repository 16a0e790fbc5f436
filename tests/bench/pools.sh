#!/bin/bash
# make bench-pools, part of make bench (issue 22): memcsess on large pools and small sessions.
# A. The same POOLS_SESSIONS small sessions, written by real PHP through its memcached session
#    handler, in pools of 2, 64 and 256 memcached (-m 8 or more, -t 1, -c 128) on loopback:
#    dump (time, peak RSS, peak threads), list, list --fast, memcached-tool keys, the raw reader
#    (metadump + pipelined mg on every server at once, no decoding), the keys alone (metadump
#    on every server at once: the floor of any complete walk) and the PHP dump script;
#    memcsess top's CPU on the smallest and the largest pool.
# B. SMALL_SESSIONS small sessions in a pool of 2 servers (as bench.sh's): dump against the PHP
#    script and the raw reader, list against dump, list --fast against memcached-tool keys.
# Sessions: 100 B to 4 KB, median about 400 B (tests/bench/fill-small.php; the sizes found in
# the pools are printed). Prints one table (stdout and $BENCH_DIR/pools.txt): per figure the
# median of BENCH_RUNS runs, and each ratio's median with its run-by-run values. Progress goes to
# stderr. Every command's exit status and every count is checked; nothing here is a test.
# Environment:
#   POOLS_SESSIONS (128000)   sessions in each pool of part A
#   POOLS_SIZES ("2 64 256")  servers in each pool of part A, smallest first
#   POOLS_DISTRIBUTION (modula) how PHP and memcsess place sessions in part A: libmemcached
#                             (PHP's and memcsess's) cannot hash more than 100 servers with
#                             ketama (it aborts), so ketama only with pools up to 100 servers
#   POOLS_FILL_PROCS (4)      PHP processes filling a pool at once
#   SMALL_SESSIONS (1000000)  sessions in the pool of part B (0: no part B)
#   POOLS_TIMEOUT (10)        memcsess --timeout: a loaded machine can hold a server back for
#                             more than the default 2 s, which is no figure of this benchmark
#   BENCH_RUNS (3), BENCH_TOP_SECONDS (30), BENCH_DIR (build/bench), MEMCSESS (./memcsess),
#   RAWREAD (build/bench/rawread), MEMCSESS_OLD (unset: another binary whose dump is measured
#   right after each of MEMCSESS's in part A, for a before and after)
# A quick look: POOLS_SESSIONS=20000 SMALL_SESSIONS=100000 BENCH_RUNS=3 BENCH_TOP_SECONDS=10
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
: "${MEMCSESS:=$ROOT/memcsess}"
. tests/lib.sh		# TMP, mc_start_var, mc_cmd, tmux_start; stops every server on exit
trap 'exit 130' INT TERM
NA=${POOLS_SESSIONS:-128000}
SIZES=${POOLS_SIZES:-2 64 256}
DIST=${POOLS_DISTRIBUTION:-modula}
PROCS=${POOLS_FILL_PROCS:-4}
NB=${SMALL_SESSIONS:-1000000}
TIMEOUT=${POOLS_TIMEOUT:-10}
RUNS=${BENCH_RUNS:-3}
TOP_SECS=${BENCH_TOP_SECONDS:-30}
OUT=${BENCH_DIR:-build/bench}
RAWREAD=${RAWREAD:-$ROOT/build/bench/rawread}
MCTOOL=/usr/share/memcached/scripts/memcached-tool
PREFIX=memc.sess.key.
RES=$TMP/res		# one file per measure, one value a line per run
mkdir -p "$OUT" "$RES"
STARTED=$EPOCHREALTIME
declare -A MC_PORT_OF	# pid -> port of the servers of the pools still running

say() { printf 'bench-pools [%5.0fs]: %s\n' "$(elapsed "$STARTED")" "$*" >&2; }
fail() { echo "bench-pools: error: $*" >&2; exit 1; }
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.4f", b - a }'; }
peer_failed() { fail "$1 failed: $(tail -5 "$TMP/err")$(gone)"; }
# gone: names every memcached this script started that has ended (killed from outside, or
# crashed), with the end of its log.
gone() {
	local p f
	for p in "${MC_PIDS[@]}"; do
		read -r -a f 2>/dev/null </proc/"$p"/stat && [ "${f[1]}" = "(memcached)" ] && continue
		[ -n "${MC_PORT_OF[$p]:-}" ] || continue
		printf '\nmemcached %s on port %s has ended: %s' "$p" "${MC_PORT_OF[$p]}" \
			"$(tail -2 "$TMP/mc-${MC_PORT_OF[$p]}.log" 2>/dev/null)"
	done
}
expect_count() { [ "$2" -eq "$3" ] || fail "$1: $2 sessions, expected $3"; }
number() { case $2 in '' | *[!0-9]*) fail "$1 must be a number" ;; esac; }

number POOLS_SESSIONS "$NA"
number SMALL_SESSIONS "$NB"
number BENCH_RUNS "$RUNS"
number BENCH_TOP_SECONDS "$TOP_SECS"
number POOLS_FILL_PROCS "$PROCS"
number POOLS_TIMEOUT "$TIMEOUT"
[ "$RUNS" -gt 0 ] && [ "$PROCS" -gt 0 ] || fail "BENCH_RUNS and POOLS_FILL_PROCS must be above 0"
[ "$NA" -ge 1000 ] || fail "POOLS_SESSIONS must be at least 1000"
[ "$NB" -eq 0 ] || [ "$NB" -ge 10000 ] || fail "SMALL_SESSIONS must be 0 or at least 10000"
for s in $SIZES; do number POOLS_SIZES "$s"; done
case $DIST in modula | ketama) ;; *) fail "POOLS_DISTRIBUTION must be modula or ketama" ;; esac
for t in "$MEMCSESS" "$RAWREAD" "$MCTOOL" /usr/bin/time; do
	[ -x "$t" ] || fail "$t is missing (run make bench-pools)"
done
for t in memcached php perl tmux; do
	command -v "$t" >/dev/null || fail "$t is missing (run make deps)"
done
# a sleep without a process: read -t on a FIFO nobody writes (for the 10 ms thread sampling)
mkfifo "$TMP/never"
exec {NEVER}<>"$TMP/never"

# stopwatch CMD...: runs CMD; sets SECS to its wall time; returns its exit status.
stopwatch() {
	local t0=$EPOCHREALTIME rc
	"$@"
	rc=$?
	SECS=$(elapsed "$t0")
	return $rc
}
# sampled OUT CMD...: runs CMD under GNU time, its output into OUT, its stderr into $TMP/err,
# and reads its Threads from /proc every 10 ms; sets SECS, RSS_MB (peak resident set),
# THREADS (the most seen), CPU_S (its user and system time) and MC_S (the CPU time of the
# servers meanwhile, pool_ticks); returns CMD's exit status.
sampled() {
	local out=$1 t0=$EPOCHREALTIME tp pid="" k v rc f ticks
	shift
	THREADS=0
	ticks=$(pool_ticks)
	rm -f "$TMP/cmd.pid"
	# CMD's pid comes from the sh it replaces: GNU time's entry in /proc/PID/task/TID/children
	# was missing for a whole run of CMD in one sampling of twenty in a test loop
	/usr/bin/time -f '%M %U %S' -o "$TMP/rss" sh -c 'echo $$ >"$0" && exec "$@"' "$TMP/cmd.pid" \
		"$@" >"$out" 2>"$TMP/err" &
	tp=$!
	# until GNU time is a zombie, or gone (bash reaps it as soon as it ends); a read of /proc
	# that fails (the first did, in one test loop, the process alive) is not the end
	while [ -e "/proc/$tp" ]; do
		read -r -a f 2>/dev/null <"/proc/$tp/stat" || f=()
		[ "${f[2]:-}" = Z ] && break
		[ -n "$pid" ] || read -r pid 2>/dev/null <"$TMP/cmd.pid"
		if [ -n "$pid" ]; then
			while read -r k v; do
				[ "$k" = Threads: ] && { ((v > THREADS)) && THREADS=$v; break; }
			done 2>/dev/null <"/proc/$pid/status"
		fi
		read -r -t 0.01 -u "$NEVER" _
	done
	wait "$tp"
	rc=$?
	SECS=$(elapsed "$t0")
	MC_S=$(awk -v a="$ticks" -v b="$(pool_ticks)" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }')
	read -r RSS_MB CPU_S < <(tail -1 "$TMP/rss" | awk '{ printf "%.1f %.2f\n", $1 / 1024, $2 + $3 }')
	return $rc
}
# cpu NAME TAG: records a run's CPU_S and MC_S, their total, and the cores they kept busy over
# SECS.
cpu() {
	record "$1_cpu@$2" "$CPU_S"
	record "$1_mc@$2" "$MC_S"
	record "$1_total@$2" "$(awk -v a="$CPU_S" -v b="$MC_S" 'BEGIN { printf "%.2f", a + b }')"
	record "$1_busy@$2" "$(awk -v t="$(last "$1_total@$2")" -v s="$SECS" 'BEGIN { printf "%.2f", t / s }')"
}
record() { echo "$2" >>"$RES/$1"; }
# ratio NAME A B: records A/B as a run's ratio.
ratio() { record "$1" "$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }')"; }
last() { tail -1 "$RES/$1"; }
median() { sort -g "$RES/$1" | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
rate_of() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / s }'; }
servers() { tr , '\n' <<<"$1"; }
port_of() { echo "${1##*:}"; }
ports() { servers "$1" | sed 's/.*://' | tr '\n' ' '; }

# start_pool VAR COUNT SESSIONS [memcached args]: COUNT memcached on loopback, at least 8 MB
# each, 2 KB a session (small sessions use 500 to 600 B of a slab chunk); sets VAR to the pool
# as PHP's save_path has it and VAR_PIDS to the servers' pids.
start_pool() {
	local var=$1 count=$2 n=$3 mb i list=() pids=()
	shift 3
	mb=$((n * 2 / count / 1024 + 1))
	((mb < 8)) && mb=8
	for ((i = 0; i < count; i++)); do
		mc_start_var MC_PORT -m "$mb" "$@" || fail "cannot start memcached"
		list+=("127.0.0.1:$MC_PORT")
		pids+=("$MC_PORT_PID")
		MC_PORT_OF[$MC_PORT_PID]=$MC_PORT
	done
	printf -v "$var" '%s' "$(IFS=,; echo "${list[*]}")"
	printf -v "${var}_PIDS" '%s' "${pids[*]}"
}
# stop_pool VAR: stops the servers start_pool VAR started.
stop_pool() {
	local p var=${1}_PIDS
	for p in ${!var}; do unset "MC_PORT_OF[$p]"; kill "$p" 2>/dev/null; done
	for p in ${!var}; do wait "$p" 2>/dev/null; done
}
# stat_sum POOL NAME: a `stats` counter summed over the servers of a pool (one PHP process).
stat_sum() {
	php -r '
		$t = 0;
		foreach (explode(",", $argv[1]) as $s) {
			[$h, $p] = explode(":", $s);
			$f = fsockopen($h, (int)$p, $e, $es, 5);
			if (!$f) { fwrite(STDERR, "cannot connect to $s\n"); exit(1); }
			fwrite($f, "stats\r\n");
			while (($l = fgets($f)) !== false && $l !== "END\r\n") {
				$w = explode(" ", trim($l));
				if ($w[0] === "STAT" && $w[1] === $argv[2]) $t += (int)$w[2];
			}
			fclose($f);
		}
		echo $t, "\n";' "$1" "$2" || fail "cannot read the stats of $1"
}

# fill POOL DIST COUNT: real PHP (POOLS_FILL_PROCS processes on equal parts) writes sessions
# 0..COUNT-1 into POOL through its session handler; the same COUNT gives the same sessions.
FILL_LOG=""
declare -A BUCKETS	# pool -> hash table buckets of its servers, summed, after the fill
fill() {
	local pool=$1 dist=$2 n=$3 part first k pids=() t0=$EPOCHREALTIME
	part=$(((n + PROCS - 1) / PROCS))
	say "PHP fills $(servers "$pool" | wc -l) servers with $n sessions ($PROCS processes)"
	local php=(php -d session.save_handler=memcached -d session.gc_maxlifetime=86400
		-d memcached.sess_persistent=1)
	[ "$dist" = modula ] && php+=(-d memcached.sess_consistent_hash=0)
	rm -f "$TMP"/sids.*
	for ((k = 0, first = 0; first < n; k++, first += part)); do
		"${php[@]}" tests/bench/fill-small.php "$first" "$((first + part > n ? n - first : part))" \
			"$pool" "$dist" >"$TMP/sids.$k" 2>"$TMP/fill.$k" &
		pids+=($!)
		MC_PIDS+=($!)	# stopped on exit too
	done
	for k in "${!pids[@]}"; do
		wait "${pids[$k]}" || fail "PHP could not write sessions: $(tail -3 "$TMP/fill.$k")"
	done
	local s items
	s=$(elapsed "$t0")
	expect_count "sids written by fill-small.php" "$(cat "$TMP"/sids.* | wc -l)" "$n"
	[ "$(stat_sum "$pool" evictions)" -eq 0 ] || fail "memcached evicted sessions: pool too small"
	items=$(stat_sum "$pool" curr_items)
	[ "$items" -eq "$n" ] || fail "the pool holds $items items, expected $n"
	BUCKETS[$pool]=$(($(stat_sum "$pool" hash_bytes) / 8))	# a pointer a bucket
	FILL_LOG+="fill: $PROCS PHP processes wrote $n sessions into $(servers "$pool" | wc -l) servers in $(printf '%.1f' "$s") s ($(printf '%.0f' "$(rate_of "$n" "$s")")/s)"$'\n'
}

# sizes POOL DIST NAME: the sizes of the values the pool holds (memcsess dump --no-data), as
# "min/median/mean/max", into $RES/NAME.
sizes() {
	"$MEMCSESS" -s "$1" --distribution "$2" --timeout "$TIMEOUT" dump --no-data 2>"$TMP/err" |
		grep -o '"size":[0-9]*' | cut -d: -f2 | sort -n >"$TMP/sizes" || peer_failed "memcsess dump --no-data"
	awk '{ v[NR] = $1; t += $1 } END { printf "%d B / %d B / %.0f B / %d B (min/median/mean/max of %d)\n",
		v[1], v[int((NR + 1) / 2)], t / NR, v[NR], NR }' "$TMP/sizes" >"$RES/$3"
}

# pool_ticks: CPU ticks used so far by every memcached this script started and still runs.
# A read of /proc that fails is tried again (sampled's first read of its command's stat was seen
# to fail with the process alive): a server left out of one sum and not the other would be
# thousands of ticks.
pool_ticks() {
	local p t=0 f k
	for p in "${MC_PIDS[@]}"; do
		for k in 1 2 3; do
			read -r -a f 2>/dev/null </proc/"$p"/stat && break
			f=()
		done
		[ "${f[1]:-}" = "(memcached)" ] && t=$((t + f[13] + f[14]))
	done
	echo "$t"
}
pool_count() {
	local p n=0 f
	for p in "${MC_PIDS[@]}"; do
		read -r -a f 2>/dev/null </proc/"$p"/stat || continue
		[ "${f[1]}" = "(memcached)" ] && n=$((n + 1))
	done
	echo "$n"
}
# settle: waits (at most 120 s) until the servers are quiet: in a second, at most 2 ticks of
# CPU and one more for every 16 servers (after a fill or a walk their LRU maintainers and
# crawlers work on for a while; 322 servers idle between walks used more than one tick for
# every 64, and waited the whole 120 s), as bench.sh's settle.
settle() {
	local i a b n
	n=$(($(pool_count) / 16 + 2))
	for ((i = 0; i < 120; i++)); do
		a=$(pool_ticks)
		read -r -t 1 -u "$NEVER" _
		b=$(pool_ticks)
		((b - a <= n)) && return 0
	done
	say "the servers are still busy after 120 s; measuring anyway"
}

# mctool_keys POOL: memcached-tool keys over the servers one after another (as bench.sh).
mctool_keys() {
	local s
	for s in $(servers "$1"); do "$MCTOOL" "$s" keys || return 1; done
}

# measure_old TAG N MEMCSESS-ARGS...: MEMCSESS_OLD's dump, right after this binary's.
measure_old() {
	local tag=$1 n=$2 got
	shift 2
	settle
	sampled /dev/null "$MEMCSESS_OLD" "$@" dump --stats || peer_failed "MEMCSESS_OLD dump ($tag)"
	read -r got _ < <(sed -n 's/^dump: \([0-9]*\) sessions, .*/\1/p' "$TMP/err")
	expect_count "MEMCSESS_OLD dump ($tag)" "${got:-0}" "$n"
	record "old_s@$tag" "$SECS"
	record "old_rss@$tag" "$RSS_MB"
	record "old_threads@$tag" "$THREADS"
}

# measure TAG POOL DIST N: one run of every figure on a pool; records TAG-suffixed values.
measure() {
	local tag=$1 pool=$2 dist=$3 n=$4 mc=(-s "$2" --distribution "$3" --timeout "$TIMEOUT") got
	settle
	sampled /dev/null "$MEMCSESS" "${mc[@]}" dump --stats || peer_failed "memcsess dump ($tag)"
	read -r got _ < <(sed -n 's/^dump: \([0-9]*\) sessions, \([0-9]*\) bytes in .*/\1 \2/p' "$TMP/err")
	expect_count "memcsess dump ($tag)" "${got:-0}" "$n"
	record "dump_s@$tag" "$SECS"
	record "dump_rate@$tag" "$(rate_of "$n" "$SECS")"
	record "dump_rss@$tag" "$RSS_MB"
	record "dump_threads@$tag" "$THREADS"
	cpu dump "$tag"
	local dump_s=$SECS
	[ -n "${MEMCSESS_OLD:-}" ] && measure_old "$tag" "$n" "${mc[@]}"
	settle
	sampled "$TMP/list" "$MEMCSESS" "${mc[@]}" list || peer_failed "memcsess list ($tag)"
	expect_count "memcsess list ($tag)" "$(($(wc -l <"$TMP/list") - 1))" "$n"
	record "list_s@$tag" "$SECS"
	record "list_rss@$tag" "$RSS_MB"
	record "list_threads@$tag" "$THREADS"
	ratio "list_x@$tag" "$SECS" "$dump_s"
	sampled "$TMP/list" "$MEMCSESS" "${mc[@]}" list --fast || peer_failed "memcsess list --fast ($tag)"
	expect_count "memcsess list --fast ($tag)" "$(($(wc -l <"$TMP/list") - 1))" "$n"
	record "listfast_s@$tag" "$SECS"
	local fast_s=$SECS
	stopwatch mctool_keys "$pool" >"$TMP/mctool" 2>"$TMP/err" || peer_failed "memcached-tool keys ($tag)"
	record "mctool_s@$tag" "$SECS"
	record "mctool_found@$tag" "$(grep -c "^key=$PREFIX" "$TMP/mctool")"
	ratio "listfast_x@$tag" "$fast_s" "$SECS"
	settle	# the CPU the servers spend meanwhile is counted: none left over from the others
	# shellcheck disable=SC2046
	sampled /dev/null "$RAWREAD" walk 127.0.0.1 $(ports "$pool") || peer_failed "rawread walk ($tag)"
	expect_count "rawread walk ($tag)" "$(cut -d' ' -f1 "$TMP/err")" "$n"
	record "raw_rate@$tag" "$(rate_of "$n" "$SECS")"
	cpu raw "$tag"
	ratio "raw_x@$tag" "$(last "dump_rate@$tag")" "$(last "raw_rate@$tag")"
	ratio "cpu_x@$tag" "$(last "raw_total@$tag")" "$(last "dump_total@$tag")"
	settle	# the keys alone: what a complete walk costs the servers, values and decoding aside
	# shellcheck disable=SC2046
	sampled /dev/null "$RAWREAD" keys 127.0.0.1 $(ports "$pool") || peer_failed "rawread keys ($tag)"
	expect_count "rawread keys ($tag)" "$(cut -d' ' -f1 "$TMP/err")" "$n"
	record "keys_s@$tag" "$SECS"
	cpu keys "$tag"
	[ "$tag" = small ] || ratio "keys_scale@$tag" "$SECS" "$(last "dump_s@$FIRST")"
	settle
	stopwatch php tests/bench/php-dump.php "$pool" "$dist" >/dev/null 2>"$TMP/err" ||
		peer_failed "PHP getAllKeys/getMulti dump (php-dump.php, $tag)"
	local found failed
	read -r _ found got failed _ < <(grep '^php-dump:' "$TMP/err")
	[ "${failed:-1}" -eq 0 ] || fail "php-dump.php could not decode $failed sessions"
	record "php_found@$tag" "$found"
	record "php_rate@$tag" "$(rate_of "$got" "$SECS")"
	ratio "php_x@$tag" "$(last "dump_rate@$tag")" "$(last "php_rate@$tag")"
}

# top_cpu TAG POOL DIST: memcsess top -d 1 --readonly in a detached tmux on POOL; after 5 s,
# utime+stime over TOP_SECS from /proc, as % of one core; and its threads at the end.
top_cpu() {
	local tag=$1 pool=$2 dist=$3 pid t0 t1 f k v
	say "memcsess top on $(servers "$pool" | wc -l) servers for 5 + ${TOP_SECS}s"
	tm new-session -d -s "top$tag" -x 160 -y 45 \
		"exec $MEMCSESS -s $pool --distribution $dist --timeout $TIMEOUT top -d 1 --readonly"
	read -r -t 5 -u "$NEVER" _
	# the pane's process: the shell that exec'd memcsess (a pid file was once read back wrong)
	pid=$(tm list-panes -t "top$tag" -F '#{pane_pid}' 2>/dev/null | head -1)
	case $pid in '' | *[!0-9]*) fail "memcsess top did not start ($tag): pane pid '$pid'" ;; esac
	read -r -a f <"/proc/$pid/stat" 2>/dev/null || fail "memcsess top ended early ($tag)"
	t0=$((f[13] + f[14]))
	read -r -t "$TOP_SECS" -u "$NEVER" _
	read -r -a f <"/proc/$pid/stat" 2>/dev/null || fail "memcsess top ended early ($tag)"
	t1=$((f[13] + f[14]))
	while read -r k v; do [ "$k" = Threads: ] && break; done <"/proc/$pid/status"
	pane "top$tag"
	grep -q 'memcsess top' "$TMP/pane.top$tag" || fail "memcsess top shows no console ($tag)"
	tm kill-session -t "top$tag"
	record "top_pct@$tag" "$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v s="$TOP_SECS" \
		'BEGIN { printf "%.2f", 100 * d / hz / s }')"
	record "top_threads@$tag" "$v"
}

# --- A: the same small sessions in pools of every size -----------------------------------------
read -r -a SIZE_LIST <<<"$SIZES"
FIRST=${SIZE_LIST[0]}
LASTSZ=${SIZE_LIST[${#SIZE_LIST[@]} - 1]}
say "part A: pools of $SIZES servers ($DIST), $NA sessions each"
for s in "${SIZE_LIST[@]}"; do
	[ "$DIST" = ketama ] && [ "$s" -gt 100 ] && fail "ketama cannot place sessions on more than 100 servers (libmemcached)"
	say "starting $s memcached"
	start_pool "POOL$s" "$s" "$NA" -t 1 -c 128
done
for s in "${SIZE_LIST[@]}"; do
	pool_var=POOL$s
	fill "${!pool_var}" "$DIST" "$NA"
done
pool_var=POOL$FIRST
sizes "${!pool_var}" "$DIST" sizes_a
for ((r = 1; r <= RUNS; r++)); do
	for s in "${SIZE_LIST[@]}"; do
		say "run $r of $RUNS: $s servers"
		pool_var=POOL$s
		measure "$s" "${!pool_var}" "$DIST" "$NA"
	done
	for s in "${SIZE_LIST[@]}"; do
		ratio "dump_scale@$s" "$(last "dump_s@$s")" "$(last "dump_s@$FIRST")"
	done
done
tmux_start
for s in $(printf '%s\n' "$FIRST" "$LASTSZ" | uniq); do
	pool_var=POOL$s
	settle
	top_cpu "$s" "${!pool_var}" "$DIST"
done
for s in "${SIZE_LIST[@]}"; do stop_pool "POOL$s"; done

# --- B: a million small sessions on 2 servers -------------------------------------------------
if [ "$NB" -gt 0 ]; then
	say "part B: 2 servers, $NB sessions"
	start_pool SMALL 2 "$NB" -c 4096
	fill "$SMALL" ketama "$NB"
	sizes "$SMALL" ketama sizes_b
	for ((r = 1; r <= RUNS; r++)); do
		say "run $r of $RUNS: $NB small sessions"
		measure small "$SMALL" ketama "$NB"
	done
	stop_pool SMALL
fi

# --- the table --------------------------------------------------------------------------------
m() { median "$1"; }
secs() { awk -v v="$1" 'BEGIN { printf (v < 10 ? "%.3f s" : "%.1f s"), v }'; }
rate() { awk -v v="$1" 'BEGIN { printf "%.0f/s", v }'; }
times() { awk -v v="$1" 'BEGIN { printf "%.2fx", v }'; }
xcell() {
	local each
	each=$(awk '{ printf "%s%.2f", (NR > 1 ? ", " : ""), $1 }' "$RES/$1")
	if [ "$RUNS" -gt 1 ]; then echo "$(times "$(m "$1")") ($each)"; else times "$(m "$1")"; fi
}
yes_if() { awk "BEGIN { print (($1) ? \"yes\" : \"no\") }"; }
row() { local IFS=$'\t'; echo "$*"; }
# arow LABEL FORMAT NAME: a row of part A, one cell per pool size.
arow() {
	local s cells=()
	for s in "${SIZE_LIST[@]}"; do
		if [ "$2" = cpucell ]; then cells+=("$(cpucell "$3" "$s")")
		elif [ -s "$RES/$3@$s" ]; then cells+=("$("$2" "$(m "$3@$s")")"); else cells+=(-); fi
	done
	row "$1" "${cells[@]}"
}
# cpucell NAME TAG: medians of the CPU figures cpu recorded, as "A s + B s, C cores".
cpucell() {
	[ -s "$RES/$1_cpu@$2" ] || { echo -; return; }
	echo "$(m "$1_cpu@$2") s + $(m "$1_mc@$2") s, $(m "$1_busy@$2") cores"
}
mb() { echo "$1 MB"; }
plain() { echo "$1"; }
pct() { echo "$1%"; }
found() { echo "$1 of $NA"; }
table_a() {
	local s heads=()
	for s in "${SIZE_LIST[@]}"; do heads+=("$s servers"); done
	row "A: $NA sessions" "${heads[@]}"
	arow "dump" secs dump_s
	arow "dump, sessions/s" rate dump_rate
	arow "dump peak RSS" mb dump_rss
	arow "dump peak threads" plain dump_threads
	if [ -n "${MEMCSESS_OLD:-}" ]; then
		arow "dump, MEMCSESS_OLD" secs old_s
		arow "dump peak RSS, MEMCSESS_OLD" mb old_rss
		arow "dump peak threads, MEMCSESS_OLD" plain old_threads
	fi
	arow "list (values read: handler, preview)" secs list_s
	arow "list peak RSS" mb list_rss
	arow "list peak threads" plain list_threads
	arow "list --fast" secs listfast_s
	arow "memcached-tool keys, servers in turn" secs mctool_s
	arow "memcached-tool keys found" found mctool_found
	arow "dump CPU: memcsess, memcached" cpucell dump
	arow "raw reader (metadump + pipelined mg, all servers at once), sessions/s" rate raw_rate
	arow "raw reader CPU: reader, memcached" cpucell raw
	arow "keys alone (metadump hash, all servers at once)" secs keys_s
	arow "keys alone CPU: reader, memcached" cpucell keys
	local cells=() pool_var
	for s in "${SIZE_LIST[@]}"; do pool_var=POOL$s; cells+=("${BUCKETS[${!pool_var}]}"); done
	row "hash table buckets metadump hash walks, all servers" "${cells[@]}"
	arow "PHP dump script, sessions/s" rate php_rate
	arow "PHP getAllKeys() found" found php_found
	arow "top -d 1, ${TOP_SECS}s, % of a core (1 run)" pct top_pct
	arow "top threads" plain top_threads
}
table_x() {
	row "ratio (run by run)" "pool" "median (each run)" goal met
	local s
	for s in "${SIZE_LIST[@]}"; do
		[ "$s" = "$FIRST" ] && continue
		row "dump($s) / dump($FIRST), time" "A, $s servers" "$(xcell "dump_scale@$s")" "<= 1.3x" \
			"$(yes_if "$(m "dump_scale@$s") <= 1.3")"
	done
	for s in "${SIZE_LIST[@]}"; do
		[ "$s" = "$FIRST" ] && continue
		row "keys alone($s) / dump($FIRST), time: the floor of dump($s)" "A, $s servers" \
			"$(xcell "keys_scale@$s")" - -
	done
	for s in "${SIZE_LIST[@]}"; do
		row "dump / raw reader, rate" "A, $s servers" "$(xcell "raw_x@$s")" ">= 0.9x" \
			"$(yes_if "$(m "raw_x@$s") >= 0.9")"
	done
	[ "$NB" -gt 0 ] && row "dump / raw reader, rate" "B, 2 servers" "$(xcell raw_x@small)" ">= 0.9x" \
		"$(yes_if "$(m raw_x@small) >= 0.9")"
	for s in "${SIZE_LIST[@]}"; do
		row "raw reader / dump, CPU of client and servers" "A, $s servers" "$(xcell "cpu_x@$s")" - -
	done
	[ "$NB" -gt 0 ] && row "raw reader / dump, CPU of client and servers" "B, 2 servers" \
		"$(xcell cpu_x@small)" - -
	for s in "${SIZE_LIST[@]}"; do
		row "dump / PHP script, rate" "A, $s servers" "$(xcell "php_x@$s")" ">= 4x" \
			"$(yes_if "$(m "php_x@$s") >= 4")"
	done
	[ "$NB" -gt 0 ] && row "dump / PHP script, rate" "B, 2 servers" "$(xcell php_x@small)" ">= 4x" \
		"$(yes_if "$(m php_x@small) >= 4")"
	for s in "${SIZE_LIST[@]}"; do
		row "list / dump, time" "A, $s servers" "$(xcell "list_x@$s")" "<= 1x" \
			"$(yes_if "$(m "list_x@$s") <= 1")"
	done
	[ "$NB" -gt 0 ] && row "list / dump, time" "B, 2 servers" "$(xcell list_x@small)" "<= 1x" \
		"$(yes_if "$(m list_x@small) <= 1")"
	for s in "${SIZE_LIST[@]}"; do
		row "list --fast / memcached-tool keys, time" "A, $s servers" "$(xcell "listfast_x@$s")" "<= 1x" \
			"$(yes_if "$(m "listfast_x@$s") <= 1")"
	done
	[ "$NB" -gt 0 ] && row "list --fast / memcached-tool keys, time" "B, 2 servers" \
		"$(xcell listfast_x@small)" "<= 1x" "$(yes_if "$(m listfast_x@small) <= 1")"
	row "dump peak RSS" "A, $LASTSZ servers" "$(m "dump_rss@$LASTSZ") MB" "< 32 MB" \
		"$(yes_if "$(m "dump_rss@$LASTSZ") < 32")"
	row "top CPU" "A, $LASTSZ servers" "$(m "top_pct@$LASTSZ")% of a core" "< 1%" \
		"$(yes_if "$(m "top_pct@$LASTSZ") < 1")"
}
table_b() {
	row "B: $NB sessions, 2 servers" memcsess peer "peer value"
	row "dump" "$(secs "$(m dump_s@small)"), $(rate "$(m dump_rate@small)")" - -
	row "dump peak RSS, threads" "$(m dump_rss@small) MB, $(m dump_threads@small)" - -
	row "dump, sessions/s" "$(rate "$(m dump_rate@small)")" "PHP dump script (on the $(m php_found@small) getAllKeys() found)" \
		"$(rate "$(m php_rate@small)")"
	row "dump, sessions/s" "$(rate "$(m dump_rate@small)")" "raw reader (metadump + pipelined mg)" \
		"$(rate "$(m raw_rate@small)")"
	row "dump CPU: memcsess, memcached" "$(cpucell dump small)" "raw reader CPU: reader, memcached" \
		"$(cpucell raw small)"
	row "keys alone (metadump hash)" "-" "time, CPU: reader, memcached" \
		"$(secs "$(m keys_s@small)"), $(cpucell keys small)"
	row "list" "$(secs "$(m list_s@small)")" "memcsess dump" "$(secs "$(m dump_s@small)")"
	row "list --fast" "$(secs "$(m listfast_s@small)")" "memcached-tool keys, servers in turn" \
		"$(secs "$(m mctool_s@small)")"
}
{
	echo "memcsess pools benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null)"
	echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
		"load $(cut -d' ' -f1-3 /proc/loadavg), $(memcached -V), PHP $(php -r 'echo PHP_VERSION, " memcached ", phpversion("memcached");')"
	echo "medians of $RUNS runs, ratios run by run; part A placed with $DIST, part B with ketama"
	echo "A sizes: $(cat "$RES/sizes_a")"
	[ "$NB" -gt 0 ] && echo "B sizes: $(cat "$RES/sizes_b")"
	printf '%s' "$FILL_LOG"
	echo
	table_a | column -t -s $'\t'
	echo
	[ "$NB" -gt 0 ] && { table_b | column -t -s $'\t'; echo; }
	table_x | column -t -s $'\t'
	echo
	echo "Every dump writes into /dev/null (dump --stats counts it); the PHP script's rate is over"
	echo "what its getAllKeys() found. Threads: the most seen in /proc every 10 ms. CPU: the"
	echo "command's user and system time, and the servers' (/proc/PID/stat) meanwhile; cores: both"
	echo "over the wall time. Where the cores are full, a rate ratio follows the CPU ratio."
} | tee "$OUT/pools.txt"
say "done in $(elapsed "$STARTED")s; table in $OUT/pools.txt"
