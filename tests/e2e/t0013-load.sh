#!/bin/bash
# load: dump lines go back byte for byte with flags and absolute expiry; add never overwrites a
# newer session unless --overwrite; malformed lines are named by line number and skipped.
. "$(dirname "$0")/../lib.sh"
mc_start_var A || exit 1
mc_start_var B || exit 1
POOL="127.0.0.1:$A,127.0.0.1:$B"
php_write "$POOL" php 300 rich >"$TMP/php.exp"
php_write "$POOL" igbinary 100 rich >"$TMP/igb.exp"
"$MEMCSESS" -s "$POOL" dump >"$TMP/dump"
mc_cmd "$A" flush_all >/dev/null
mc_cmd "$B" flush_all >/dev/null

"$MEMCSESS" -s "$POOL" load "$TMP/dump" 2>"$TMP/err"
check_eq "load exits 0" 0 $?
check "summary: 400 loaded" grep -q "^load: 400 sessions read, 400 loaded" "$TMP/err"
php_read "$POOL" "$TMP/php.exp" "PHP reads the loaded php-handler sessions"
php_read "$POOL" "$TMP/igb.exp" "PHP reads the loaded igbinary sessions" -d session.serialize_handler=igbinary
"$MEMCSESS" -s "$POOL" dump >"$TMP/dump2"
php -r '
	$a = []; foreach (file($argv[1]) as $l) { $d = json_decode($l, true); $a[$d["sid"]] = [$d["value"] ?? $d["value_b64"], $d["flags"], $d["expiry"]]; }
	$bad = 0; foreach (file($argv[2]) as $l) { $d = json_decode($l, true); $x = $a[$d["sid"]] ?? null;
		if (!$x || $x[0] !== ($d["value"] ?? $d["value_b64"]) || $x[1] !== $d["flags"] || abs($x[2] - $d["expiry"]) > 1) $bad++; }
	exit($bad ? 1 : 0);' "$TMP/dump" "$TMP/dump2"
check_eq "bytes, flags and absolute expiry are as dumped" 0 $?
"$MEMCSESS" -s "$POOL" load --dry-run - <"$TMP/dump" 2>"$TMP/err"
check "a dry run (from -) after the load looks each up: 0 to load, 400 already present" \
	grep -q "^load: 400 sessions read, 0 to load, 400 already present (kept), 0 different already present" "$TMP/err"

# A newer session in the pool is kept; --overwrite replaces it.
sid=$(head -1 "$TMP/php.exp" | cut -d'"' -f4)
php -d session.save_handler=memcached -d "session.save_path=$POOL" -r '
	ini_set("session.use_cookies", "0"); session_id($argv[1]); session_start(); $_SESSION = ["newer" => 1]; session_write_close();' "$sid"
"$MEMCSESS" -s "$POOL" load "$TMP/dump" 2>"$TMP/err"
check "re-load keeps what is there" grep -q "399 already present (kept), 1 different already present (kept)" "$TMP/err"
check "a newer session is not overwritten" "$MEMCSESS" -s "$POOL" inspect "$sid" >"$TMP/i"
check "inspect shows the newer data" grep -q "newer: int 1" "$TMP/i"
"$MEMCSESS" -s "$POOL" load --overwrite "$TMP/dump" 2>"$TMP/err"
"$MEMCSESS" -s "$POOL" inspect "$sid" >"$TMP/i"
check "--overwrite replaces it" grep -q "user_id: int 1000" "$TMP/i"

# Hostile lines: each is named by its line number; the good lines around them still load.
mc_cmd "$A" flush_all >/dev/null
mc_cmd "$B" flush_all >/dev/null
good1=$(sed -n 1p "$TMP/dump")
good2=$(sed -n 2p "$TMP/dump")
past=$(sed -n 3p "$TMP/dump" | php -r '$d = json_decode(stream_get_contents(STDIN), true); $d["expiry"] = time() - 10; echo json_encode($d);')
{
	echo "$good1"
	echo 'not json at all'
	echo '{"key":"memc.sess.key.x"}'
	echo '{"key":"memc.sess.key.x","value_b64":"@@@@"}'
	echo '{"key":"memc.sess.key.x","value":"a","flags":"zero"}'
	echo '{"key":"memc.sess.key.x","value":"a","value_b64":"YQ=="}'
	echo "{\"key\":\"memc.sess.key.$(printf 'x%.0s' $(seq 260))\",\"value\":\"a\"}"
	echo '{"key":"other.prefix.abc","value":"a"}'
	echo '[1,2,3]'
	echo "$past"
	printf '%s' "${good2:0:40}"; echo
	echo ""
	echo "$good2"
} >"$TMP/bad.jsonl"
"$MEMCSESS" -s "$POOL" load --dry-run "$TMP/bad.jsonl" >/dev/null 2>"$TMP/err"
check "a dry run of the hostile file counts the two good sessions to load" grep -q "^load: 3 sessions read, 2 to load, 0 already present" "$TMP/err"
check_eq "the dry run wrote nothing" 0 "$("$MEMCSESS" -s "$POOL" list --json | wc -l)"
"$MEMCSESS" -s "$POOL" load <"$TMP/bad.jsonl" >/dev/null 2>"$TMP/err"
check_eq "load with bad lines exits 1" 1 $?
for want in "standard input: line 2: not JSON at byte" \
	'line 3: no "value" (or "value_b64")' \
	'line 4: "value_b64" is not valid base64' \
	'line 5: "flags" must be an integer' \
	'line 6: both "value" and "value_b64" given' \
	"line 7: key of 274 bytes" \
	"line 8: key does not start with the prefix 'memc.sess.key.'" \
	"line 9: not a JSON object" \
	"line 11: not JSON at byte"; do
	check "the error names it: $want" grep -qF "$want" "$TMP/err"
done
check "the expired session is skipped and counted" grep -q "1 expired (skipped)" "$TMP/err"
check "the good lines around the bad ones loaded" grep -q "^load: 3 sessions read, 2 loaded" "$TMP/err"
check_eq "exactly the two good sessions are in the pool" 2 "$("$MEMCSESS" -s "$POOL" list --json | wc -l)"
# Lines that try to get out of the protocol or the reader: a key and a value holding CR LF and
# memcached commands are stored as one item each (such a key goes base64-encoded on the wire);
# a line nested 100000 deep and one longer than 64 MiB are named and skipped; the rest loads.
good3=$(sed -n 5p "$TMP/dump")
{
	php -r 'echo json_encode(["key" => "memc.sess.key.evil\r\nflush_all\r\n",
		"value" => "a|i:1;\r\nflush_all\r\nset x 0 0 1\r\n"]), "\n";'
	php -r 'echo "{\"key\":\"memc.sess.key.deep\",\"value\":\"v\",\"data\":",
		str_repeat("[", 100000), str_repeat("]", 100000), "}\n";'
	head -c $((65 * 1024 * 1024)) /dev/zero | tr '\0' x
	echo
	echo "$good3"
} >"$TMP/evil.jsonl"
"$MEMCSESS" -s "$POOL" load "$TMP/evil.jsonl" >/dev/null 2>"$TMP/err"
check_eq "load of hostile lines exits 1" 1 $?
check "a line nested 100000 deep is named and skipped" grep -q "evil.jsonl: line 2: not JSON at byte" "$TMP/err"
check "a line longer than 64 MiB is named and skipped" grep -q "evil.jsonl: line 3: longer than 67108864 bytes" "$TMP/err"
check "the key and value with commands in them load as one session, and the line after" \
	grep -q "^load: 2 sessions read, 2 loaded, .* 2 bad lines" "$TMP/err"
check_eq "no command in them ran: the pool holds the 2 sessions from before and these 2" 4 \
	"$("$MEMCSESS" -s "$POOL" list --json | wc -l)"
"$MEMCSESS" -s "$POOL" dump 2>/dev/null | php -r '
	foreach (file("php://stdin") as $l) { $d = json_decode($l, true);
		if ($d["key"] === "memc.sess.key.evil\r\nflush_all\r\n" &&
		    $d["value"] === "a|i:1;\r\nflush_all\r\nset x 0 0 1\r\n") exit(0); }
	exit(1);'
check_eq "its key and value come back byte for byte" 0 $?
# Writes are pipelined and quiet: a server that records what it is sent gets each session as
# one ms with q (only a refusal or a not-stored is answered) and one mn a batch of 256.
fake_start R record || exit 1
php -r 'for ($i = 0; $i < 600; $i++) echo json_encode(["key" => sprintf("memc.sess.key.t0q%020d", $i),
	"value" => "a|i:$i;", "flags" => 0]), "\n";' >"$TMP/q.jsonl"
"$MEMCSESS" -s "127.0.0.1:$R" load "$TMP/q.jsonl" 2>"$TMP/err"
check_eq "load to the recording server exits 0" 0 $?
check "all 600 loaded (and confirmed by reading back)" grep -q "^load: 600 sessions read, 600 loaded" "$TMP/err"
check_eq "each session went as one quiet ms" 600 "$(grep -cE '^ms memc\.sess\.key\.t0q[0-9]{20} [0-9]+ F0 T0 ME q O[0-9]+$' "$TMP/fake-$R.log")"
check_eq "no ms went without q" 0 "$(grep '^ms ' "$TMP/fake-$R.log" | grep -vc ' q O')"
check_eq "one mn ends each batch of 256" 3 "$(grep -cx mn "$TMP/fake-$R.log")"
"$MEMCSESS" -s "127.0.0.1:$R" load "$TMP/q.jsonl" 2>"$TMP/err"
check "loaded again: the server's not-stored answers (by opaque) count 600 already present" \
	grep -q "^load: 600 sessions read, 0 loaded, 600 already present" "$TMP/err"

"$MEMCSESS" -s "$POOL" load /nonexistent/file 2>"$TMP/err"
check_eq "a missing file is a usage error" 2 $?
check "the error names the file" grep -q "cannot open /nonexistent/file" "$TMP/err"
exit 0
