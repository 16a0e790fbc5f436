#!/bin/bash
# compare-output.sh OLD_BIN NEW_BIN: proof that two memcsess builds print the same thing.
#
# Starts a throwaway pool of 3 memcached on free loopback ports (tests/lib.sh: as root with
# -u nobody), fills it through real PHP (session.save_handler=memcached) with sessions of every
# handler (php, php_binary, php_serialize, igbinary): nested arrays, objects with private and
# protected properties, references, floats at their limits, enums, unicode, binary strings,
# empty sessions, one of 300 KB; sessions without references too, which dump writes through
# its direct path (php/direct*.c) and inspect through the tree; sessions on a server PHP does
# not read them from; encrypted ones (the openssl_encrypt pattern whole and per value, Laravel
# CBC and GCM with a key ring, zlib; Symfony's compressed with fastlz and zlib; one of each
# kind of damage) and held locks.
# Then runs each output below with OLD_BIN and at once with NEW_BIN, and cmp's the pair:
#
#   list --json, list --json --sort sid, list, list --detect, list --json of the Laravel store
#   dump, dump --no-value, dump --decrypt (--key-file), dump --decrypt of the Laravel store,
#   dump of the Symfony store
#   decode --lines of OLD_BIN's dump (offline: both decode the same file)
#   inspect --json and inspect on 16 sessions with the key ring (each handler, two locked, an
#   empty one, a misplaced one, the large one, whole- and inner-encrypted, a damaged one), and
#   without a key, Laravel's (GCM, CBC) and Symfony's
#   top --once --readonly (no terminal needed: --once prints plain text)
#
# Each output is stdout, a line "-- stderr", stderr, and "-- exit N": messages and exit codes
# are compared too. What is normalized, and why (nothing else is touched):
#   - stderr is sorted, and so are the lines of list and dump (not of list --sort): servers are
#     walked in parallel and each server's thread writes when it gets the output;
#   - values that move with the clock between two runs of the same binary:
#     JSON (list --json, dump, inspect --json): the numbers of "ttl", "idle", "expiry" and
#       "last_access", at any depth, whatever the spacing (even the absolute times: memcached
#       gives them as now plus or minus a relative time, now being its own coarse clock);
#     list: the TTL and IDLE columns (4th and 5th fields of a session line, with the spaces
#       before them)
#     inspect: the rest of the "ttl" and "last access" lines
#     top --once: the clock in the title line, each server's UPTIME (4th field), and the IN/s
#       and OUT/s columns (the last two of the server and TOTAL lines: top's own traffic,
#       which falls inside or outside the 1 s between its two samples).
# The two binaries run back to back for each output, so that the servers' counters top shows
# (hits, memory, items, connections) are the same for both.
#
# Prints one line per output, "same" or "DIFFERENT" (with the first lines of the diff on
# stderr), and exits 1 if any output differs, 2 on a usage or set-up error. Every server is
# stopped on exit. COMPARE_KEEP=DIR keeps the outputs (N.old, N.new normalized; .out, .err
# as printed) in DIR. Example:  scripts/compare-output.sh /tmp/memcsess.base ./memcsess
set -u
if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
	echo "usage: scripts/compare-output.sh OLD_BIN NEW_BIN (two executable memcsess binaries)" >&2
	exit 2
fi
OLD=$(readlink -f "$1")
NEW=$(readlink -f "$2")
. "$(dirname "$0")/../tests/lib.sh"
for t in memcached php; do
	command -v "$t" >/dev/null || { echo "compare-output: $t is not installed (make deps)" >&2; exit 2; }
done
unset MEMCSESS_KEY MEMCSESS_SERVERS MEMCSESS_PASSWORD
export LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1

setup_fail() { echo "compare-output: $*" >&2; exit 2; }

mc_start_var A || setup_fail "memcached did not start"
mc_start_var B || setup_fail "memcached did not start"
mc_start_var C || setup_fail "memcached did not start"
POOL="127.0.0.1:$A,127.0.0.1:$B,127.0.0.1:$C"

# --- the sessions, written by real PHP ---
echo "compare-output: filling a pool of 3 memcached ($POOL) through PHP" >&2
W=$TMP/written
mkdir -p "$W"
for h in php php_binary php_serialize igbinary; do
	php_write "$POOL" "$h" 6 edge >"$W/$h.edge" || setup_fail "PHP could not write $h sessions"
	php_write "$POOL" "$h" 4 rich >"$W/$h.rich" || setup_fail "PHP could not write $h sessions"
	php_write "$POOL" "$h" 2 simple >"$W/$h.simple" || setup_fail "PHP could not write $h sessions"
	php_write "$POOL" "$h" 1 empty >"$W/$h.empty" || setup_fail "PHP could not write $h sessions"
done
# "plain" sessions: the same variety without PHP references (write.php's rich and edge modes
# have some), so that dump takes its direct path (php/direct*.c) for the even ones (php,
# php_serialize, igbinary); the odd ones hold what the direct path declines
cat >"$TMP/plain.php" <<'PHP'
<?php
require $argv[1];
ini_set('session.use_cookies', '0');
ini_set('session.use_strict_mode', '0');
ini_set('session.cache_limiter', '');
for ($i = 0; $i < (int)$argv[2]; $i++) {
	session_id(sprintf('p%05d%s', $i, bin2hex(random_bytes(8))));
	session_start() or exit(1);
	$_SESSION['user_id'] = 1000 + $i;
	$_SESSION['name'] = "user \"$i\" Ünïcødé ✓ /slash \\ \t\n\x01\x7f </script>";
	$_SESSION['floats'] = [0.1 * $i, 2.0, -1.5e-7, 1.0e25, 0.1 + 0.2, -0.0, 5e-324,
		1.7976931348623157e308, INF, -INF, NAN];
	$_SESSION['ints'] = [PHP_INT_MAX, PHP_INT_MIN, 0, -1, 255, 65536, 4294967296];
	$_SESSION['flags'] = [true, false, null];
	$_SESSION['binary'] = "\x00\xff\xfe bin" . chr($i % 256);
	$_SESSION['latin1'] = "caf\xe9";
	$_SESSION['cart'] = new Cart("user$i", [['sku' => "A-$i", 'qty' => $i % 5], ['sku' => 'B']]);
	if ($i % 2) {	// a private property named as one of its parent's: the tree path
		$acc = new Account('x', []);
		$acc->id = $i;
		$_SESSION['account'] = $acc;
	}
	$_SESSION['std'] = (object)['a' => 1, 'b' => [1, 2], 'c' => new ArrayObject([1])];
	$_SESSION['suit'] = Suit::Spades;
	$_SESSION['map'] = [5 => 'five', -3 => 'neg', '07' => 'string key', 'k' => ['deep' =>
		['deeper' => [1, 2, ['deepest' => [0]]]]]];
	$_SESSION['empty'] = [];	// one only: igbinary writes a second as a reference to it
	$_SESSION['emptystr'] = '';
	$_SESSION['long'] = str_repeat('long text ', 500 + $i);
	$_SESSION['ключ ✓'] = "日本語 — 🎉 \u{10FFFF}";
	session_write_close() or exit(1);
	echo json_encode(['sid' => session_id()]), "\n";
}
PHP
for h in php php_binary php_serialize igbinary; do
	php -d session.save_handler=memcached -d "session.save_path=$POOL" \
		-d "session.serialize_handler=$h" "$TMP/plain.php" "$PHP_DIR/classes.php" 4 \
		>"$W/$h.plain" || setup_fail "PHP could not write $h sessions"
done
# misplaced: PHP with only the first server in save_path puts them all there
php_write "127.0.0.1:$A" php 6 rich >"$W/misplaced" || setup_fail "PHP could not write sessions"
# a large session (about 300 KB: far more than one read of the socket)
php -d session.save_handler=memcached -d "session.save_path=$POOL" -r '
	ini_set("session.use_cookies", "0"); session_id("big" . bin2hex(random_bytes(8)));
	session_start(); $_SESSION["rows"] = array_fill(0, 3000, str_repeat("row data ", 10));
	$_SESSION["blob"] = random_bytes(20000); session_write_close(); echo session_id(), "\n";' \
	>"$W/big" || setup_fail "PHP could not write the large session"

rand() { php -r "echo $1(random_bytes($2));"; }
export MEMCSESS_TEST_OKEY="okey-$(rand bin2hex 12)"
export MEMCSESS_TEST_LKEY="base64:$(rand base64_encode 32)"
KEYS=$TMP/keys
printf '%s\nbase64:%s\n%s\n' "$MEMCSESS_TEST_OKEY" "$(rand base64_encode 32)" "$MEMCSESS_TEST_LKEY" >"$KEYS"
cw() { php -d session.save_handler=memcached -d "session.save_path=$POOL" "$PHP_DIR/crypt-write.php" "$@"; }
cw whole 4 >"$W/whole" || setup_fail "PHP could not write encrypted sessions"
cw inner 4 >"$W/inner" || setup_fail "PHP could not write encrypted sessions"
cw damaged >"$W/damaged" || setup_fail "PHP could not write damaged sessions"
cw laravel 4 "$POOL" laravel_cache: aes-256-cbc >"$W/lcbc" || setup_fail "laravel cbc"
cw laravel 4 "$POOL" laravel_cache: aes-256-gcm zlib >"$W/lgcm" || setup_fail "laravel gcm"
cw symfony 2 "$POOL" fastlz >"$W/sf" || setup_fail "symfony fastlz"
cw symfony 2 "$POOL" zlib >>"$W/sf" || setup_fail "symfony zlib"

sid() { sed -n "${2:-1}p" "$W/$1" | sed 's/^{"sid":"\([^"]*\)".*/\1/'; }
# held locks: PHP processes killed inside session_start(), on two sessions and on a sid that
# has no session
# (rich sessions: their classes are missing there, which PHP survives; an enum it does not)
php_leave_lock "$POOL" "$(sid php.rich 2)"
php_leave_lock "$POOL" "$(sid igbinary.rich 1)" -d session.serialize_handler=igbinary
php_leave_lock "$POOL" "orphanlock$(rand bin2hex 6)"

# --- the outputs ---
OUT=$TMP/out
mkdir -p "$OUT"
DIFFS=0
COUNT=0
LV=(--app laravel --prefix laravel_cache: --key-file "$KEYS")

# The normalizations (see the top): what moves with the clock, and the order of lines that
# come from parallel walks.
strip_json() { sed -E 's/("(ttl|idle|expiry|last_access)": ?)-?[0-9]+/\1_/g'; }
strip_list() { sed -E '/^SID /!s/^([^ ]+ +[^ ]+ +[^ ]+) +[^ ]+ +[^ ]+/\1 _ _/'; }
strip_inspect() { sed -E 's/^(ttl|last access)( +).*/\1\2_/'; }
strip_top() {
	sed -E -e 's/^(memcsess top[^:]*: )[0-9-]+ [0-9:]+ UTC/\1_/' \
		-e 's/^([0-9.]+:[0-9]+ +[A-Z]+ +[^ ]+ +)[0-9][0-9dhms]*/\1_/' \
		-e '/^([0-9.]+:[0-9]+|TOTAL) /s/ +[^ ]+ +[^ ]+$/ _ _/'
}
sorted() { LC_ALL=C sort; }

# run1 BIN FILE STRIP ORDER ARGS...: BIN's stdout (through ORDER, then STRIP), its stderr
# (sorted, then STRIP) and its exit code, into FILE.
run1() {
	local bin=$1 file=$2 strip=$3 order=$4 rc
	shift 4
	"$bin" -s "$POOL" "$@" >"$file.out" 2>"$file.err" </dev/null
	rc=$?
	{
		$order <"$file.out"
		echo "-- stderr"
		sorted <"$file.err"
		echo "-- exit $rc"
	} | $strip >"$file"
}

# compare NAME STRIP ORDER ARGS...: OLD and NEW back to back, one line of verdict.
compare() {
	local name=$1 strip=$2 order=$3
	shift 3
	COUNT=$((COUNT + 1))
	run1 "$OLD" "$OUT/$COUNT.old" "$strip" "$order" "$@"
	run1 "$NEW" "$OUT/$COUNT.new" "$strip" "$order" "$@"
	if cmp -s "$OUT/$COUNT.old" "$OUT/$COUNT.new"; then
		printf '%-58s same (%s lines)\n' "$name" "$(wc -l <"$OUT/$COUNT.old")"
	else
		printf '%-58s DIFFERENT\n' "$name"
		diff "$OUT/$COUNT.old" "$OUT/$COUNT.new" | head -20 | cut -c1-300 | sed 's/^/    /' >&2
		DIFFS=$((DIFFS + 1))
	fi
}

# Lines of list and dump come in the order each server's thread reaches the output: sorted.
compare "list --json" strip_json sorted list --json
compare "list --json --sort sid" strip_json cat list --json --sort sid
compare "list" strip_list sorted list
compare "list --detect" cat cat list --detect
compare "--app laravel list --json (key ring)" strip_json sorted "${LV[@]}" list --json
compare "dump" strip_json sorted dump
compare "dump --no-value" strip_json sorted dump --no-value
compare "dump --decrypt (--key-file)" strip_json sorted --key-file "$KEYS" dump --decrypt
compare "--app laravel dump --decrypt (key ring)" strip_json sorted "${LV[@]}" dump --decrypt
compare "--app symfony dump" strip_json sorted --app symfony dump
"$OLD" -s "$POOL" dump >"$TMP/dump.jsonl" 2>/dev/null
compare "decode --lines (OLD's dump, offline)" cat cat decode --lines "$TMP/dump.jsonl"

# a session on a server PHP does not read it from (list --json names that server php_server)
stray=$("$OLD" -s "$POOL" list --json 2>/dev/null | grep -m1 '"php_server"' |
	sed 's/.*"sid":"\([^"]*\)".*/\1/')
[ -n "$stray" ] || setup_fail "no misplaced session in the pool"
INSPECT=(
	"php:$(sid php.edge 1)" "php (locked):$(sid php.rich 2)" "php rich:$(sid php.rich 1)"
	"php_binary:$(sid php_binary.edge 1)" "php_serialize:$(sid php_serialize.edge 1)"
	"igbinary:$(sid igbinary.edge 1)" "igbinary (locked):$(sid igbinary.rich 1)"
	"php plain:$(sid php.plain 1)" "php_serialize plain:$(sid php_serialize.plain 2)"
	"igbinary plain:$(sid igbinary.plain 1)" "empty:$(sid php_serialize.empty 1)"
	"misplaced:$stray" "large:$(sid big 1)" "whole-encrypted:$(sid whole 1)"
	"inner-encrypted:$(sid inner 1)" "damaged:$(sid damaged 3)"
)
for e in "${INSPECT[@]}"; do
	what=${e%%:*}
	s=${e#*:}
	compare "inspect --json ($what)" strip_json cat --key-file "$KEYS" inspect --json "$s"
	compare "inspect ($what)" strip_inspect cat --key-file "$KEYS" inspect "$s"
done
compare "inspect --json (whole-encrypted, no key)" strip_json cat inspect --json "$(sid whole 2)"
compare "inspect (inner-encrypted, no key)" strip_inspect cat inspect "$(sid inner 2)"
compare "--app laravel inspect --json (gcm, zlib)" strip_json cat "${LV[@]}" inspect --json "$(sid lgcm 2)"
compare "--app laravel inspect (cbc)" strip_inspect cat "${LV[@]}" inspect "$(sid lcbc 2)"
compare "--app symfony inspect --json (zlib)" strip_json cat --app symfony inspect --json "$(sid sf 3)"
compare "top --once --readonly" strip_top cat top --once --readonly

[ -z "${COMPARE_KEEP:-}" ] || { mkdir -p "$COMPARE_KEEP" && cp -r "$OUT"/. "$COMPARE_KEEP"/; }
if [ "$DIFFS" -eq 0 ]; then
	echo "compare-output: all $COUNT outputs the same"
	exit 0
fi
echo "compare-output: $DIFFS of $COUNT outputs DIFFERENT"
exit 1
