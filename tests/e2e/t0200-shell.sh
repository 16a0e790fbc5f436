#!/bin/bash
# memcsess shell. Runbooks on standard input: the same output as the command line, > and >>,
# stop at the first failure or --keep-going, and the exit status; one pool for the whole run, its
# connections kept, reconnected with a message when its server restarts. At the prompt (in
# tmux): history kept across runs (and two shells at once), Tab completion of a session id
# written by PHP, options, values and files, Ctrl-C (also on a silent server, a command reading
# the terminal, a runbook), top inside the shell, ~/.editrc (vi keys).
. "$(dirname "$0")/../lib.sh"
# Reports of a SANITIZE=1 build go to files, checked at the end (the prompt's stderr is a pane).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TMP/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$TMP/sanitizer"
mc_start_var A || exit 1
mc_start_var B || exit 1
POOL="127.0.0.1:$A,127.0.0.1:$B"
php_write "$POOL" php 5 simple | cut -d'"' -f4 | sort >"$TMP/sids"
sid=$(head -1 "$TMP/sids")

# wait_for COMMAND...: runs the command every 0.1 s until it succeeds, for 10 s at most.
wait_for() {
	local i
	for i in $(seq 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
has() { grep -q -e "$2" "$1"; }
not() { ! "$@"; }

# shell_rc RUNBOOK [ARGS...]: runs memcsess -s POOL shell ARGS < RUNBOOK (a string), output in
# $TMP/out and $TMP/err; sets RC.
shell_rc() {
	local book=$1
	shift
	printf '%s\n' "$book" | "$MEMCSESS" -s "$POOL" shell "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
}

## Runbooks: the same output as the command line.
"$MEMCSESS" -s "$POOL" inspect --raw "$sid" >"$TMP/raw"
{ "$MEMCSESS" decode "$TMP/raw"; "$MEMCSESS" decode --json "$TMP/raw"
  "$MEMCSESS" list --help; "$MEMCSESS" inspect --help; } >"$TMP/want"
shell_rc "decode $TMP/raw
decode --json '$TMP/raw'
list --help
help inspect"
check_eq "decode and --help in a runbook exit 0" 0 "$RC"
check "and print exactly what the command line prints" cmp -s "$TMP/want" "$TMP/out"

"$MEMCSESS" -s "$POOL" list --sort sid | cut -c1-62 >"$TMP/want"
shell_rc "list --sort sid"
check "list prints the same table (sid, server, size)" cmp -s "$TMP/want" <(cut -c1-62 "$TMP/out")

## A runbook with comments, redirection, set prefix and use.
cat >"$TMP/runbook" <<EOF
# comments and blank lines are skipped

inspect $sid
dump > $TMP/dump.jsonl
dump '$sid' >> "$TMP/dump.jsonl"   # appends
set prefix other.
list --json
set prefix memc.sess.key.
list --json > $TMP/list.jsonl
use 127.0.0.1:$A
servers
EOF
"$MEMCSESS" -s "$POOL" shell <"$TMP/runbook" >"$TMP/out" 2>"$TMP/err"
check_eq "a runbook that succeeds exits 0" 0 $?
check_eq "and says nothing on stderr" "" "$(cat "$TMP/err")"
check "inspect works in a runbook" has "$TMP/out" "^session *$sid"
check_eq "dump > FILE wrote every session, >> appended one" 6 "$(wc -l <"$TMP/dump.jsonl")"
check_eq "the appended line is the session asked for" "$sid" \
	"$(tail -1 "$TMP/dump.jsonl" | grep -o '"sid":"[^"]*"' | cut -d'"' -f4)"
check "dump > FILE kept stdout clean" bash -c "! grep -q '\"sid\"' '$TMP/out'"
check_eq "set prefix: no session under another prefix, then all 5 again" 5 "$(wc -l <"$TMP/list.jsonl")"
check "use switched the pool: servers shows the new one" has "$TMP/out" "^server *127.0.0.1:$A  up"
check "and not the old one" bash -c "! grep -q '127.0.0.1:$B  up' '$TMP/out'"

## Failures: the first stops the runbook with its status, unless --keep-going.
shell_rc "inspect nosuch
list"
check_eq "a failing line stops the runbook with its status" 1 "$RC"
check "the lines after it do not run" bash -c "! grep -q '^SID' '$TMP/out'"
check "the stop names the line" has "$TMP/err" "stopped at line 1 (exit status 1): inspect nosuch"
shell_rc "list --json
list --bogus
inspect nosuch
list --json" --keep-going
check_eq "--keep-going runs every line, exits with the first failure's status" 2 "$RC"
check_eq "and the lines after failures ran" 10 "$(grep -c '"sid"' "$TMP/out")"
check "and it counts the failures" has "$TMP/err" "2 lines failed; the first, line 2, with exit status 2"
shell_rc "inspect -Xj $sid
inspect $sid" --keep-going
check "a bad short option does not upset the next command's options" has "$TMP/out" "^session *$sid"
shell_rc "decode
list --json"
check_eq "a command reading standard input gets nothing, not the runbook" 5 "$(grep -c '"sid"' "$TMP/out")"
shell_rc "inspect 'open"
check "an unterminated quote is a usage error" test "$RC" = 2 -a -n "$(grep "unterminated ' quote" "$TMP/err")"
shell_rc "list | head"
check "a pipe is refused, exit 2" test "$RC" = 2 -a -n "$(grep "'|' is not supported" "$TMP/err")"
shell_rc "dump > $TMP/no/such/dir/x"
check "a redirection that cannot be opened exits 4" test "$RC" = 4 -a -n "$(grep "cannot write $TMP/no/such/dir/x" "$TMP/err")"
shell_rc "dump > /dev/full
list --json" --keep-going
check_eq "a full disk fails that command only (exit 4)" 4 "$RC"
check_eq "and the shell goes on" 5 "$(grep -c '"sid"' "$TMP/out")"
shell_rc "set timeout soon"
check "set checks the value as the command line does" test "$RC" = 2 -a -n "$(grep -e "--timeout: expected seconds" "$TMP/err")"
shell_rc "clear
d
help
help use" --keep-going
check "an unknown command is named, with where to look" has "$TMP/err" "^memcsess: unknown command 'clear' (help lists the commands)$"
check "an ambiguous one with the commands it could be" has "$TMP/err" "^memcsess: ambiguous command 'd': dump, decode, doctor$"
check "without the command line's usage" not has "$TMP/err" "^usage: memcsess"
check "help lists the commands and the shell's own" \
	bash -c "grep -q '^  inspect ' '$TMP/out' && grep -q '^  use HOST:PORT' '$TMP/out'"
check "help COMMAND works for the shell's own" has "$TMP/out" "^usage: use HOST:PORT"
shell_rc "shell"
check "shell inside the shell is refused" test "$RC" = 2 -a -n "$(grep "this is the shell already" "$TMP/err")"
shell_rc "quit
list"
check "quit ends the runbook, exit 0" test "$RC" = 0 -a ! -s "$TMP/out"
shell_rc "list --servers 127.0.0.1:$A --json
servers"
check "a command's --servers stays for the next commands" \
	bash -c "! grep -q '127.0.0.1:$B' '$TMP/out' && grep -q '^server *127.0.0.1:$A  up' '$TMP/out'"

## One pool for the run, and its connections kept between commands.
# conns PORT: how many connections the server has accepted so far (this look counts one).
conns() { mc_cmd "$1" stats | tr -d '\r' | awk '$2 == "total_connections" { print $3 }'; }
a0=$(conns "$A") b0=$(conns "$B")
shell_rc "$(for i in 1 2 3 4 5 6; do echo "inspect $sid"; done; echo list; echo list --json
echo dump; echo "expire --dry-run --all"; echo servers)"
check_eq "eleven commands on the pool succeed" 0 "$RC"
check_eq "and every inspect ran" 6 "$(grep -c "^session *$sid" "$TMP/out")"
a1=$(conns "$A") b1=$(conns "$B")
# each server: the shell's watch and one connection kept for the commands (a few at most,
# against one or more a command when each opens its own)
check "the commands reuse their connections to the first server ($((a1 - a0 - 1)) opened)" \
	test $((a1 - a0 - 1)) -le 3
check "and to the second ($((b1 - b0 - 1)) opened)" test $((b1 - b0 - 1)) -le 3

## A server that restarts is reconnected with a message.
# mc_at PORT: starts memcached again on PORT; sets AT_PID.
mc_at() {
	local user=()
	[ "$(id -u)" -eq 0 ] && user=(-u nobody)
	memcached "${user[@]}" -l 127.0.0.1 -p "$1" -U 0 -m 64 >>"$TMP/mc-$1.log" 2>&1 3>&- &
	AT_PID=$!
	MC_PIDS+=("$AT_PID")
	wait_for bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}
mc_start_var C || exit 1
mkfifo "$TMP/fifo"
"$MEMCSESS" -s "127.0.0.1:$C" shell --keep-going <"$TMP/fifo" >"$TMP/o3" 2>"$TMP/e3" &
spid=$!
exec 3>"$TMP/fifo"
echo "list" >&3
wait_for has "$TMP/o3" "^SID"
kill "$C_PID"
wait "$C_PID" 2>/dev/null
echo "list" >&3
wait_for has "$TMP/e3" "server 127.0.0.1:$C: connect: Connection refused"
check "a server that went away is named before the next command" \
	has "$TMP/e3" "server 127.0.0.1:$C went away; cannot reconnect: connect: Connection refused"
mc_at "$C"
sid3=$(php_write "127.0.0.1:$C" php 1 simple | cut -d'"' -f4)
echo "inspect $sid3" >&3
wait_for has "$TMP/o3" "^session *$sid3"
check "when it is back, the shell says so" has "$TMP/e3" "server 127.0.0.1:$C answers again; reconnected"
check "and the command works" has "$TMP/o3" "^session *$sid3"
kill "$AT_PID"
wait "$AT_PID" 2>/dev/null
mc_at "$C"
sid4=$(php_write "127.0.0.1:$C" php 1 simple | cut -d'"' -f4)
echo "inspect $sid4" >&3
exec 3>&-
wait_for not kill -0 "$spid" 2>/dev/null || kill "$spid"
wait "$spid"
check_eq "the run ends with the first failure's status (no server: 3)" 3 $?
check "a restarted server is reconnected with a message" has "$TMP/e3" "server 127.0.0.1:$C went away; reconnected"
check "and the command after the restart works" has "$TMP/o3" "^session *$sid4"

## The prompt, in tmux.
SOCK="memcsess-test-$$"
tm() { tmux -L "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT
# screen NAME: the pane's lines without trailing blanks, empty lines dropped.
screen() { tm capture-pane -p -t "$1" 2>/dev/null | sed 's/ *$//' | grep -v '^$'; }
# shows NAME TEXT: the pane shows TEXT (a fixed string) somewhere.
shows() { screen "$1" | grep -qF -- "$2"; }
# line_is NAME TEXT: the last line of the pane is exactly TEXT.
line_is() { [ "$(screen "$1" | tail -1)" = "$2" ]; }
gone() { ! tm has-session -t "$1" 2>/dev/null; }
# drop_line NAME PROMPT: Ctrl-C, then waits for the empty prompt (the terminal drops what is typed
# before it comes back).
drop_line() { tm send-keys -t "$1" C-c && wait_for line_is "$1" "$2"; }
# count_is NAME TEXT N: the pane shows TEXT on N lines.
count_is() { [ "$(screen "$1" | grep -cF -- "$2")" = "$3" ]; }
mc_start_var D || exit 1
sidD=$(php_write "127.0.0.1:$D" php 1 simple | cut -d'"' -f4)
php_server_start ENDLESS endless.php || exit 1
P="memcsess 127.0.0.1:$D>"
mkdir -p "$TMP/home"
SAN="ASAN_OPTIONS=$ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS"
run="exec env $SAN HOME=$TMP/home XDG_STATE_HOME=$TMP/state $MEMCSESS -s 127.0.0.1:$D shell"

mkdir -p "$TMP/cwd/old.d"
: >"$TMP/cwd/sessions-monday.jsonl"
tm new-session -d -s one -x 200 -y 50 -c "$TMP/cwd" "$run"
check "the prompt shows the pool" wait_for line_is one "$P"
tm send-keys -t one "servers" Enter
check "a command runs at the prompt" wait_for shows one "server        127.0.0.1:$D  up"
tm send-keys -t one Up
check "Up brings back the previous command" wait_for line_is one "$P servers"
tm send-keys -t one C-c
check "Ctrl-C at the prompt drops the line" wait_for line_is one "$P"
tm send-keys -t one "inspect t000" Tab
check "Tab completes the session id PHP wrote" wait_for line_is one "$P inspect $sidD"
tm send-keys -t one Enter
check "and the completed command runs" wait_for shows one "session      $sidD"
# tab NAME TYPED EXPECTED: Tab after TYPED at the prompt gives EXPECTED; the line is dropped after
tab() {
	tm send-keys -t one "$2" Tab
	check "$1" wait_for line_is one "$P $3"
	drop_line one "$P"
}
tab "Tab completes a command name" "ins" "inspect"
tab "Tab completes an option of the command typed" "list --so" "list --sort"
tab "Tab completes a server of the pool" "use 127.0.0" "use 127.0.0.1:$D"
tab "Tab completes a value the option lists in its usage" "list --sort i" "list --sort idle"
tab "Tab completes a file name after >" "dump > ses" "dump > sessions-monday.jsonl"
tab "and a command's FILE: a directory gets a slash" "load ol" "load old.d/"
tab "Tab completes a server after --to" "migrate --to 127.0.0" "migrate --to 127.0.0.1:$D"
tm send-keys -t one "list" Enter "set prefix other." Enter
wait_for line_is one "$P"
tm send-keys -t one "inspect t0" Tab
check "Tab also completes from the last list (none under this prefix in the pool)" \
	wait_for line_is one "$P inspect $sidD"
drop_line one "$P"
tm send-keys -t one "set prefix memc.sess.key." Enter C-r "serv"
check "Ctrl-R finds a command in the history" wait_for shows one "$P servers"
tm send-keys -t one Enter
check "and runs it" wait_for count_is one "127.0.0.1:$D  up" 2
tm send-keys -t one C-d
check "Ctrl-D leaves the shell" wait_for gone one
hist="$TMP/state/memcsess/history"
check_eq "the history file is private (0600)" 600 "$(stat -c %a "$hist" 2>/dev/null)"
check "and holds the commands" bash -c "grep -q '^servers$' '$hist' && grep -q 'inspect' '$hist'"

tm new-session -d -s two -x 200 -y 50 "$run"
wait_for line_is two "$P"
tm send-keys -t two Up
check "history persists: Up in a new shell brings back the last command" \
	wait_for line_is two "$P servers"
drop_line two "$P"
tm send-keys -t two "use 127.0.0.1:$D,127.0.0.1:$ENDLESS" Enter
P2="memcsess 127.0.0.1:$D,127.0.0.1:$ENDLESS>"
check "use switches the pool shown in the prompt" wait_for line_is two "$P2"
tm send-keys -t two "dump" Enter
wait_for shows two "\"sid\":\"$sidD\""
check "dump runs on (one server never ends its listing)" not line_is two "$P2"
start=$(date +%s%N)
tm send-keys -t two C-c
check "Ctrl-C stops the running dump" wait_for shows two "memcsess: interrupted"
echo "# Ctrl-C to prompt: $(( ($(date +%s%N) - start) / 1000000 )) ms"
check "and the prompt returns" wait_for line_is two "$P2"
tm send-keys -t two "servers" Enter
check "the shell goes on after Ctrl-C" wait_for shows two "server        127.0.0.1:$ENDLESS  up"
tm send-keys -t two "quit" Enter
check "quit leaves the shell" wait_for gone two

# Two shells at once: each one's lines stay in the file the other saves.
both="exec env $SAN HOME=$TMP/home XDG_STATE_HOME=$TMP/state2 $MEMCSESS -s 127.0.0.1:$D shell"
tm new-session -d -s x -x 200 -y 50 "$both"
tm new-session -d -s y -x 200 -y 50 "$both"
wait_for line_is x "$P" && wait_for line_is y "$P"
tm send-keys -t x "help use" Enter
wait_for shows x "switch to another pool"
tm send-keys -t y "help set" Enter
wait_for shows y "change a common option"
tm send-keys -t x "help quit" Enter
wait_for shows x "leave the shell (also Ctrl-D)"
tm send-keys -t x C-d
tm send-keys -t y C-d
wait_for gone x && wait_for gone y
check_eq "two shells at once: the history file holds the lines of both, in order" \
	"help use,help set,help quit" "$(tail -3 "$TMP/state2/memcsess/history" | sed 's/\\040/ /g' | paste -sd,)"
check_eq "and is still private (0600)" 600 "$(stat -c %a "$TMP/state2/memcsess/history" 2>/dev/null)"

mkdir -p "$TMP/vi"
echo "bind -v" >"$TMP/vi/.editrc"
tm new-session -d -s three -x 200 -y 50 \
	"exec env -u XDG_STATE_HOME $SAN HOME=$TMP/vi $MEMCSESS -s 127.0.0.1:$D"
check "memcsess with no command on a terminal opens the shell" wait_for line_is three "$P"
tm send-keys -t three "servers" Enter
wait_for shows three "server        127.0.0.1:$D  up"
tm send-keys -t three Escape
tm send-keys -t three k
check "~/.editrc is read: vi keys (Escape k) recall the last command" wait_for line_is three "$P servers"
tm send-keys -t three Enter
tm send-keys -t three C-d
check "Ctrl-D leaves the shell in vi mode too" wait_for gone three
check_eq "without XDG_STATE_HOME the history is in ~/.local/state/memcsess (0700)" 700 \
	"$(stat -c %a "$TMP/vi/.local/state/memcsess" 2>/dev/null)"
check "and holds the commands" grep -q '^servers$' "$TMP/vi/.local/state/memcsess/history"
# A server that stops answering (SIGSTOP) with a long --timeout: Ctrl-C does not wait it out.
mc_start_var F || exit 1
sidF=$(php_write "127.0.0.1:$F" php 1 simple | cut -d'"' -f4)
P4="memcsess 127.0.0.1:$F>"
tm new-session -d -s four -x 200 -y 50 \
	"exec env $SAN HOME=$TMP/home XDG_STATE_HOME=$TMP/state $MEMCSESS --timeout 600 -s 127.0.0.1:$F shell"
wait_for line_is four "$P4"
kill -STOP "$F_PID"
tm send-keys -t four "list" Enter
wait_for line_is four "$P4 list"
# interrupt NAME: Ctrl-C, then 1 when the command says it was interrupted (a Ctrl-C that comes
# before the command starts only drops an empty line: the next one is sent 0.1 s later).
interrupt() { tm send-keys -t "$1" C-c && shows "$1" "memcsess: interrupted"; }
check "Ctrl-C stops a list waiting on a silent server (--timeout 600)" wait_for interrupt four
check "and names the server it stopped waiting for" shows four "server 127.0.0.1:$F: cancelled"
kill -CONT "$F_PID"
tm send-keys -t four "inspect $sidF" Enter
check "the shell goes on: the server answers again" wait_for shows four "session      $sidF"
tm send-keys -t four C-l
tm clear-history -t four
wait_for not shows four "memcsess: interrupted"
tm send-keys -t four "decode" Enter
wait_for line_is four "$P4 decode"
check "Ctrl-C stops a command reading the terminal (decode)" wait_for interrupt four
check "and the prompt returns" wait_for line_is four "$P4"
check "with no read error before 'interrupted'" not shows four "decode: cannot read"
php_write "127.0.0.1:$F" php 6 simple >/dev/null
tm send-keys -t four "decode" Enter
wait_for line_is four "$P4 decode"
tm send-keys -t four C-d
wait_for line_is four "$P4"
tm send-keys -t four "expire --all" Enter
check "after Ctrl-D ended decode's input, expire still asks before deleting 7 sessions" \
	wait_for line_is four "expire (delete) 7 sessions? [y/N]"
tm send-keys -t four C-c
check "Ctrl-C at its question does nothing and returns to the prompt" \
	wait_for shows four "expire: nothing done"
check_eq "and every session is still there" 7 "$("$MEMCSESS" -s "127.0.0.1:$F" list --json | grep -c '"sid"')"
tm send-keys -t four "top" Enter
check "top runs inside the shell" wait_for shows four "127.0.0.1:$F UP"
tm send-keys -t four q
check "and q gives the prompt back" wait_for line_is four "$P4"
tm send-keys -t four "servers" Enter
check "where the next command runs" wait_for shows four "server        127.0.0.1:$F  up"
tm send-keys -t four C-d
wait_for gone four

# A runbook (standard input not a terminal) in a terminal: Ctrl-C stops it with status 130.
# (The server is stopped first: the list of line 2 waits for it.)
printf 'help use\nlist\nservers\n' >"$TMP/book"
kill -STOP "$F_PID"
# (bash goes on after a command that handled Ctrl-C itself, and keeps its status.)
tm new-session -d -s five -x 200 -y 50 "bash -c 'env $SAN $MEMCSESS --timeout 600 \
	-s 127.0.0.1:$F shell <$TMP/book 2>$TMP/e5; echo \$? >$TMP/rc5'"
wait_for shows five "switch to another pool"
tm send-keys -t five C-c
check "Ctrl-C stops a runbook" wait_for test -s "$TMP/rc5"
kill -CONT "$F_PID"
check_eq "with status 130" 130 "$(cat "$TMP/rc5")"
check "naming the line it stopped at" has "$TMP/e5" "stopped at line 2 (exit status 130): list"
# Ctrl-C while a runbook waits for its next line (a pipe that has not sent it yet): it stops,
# saying so, with status 130.
mkfifo "$TMP/book6"
tm new-session -d -s six -x 200 -y 50 "bash -c 'env $SAN $MEMCSESS -s 127.0.0.1:$F shell \
	<$TMP/book6 2>$TMP/e6; echo \$? >$TMP/rc6'"
exec 7>"$TMP/book6"
echo servers >&7
wait_for shows six "server        127.0.0.1:$F  up"
tm send-keys -t six C-c
check "Ctrl-C between two lines stops a runbook" wait_for test -s "$TMP/rc6"
exec 7>&-
check_eq "with status 130" 130 "$(cat "$TMP/rc6")"
check "saying it was waiting for line 2" \
	has "$TMP/e6" "interrupted while waiting for line 2; the rest of the runbook is not run"
check_eq "no sanitizer report from any run" "" "$(cat "$TMP"/sanitizer.* 2>/dev/null | head -40)"
exit 0
