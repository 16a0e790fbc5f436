#!/bin/bash
# Real PHP writes rich sessions with every serialize handler into a 2-server pool; memcsess
# dump, list and inspect must agree with what PHP had in $_SESSION and where PHP put it.
. "$(dirname "$0")/../lib.sh"
mc_start_var A || exit 1
mc_start_var B || exit 1
POOL="127.0.0.1:$A,127.0.0.1:$B"

# 12 sessions a handler: 9 rich ones, and 3 with PHP references, INF/NAN, enums (edge)
for h in php php_binary php_serialize igbinary; do
	php_write "$POOL" "$h" 9 rich >"$TMP/$h.exp" || not_ok "$h: PHP could not write sessions"
	php_write "$POOL" "$h" 3 edge >"$TMP/$h.edge" || not_ok "$h: PHP could not write sessions"
	cat "$TMP/$h.edge" >>"$TMP/$h.exp"
	cut -d'"' -f4 "$TMP/$h.exp" >"$TMP/$h.sids"
done
cat "$TMP"/*.exp >"$TMP/all.exp"
cat "$TMP"/*.sids | sort >"$TMP/all.sids"

dump_from=$(date +%s)
"$MEMCSESS" --servers "$POOL" dump >"$TMP/dump" 2>"$TMP/dump.err"
rc=$?
dump_to=$(date +%s)
check_eq "dump exits 0" 0 $rc
check_eq "dump writes nothing on stderr" "" "$(cat "$TMP/dump.err")"
php "$PHP_DIR/compare.php" "$TMP/all.exp" "$TMP/dump" "dump data (4 handlers)"

for h in php php_binary php_serialize igbinary; do
	n=$(grep -F -f "$TMP/$h.sids" "$TMP/dump" | grep -c "\"handler\":\"$h\"")
	check_eq "dump detects handler $h for each of its sessions" 12 "$n"
done

# Where PHP put each session, asked of each server directly, against list --json's server.
php "$PHP_DIR/where.php" "$POOL" memc.sess.key. <"$TMP/all.sids" | sort >"$TMP/where"
"$MEMCSESS" --servers "$POOL" list --json >"$TMP/list.json"
check_eq "list exits 0" 0 $?
php -r 'foreach (file($argv[1]) as $l) { $d = json_decode($l, true); echo $d["sid"], " ", $d["server"], isset($d["php_server"]) ? " MISPLACED" : "", "\n"; }' "$TMP/list.json" | sort >"$TMP/list.where"
check "list --json names the server PHP stored each session on" cmp -s "$TMP/where" "$TMP/list.where"
check_eq "list finds all 48 sessions" 48 "$(wc -l <"$TMP/list.json")"

# The table form: one header and one line per session, with the handler.
"$MEMCSESS" --servers "$POOL" list >"$TMP/list.txt"
check_eq "list table has a header and 48 rows" 49 "$(wc -l <"$TMP/list.txt")"
sid=$(head -1 "$TMP/igbinary.sids")
check "list table shows igbinary for $sid" grep -q "^$sid .* igbinary" "$TMP/list.txt"

# inspect: one session of each handler, JSON data equal to PHP's, human form names the server.
for h in php php_binary php_serialize igbinary; do
	sid=$(head -1 "$TMP/$h.sids")
	"$MEMCSESS" -s "$POOL" inspect --json "$sid" >"$TMP/insp.json"
	check_eq "inspect --json $h exits 0" 0 $?
	php -r '$d = json_decode(file_get_contents($argv[1]), true); echo json_encode($d), "\n";' "$TMP/insp.json" >"$TMP/insp.line"
	php "$PHP_DIR/compare.php" <(grep "\"$sid\"" "$TMP/$h.exp") "$TMP/insp.line" "inspect --json ($h)" >"$TMP/cmp" 2>&1
	grep -q "^ok" "$TMP/cmp" && ok "inspect --json data equals PHP's ($h)" || not_ok "inspect --json ($h): $(cat "$TMP/cmp")"
	server=$(grep "^$sid " "$TMP/where" | cut -d' ' -f2)
	"$MEMCSESS" -s "$POOL" inspect "$sid" >"$TMP/insp.txt"
	check "inspect ($h) names the server PHP used" grep -q "^server *$server (where PHP reads it)" "$TMP/insp.txt"
	check "inspect ($h) shows the handler" grep -q "^handler *$h\$" "$TMP/insp.txt"
	check "inspect ($h) shows the decoded user_id" grep -q "user_id: int 1000" "$TMP/insp.txt"
	check "inspect ($h) shows the private property" grep -q "items (private Cart)" "$TMP/insp.txt"
	esid=$(head -1 "$TMP/$h.edge" | cut -d'"' -f4)
	"$MEMCSESS" -s "$POOL" inspect "$esid" >"$TMP/edge.txt"
	check "inspect ($h) marks a PHP reference and what it shares" \
		grep -q "^  list: array(2) #\([0-9]*\)\$" "$TMP/edge.txt"
	n=$(sed -n 's/^  list: array(2) #\([0-9]*\)$/\1/p' "$TMP/edge.txt")
	check "inspect ($h) shows alias as &ref #$n to list" grep -q "^  alias: &ref #$n (array(2))\$" "$TMP/edge.txt"
	check "inspect ($h) shows INF, -INF and NAN" \
		[ "$(grep -c '^  n\?inf: float -\?INF$\|^  nan: float NAN$' "$TMP/edge.txt")" -eq 3 ]
	check "inspect ($h) shows the enum case and the second use as a shared ref" \
		grep -q "^  suit_again: ref #[0-9]* (enum Suit::Hearts)\$" "$TMP/edge.txt"
	"$MEMCSESS" -s "$POOL" inspect --raw "$sid" >"$TMP/raw"
	php -r '$m = new Memcached(); $m->addServer("127.0.0.1", (int)explode(":", $argv[2])[1]); file_put_contents($argv[3], $m->get("memc.sess.key." . $argv[1]));' "$sid" "$server" "$TMP/raw.php"
	check "inspect --raw gives the stored bytes ($h)" cmp -s "$TMP/raw" "$TMP/raw.php"
done

# A TTL as PHP set it (session.gc_maxlifetime 1440) and an absolute expiry that matches: the
# expiry less the TTL is the moment of the dump (give or take a second).
php -r '
	[$_, $file, $from, $to] = $argv; $bad = 0;
	foreach (file($file) as $l) { $d = json_decode($l, true); $at = $d["expiry"] - $d["ttl"];
		if ($d["ttl"] < 1380 || $d["ttl"] > 1440 || $at < $from - 1 || $at > $to + 1 || $d["flags"] !== 0) $bad++; }
	exit($bad ? 1 : 0);' "$TMP/dump" "$dump_from" "$dump_to"
check_eq "dump shows ttl, expiry and flags as PHP set them" 0 $?

# decode --lines: every value of the dump decoded again, offline, to the dump's own data.
"$MEMCSESS" decode --lines "$TMP/dump" >"$TMP/decoded" 2>"$TMP/decoded.err"
check_eq "decode --lines exits 0" 0 $?
php -r '
	$dump = file($argv[1]); $dec = file($argv[2]); $bad = count($dump) === count($dec) ? 0 : 1;
	foreach ($dump as $i => $l) { $a = json_decode($l, true); $b = json_decode($dec[$i] ?? "{}", true);
		if ($a["key"] !== ($b["key"] ?? null) || $a["handler"] !== $b["handler"] || $a["data"] !== $b["data"]) $bad++; }
	exit($bad ? 1 : 0);' "$TMP/dump" "$TMP/decoded"
check_eq "decode --lines gives each dump line's key, handler and data" 0 $?
# dump --no-value: the same records without the stored bytes; load refuses them.
"$MEMCSESS" --servers "$POOL" dump --no-value >"$TMP/novalue" 2>"$TMP/novalue.err"
check_eq "dump --no-value exits 0" 0 $?
php -r '$a = []; foreach (file($argv[1]) as $l) { $d = json_decode($l, true); unset($d["value"], $d["value_b64"], $d["ttl"], $d["idle"], $d["last_access"], $d["expiry"]); $a[$d["key"]] = $d; } ksort($a);
	$b = []; foreach (file($argv[2]) as $l) { $d = json_decode($l, true); if (isset($d["value"]) || isset($d["value_b64"])) exit(1); unset($d["ttl"], $d["idle"], $d["last_access"], $d["expiry"]); $b[$d["key"]] = $d; } ksort($b);
	exit($a === $b ? 0 : 1);' "$TMP/dump" "$TMP/novalue"
check_eq "dump --no-value is dump without value or value_b64" 0 $?
head -1 "$TMP/novalue" | "$MEMCSESS" --servers "$POOL" load >/dev/null 2>"$TMP/novalue.err"
check_eq "load refuses a --no-value line" 1 $?
check "load names what the --no-value line lacks" grep -q "value" "$TMP/novalue.err"
"$MEMCSESS" --servers "$POOL" dump --no-value --no-data >/dev/null 2>&1
check_eq "dump --no-value --no-data is a usage error" 2 $?

# --stats: one line on stderr counting the values and their stored bytes (the dump's sizes).
"$MEMCSESS" decode --lines --stats "$TMP/dump" >"$TMP/decoded.stats" 2>"$TMP/stats.err"
check_eq "decode --lines --stats exits 0" 0 $?
check "decode --lines --stats prints the same lines" cmp -s "$TMP/decoded" "$TMP/decoded.stats"
want=$(php -r '$n = $b = 0; foreach (file($argv[1]) as $l) { $d = json_decode($l, true); $n++; $b += $d["size"]; } echo "$n values, $b bytes";' "$TMP/dump")
check "decode --stats counts $want" grep -q "^decode: $want; decoding [0-9.]* s ([0-9.]* MB/s), in all [0-9.]* s" "$TMP/stats.err"
"$MEMCSESS" decode --stats "$TMP/dump" >/dev/null 2>"$TMP/stats.err"
check_eq "decode --stats without --lines is a usage error" 2 $?
"$MEMCSESS" --servers "$POOL" dump --stats >"$TMP/dump.stats" 2>"$TMP/stats.err"
check_eq "dump --stats exits 0" 0 $?
want=$(wc -l <"$TMP/dump.stats")" sessions, $(wc -c <"$TMP/dump.stats") bytes"
check "dump --stats counts what it wrote: $want" \
	grep -q "^dump: $want in [0-9.]* s ([0-9]* sessions/s, [0-9.]* MB/s)$" "$TMP/stats.err"
check_eq "dump --stats writes only that line on stderr" 1 "$(wc -l <"$TMP/stats.err")"
check_eq "dump --stats dumps every session" "$(wc -l <"$TMP/dump")" "$(wc -l <"$TMP/dump.stats")"
printf '{"key":"memc.sess.key.x"}\n' | "$MEMCSESS" decode --lines >/dev/null 2>"$TMP/decoded.err"
check_eq "decode --lines: a line without a value exits 1" 1 $?
check "decode --lines names the bad line" grep -q "line 1" "$TMP/decoded.err"
exit 0
