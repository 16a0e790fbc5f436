#!/bin/bash
# A short deterministic run of every libFuzzer target (fixed seed and run count) over its seed
# corpus and its regression inputs (crashers found before, fixed since). FUZZ_DIR holds the
# built targets (make check builds them; else they are built here with make fuzz-build).
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
if [ -z "${FUZZ_DIR:-}" ]; then
	FUZZ_DIR=$ROOT/build/fuzz
	make -s -C "$ROOT" fuzz-build >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; not_ok "fuzz targets build"; exit 1; }
fi
RUNS=${FUZZ_SMOKE_RUNS:-20000}
for src in "$TESTS_DIR"/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	t=${t#fuzz_}
	bin=$FUZZ_DIR/fuzz_$t
	[ -x "$bin" ] || { not_ok "fuzz target $t is built"; continue; }
	mkdir -p "$TMP/new-$t" "$TMP/crash-$t"
	dirs=("$TESTS_DIR/fuzz/corpus/$t")
	[ -d "$TESTS_DIR/fuzz/regress/$t" ] && dirs+=("$TESTS_DIR/fuzz/regress/$t")
	# the first directory receives new inputs: a scratch one, so the seeds are never changed
	timeout 60 "$bin" -runs="$RUNS" -seed=1 -max_len=4096 -artifact_prefix="$TMP/crash-$t/" \
		"$TMP/new-$t" "${dirs[@]}" >"$TMP/$t.log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "fuzz smoke $t: $RUNS runs, $(grep -c . <(ls "${dirs[@]}")) seed/regress inputs"
	else
		grep -E 'ERROR|SUMMARY|runtime error' "$TMP/$t.log" | head -5
		not_ok "fuzz smoke $t (exit $rc)"
	fi
done
exit 0
