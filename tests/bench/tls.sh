#!/bin/bash
# make bench (issue 20): dump and migrate over TLS beside plaintext, on the same memcached -Z
# (its TLS listener and its notls: listener) holding the same sessions, which real PHP writes
# through the notls: one. Prints the median and the best rate of BENCH_RUNS runs each way and
# TLS's share of the plaintext rate (goal: at least 80%). migrate copies between two such
# servers, both sides plaintext or both TLS. Every exit status and count is checked.
# Environment: BENCH_TLS_SESSIONS (100000), BENCH_RUNS (3), MEMCSESS (./memcsess).
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
: "${MEMCSESS:=$ROOT/memcsess}"
N=${BENCH_TLS_SESSIONS:-100000}
RUNS=${BENCH_RUNS:-3}
. tests/lib.sh		# TMP, mc_start_var, mc_cmd; stops every server on exit
trap 'exit 130' INT TERM
fail() { echo "bench-tls: error: $*" >&2; exit 1; }
say() { echo "bench-tls: $*" >&2; }
case $N in '' | *[!0-9]*) fail "BENCH_TLS_SESSIONS must be a number" ;; esac
command -v openssl >/dev/null || fail "the openssl command is missing (run make deps)"

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

say "PHP writes $N sessions through the notls: listener"
half=$((N / 2))
php_fill() { php -d session.save_handler=memcached -d "session.save_path=127.0.0.1:$PLAIN" \
	-d session.gc_maxlifetime=86400 tests/bench/fill.php "$@" >/dev/null 2>&1; }
php_fill 0 "$half" & p1=$!
php_fill "$half" "$((N - half))" & p2=$!
wait $p1 && wait $p2 || fail "PHP could not write the sessions"

# rate WHAT CMD...: runs CMD, checks it, prints sessions a second.
rate() {
	local what=$1 t0=$EPOCHREALTIME
	shift
	"$@" >"$TMP/out" 2>"$TMP/err" || fail "$what failed: $(tail -3 "$TMP/err")"
	local r
	r=$(awk -v a="$t0" -v b="$EPOCHREALTIME" -v n="$N" 'BEGIN { printf "%.0f", n / (b - a) }')
	say "$what: $r sessions/s"
	echo "$r"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
flush_dst() { [ "$(mc_cmd "$DPLAIN" flush_all | tr -d '\r')" = OK ] || fail "flush_all failed"; }
copied() { grep -q "^migrate: $N read, $N copied" "$TMP/err" || fail "$1: $(tail -1 "$TMP/err")"; }
count() { [ "$(wc -l <"$TMP/out")" -eq "$N" ] || fail "$1: $(wc -l <"$TMP/out") sessions, expected $N"; }

say "a dump each way first, untimed (memcached settles after the fill)"
"$MEMCSESS" -s "127.0.0.1:$PLAIN" dump >/dev/null || fail "dump (plaintext) failed"
"$MEMCSESS" -s "127.0.0.1:$TLSP" "${TLS[@]}" dump >/dev/null || fail "dump (TLS) failed"
for r in $(seq "$RUNS"); do
	say "run $r of $RUNS"
	rate "dump (plaintext)" "$MEMCSESS" -s "127.0.0.1:$PLAIN" dump >>"$TMP/dump.plain"
	count "dump (plaintext)"
	rate "dump (TLS)" "$MEMCSESS" -s "127.0.0.1:$TLSP" "${TLS[@]}" dump >>"$TMP/dump.tls"
	count "dump (TLS)"
	flush_dst
	rate "migrate (plaintext)" "$MEMCSESS" migrate --from "127.0.0.1:$PLAIN" \
		--to "127.0.0.1:$DPLAIN" >>"$TMP/migrate.plain"
	copied migrate
	flush_dst
	rate "migrate (TLS)" "$MEMCSESS" "${TLS[@]}" migrate --from "127.0.0.1:$TLSP" \
		--to "127.0.0.1:$DST" >>"$TMP/migrate.tls"
	copied migrate
done
best() { sort -g | tail -1; }
# On a busy machine the best run of each says more of the protocols than the median.
{
	printf '%-46s %12s %12s %6s\n' "$N sessions, $RUNS runs" "plaintext/s" "TLS/s" "TLS"
	for w in dump migrate; do
		for how in median best; do
			p=$($how <"$TMP/$w.plain")
			t=$($how <"$TMP/$w.tls")
			printf '%-46s %12s %12s %5.0f%%\n' "$w, $how (memcached -Z, both listeners)" \
				"$p" "$t" "$(awk -v a="$t" -v b="$p" 'BEGIN { print 100 * a / b }')"
		done
	done
} | tee "${BENCH_DIR:-build/bench}/tls-results.txt"
