#!/bin/bash
# memcsess edit: the session in $EDITOR (a script here) as text that keeps every PHP type. For
# every handler, PHP writes a rich session and a byte copy (twin); the editor changes one, PHP
# makes the same change to the twin: the bytes must be equal and PHP reads the change. An
# unchanged file writes nothing; a file that does not read back is offered again; a CAS
# conflict (PHP writes while the editor is open) offers to start again from PHP's data.
. "$(dirname "$0")/../lib.sh"
mc_start_var A || exit 1
POOL="127.0.0.1:$A"
P=memc.sess.key.
raw() { "$MEMCSESS" -s "$POOL" inspect --raw "$1"; }

# the editor: user_id 1000 -> 4242, the cart owner (protected) renamed, a float, an int key
cat >"$TMP/ed.sh" <<'ED'
#!/bin/sh
sed -i -e 's/"big": 9223372036854775807,/"big": 4242,/' -e 's/"protected:owner": "user0"/"protected:owner": "zed"/' \
	-e 's/"whole": 2.0,/"whole": 2.5,/' "$1"
ED
chmod +x "$TMP/ed.sh"
cat >"$TMP/same.php" <<'PHP'
<?php
require $argv[2];
ini_set('session.use_cookies', '0');
session_id($argv[1]);
session_start();
$_SESSION['big'] = 4242;
(function () { $this->owner = 'zed'; })->call($_SESSION['cart']);
$_SESSION['whole'] = 2.5;
session_write_close();
PHP

for h in php php_binary php_serialize igbinary; do
	php_write "$POOL" "$h" 1 edge >"$TMP/$h.exp" || not_ok "$h: PHP could not write sessions"
	sid=$(cut -d'"' -f4 "$TMP/$h.exp")
	php "$PHP_DIR/rawcopy.php" "$A" "$P$sid" "$P${sid}twin" || not_ok "$h: copy to the twin"
	raw "$sid" >"$TMP/before"
	EDITOR=true "$MEMCSESS" -s "$POOL" edit "$sid" >"$TMP/out" 2>&1
	check_eq "$h: unchanged file: exit 0" 0 $?
	check "$h: unchanged file: says nothing written" grep -q "^$sid: no change, nothing written" "$TMP/out"
	raw "$sid" >"$TMP/after"
	check "$h: unchanged file: same bytes" cmp -s "$TMP/before" "$TMP/after"

	EDITOR="$TMP/ed.sh" "$MEMCSESS" -s "$POOL" edit "$sid" >"$TMP/out" 2>"$TMP/err" </dev/null
	check_eq "$h: edit exits 0" 0 $?
	check "$h: edit shows the diff" grep -q '^+big: int 4242' "$TMP/out"
	check "$h: edit says written" grep -q "^$sid: written ($h," "$TMP/out"
	php -d session.save_handler=memcached -d "session.save_path=$POOL" \
		-d "session.serialize_handler=$h" "$TMP/same.php" "${sid}twin" "$PHP_DIR/classes.php"
	raw "$sid" >"$TMP/mine"
	raw "${sid}twin" >"$TMP/php"
	check "$h: the editor's change gives the bytes PHP writes for it" cmp -s "$TMP/mine" "$TMP/php"
	"$MEMCSESS" -s "$POOL" inspect --json "${sid}twin" |
		php -r '$d = json_decode(stream_get_contents(STDIN), true);
			echo json_encode(["sid" => $argv[1], "expect" => $d["data"]],
				JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION), "\n";' \
			"$sid" >"$TMP/changed.exp"
	php_read "$POOL" "$TMP/changed.exp" "$h: PHP reads the edited session" -d "session.serialize_handler=$h"
done

# a file that does not read back: said, offered again; the second try is written
sid=$(cut -d'"' -f4 "$TMP/php.exp")
cat >"$TMP/ed2.sh" <<ED
#!/bin/sh
if [ ! -f "$TMP/tried" ]; then touch "$TMP/tried"; echo '{"user_id": ' >"\$1"; exit 0; fi
printf '{"user_id": 7}\n' >"\$1"
ED
chmod +x "$TMP/ed2.sh"
echo y | EDITOR="$TMP/ed2.sh" "$MEMCSESS" -s "$POOL" edit "$sid" >"$TMP/out" 2>"$TMP/err"
check_eq "bad file, fixed: exit 0" 0 $?
check "bad file: the error names the line" grep -q "edit: line [0-9]* column" "$TMP/err"
check "bad file: offered again" grep -q "edit the file again" "$TMP/err"
check "fixed file: written" grep -q "^$sid: written" "$TMP/out"
check_eq "fixed file: the session holds only user_id 7" '{"user_id":7}' \
	"$("$MEMCSESS" -s "$POOL" inspect --json "$sid" | php -r 'echo json_encode(json_decode(stream_get_contents(STDIN), true)["data"]);')"

# a bad file given up: nothing written
raw "$sid" >"$TMP/before"
cat >"$TMP/ed3.sh" <<'ED'
#!/bin/sh
echo 'not json' >"$1"
ED
chmod +x "$TMP/ed3.sh"
echo n | EDITOR="$TMP/ed3.sh" "$MEMCSESS" -s "$POOL" edit "$sid" >"$TMP/out" 2>"$TMP/err"
check_eq "bad file given up: exit 1" 1 $?
check "bad file given up: says so" grep -q "edit abandoned: nothing written" "$TMP/err"
raw "$sid" >"$TMP/after"
check "bad file given up: same bytes" cmp -s "$TMP/before" "$TMP/after"

# a conflict: PHP writes while the editor is open; started again from PHP's data
sid=$(cut -d'"' -f4 "$TMP/php_serialize.exp")
cat >"$TMP/ed4.sh" <<ED
#!/bin/sh
if [ ! -f "$TMP/php-wrote" ]; then
	touch "$TMP/php-wrote"
	php -d session.save_handler=memcached -d "session.save_path=$POOL" \
		-d session.serialize_handler=php_serialize -r '
		require \$argv[2]; ini_set("session.use_cookies", "0"); session_id(\$argv[1]);
		session_start(); \$_SESSION["php"] = "wins"; session_write_close();' "$sid" "$PHP_DIR/classes.php"
fi
sed -i 's/"big": 4242,/"big": 5,/' "\$1"
ED
chmod +x "$TMP/ed4.sh"
echo y | EDITOR="$TMP/ed4.sh" "$MEMCSESS" -s "$POOL" edit "$sid" >"$TMP/out" 2>"$TMP/err"
check_eq "conflict, started again: exit 0" 0 $?
check "conflict: said" grep -q "changed on 127.0.0.1:$A since it was read: nothing written" "$TMP/err"
check "conflict: offered to start again" grep -q "start again from the new data" "$TMP/err"
check_eq "conflict: PHP's write and the edit are both there" "wins 5" \
	"$("$MEMCSESS" -s "$POOL" inspect --json "$sid" | php -r '$d = json_decode(stream_get_contents(STDIN), true)["data"]; echo $d["php"], " ", $d["big"];')"

exit $((FAILS > 0))
