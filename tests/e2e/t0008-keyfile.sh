#!/bin/bash
# The key file between the walk and the reads keeps each key as the bytes it does not share
# with the key before it: real PHP writes sessions whose ids are prefixes of one another and
# ids that part from a long stem at every ninth place, 1 to 231 characters (the longest
# php-memcached can lock); list, dump and migrate must give every one back whole, and PHP must
# read each from the pool migrate wrote.
. "$(dirname "$0")/../lib.sh"
for v in A B C; do mc_start_var "$v" || exit 1; done
SRC="127.0.0.1:$A,127.0.0.1:$B"
php -d session.save_handler=memcached -d "session.save_path=$SRC" \
	"$PHP_DIR/keys.php" >"$TMP/exp" 2>"$TMP/err" || not_ok "PHP could not write: $(cat "$TMP/err")"
total=$(wc -l <"$TMP/exp")
check "PHP wrote the sessions ($total)" [ "$total" -gt 70 ]
longest=$(php -r 'foreach (file($argv[1]) as $l) $m = max($m ?? 0, strlen(json_decode($l)->sid)); echo $m;' "$TMP/exp")
check_eq "the longest id has 231 characters" 231 "$longest"

"$MEMCSESS" -s "$SRC" dump >"$TMP/dump" 2>"$TMP/err"
check_eq "dump exits 0" 0 $?
check_eq "dump says nothing on stderr" "" "$(cat "$TMP/err")"
# every sid with the data PHP wrote for it, and nothing else
php -r '
	$want = [];
	foreach (file($argv[1]) as $l) { $e = json_decode($l, true); $want[$e["sid"]] = $e["expect"]; }
	$bad = 0; $seen = [];
	foreach (file($argv[2]) as $l) {
		$d = json_decode($l, true);
		$sid = $d["sid"];
		if (!isset($want[$sid]) || isset($seen[$sid]) || $d["data"] !== $want[$sid] ||
		    $d["key"] !== "memc.sess.key." . $sid || $d["size"] !== strlen($d["value"]))
			{ echo "bad: $sid\n"; $bad++; }
		$seen[$sid] = 1;
	}
	echo $bad, " ", count($seen), " ", count($want), "\n";' "$TMP/exp" "$TMP/dump" >"$TMP/cmp"
check_eq "dump gives every session once, whole ($(head -3 "$TMP/cmp" | tr '\n' ' '))" "0 $total $total" "$(tail -1 "$TMP/cmp")"

"$MEMCSESS" -s "$SRC" list --json >"$TMP/list" 2>"$TMP/err"
check_eq "list exits 0" 0 $?
check_eq "list has every session" "$total" "$(grep -c '"sid"' "$TMP/list")"
check_eq "list has every id whole" "$(php -r 'foreach (file($argv[1]) as $l) echo json_decode($l)->sid, "\n";' "$TMP/exp" | sort | md5sum)" \
	"$(php -r 'foreach (file($argv[1]) as $l) echo json_decode($l)->sid, "\n";' "$TMP/list" | sort | md5sum)"

"$MEMCSESS" migrate --from "$SRC" --to "127.0.0.1:$C" --json >"$TMP/sum" 2>"$TMP/err"
check_eq "migrate exits 0" 0 $?
check "migrate copied every session" grep -q "\"read\":$total,\"copied\":$total" "$TMP/sum"
php_read "127.0.0.1:$C" "$TMP/exp" "PHP reads every session from the pool migrate wrote"
exit 0
