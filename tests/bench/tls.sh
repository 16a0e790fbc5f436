#!/bin/bash
# make bench (issue 20): dump and migrate over TLS beside plaintext, on the same memcached -Z
# (its TLS listener and its notls: listener) holding the same sessions, which real PHP writes
# through the notls: one. migrate copies between two such servers, both sides plaintext or
# both TLS. Every exit status and count is checked; nothing here is a test.
#
# The method is bench.sh's: every timed command starts on quiet servers (settle), dumps go to
# /dev/null (dump --stats counts them: a 350 MB file costs this machine's page cache more, and
# more unevenly, than the protocols differ), plaintext and TLS take turns going first run by
# run, and the figure is the median of the run-by-run ratios. The first dump each way right
# after the fill, before the servers settle, is shown apart ("fresh").
#
# Beside each rate, where the CPU went during the command (milliseconds): memcsess (user +
# system), memcached's worker threads (the protocol and its TLS), and memcached's other threads
# (LRU maintainer, crawler, hash table, the rest), read from /proc/PID/task/*/stat. Per-run
# lines on stderr, the table on stdout and in $BENCH_DIR/tls-results.txt.
# Environment: BENCH_TLS_SESSIONS (100000), BENCH_RUNS (5), BENCH_DIR (build/bench),
# MEMCSESS (./memcsess).
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
: "${MEMCSESS:=$ROOT/memcsess}"
N=${BENCH_TLS_SESSIONS:-100000}
RUNS=${BENCH_RUNS:-5}
. tests/lib.sh		# TMP, mc_start_var, mc_cmd; stops every server on exit
trap 'exit 130' INT TERM
RES=$TMP/res		# one file per measure, one value a line per run
mkdir -p "$RES" "${BENCH_DIR:-build/bench}"
fail() { echo "bench-tls: error: $*" >&2; exit 1; }
say() { echo "bench-tls: $*" >&2; }
case $N in '' | *[!0-9]*) fail "BENCH_TLS_SESSIONS must be a number" ;; esac
case $RUNS in '' | *[!0-9]* | 0) fail "BENCH_RUNS must be a number above 0" ;; esac
command -v openssl >/dev/null || fail "the openssl command is missing (run make deps)"
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing (run make deps)"
HZ=$(getconf CLK_TCK)

C=$TMP/certs
mkdir -p "$C"
chmod 755 "$TMP" "$C"
(
	cd "$C" || exit 1
	printf '[req]\ndistinguished_name=dn\n[dn]\n[ext]\nsubjectAltName=IP:127.0.0.1\n' >srv.cnf
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj /CN=bench-ca &&
	openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=bench &&
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
		-extfile srv.cnf -extensions ext -out srv.pem && chmod 644 srv.key
) >"$TMP/certs.log" 2>&1 || fail "certificates: $(tail -3 "$TMP/certs.log")"
mb=$((N * 6 / 1024))
((mb < 64)) && mb=64
PLAIN=$(free_port)
mc_start_var TLSP -m "$mb" -Z -o "ssl_chain_cert=$C/srv.pem,ssl_key=$C/srv.key" \
	-l "notls:127.0.0.1:$PLAIN" || fail "cannot start memcached -Z"
DPLAIN=$(free_port)
mc_start_var DST -m "$mb" -Z -o "ssl_chain_cert=$C/srv.pem,ssl_key=$C/srv.key" \
	-l "notls:127.0.0.1:$DPLAIN" || fail "cannot start memcached -Z"
TLS=(--tls --tls-ca "$C/ca.pem")

# threads PID...: the CPU ticks memcached's threads have used, three numbers: its workers (the
# protocol, and its TLS), its crawler (which walks the items for lru_crawler metadump), and the
# rest (the LRU maintainer, the hash table's and the slabs' threads, the listener).
threads() {
	local p t f
	for p in "$@"; do
		for t in /proc/"$p"/task/*; do
			read -r -a f 2>/dev/null <"$t/stat" || continue
			echo "${f[1]} $((f[13] + f[14]))"
		done
	done | awk '$1 == "(mc-worker)" { w += $2; next } $1 == "(mc-itemcrawler)" { c += $2; next }
		{ o += $2 } END { print w + 0, c + 0, o + 0 }'
}
# settle: waits (at most 120 s) until both servers use at most a tick of CPU a second each, as
# bench.sh does: after a fill, or a migrate's writes, the LRU maintainer and crawler work on.
settle() {
	local i a b
	for ((i = 0; i < 120; i++)); do
		a=$(threads "$TLSP_PID" "$DST_PID" | awk '{ print $1 + $2 + $3 }')
		sleep 1
		b=$(threads "$TLSP_PID" "$DST_PID" | awk '{ print $1 + $2 + $3 }')
		((b - a <= 2)) && return 0
	done
	say "the servers are still busy after 120 s; measuring anyway"
}
# record NAME VALUE: one run's value of a measure.
record() { echo "$2" >>"$RES/$1"; }
# median NAME: the median of a measure's runs.
median() {
	sort -g "$RES/$1" | awk '{ v[NR] = $1 }
		END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# timed NAME CMD...: runs CMD (its output into $TMP/err), checks its exit status; records
# NAME (sessions a second) and the CPU milliseconds used meanwhile: NAME.cs by memcsess (user +
# system), NAME.mw by memcached's workers, NAME.mc by its crawler, NAME.mo by its other threads.
timed() {
	local name=$1 w0 c0 o0 w1 c1 o1 t0 t1
	shift
	read -r w0 c0 o0 < <(threads "$TLSP_PID" "$DST_PID")
	t0=$EPOCHREALTIME
	/usr/bin/time -f "%U %S" -o "$TMP/time" "$@" >/dev/null 2>"$TMP/err" ||
		fail "$name failed: $(tail -3 "$TMP/err")"
	t1=$EPOCHREALTIME
	read -r w1 c1 o1 < <(threads "$TLSP_PID" "$DST_PID")
	record "$name" "$(awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN { printf "%.0f", n / (b - a) }')"
	record "$name.cs" "$(awk '{ printf "%.0f", 1000 * ($1 + $2) }' "$TMP/time")"
	record "$name.mw" $(((w1 - w0) * 1000 / HZ))
	record "$name.mc" $(((c1 - c0) * 1000 / HZ))
	record "$name.mo" $(((o1 - o0) * 1000 / HZ))
	say "$(printf '%-18s %7s sessions/s  CPU ms: memcsess %4s; memcached: workers %4s, crawler %4s, other %4s' \
		"$name" "$(tail -1 "$RES/$name")" "$(tail -1 "$RES/$name.cs")" \
		"$(tail -1 "$RES/$name.mw")" "$(tail -1 "$RES/$name.mc")" "$(tail -1 "$RES/$name.mo")")"
}
# dump NAME SERVER [OPTION...]: a timed dump of the pool; checks that it found every session.
dump() {
	local name=$1 s=$2
	shift 2
	timed "$name" "$MEMCSESS" -s "$s" "$@" dump --stats
	grep -q "^dump: $N sessions," "$TMP/err" || fail "$name: $(tail -1 "$TMP/err")"
}
# migrate NAME [OPTION...]: a timed migrate into the emptied target; checks every copy.
migrate() {
	local name=$1
	shift
	[ "$(mc_cmd "$DPLAIN" flush_all | tr -d '\r')" = OK ] || fail "flush_all failed"
	settle
	timed "$name" "$MEMCSESS" "$@"
	grep -q "^migrate: $N read, $N copied" "$TMP/err" || fail "$name: $(tail -1 "$TMP/err")"
}
# cpu NAME: the CPU ms the last run of NAME cost, memcsess's and memcached's together.
cpu() {
	local k
	for k in cs mw mc mo; do tail -1 "$RES/$1.$k"; done | awk '{ t += $1 } END { print t }'
}
# ratio NAME TLS PLAIN: records the last run's TLS/plaintext rate as NAME, and as NAME.cpu the
# plaintext/TLS CPU: the rate TLS would reach were the dump bound by CPU alone.
ratio() {
	record "$1" "$(awk -v a="$(tail -1 "$RES/$2")" -v b="$(tail -1 "$RES/$3")" \
		'BEGIN { printf "%.4f", a / b }')"
	record "$1.cpu" "$(awk -v a="$(cpu "$3")" -v b="$(cpu "$2")" 'BEGIN { printf "%.4f", a / b }')"
}

say "PHP writes $N sessions through the notls: listener"
half=$((N / 2))
php_fill() { php -d session.save_handler=memcached -d "session.save_path=127.0.0.1:$PLAIN" \
	-d session.gc_maxlifetime=86400 tests/bench/fill.php "$@" >/dev/null 2>&1; }
php_fill 0 "$half" & p1=$!
php_fill "$half" "$((N - half))" & p2=$!
wait $p1 && wait $p2 || fail "PHP could not write the sessions"

# dumps FIGURE ORDER: one dump each way, settled, in ORDER ("plain tls" or "tls plain");
# records FIGURE.ratio.
dumps() {
	local fig=$1 order=$2 how
	for how in $order; do
		settle
		if [ "$how" = plain ]; then
			dump "$fig.plain" "127.0.0.1:$PLAIN"
		else
			dump "$fig.tls" "127.0.0.1:$TLSP" "${TLS[@]}"
		fi
	done
	ratio "$fig.ratio" "$fig.tls" "$fig.plain"
}
pct() { awk -v r="$(tail -1 "$RES/$1.ratio")" 'BEGIN { printf "%.0f%%", 100 * r }'; }

say "fresh: a dump each way at once after the fill, the servers not settled"
dump fresh.plain "127.0.0.1:$PLAIN"
dump fresh.tls "127.0.0.1:$TLSP" "${TLS[@]}"
ratio fresh.ratio fresh.tls fresh.plain
for ((r = 1; r <= RUNS; r++)); do
	order=$( ((r % 2)) && echo "plain tls" || echo "tls plain")
	say "run $r of $RUNS (${order%% *} first)"
	dumps dump "$order"
	for how in $order; do
		if [ "$how" = plain ]; then
			migrate migrate.plain migrate --from "127.0.0.1:$PLAIN" --to "127.0.0.1:$DPLAIN"
		else
			migrate migrate.tls "${TLS[@]}" migrate --from "127.0.0.1:$TLSP" \
				--to "127.0.0.1:$DST"
		fi
	done
	ratio migrate.ratio migrate.tls migrate.plain
	say "run $r: TLS at $(pct dump) (dump), $(pct migrate) (migrate) of the plaintext rate"
done

# row LABEL FIGURE: one line of the table (rates and CPU: medians).
row() {
	local f=$2 k
	printf '%-32s %8.0f %8.0f %5.0f%% %5.0f%% ' "$1" "$(median "$f.plain")" "$(median "$f.tls")" \
		"$(awk -v r="$(median "$f.ratio")" 'BEGIN { print 100 * r }')" \
		"$(awk -v r="$(median "$f.ratio.cpu")" 'BEGIN { print 100 * r }')"
	for k in plain tls; do
		printf ' %5s %4s %4s %4s' "$(median "$f.$k.cs")" "$(median "$f.$k.mw")" \
			"$(median "$f.$k.mc")" "$(median "$f.$k.mo")"
	done
	echo
}
{
	printf '%-32s %8s %8s %6s %6s  %-20s  %s\n' "$N sessions, medians" "plain/s" "TLS/s" \
		"TLS" "by CPU" "CPU ms, plaintext" "CPU ms, TLS"
	printf '%-32s %8s %8s %6s %6s  %5s %4s %4s %4s  %5s %4s %4s %4s\n' \
		"(memcached -Z, both listeners)" "" "" "" "" cli wrk crw oth cli wrk crw oth
	row "dump, settled ($RUNS runs)" dump
	row "dump, fresh (1 run)" fresh
	row "migrate, settled ($RUNS runs)" migrate
	printf '%s\n' "TLS: the median of the run-by-run rate ratios. by CPU: of the run-by-run ratios of" \
		"the CPU each way cost (plaintext/TLS), all the threads together: the TLS rate of a dump" \
		"bound by CPU alone (both cores busy). CPU: cli memcsess (user + system); memcached: wrk" \
		"its workers, crw its crawler (metadump), oth its other threads (LRU maintainer...)." \
		"fresh: the first dump each way right after the fill, not settled."
} | tee "${BENCH_DIR:-build/bench}/tls-results.txt"
