#!/bin/bash
# 100,000 sessions on one server: a key dump far larger than the socket buffers. memcached's
# crawler holds item locks while it waits for its reader, so fetching values while the dump is
# still running stalls; list and dump must still be complete, with flat memory (the dump's peak
# at 100,000 sessions against its peak at 10,000). The keys of 10,000 are kept in memory, those
# of 100,000 in a temporary file.
. "$(dirname "$0")/../lib.sh"
mc_start_var A -m 512 || exit 1
POOL="127.0.0.1:$A"
# 10,000 sessions first: the dump's peak memory then is the yardstick for 100,000
php -d session.save_handler=memcached -d "session.save_path=$POOL" "$PHP_DIR/write.php" 10000 simple >"$TMP/w0"
/usr/bin/time -f "%M" -o "$TMP/rss10k" "$MEMCSESS" -s "$POOL" dump >"$TMP/dump" 2>"$TMP/err"
check_eq "dump of 10000 sessions exits 0" 0 $?
check_eq "dump has all 10000 sessions" 10000 "$(grep -c '"sid":"t' "$TMP/dump")"
# the keys of 10,000 sessions are kept in memory: no temporary file, so no directory needed
TMPDIR="$TMP/none" "$MEMCSESS" -s "$POOL" dump >"$TMP/dump-mem" 2>"$TMP/err"
check_eq "dump of 10000 sessions without a temporary directory exits 0" 0 $?
check_eq "... with all 10000 sessions" 10000 "$(grep -c '"sid":"t' "$TMP/dump-mem")"
pids=()
for i in 1 2; do
	php -d session.save_handler=memcached -d "session.save_path=$POOL" "$PHP_DIR/write.php" 45000 simple >"$TMP/w$i" &
	pids+=($!)
done
wait "${pids[@]}"
check_eq "PHP wrote 100000 sessions" 100000 "$(cat "$TMP/w0" "$TMP/w1" "$TMP/w2" | wc -l)"
/usr/bin/time -f "%M" -o "$TMP/rss" "$MEMCSESS" -s "$POOL" dump >"$TMP/dump" 2>"$TMP/err"
check_eq "dump exits 0" 0 $?
check_eq "dump says nothing on stderr" "" "$(cat "$TMP/err")"
check_eq "dump has all 100000 sessions" 100000 "$(grep -c '"sid":"t' "$TMP/dump")"
check_eq "each exactly once" 100000 "$(grep -o '"sid":"t[0-9a-f]*"' "$TMP/dump" | sort -u | wc -l)"
# streamed: ten times the sessions (35 MB of JSON) and the peak memory stays where it was (a
# dump that held its records would grow tenfold; a SANITIZE=1 build stays flat too, at ~28 MB)
# 100,000 keys are more than a server keeps in memory: they go to a file, and where none can be
# created the server fails, named, with the directory and why
TMPDIR="$TMP/none" "$MEMCSESS" -s "$POOL" dump >"$TMP/dump-nofile" 2>"$TMP/err"
check_eq "dump of 100000 sessions without a temporary directory exits 3 (its one server failed)" 3 $?
check "... naming the server and the directory: $(head -1 "$TMP/err")" grep -qF \
	"server $POOL: keeping the keys the walk met: cannot create a temporary file in $TMP/none: No such file or directory" \
	"$TMP/err"
check_eq "... and writing no session" 0 "$(grep -c '"sid":"t' "$TMP/dump-nofile")"
rss10k=$(tail -1 "$TMP/rss10k")
rss=$(tail -1 "$TMP/rss")
check "dump's peak memory is flat: $rss KB at 100000 sessions, $rss10k KB at 10000" \
	[ "$rss" -le $((rss10k * 3 / 2)) ]
"$MEMCSESS" -s "$POOL" list --json >"$TMP/list" 2>"$TMP/err"
check_eq "list exits 0" 0 $?
check_eq "list has all 100000 sessions" 100000 "$(wc -l <"$TMP/list")"
exit 0
