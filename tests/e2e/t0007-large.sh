#!/bin/bash
# 100,000 sessions on one server: a key dump far larger than the socket buffers. memcached's
# crawler holds item locks while it waits for its reader, so fetching values while the dump is
# still running stalls; list and dump must still be complete, with flat memory.
. "$(dirname "$0")/../lib.sh"
mc_start_var A -m 512 || exit 1
POOL="127.0.0.1:$A"
pids=()
for i in 1 2; do
	php -d session.save_handler=memcached -d "session.save_path=$POOL" "$PHP_DIR/write.php" 50000 simple >"$TMP/w$i" &
	pids+=($!)
done
wait "${pids[@]}"
check_eq "PHP wrote 100000 sessions" 100000 "$(cat "$TMP/w1" "$TMP/w2" | wc -l)"
/usr/bin/time -f "%M" -o "$TMP/rss" "$MEMCSESS" -s "$POOL" dump >"$TMP/dump" 2>"$TMP/err"
check_eq "dump exits 0" 0 $?
check_eq "dump says nothing on stderr" "" "$(cat "$TMP/err")"
check_eq "dump has all 100000 sessions" 100000 "$(grep -c '"sid":"t' "$TMP/dump")"
check_eq "each exactly once" 100000 "$(grep -o '"sid":"t[0-9a-f]*"' "$TMP/dump" | sort -u | wc -l)"
echo "# dump peak RSS $(cat "$TMP/rss") KB"
"$MEMCSESS" -s "$POOL" list --json >"$TMP/list" 2>"$TMP/err"
check_eq "list exits 0" 0 $?
check_eq "list has all 100000 sessions" 100000 "$(wc -l <"$TMP/list")"
exit 0
