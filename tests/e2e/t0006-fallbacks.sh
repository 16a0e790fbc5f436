#!/bin/bash
# Servers that refuse metadump: with the LRU crawler off, memcsess falls back to stats cachedump
# and says the listing is incomplete; with dumping disabled (-X) it says listing is impossible,
# while inspect by sid still works.
. "$(dirname "$0")/../lib.sh"
mc_start_var NOCRAWL -o no_lru_crawler || exit 1
mc_start_var NODUMP -X || exit 1

php_write "127.0.0.1:$NOCRAWL" php 200 simple | cut -d'"' -f4 | sort >"$TMP/sids"
"$MEMCSESS" -s "127.0.0.1:$NOCRAWL" list --json >"$TMP/out" 2>"$TMP/err"
check_eq "cachedump fallback exits 1 (incomplete)" 1 $?
check "the warning says the listing is incomplete" grep -q "server 127.0.0.1:$NOCRAWL: lru_crawler metadump refused; listed with stats cachedump, which is incomplete" "$TMP/err"
php -r 'foreach (file($argv[1]) as $l) echo json_decode($l)->sid, "\n";' "$TMP/out" | sort >"$TMP/got"
# cachedump skips items in the HOT LRU segment, so it may miss the newest: a subset, not nothing.
n=$(comm -12 "$TMP/sids" "$TMP/got" | wc -l)
check "cachedump still finds sessions PHP wrote ($n of 200) and nothing else" \
	[ "$n" -ge 1 -a "$n" -eq "$(wc -l <"$TMP/got")" ]

php_write "127.0.0.1:$NODUMP" php 2 simple | cut -d'"' -f4 >"$TMP/sids2"
"$MEMCSESS" -s "127.0.0.1:$NODUMP" list >"$TMP/out" 2>"$TMP/err"
check_eq "listing a -X server exits 3" 3 $?
check "the error explains that key listing is disabled" grep -q "server 127.0.0.1:$NODUMP: key listing is disabled on this server (memcached -X" "$TMP/err"
"$MEMCSESS" -s "127.0.0.1:$NODUMP" inspect "$(head -1 "$TMP/sids2")" >"$TMP/out"
check_eq "inspect by sid still works on a -X server" 0 $?
exit 0
