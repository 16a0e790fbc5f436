#!/bin/sh
# run.sh FUZZ_DIR SECONDS: runs every fuzz target for SECONDS, growing a working corpus in
# FUZZ_DIR/corpus/<target> from the seeds (tests/fuzz/corpus) and the regression inputs
# (tests/fuzz/regress). Crashers go to FUZZ_DIR/crash/<target>/; the last stats line of each
# run (cov: and ft: are libFuzzer's coverage) is printed. Exits 1 when a target crashed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=$1
secs=$2
bad=0
for bin in "$dir"/fuzz_*; do
	[ -x "$bin" ] || continue
	t=${bin##*/fuzz_}
	mkdir -p "$dir/corpus/$t" "$dir/crash/$t" "$here/corpus/$t" "$here/regress/$t"
	log="$dir/$t.log"
	"$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$dir/crash/$t/" \
		"$dir/corpus/$t" "$here/corpus/$t" "$here/regress/$t" >"$log" 2>&1
	rc=$?
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	echo "fuzz_$t: ${secs}s rc=$rc $last"
	[ "$rc" -eq 0 ] || { bad=1; grep -E 'ERROR|SUMMARY|artifact' "$log"; }
done
exit $bad
