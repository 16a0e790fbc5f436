#!/bin/bash
# top's edit key, used as a person uses it (tmux): in the inspector, e puts the screen away,
# runs $EDITOR (a script) on the session's edit text, shows the diff and the outcome, and Enter
# brings the screen back with the session fetched again; PHP then reads the change. With
# --readonly the key is refused.
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

start ro --readonly
to_inspector ro
check_pane ro "read-only: the inspector shows the session" "^session +$sid\$"
tm send-keys -t ro e
check_pane ro "read-only: e is refused" "read-only \(--readonly\): edit is disabled"
tm send-keys -t ro q
tm send-keys -t main q

exit $((FAILS > 0))
