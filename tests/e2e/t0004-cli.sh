#!/bin/bash
# The command line: usage errors exit 2 with a message naming what is wrong; not found exits 1;
# MEMCSESS_SERVERS is honoured; unique prefixes of command names work; output errors exit 4.
. "$(dirname "$0")/../lib.sh"
mc_start_var A || exit 1
POOL="127.0.0.1:$A"
php_write "$POOL" php 3 simple | cut -d'"' -f4 >"$TMP/sids"
sid=$(head -1 "$TMP/sids")

expect_rc() { # LABEL RC PATTERN COMMAND...
	local label=$1 rc=$2 pat=$3
	shift 3
	"$@" >"$TMP/o" 2>"$TMP/e"
	local got=$?
	if [ "$got" -eq "$rc" ] && grep -q -e "$pat" "$TMP/e" "$TMP/o"; then
		ok "$label"
	else
		not_ok "$label: exit $got (want $rc), output: $(head -c 300 "$TMP/e" "$TMP/o")"
	fi
}

expect_rc "no command: usage, exit 2" 2 "usage: memcsess" "$MEMCSESS"
expect_rc "unknown command names it" 2 "unknown or ambiguous command 'frobnicate'" "$MEMCSESS" frobnicate
expect_rc "ambiguous prefix 'd' is refused" 2 "ambiguous command 'd'" "$MEMCSESS" d
expect_rc "unknown option names it" 2 "unknown option '--bogus'" "$MEMCSESS" -s "$POOL" list --bogus
expect_rc "bad port in --servers is named" 2 "bad server '127.0.0.1:99999'" "$MEMCSESS" -s 127.0.0.1:99999 list
expect_rc "a bad MEMCSESS_SERVERS is named as such" 2 "MEMCSESS_SERVERS: bad server 'foo': expected host:port" env MEMCSESS_SERVERS=foo "$MEMCSESS" list
expect_rc "--servers overrides a bad MEMCSESS_SERVERS" 0 "session *$sid" env MEMCSESS_SERVERS=foo "$MEMCSESS" -s "$POOL" inspect "$sid"
expect_rc "bad distribution is named" 2 "expected ketama, ketama_weighted or modula, got 'ring'" "$MEMCSESS" -s "$POOL" --distribution ring list
expect_rc "bad --timeout is named" 2 "\-\-timeout" "$MEMCSESS" -s "$POOL" --timeout soon list
expect_rc "bad --sort is named" 2 "got 'weight'" "$MEMCSESS" -s "$POOL" list --sort weight
expect_rc "--reverse without --sort is refused" 2 "list: --reverse needs --sort" "$MEMCSESS" -s "$POOL" list --reverse
expect_rc "inspect without sid" 2 "expected one session id" "$MEMCSESS" -s "$POOL" inspect
expect_rc "inspect of an empty sid says so" 2 "inspect: the session id is empty" "$MEMCSESS" -s "$POOL" inspect ""
expect_rc "inspect of a sid past memcached's key limit says so" 2 "longer than memcached's 250 bytes" \
	"$MEMCSESS" -s "$POOL" inspect "$(printf '%0240d' 0)"
expect_rc "inspect of a missing session exits 1" 1 "session nosuch not found on 127.0.0.1:$A" "$MEMCSESS" -s "$POOL" inspect nosuch
php -d session.save_handler=memcached -d "session.save_path=$POOL" -d session.use_cookies=0 -r '
	session_id("-t0dash0123456789abcdef"); session_start(); $_SESSION["dash"] = 1; session_write_close();'
expect_rc "a sid that starts with - is taken for an option" 2 "unknown option '-t'" "$MEMCSESS" -s "$POOL" inspect -t0dash0123456789abcdef
expect_rc "after -- it is a sid" 0 "dash: int 1" "$MEMCSESS" -s "$POOL" inspect -- -t0dash0123456789abcdef
"$MEMCSESS" -s "$POOL" expire -- -t0dash0123456789abcdef >/dev/null 2>&1
check_eq "expire -- -t0dash... logs it out" 0 "$(count_keys "$A" memc.sess.key.-t0dash)"
expect_rc "--help prints the command's usage, exit 0" 0 "usage: memcsess list" "$MEMCSESS" list --help
expect_rc "--version" 0 "memcsess [0-9]" "$MEMCSESS" --version
expect_rc "unique prefix 'ins' runs inspect" 0 "session *$sid" "$MEMCSESS" -s "$POOL" ins "$sid"
expect_rc "MEMCSESS_SERVERS is used when --servers is absent" 0 "session *$sid" env MEMCSESS_SERVERS="$POOL" "$MEMCSESS" inspect "$sid"
expect_rc "options after the command work too" 0 "session *$sid" "$MEMCSESS" inspect "$sid" --servers "$POOL"

"$MEMCSESS" -s "$POOL" list --limit 2 --sort sid >"$TMP/o"
check_eq "list --limit 2 --sort sid prints a header and 2 rows" 3 "$(wc -l <"$TMP/o")"
check_eq "list --sort sid sorts by sid" "$(sort "$TMP/sids" | head -2 | tr '\n' ' ')" "$(tail -n +2 "$TMP/o" | cut -d' ' -f1 | tr '\n' ' ')"
"$MEMCSESS" -s "$POOL" list --json "$sid" >"$TMP/o"
check_eq "list with a sid glob keeps only that session" 1 "$(wc -l <"$TMP/o")"

# --sort by every key, table and --json alike, --reverse and --limit: each output in the order
# of its own fields (ties by sid), every session once. Rich sessions make the sizes differ.
php_write "$POOL" php 3 rich >/dev/null
php_write "$POOL" igbinary 2 rich >/dev/null
"$MEMCSESS" -s "$POOL" list --json >"$TMP/all"
for key in sid server size ttl idle; do
	for rev in "" --reverse; do
		by="$key${rev:+ $rev}"
		"$MEMCSESS" -s "$POOL" list --json --sort "$key" $rev >"$TMP/sorted"
		check_eq "list --json --sort $by exits 0" 0 $?
		php -r '
			[$_, $file, $all, $key, $rev] = $argv; $rows = []; $want = [];
			foreach (file($file) as $l) $rows[] = json_decode($l, true);
			foreach (file($all) as $l) $want[] = json_decode($l, true)["sid"];
			$got = array_column($rows, "sid"); $sorted = $rows;
			$k = fn($r) => $key === "ttl" && $r["ttl"] === null ? PHP_INT_MAX : $r[$key];
			usort($sorted, fn($a, $b) => ($k($a) <=> $k($b) ?: strcmp($a["sid"], $b["sid"])) * ($rev ? -1 : 1));
			sort($want); $set = $got; sort($set);
			exit(count($got) === 8 && $set === $want && array_column($sorted, "sid") === $got ? 0 : 1);' \
			"$TMP/sorted" "$TMP/all" "$key" "$rev"
		check_eq "list --json --sort $by: all 8 sessions in $key order, ties by sid" 0 $?
		"$MEMCSESS" -s "$POOL" list --sort "$key" $rev --limit 5 >"$TMP/table"
		check_eq "list --sort $by --limit 5: the first 5 of the --json order" \
			"$(head -5 "$TMP/sorted" | php -r 'while ($l = fgets(STDIN)) echo json_decode($l)->sid, " ";')" \
			"$(tail -n +2 "$TMP/table" | cut -d' ' -f1 | tr '\n' ' ')"
	done
done

# list --fast reads only the key dumps: no access is counted, and sizes are item sizes.
sleep 4.1
"$MEMCSESS" -s "$POOL" list --fast --json "$sid" >"$TMP/f1"
"$MEMCSESS" -s "$POOL" list --fast --json "$sid" >"$TMP/f2"
idle2=$(php -r 'echo json_decode(file_get_contents($argv[1]))->idle;' "$TMP/f2")
check "list --fast does not count as an access (idle $idle2 s after two runs)" [ "$idle2" -ge 3 ]
check "list --fast gives the item size and no handler" grep -q '"item_size":[0-9]*,"handler":"-"\|"item_size":[0-9]' "$TMP/f1"
# Reading values does not count as an access either (mg u): the idle time stays.
"$MEMCSESS" -s "$POOL" list --json "$sid" >/dev/null
"$MEMCSESS" -s "$POOL" dump "$sid" >/dev/null
"$MEMCSESS" -s "$POOL" inspect "$sid" >/dev/null
"$MEMCSESS" -s "$POOL" list --fast --json "$sid" >"$TMP/f3"
idle3=$(php -r 'echo json_decode(file_get_contents($argv[1]))->idle;' "$TMP/f3")
check "list, dump and inspect read the value without counting an access (idle $idle3 s)" [ "$idle3" -ge 4 ]

"$MEMCSESS" -s "$POOL" dump >/dev/full 2>"$TMP/e"
check_eq "dump to a full disk exits 4" 4 $?
check "dump to a full disk says so" grep -q "write error on standard output: No space left on device" "$TMP/e"
# more than the pipe (1 MiB, memcsess grows it) and the output buffer (1 MiB) hold: about 5 MB
php_write "$POOL" php 2000 rich >/dev/null
"$MEMCSESS" -s "$POOL" dump 2>"$TMP/e" | head -c 10 >/dev/null
check_eq "dump | head: memcsess stops with exit code 4 (closed pipe)" 4 "${PIPESTATUS[0]}"
check_eq "dump | head: and says nothing" "" "$(cat "$TMP/e")"
exit 0
