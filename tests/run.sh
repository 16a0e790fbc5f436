#!/bin/sh
# Runs every unit test binary and end-to-end script; prints one "ok"/"not ok" line per check
# and ends with "N passed, N failed". A program that fails without saying "not ok" counts once.
# Environment: MEMCSESS (binary), UNIT_DIR (built unit tests), TESTS (glob of e2e scripts).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${MEMCSESS:=$here/../memcsess}"
: "${UNIT_DIR:=$here/../build/std/tests}"
export MEMCSESS
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {
	name=$1
	shift
	"$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited $rc without a failing check" >>"$log"
		f=1
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name ran no check" >>"$log"
		f=1
	fi
	if [ "$f" -gt 0 ]; then
		echo "== $name"
		cat "$log"
	else
		echo "$name: $p passed"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
}

for t in "$UNIT_DIR"/test_*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" "$t" "$here/golden"
done
for t in ${TESTS:-$here/e2e/t[0-9]*.sh}; do
	[ -f "$t" ] || continue
	run_one "e2e/$(basename "$t")" bash "$t"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
