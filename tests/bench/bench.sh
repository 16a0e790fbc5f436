#!/bin/bash
# make bench (issue 8): memcsess against what people use today, on two local pools of memcached
# (2 and 3 servers on loopback) that real PHP fills through its memcached session handler.
# Prints one table (stdout and $BENCH_DIR/results.txt): per figure the median of BENCH_RUNS
# runs for memcsess and for the peer, and the median of the run-by-run ratios. Progress goes to
# stderr. Every command's exit status and every count is checked; nothing here is a test.
# Environment: BENCH_SESSIONS (1000000), BENCH_RUNS (3), BENCH_TOP_SECONDS (60),
# BENCH_DIR (build/bench), MEMCSESS (./memcsess), RAWREAD (build/bench/rawread).
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
: "${MEMCSESS:=$ROOT/memcsess}"
N=${BENCH_SESSIONS:-1000000}
. tests/lib.sh		# TMP, mc_start_var, mc_cmd; stops every server on exit
trap 'exit 130' INT TERM
RUNS=${BENCH_RUNS:-3}
TOP_SECS=${BENCH_TOP_SECONDS:-60}
OUT=${BENCH_DIR:-build/bench}
RAWREAD=${RAWREAD:-$ROOT/build/bench/rawread}
WATCHPARSE=${WATCHPARSE:-$ROOT/build/bench/watchparse}
MCTOOL=/usr/share/memcached/scripts/memcached-tool
PREFIX=memc.sess.key.
SAMPLE=10000		# keys fetched with memccat, one get each
RES=$TMP/res		# one file per measure, one value a line per run
mkdir -p "$OUT" "$RES"
STARTED=$EPOCHREALTIME

say() { printf 'bench [%5.0fs]: %s\n' "$(elapsed "$STARTED")" "$*" >&2; }
fail() { echo "bench: error: $*" >&2; exit 1; }
# elapsed T0: seconds since $EPOCHREALTIME was T0.
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.4f", b - a }'; }
# peer_failed WHAT: stops the run, showing the failing tool's standard error.
peer_failed() { fail "$1 failed: $(tail -5 "$TMP/err")"; }
# expect_count WHAT GOT WANT: stops the run when a tool did not handle every session.
expect_count() { [ "$2" -eq "$3" ] || fail "$1: $2 sessions, expected $3"; }

case $N in '' | *[!0-9]*) fail "BENCH_SESSIONS must be a number" ;; esac
case $RUNS in '' | *[!0-9]* | 0) fail "BENCH_RUNS must be a number above 0" ;; esac
[ "$N" -ge 10000 ] || fail "BENCH_SESSIONS must be at least 10000"
for t in "$MEMCSESS" "$RAWREAD" "$WATCHPARSE" "$MCTOOL" /usr/bin/time; do
	[ -x "$t" ] || fail "$t is missing (run make bench)"
done
for t in memcached memcdump memccat php perl; do
	command -v "$t" >/dev/null || fail "$t is missing (run make deps)"
done

# stopwatch CMD...: runs CMD; sets SECS to its wall time; returns its exit status.
stopwatch() {
	local t0=$EPOCHREALTIME rc
	"$@"
	rc=$?
	SECS=$(elapsed "$t0")
	return $rc
}
# measured CMD...: stopwatch under GNU time; sets SECS and RSS_MB (peak resident set).
measured() {
	stopwatch /usr/bin/time -f %M -o "$TMP/rss" "$@"
	local rc=$?
	RSS_MB=$(tail -1 "$TMP/rss" | awk '{ printf "%.1f", $1 / 1024 }')
	return $rc
}
# record NAME VALUE: one run's value of a measure.
record() { echo "$2" >>"$RES/$1"; }
# ratio NAME A B: records A/B as a run's ratio.
bytes_each() { awk -v b="$1" 'BEGIN { printf "%d B/session written", b }'; }
ratio() { record "$1" "$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }')"; }
# median NAME: the median of a measure's runs.
median() { sort -g "$RES/$1" | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# servers POOL: one host:port a line.
servers() { tr , '\n' <<<"$1"; }
port_of() { echo "${1##*:}"; }

# start_pool VAR COUNT: COUNT memcached on loopback, memory sized for N sessions of up to 8 KB
# (about 1.7 KB on average); sets VAR to the pool as PHP's save_path has it.
start_pool() {
	local var=$1 count=$2 mb i list=()
	mb=$((N * 6 / count / 1024))
	((mb < 64)) && mb=64
	((mb > 4096)) && mb=4096
	for ((i = 0; i < count; i++)); do
		mc_start_var MC_PORT -m "$mb" -c 4096 || fail "cannot start memcached"
		list+=("127.0.0.1:$MC_PORT")
	done
	printf -v "$var" '%s' "$(IFS=,; echo "${list[*]}")"
}
# stat_sum POOL NAME: a `stats` counter summed over the servers of a pool.
stat_sum() {
	local s
	for s in $(servers "$1"); do mc_cmd "$(port_of "$s")" stats; done |
		awk -v n="$2" '$2 == n { t += $3 } END { print t + 0 }'
}
# flush POOL: empties every server of a pool.
flush() {
	local s
	for s in $(servers "$1"); do
		[ "$(mc_cmd "$(port_of "$s")" flush_all | tr -d '\r')" = OK ] || fail "flush_all failed on $s"
	done
}
# raw_keys POOL: how many keys a pool holds, read with the raw reader (flushed items are not).
raw_keys() {
	local s
	for s in $(servers "$1"); do
		"$RAWREAD" metadump 127.0.0.1 "$(port_of "$s")" 2>/dev/null || fail "rawread on $s failed"
	done | grep -c "^$PREFIX"
}

FILLED=0
FILL_SECS=0
# fill_to COUNT: real PHP writes sessions FILLED..COUNT-1 into SRC, two processes on halves.
fill_to() {
	local to=$1 half=$((($1 - FILLED) / 2)) t0=$EPOCHREALTIME p1 p2
	say "filling $SRC with PHP sessions $FILLED..$((to - 1))"
	local php=(php -d session.save_handler=memcached -d "session.save_path=$SRC"
		-d session.gc_maxlifetime=86400 tests/bench/fill.php)
	"${php[@]}" "$FILLED" "$half" >>"$TMP/sids.1" &
	p1=$!
	"${php[@]}" "$((FILLED + half))" "$((to - FILLED - half))" >>"$TMP/sids.2" &
	p2=$!
	MC_PIDS+=($p1 $p2)	# stopped on exit too
	wait $p1 || fail "PHP could not write sessions (fill.php)"
	wait $p2 || fail "PHP could not write sessions (fill.php)"
	FILL_SECS=$(awk -v a="$FILL_SECS" -v b="$(elapsed "$t0")" 'BEGIN { print a + b }')
	FILLED=$to
	cat "$TMP/sids.1" "$TMP/sids.2" >"$TMP/sids"
	expect_count "sids written by fill.php" "$(wc -l <"$TMP/sids")" "$to"
	[ "$(stat_sum "$SRC" evictions)" -eq 0 ] || fail "memcached evicted sessions: pool too small"
}

# pool_ticks: CPU ticks used so far by every memcached this script started.
pool_ticks() {
	local p t=0 f
	for p in "${MC_PIDS[@]}"; do
		read -r -a f 2>/dev/null </proc/"$p"/stat || continue
		[ "${f[1]}" = "(memcached)" ] && t=$((t + f[13] + f[14]))
	done
	echo "$t"
}
# pool_count: how many memcached this script started are running.
pool_count() {
	local p n=0 f
	for p in "${MC_PIDS[@]}"; do
		read -r -a f 2>/dev/null </proc/"$p"/stat || continue
		[ "${f[1]}" = "(memcached)" ] && n=$((n + 1))
	done
	echo "$n"
}
# settle: waits (at most 120 s) until the servers are quiet: at most a tick of CPU a second for
# each server (an idle memcached holding a million items uses about that: its LRU maintainer).
# After a fill, or after a migrate's million writes, memcached's LRU maintainer and crawler
# work on for a while; a dump measured then pays for that (194,000/s instead of 330,000/s).
# Every timed dump, the PHP script's too, starts on quiet servers.
settle() {
	local i a b n
	n=$(pool_count)
	for ((i = 0; i < 120; i++)); do
		a=$(pool_ticks)
		sleep 1
		b=$(pool_ticks)
		((b - a <= n)) && return 0
	done
	say "the servers are still busy after 120 s; measuring anyway"
}

# dump_and_migrate AT: memcsess dump and migrate with AT sessions in SRC (figures 6 and 8).
dump_and_migrate() {
	local at=$1
	settle
	# Into /dev/null, as the PHP script's figure: what the tools do, not what the machine's page
	# cache costs (see dump_to_file); dump --stats counts what was written.
	measured "$MEMCSESS" -s "$SRC" dump --stats >/dev/null 2>"$TMP/err" || peer_failed "memcsess dump"
	local n bytes
	read -r n bytes < <(sed -n 's/^dump: \([0-9]*\) sessions, \([0-9]*\) bytes in .*/\1 \2/p' "$TMP/err")
	expect_count "memcsess dump" "${n:-0}" "$at"
	record "dump_bytes@$at" "$(awk -v b="$bytes" -v n="$n" 'BEGIN { print b / n }')"
	record "dump_s@$at" "$SECS"
	record "dump_rss@$at" "$RSS_MB"
	flush "$DST"
	measured "$MEMCSESS" migrate --from "$SRC" --to "$DST" >/dev/null 2>"$TMP/err" ||
		peer_failed "memcsess migrate"
	expect_count "memcsess migrate (sessions on the target)" "$(raw_keys "$DST")" "$at"
	record "migrate_s@$at" "$SECS"
	record "migrate_rss@$at" "$RSS_MB"
}

# dump_to_file NAME DIR: the full dump into a file in DIR (when DIR has room for it), its lines
# counted; records NAME as its rate, or nothing. Fresh pages cost this virtual machine a lot and
# unevenly (dd of 3.5 GB into /dev/shm: 0.6 to 6 s), and past the kernel's dirty-page limits a
# write to the disk waits for the disk: shown beside the figure, not as it.
dump_to_file() {
	local kb
	kb=$(df -Pk "$2" 2>/dev/null | awk 'NR == 2 { print $4 }')
	[ "${kb:-0}" -gt $((N * 5)) ] || return 0
	stopwatch "$MEMCSESS" -s "$SRC" dump >"$2/memcsess-bench-dump.jsonl" 2>"$TMP/err" ||
		peer_failed "memcsess dump > $2"
	expect_count "memcsess dump > $2" "$(wc -l <"$2/memcsess-bench-dump.jsonl")" "$N"
	rm -f "$2/memcsess-bench-dump.jsonl"
	record "$1" "$(awk -v n="$N" -v s="$SECS" 'BEGIN { print n / s }')"
}

# mctool MODE: memcached-tool keys or dump over the SRC servers one after another.
mctool() {
	local s
	for s in $(servers "$SRC"); do "$MCTOOL" "$s" "$1" || return 1; done
}
# memcdump_keys: memcdump over the servers one after another; one file of keys per server.
memcdump_keys() {
	local s
	for s in $(servers "$SRC"); do
		memcdump --servers="$s" >"$TMP/memcdump.$(port_of "$s")" || return 1
	done
}
# memccat_sample: memccat (xargs, one get per key) on the first SAMPLE keys memcdump found,
# taken evenly from each server; sets SAMPLED to how many keys it asked for.
memccat_sample() {
	local s count per
	count=$(servers "$SRC" | wc -l)
	per=$(((SAMPLE + count - 1) / count))
	for s in $(servers "$SRC"); do
		head -n "$per" "$TMP/memcdump.$(port_of "$s")" >"$TMP/sample.$(port_of "$s")"
	done
	SAMPLED=$(cat "$TMP"/sample.* | wc -l)
	for s in $(servers "$SRC"); do
		xargs memccat --servers="$s" <"$TMP/sample.$(port_of "$s")" >>"$TMP/memccat.out" || return 1
	done
}
# raw_parallel MODE: the raw reader on every SRC server at once (metadump writes keys.PORT,
# mg reads them); prints the items seen.
raw_parallel() {
	local s p pids=() rc=0
	for s in $(servers "$SRC"); do
		p=$(port_of "$s")
		if [ "$1" = metadump ]; then
			"$RAWREAD" metadump 127.0.0.1 "$p" >"$TMP/keys.$p" 2>"$TMP/raw.$p" &
		else
			"$RAWREAD" mg 127.0.0.1 "$p" <"$TMP/keys.$p" 2>"$TMP/raw.$p" &
		fi
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	[ $rc -eq 0 ] || { cat "$TMP"/raw.* >"$TMP/err"; return 1; }
}
raw_items() { cat "$TMP"/raw.* | awk '{ t += $1 } END { print t }'; }

# one_run: every figure at N once; records each value and each ratio.
one_run() {
	local n
	say "run $1 of $RUNS: list"
	stopwatch "$MEMCSESS" -s "$SRC" list >"$TMP/list" 2>"$TMP/err" || peer_failed "memcsess list"
	record list_s "$SECS"
	record found_memcsess "$(($(wc -l <"$TMP/list") - 1))"
	local list_s=$SECS
	stopwatch "$MEMCSESS" -s "$SRC" list --fast >"$TMP/list" 2>"$TMP/err" ||
		peer_failed "memcsess list --fast"
	expect_count "memcsess list --fast" "$(($(wc -l <"$TMP/list") - 1))" "$N"
	record listfast_s "$SECS"
	local listfast_s=$SECS
	# doctor without --deep walks the keys as list --fast does (exit 5/6: it found something)
	stopwatch "$MEMCSESS" -s "$SRC" doctor >"$TMP/doctor" 2>"$TMP/err" ||
		{ local rc=$?; [ "$rc" -eq 5 ] || [ "$rc" -eq 6 ]; } || peer_failed "memcsess doctor"
	record doctor_s "$SECS"
	ratio doctor_x "$listfast_s" "$SECS"
	stopwatch mctool keys >"$TMP/mctool" 2>"$TMP/err" || peer_failed "memcached-tool keys"
	record mctool_keys_s "$SECS"
	record found_mctool "$(grep -c "^key=$PREFIX" "$TMP/mctool")"
	ratio list_x "$SECS" "$list_s"
	ratio listfast_x "$SECS" "$listfast_s"

	say "run $1 of $RUNS: dump"
	dump_and_migrate "$N"
	local dump_s migrate_s
	dump_s=$(tail -1 "$RES/dump_s@$N")
	migrate_s=$(tail -1 "$RES/migrate_s@$N")
	record dump_rate "$(awk -v n="$N" -v s="$dump_s" 'BEGIN { print n / s }')"
	settle
	stopwatch php tests/bench/php-dump.php "$SRC" >/dev/null 2>"$TMP/err" ||
		peer_failed "PHP getAllKeys/getMulti dump (php-dump.php)"
	local bytes
	read -r _ found n failed bytes < <(grep '^php-dump:' "$TMP/err")
	[ "$failed" -eq 0 ] || fail "php-dump.php could not decode $failed sessions"
	record found_php "$found"
	record php_dump_rate "$(awk -v n="$n" -v s="$SECS" 'BEGIN { print n / s }')"
	record php_dump_bytes "$(awk -v b="$bytes" -v n="$n" 'BEGIN { print b / n }')"
	ratio php_dump_x "$(tail -1 "$RES/dump_rate")" "$(tail -1 "$RES/php_dump_rate")"
	# The same data as PHP writes (no stored bytes), beside the full dump.
	settle
	stopwatch "$MEMCSESS" -s "$SRC" dump --no-value --stats >/dev/null 2>"$TMP/err" ||
		peer_failed "memcsess dump --no-value"
	read -r n bytes < <(sed -n 's/^dump: \([0-9]*\) sessions, \([0-9]*\) bytes in .*/\1 \2/p' "$TMP/err")
	expect_count "memcsess dump --no-value" "${n:-0}" "$N"
	record novalue_rate "$(awk -v n="$N" -v s="$SECS" 'BEGIN { print n / s }')"
	record novalue_bytes "$(awk -v b="$bytes" -v n="$N" 'BEGIN { print b / n }')"
	ratio novalue_x "$(tail -1 "$RES/novalue_rate")" "$(tail -1 "$RES/php_dump_rate")"
	dump_to_file shm_rate /dev/shm
	dump_to_file disk_rate "$OUT"
	stopwatch memcdump_keys 2>"$TMP/err" || peer_failed "memcdump"
	record memcdump_s "$SECS"
	record found_memcdump "$(cat "$TMP"/memcdump.* | grep -c "^$PREFIX")"
	rm -f "$TMP/memccat.out"
	stopwatch memccat_sample 2>"$TMP/err" || peer_failed "memccat"
	record memccat_rate "$(awk -v n="$SAMPLED" -v s="$SECS" 'BEGIN { print n / s }')"
	ratio memccat_x "$(tail -1 "$RES/dump_rate")" "$(tail -1 "$RES/memccat_rate")"
	stopwatch mctool dump >"$TMP/mctool" 2>"$TMP/err" || peer_failed "memcached-tool dump"
	n=$(grep -ac "^add $PREFIX" "$TMP/mctool")
	record found_mctool_dump "$n"
	record mctool_dump_rate "$(awk -v n="$n" -v s="$SECS" 'BEGIN { print n / s }')"
	ratio mctool_dump_x "$(tail -1 "$RES/dump_rate")" "$(tail -1 "$RES/mctool_dump_rate")"

	say "run $1 of $RUNS: decode"
	# Both time decoding alone inside the run (--stats; hrtime around the calls in PHP), and
	# the whole run from outside.
	stopwatch "$MEMCSESS" decode --lines --stats "$OUT/values.jsonl" >/dev/null 2>"$TMP/err" ||
		peer_failed "memcsess decode --lines"
	local decode_s=$SECS bytes php_s n_ours bytes_ours alone_s
	read -r n_ours bytes_ours alone_s < <(sed -n 's/^decode: \([0-9]*\) values, \([0-9]*\) bytes; decoding \([0-9.]*\) s.*/\1 \2 \3/p' "$TMP/err")
	[ -n "$alone_s" ] || peer_failed "memcsess decode --lines --stats (no stats line)"
	read -r n bytes php_s failed php_whole_s < <(php tests/bench/php-decode-rate.php "$OUT/values.jsonl" 2>"$TMP/err") ||
		peer_failed "PHP session_decode (php-decode-rate.php)"
	[ "$failed" -eq 0 ] || fail "php-decode-rate.php could not decode $failed sessions"
	expect_count "php-decode-rate.php" "$n" "$N"
	expect_count "memcsess decode --lines --stats" "$n_ours" "$N"
	[ "$bytes_ours" -eq "$bytes" ] || fail "decode: memcsess read $bytes_ours bytes of values, PHP $bytes"
	record decode_mbs "$(awk -v b="$bytes" -v s="$alone_s" 'BEGIN { print b / s / 1e6 }')"
	record decode_whole_mbs "$(awk -v b="$bytes" -v s="$decode_s" 'BEGIN { print b / s / 1e6 }')"
	record php_decode_mbs "$(awk -v b="$bytes" -v s="$php_s" 'BEGIN { print b / s / 1e6 }')"
	record php_whole_mbs "$(awk -v b="$bytes" -v s="$php_whole_s" 'BEGIN { print b / s / 1e6 }')"
	ratio decode_x "$(tail -1 "$RES/decode_mbs")" "$(tail -1 "$RES/php_decode_mbs")"
	ratio decode_whole_x "$(tail -1 "$RES/decode_whole_mbs")" "$(tail -1 "$RES/php_whole_mbs")"

	say "run $1 of $RUNS: migrate"
	record migrate_rate "$(awk -v n="$N" -v s="$migrate_s" 'BEGIN { print n / s }')"
	local batch
	for batch in 0 1000; do
		flush "$DST"
		stopwatch php tests/bench/php-migrate.php "$SRC" "$DST" "$TMP/sids" "$batch" \
			>"$TMP/php-migrate" 2>"$TMP/err" || peer_failed "php-migrate.php (batch $batch)"
		expect_count "php-migrate.php (batch $batch)" "$(cut -d' ' -f1 "$TMP/php-migrate")" "$N"
		# a peer that loses sessions is reported beside its figure, not stopped for
		record "php_migrate_found@$batch" "$(raw_keys "$DST")"
		record "php_migrate_rate@$batch" "$(awk -v n="$N" -v s="$SECS" 'BEGIN { print n / s }')"
		ratio "php_migrate_x@$batch" "$(tail -1 "$RES/migrate_rate")" \
			"$(tail -1 "$RES/php_migrate_rate@$batch")"
	done

	say "run $1 of $RUNS: limits of the machine (raw reader)"
	stopwatch raw_parallel metadump || peer_failed "rawread metadump"
	expect_count "rawread metadump" "$(raw_items)" "$N"
	record raw_metadump_s "$SECS"
	ratio raw_metadump_x "$SECS" "$listfast_s"
	local meta_s=$SECS
	stopwatch raw_parallel mg || peer_failed "rawread mg"
	expect_count "rawread mg" "$(raw_items)" "$N"
	record raw_fetch_rate "$(awk -v n="$N" -v a="$meta_s" -v b="$SECS" 'BEGIN { print n / (a + b) }')"
	ratio raw_fetch_x "$(tail -1 "$RES/dump_rate")" "$(tail -1 "$RES/raw_fetch_rate")"
}

say "starting pools: 2 servers (source) and 3 servers (migration target)"
start_pool SRC 2
start_pool DST 3
POINTS=$(printf '%s\n' 10000 100000 1000000 $((N / 10)) |
	awk -v n="$N" '$1 < n && $1 >= 1000' | sort -nu)
for at in $POINTS; do
	fill_to "$at"
	for ((r = 1; r <= RUNS; r++)); do
		say "scaling at $at sessions, run $r of $RUNS: memcsess dump and migrate"
		dump_and_migrate "$at"
	done
done
fill_to "$N"
# The values decoded in figure 4, read from a file by both: dump lines without decoded data.
"$MEMCSESS" -s "$SRC" dump --no-data >"$OUT/values.jsonl" 2>"$TMP/err" || peer_failed "memcsess dump --no-data"
expect_count "memcsess dump --no-data" "$(wc -l <"$OUT/values.jsonl")" "$N"
for ((r = 1; r <= RUNS; r++)); do one_run "$r"; done

say "top: CPU of memcsess top over ${TOP_SECS}s with 16 servers (scripts/top-cpu.sh)"
SECS=$TOP_SECS bash scripts/top-cpu.sh "$MEMCSESS" --readonly >"$TMP/top" 2>"$TMP/err" ||
	peer_failed "scripts/top-cpu.sh"
TOP_PCT=$(sed -n 's/^cpu: \([0-9.]*\)%.*/\1/p' "$TMP/top")
[ -n "$TOP_PCT" ] || fail "scripts/top-cpu.sh printed no figure: $(cat "$TMP/top")"

say "watch: memcached log lines parsed and turned into events on one core (watchparse)"
for r in $(seq "$RUNS"); do
	"$WATCHPARSE" >"$TMP/wp" 2>"$TMP/err" || peer_failed watchparse
	record watch_lps "$(sed -n 's|^lines/s ||p' "$TMP/wp")"
done

# The table: rows of tab-separated cells, lined up by column(1).
m() { median "$1"; }
secs() { awk -v v="$1" 'BEGIN { printf (v < 10 ? "%.3f s" : "%.1f s"), v }'; }
rate() { awk -v v="$1" 'BEGIN { printf "%.0f/s", v }'; }
times() { awk -v v="$1" 'BEGIN { printf "%.2fx", v }'; }
# yes_if EXPR: "yes" when the awk expression holds, else "no".
# xcell NAME: a ratio's median, then each run's ratio in run order when there are several.
xcell() {
	local each
	each=$(awk '{ printf "%s%.2f", (NR > 1 ? ", " : ""), $1 }' "$RES/$1")
	if [ "$RUNS" -gt 1 ]; then echo "$(times "$(m "$1")") ($each)"; else times "$(m "$1")"; fi
}
yes_if() { awk "BEGIN { print (($1) ? \"yes\" : \"no\") }"; }
row() { local IFS=$'\t'; echo "$*"; }
BYTES=$(php -r '$b = 0; foreach (new SplFileObject($argv[1]) as $l) { $d = json_decode($l, true);
	if ($d) $b += $d["size"]; } echo $b;' "$OUT/values.jsonl")
REF=$(for at in $POINTS $N; do [ "$at" -ge 10000 ] && echo "$at"; done | head -1)
TENTH=$((N / 10))
table() {
	row figure memcsess peer "peer value" "ratio (x, >1: memcsess better)" goal met
	row "1 found of $N" "$(m found_memcsess) (list)" "memcached-tool keys" "$(m found_mctool)" - "all $N" \
		"$(yes_if "$(m found_memcsess) == $N")"
	row "1 found of $N" - "memcdump" "$(m found_memcdump)" - - -
	row "1 found of $N" - "PHP getAllKeys()" "$(m found_php)" - - -
	row "1 found of $N" - "memcached-tool dump" "$(m found_mctool_dump)" - - -
	row "2 list --fast (sid, TTL, idle, size)" "$(secs "$(m listfast_s)")" \
		"memcached-tool keys, servers in turn" "$(secs "$(m mctool_keys_s)")" \
		"$(xcell listfast_x)" "<= memcached-tool" "$(yes_if "$(m listfast_x) >= 1")"
	row "2 doctor (no values: metadump, stats)" "$(secs "$(m doctor_s)")" \
		"memcsess list --fast" "$(secs "$(m listfast_s)")" \
		"$(xcell doctor_x)" "about list --fast" "$(yes_if "$(m doctor_x) >= 0.8")"
	row "2 list (also reads every value: handler, preview)" "$(secs "$(m list_s)")" \
		"memcached-tool keys, servers in turn" "$(secs "$(m mctool_keys_s)")" \
		"$(xcell list_x)" - -
	row "3 dump, sessions/s (both into /dev/null)" "$(rate "$(m dump_rate)") ($(bytes_each "$(m "dump_bytes@$N")"))" \
		"PHP getAllKeys+getMulti+session_decode+json_encode (on the $(m found_php) found; $(bytes_each "$(m php_dump_bytes)"))" \
		"$(rate "$(m php_dump_rate)")" "$(xcell php_dump_x)" ">= 4x PHP" \
		"$(yes_if "$(m php_dump_x) >= 4")"
	[ -s "$RES/shm_rate" ] && row "3 dump > file on tmpfs, sessions/s" "$(rate "$(m shm_rate)")" \
		"(the same dump into /dev/shm)" - - - -
	[ -s "$RES/disk_rate" ] && row "3 dump > file on the disk, sessions/s" "$(rate "$(m disk_rate)")" \
		"(the same dump into $OUT)" - - - -
	row "3 dump --no-value, sessions/s" "$(rate "$(m novalue_rate)") ($(bytes_each "$(m novalue_bytes)"))" \
		"the same PHP script" \
		"$(rate "$(m php_dump_rate)")" "$(xcell novalue_x)" - -
	row "3 dump, sessions/s" "$(rate "$(m dump_rate)")" \
		"memcdump+xargs memccat, raw values into a file (rate of a $SAMPLE-key sample, extrapolated)" \
		"$(rate "$(m memccat_rate)")" "$(xcell memccat_x)" - -
	row "3 dump, sessions/s" "$(rate "$(m dump_rate)")" \
		"memcached-tool dump, raw values into a file, servers in turn" "$(rate "$(m mctool_dump_rate)")" \
		"$(xcell mctool_dump_x)" - -
	row "4 decode to JSON, MB/s" "$(awk -v v="$(m decode_mbs)" 'BEGIN { printf "%.1f MB/s", v }') (decode --lines --stats: decoding alone)" \
		"PHP session_decode+json_encode (decoding alone timed)" \
		"$(awk -v v="$(m php_decode_mbs)" 'BEGIN { printf "%.1f MB/s", v }')" \
		"$(xcell decode_x)" "> PHP" "$(yes_if "$(m decode_x) > 1")"
	row "4 decode to JSON, MB/s" "$(awk -v v="$(m decode_whole_mbs)" 'BEGIN { printf "%.1f MB/s", v }') (decode --lines, whole run)" \
		"PHP, whole run (read dump lines, decode, encode, write)" \
		"$(awk -v v="$(m php_whole_mbs)" 'BEGIN { printf "%.1f MB/s", v }')" \
		"$(xcell decode_whole_x)" - -
	row "5 migrate 2 -> 3 servers, sessions/s" "$(rate "$(m migrate_rate)")" \
		"php-migrate.php one by one ($(m php_migrate_found@0) of $N on the target)" \
		"$(rate "$(m php_migrate_rate@0)")" \
		"$(xcell php_migrate_x@0)" ">= 5x" "$(yes_if "$(m php_migrate_x@0) >= 5")"
	row "5 migrate 2 -> 3 servers, sessions/s" "$(rate "$(m migrate_rate)")" \
		"php-migrate.php getMulti/setMulti 1000 ($(m php_migrate_found@1000) of $N on the target)" \
		"$(rate "$(m php_migrate_rate@1000)")" \
		"$(xcell php_migrate_x@1000)" ">= 1.5x" "$(yes_if "$(m php_migrate_x@1000) >= 1.5")"
	local what
	for what in dump migrate; do
		row "6 $what peak RSS at $N" "$(m "${what}_rss@$N") MB" "memcsess at $TENTH" \
			"$(m "${what}_rss@$TENTH") MB" - "< 32 MB, flat (<= 1.25x)" \
			"$(yes_if "$(m "${what}_rss@$N") < 32 && $(m "${what}_rss@$N") <= 1.25 * $(m "${what}_rss@$TENTH")")"
	done
	row "7 top, 16 servers, -d 1, ${TOP_SECS}s" "$TOP_PCT% of a core (1 run)" - - - "< 1%" \
		"$(yes_if "$TOP_PCT < 1")"
	local at cost ref
	for what in dump migrate; do
		for at in $POINTS $N; do
			cost=$(awk -v s="$(m "${what}_s@$at")" -v n="$at" 'BEGIN { print s / n * 1e6 }')
			row "8 $what at $at" "$(secs "$(m "${what}_s@$at")"), $(printf '%.1f' "$cost") us/session" \
				- - - - -
		done
		ref=$(awk -v s="$(m "${what}_s@$REF")" -v n="$REF" 'BEGIN { print s / n * 1e6 }')
		row "8 $what linear" "cost per session at $N: $(printf '%.2f' "$(awk -v a="$cost" -v b="$ref" 'BEGIN { print a / b }')")x the cost at $REF" \
			- - - "<= 1.5x" "$(yes_if "$cost <= 1.5 * $ref")"
	done
	row "10 watch: log lines parsed + classified, per CPU second" "$(rate "$(m watch_lps)")" \
		- - - ">= 1000000/s" "$(yes_if "$(m watch_lps) >= 1000000")"
	row "9 keys: list --fast vs limit" "$(secs "$(m listfast_s)")" \
		"raw metadump hash, servers in parallel" "$(secs "$(m raw_metadump_s)")" \
		"$(times "$(m raw_metadump_x)") (share of the limit)" - -
	row "9 values: dump vs limit, sessions/s" "$(rate "$(m dump_rate)")" \
		"raw metadump + pipelined mg v, servers in parallel" "$(rate "$(m raw_fetch_rate)")" \
		"$(times "$(m raw_fetch_x)") (share of the limit)" - -
}
{
	echo "memcsess benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null)"
	echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
		"$(memcached -V), PHP $(php -r 'echo PHP_VERSION, " memcached ", phpversion("memcached");')"
	echo "$N sessions, $(awk -v b="$BYTES" -v n="$N" 'BEGIN { printf "%.0f", b / n }') B average" \
		"($(awk -v b="$BYTES" 'BEGIN { printf "%.0f MB", b / 1e6 }') in all), pools of 2 and 3 servers;" \
		"medians of $RUNS runs, ratios run by run"
	echo "fill: 2 PHP processes wrote $N sessions in $(secs "$FILL_SECS")" \
		"($(rate "$(awk -v n="$N" -v s="$FILL_SECS" 'BEGIN { print n / s }')"))"
	echo
	table | column -t -s $'\t'
	echo
	echo "3: both dumps write into /dev/null (dump --stats and the script count what they wrote);"
	echo "the rows with files show what the machine's page cache adds (see dump_to_file in bench.sh)."
	echo "ratio: peer time / memcsess time, or memcsess rate / peer rate. migrate: no --move, the"
	echo "target pool flushed before each run. 9: the raw reader does no decoding and writes nothing."
} | tee "$OUT/results.txt"
say "done in $(elapsed "$STARTED")s; table in $OUT/results.txt"
