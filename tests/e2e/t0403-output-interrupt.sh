#!/bin/bash
# Output that cannot be written (full disk, closed pipe) for list and migrate --json, and an
# interrupt (SIGINT) in the middle of migrate --move: no session is lost, a re-run finishes.
. "$(dirname "$0")/../lib.sh"
for v in A B X Y; do mc_start_var "$v" || exit 1; done
OLD="127.0.0.1:$A,127.0.0.1:$B"
NEW="127.0.0.1:$X,127.0.0.1:$Y"
php_write "$OLD" php 6000 simple >"$TMP/all.exp" || not_ok "PHP could not write"
cut -d'"' -f4 "$TMP/all.exp" | sort >"$TMP/sids"

for json in "" --json --fast; do
	"$MEMCSESS" -s "$OLD" list $json >/dev/full 2>"$TMP/e"
	check_eq "list $json to a full disk exits 4" 4 $?
	check "list $json to a full disk says so" grep -q "write error on standard output: No space left on device" "$TMP/e"
	"$MEMCSESS" -s "$OLD" list $json 2>"$TMP/e" | head -1 >/dev/null
	check_eq "list $json | head -1: exit code 4 (closed pipe)" 4 "${PIPESTATUS[0]}"
	check_eq "list $json | head -1: and says nothing" "" "$(cat "$TMP/e")"
done
"$MEMCSESS" migrate --from "$OLD" --to "$NEW" --dry-run --json >/dev/full 2>"$TMP/e"
check_eq "migrate --json to a full disk exits 4" 4 $?
check "migrate --json to a full disk says so" grep -q "write error on standard output: No space left on device" "$TMP/e"
"$MEMCSESS" migrate --from "$OLD" --to "$NEW" --dry-run --json 2>"$TMP/e" | true
check_eq "migrate --json | (closed pipe): exit code 4" 4 "${PIPESTATUS[0]}"
check "migrate --json | (closed pipe): only the summary on stderr" [ "$(grep -vc '^migrate: ' "$TMP/e")" -eq 0 ]

# SIGINT while moving: every session is on the source or (confirmed) on the target. Target Y is
# frozen so that the interrupt lands in the middle of the first batch, then thawed.
kill -STOP "$Y_PID"
"$MEMCSESS" --timeout 20 migrate --from "$OLD" --to "$NEW" --move --json >"$TMP/sum1" 2>"$TMP/err1" &
mig=$!
# The interrupt comes once copying has begun (the first sessions are on X), bounded at 20 s.
for i in $(seq 200); do [ "$(count_keys "$X" memc.sess.key.t)" -gt 0 ] && break; sleep 0.1; done
kill -INT "$mig"
sleep 0.2
kill -CONT "$Y_PID"
wait "$mig"
rc=$?
check_eq "an interrupted migrate --move exits 130" 130 "$rc"
check "its summary says it was interrupted" grep -q '"interrupted":true' "$TMP/sum1"
left=$(( $(count_keys "$A" memc.sess.key.t) + $(count_keys "$B" memc.sess.key.t) ))
check "it stopped part way ($left of 6000 left on the source)" [ "$left" -gt 0 -a "$left" -lt 6000 ]
php "$PHP_DIR/where.php" "$OLD,$NEW" memc.sess.key. <"$TMP/sids" | cut -d' ' -f1 | sort -u >"$TMP/found"
check_eq "no session exists nowhere after the interrupt" "" "$(comm -23 "$TMP/sids" "$TMP/found" | head -3)"
READ_MISSING="$TMP/lost1" php_read "$NEW" "$TMP/all.exp" "PHP reads from the new pool what was moved" >/dev/null
moved=$((6000 - $(wc -l <"$TMP/lost1")))
check "what left the source is readable on the new pool ($moved moved)" [ "$moved" -ge $((6000 - left)) ]

"$MEMCSESS" migrate --from "$OLD" --to "$NEW" --move --json >"$TMP/sum2" 2>"$TMP/err2"
check_eq "the re-run exits 0" 0 $?
check_eq "nothing is left on the source" 0 $(( $(count_keys "$A" memc.sess.key.t) + $(count_keys "$B" memc.sess.key.t) ))
php_read "$NEW" "$TMP/all.exp" "after the re-run PHP reads every session from the new pool"
exit 0
