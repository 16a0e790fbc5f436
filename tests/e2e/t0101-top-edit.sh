#!/bin/bash
# top's edit key, used as a person uses it (tmux): in the inspector, e puts the screen away,
# runs $EDITOR (a script) on the session's edit text, shows the diff and the outcome, and Enter
# brings the screen back with the session fetched again; PHP then reads the change. With
# --readonly the key is refused. The same key on the selected row of the session list does the
# same (another script, another value), refused with --readonly too.
. "$(dirname "$0")/../lib.sh"
tmux_start
unset MEMCSESS_KEY MEMCSESS_SERVERS
mc_start_var A || exit 1
POOL="127.0.0.1:$A"
php_write "$POOL" php 1 rich >"$TMP/w" || not_ok "PHP could not write a session"
sid=$(cut -d'"' -f4 "$TMP/w")
cat >"$TMP/ed.sh" <<'ED'
#!/bin/sh
sed -i 's/"user_id": 1000,/"user_id": 4242,/' "$1"
ED
chmod +x "$TMP/ed.sh"

# start NAME ARGS...: memcsess top in a tmux session of its own.
start() {
	local name=$1
	shift
	tm new-session -d -s "$name" -x 120 -y 40 env MEMCSESS="$MEMCSESS" TERM=screen \
		EDITOR="$TMP/ed.sh" LC_ALL=C.UTF-8 "$MEMCSESS" -s "$POOL" top -d 0.5 "$@"
}
# to_inspector NAME: from the panel to the session's inspector.
to_inspector() {
	tm send-keys -t "$1" Tab
	wait_pane "$1" "walk done"
	tm send-keys -t "$1" / "$sid" Enter
	wait_pane "$1" "^1 shown of 1"
	tm send-keys -t "$1" Enter
}

start main
to_inspector main
check_pane main "the inspector shows the session" "^session +$sid\$"
check_pane main "... with user_id 1000" "user_id: int 1000"
tm send-keys -t main e
check_pane main "e runs the editor outside the screen: the diff" "^\+user_id: int 4242"
check_pane main "... and the outcome" "^$sid: written \(php, "
check_pane main "... then waits for Enter" "press Enter to go back to memcsess top"
tm send-keys -t main Enter
check_pane main "Enter brings top back" "^memcsess top "
check_pane main "the inspector shows the session fetched again" "user_id: int 4242"
got=$(php -d session.save_handler=memcached -d "session.save_path=$POOL" -r '
	require $argv[2]; ini_set("session.use_cookies", "0"); session_id($argv[1]);
	session_start(["read_and_close" => true]); echo $_SESSION["user_id"];' "$sid" "$PHP_DIR/classes.php")
check_eq "PHP reads the edited session" 4242 "$got"

# php_user_id SID: the session's user_id, as PHP reads it.
php_user_id() {
	php -d session.save_handler=memcached -d "session.save_path=$POOL" -r '
	require $argv[2]; ini_set("session.use_cookies", "0"); session_id($argv[1]);
	session_start(["read_and_close" => true]); echo $_SESSION["user_id"];' "$1" "$PHP_DIR/classes.php"
}

# ---- the session list: e on the selected row ----
tm send-keys -t main q
cat >"$TMP/ed2.sh" <<'ED'
#!/bin/sh
sed -i 's/"user_id": 4242,/"user_id": 777,/' "$1"
ED
chmod +x "$TMP/ed2.sh"
tm new-session -d -s list -x 120 -y 40 env MEMCSESS="$MEMCSESS" TERM=screen \
	EDITOR="$TMP/ed2.sh" LC_ALL=C.UTF-8 "$MEMCSESS" -s "$POOL" top -d 0.5
tm send-keys -t list Tab
wait_pane list "walk done"
tm send-keys -t list / "$sid" Enter
wait_pane list "^1 shown of 1"
check_pane list "the list shows the session's row" "^ +$sid .* user_id=4242 "
tm send-keys -t list e
check_pane list "e on a list row runs the editor: the diff" "^\+user_id: int 777"
check_pane list "... and the outcome" "^$sid: written \(php, "
tm send-keys -t list Enter
check_pane list "Enter brings the list back" "^1 shown of 1"
check_eq "PHP reads the session edited from the list" 777 "$(php_user_id "$sid")"

start rolist --readonly
tm send-keys -t rolist Tab
wait_pane rolist "walk done"
tm send-keys -t rolist / "$sid" Enter
wait_pane rolist "^1 shown of 1"
tm send-keys -t rolist e
check_pane rolist "read-only: e on a list row is refused" "read-only \(--readonly\): edit is disabled"
tm send-keys -t rolist q
check_eq "read-only: the session is unchanged" 777 "$(php_user_id "$sid")"

start ro --readonly
to_inspector ro
check_pane ro "read-only: the inspector shows the session" "^session +$sid\$"
tm send-keys -t ro e
check_pane ro "read-only: e is refused" "read-only \(--readonly\): edit is disabled"
tm send-keys -t ro q
tm send-keys -t list q

exit $((FAILS > 0))
