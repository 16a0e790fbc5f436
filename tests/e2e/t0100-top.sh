#!/bin/bash
# memcsess top, used as a person uses it: in tmux, keys sent with send-keys, the screen read with
# capture-pane, against real memcached holding sessions written by real PHP. Every wait polls
# the screen until the expected text shows (bounded), never a fixed sleep.
. "$(dirname "$0")/../lib.sh"
tmux_start

unset MEMCSESS_KEY MEMCSESS_SERVERS
mc_start_var A || exit 1
mc_start_var B || exit 1
mc_start_var C || exit 1
POOL="127.0.0.1:$A,127.0.0.1:$B,127.0.0.1:$C"
php_write "$POOL" php 20 rich >"$TMP/w1" || not_ok "PHP could not write sessions"
cut -d'"' -f4 "$TMP/w1" >"$TMP/sids1"
php "$PHP_DIR/where.php" "$POOL" memc.sess.key. <"$TMP/sids1" >"$TMP/where1"
on() { grep -c " 127.0.0.1:$2\$" "$1"; }

# The runner shows the exit code and the tty modes after memcsess ends, then stays.
cat >"$TMP/run.sh" <<'EOF'
echo $$ >"$PIDFILE"
"$MEMCSESS" "$@"
echo "EXIT=$?"
echo "TTY: $(stty -a | tr ' ;' '\n\n' | grep -xE -- '-?(icanon|echo)' | tr '\n' ' ')"
exec sleep 600
EOF
# start_top NAME COLS ROWS VAR=VALUE... -- ARGS...: memcsess top in a new tmux session
# (--timeout $TOP_TIMEOUT, default 0.5).
start_top() {
	local name=$1 cols=$2 rows=$3 envs=()
	shift 3
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	tm new-session -d -s "$name" -x "$cols" -y "$rows" \
		env PIDFILE="$TMP/$name.pid" MEMCSESS="$MEMCSESS" TERM=screen "${envs[@]}" \
		bash "$TMP/run.sh" -s "$POOL" --timeout "${TOP_TIMEOUT:-0.5}" top "$@"
}
# cell FILE ROW HEAD: the right-aligned cell under column HEAD in the line starting with ROW.
cell() {
	LC_ALL=C.UTF-8 sed 's/[^ -~]/?/g' "$1" | awk -v row="$2" -v head="$3" '
		/^SERVER / && !end { i = index($0 " ", " " head " "); if (i) end = i + length(head) }
		end && index($0, row) == 1 { s = substr($0, 1, end); sub(/.* /, "", s); print s; exit }'
}
# wait_cell NAME ROW HEAD VALUE: polls until that cell shows VALUE.
wait_cell() {
	local i
	for ((i = 0; i < 100; i++)); do
		pane "$1"
		[ "$(cell "$TMP/pane.$1" "$2" "$3")" = "$4" ] && return 0
		sleep 0.1
	done
	return 1
}
check_cell() {
	if wait_cell "$1" "$3" "$4" "$5"; then
		ok "$2"
	else
		not_ok "$2: $4 of '$3' is '$(cell "$TMP/pane.$1" "$3" "$4")', expected '$5'"
		sed 's/^/#   /' "$TMP/pane.$1"
	fi
}
keys() { tm send-keys -t "$@"; }
# php_session SID: what PHP's session_start() finds for SID: "N vars, user_id U".
php_session() {
	php -d session.save_handler=memcached -d "session.save_path=$POOL" -r '
		ini_set("session.use_cookies", "0"); ini_set("session.use_strict_mode", "0");
		session_id($argv[1]); session_start();
		echo count($_SESSION), " vars, user_id ", $_SESSION["user_id"] ?? "none", "\n";' "$1"
}

# ---- --once: plain text, no terminal needed ----
"$MEMCSESS" -s "$POOL" top --once -d 0.2 >"$TMP/once" 2>"$TMP/once.err"
check_eq "--once exits 0 with every server up" 0 $?
check "--once writes no escape sequence" bash -c "! grep -q $'\\e' '$TMP/once'"
check "--once has the column header" grep -qE '^SERVER +STATE +VERSION +UPTIME +CONN +GET/s +SET/s +HIT% +HIT%ALL +MEM +USED/LIMIT +ITEMS +SESS +EVICT/s +EXP/s +IN/s +OUT/s$' "$TMP/once"
for p in $A $B $C; do
	check_eq "--once counts the sessions PHP put on 127.0.0.1:$p" "$(on "$TMP/where1" "$p")" "$(cell "$TMP/once" "127.0.0.1:$p " SESS)"
	check "--once shows 127.0.0.1:$p UP with its version" grep -qE "^127\.0\.0\.1:$p +UP +1\.[0-9]+\.[0-9]+ " "$TMP/once"
done
check_eq "--once TOTAL row sums the sessions" 20 "$(cell "$TMP/once" "TOTAL " SESS)"
check_eq "--once TOTAL row says 3 of 3 up" "TOTAL 3/3up" "$(grep -oE '^TOTAL +[0-9]+/[0-9]+up' "$TMP/once" | tr -s ' ')"
DEAD=$(free_port)
"$MEMCSESS" -s "127.0.0.1:$A,127.0.0.1:$DEAD" top --once -d 0.2 >"$TMP/once2" 2>&1
check_eq "--once with a dead server exits 1" 1 $?
check "--once shows the dead server DOWN" grep -qE "^127\.0\.0\.1:$DEAD +DOWN " "$TMP/once2"
check "--once says why it is down" grep -q "^server 127.0.0.1:$DEAD: connect: Connection refused" "$TMP/once2"
"$MEMCSESS" -s "127.0.0.1:$DEAD" top --once -d 0.2 >/dev/null 2>&1
check_eq "--once with no server up exits 3" 3 $?
chmod o+x "$TMP"	# memcached runs as nobody and reads its auth file itself
mkdir -m 755 "$TMP/auth" && printf 'user:secret\n' >"$TMP/auth/file" && chmod 644 "$TMP/auth/file"
mc_start_var D -Y "$TMP/auth/file" || exit 1
"$MEMCSESS" -s "127.0.0.1:$A,127.0.0.1:$D" top --once -d 0.2 >"$TMP/once3" 2>&1
check "--once shows a server that wants authentication as AUTH" grep -qE "^127\.0\.0\.1:$D +AUTH " "$TMP/once3"
check "--once says what it replied" grep -q "^server 127.0.0.1:$D: authentication required: server replied 'CLIENT_ERROR unauthenticated'" "$TMP/once3"
"$MEMCSESS" -s "$POOL" top </dev/null >"$TMP/notty" 2>&1
check_eq "top without a terminal exits 2" 2 $?
check "top without a terminal points to --once" grep -q "needs a terminal.*--once" "$TMP/notty"
"$MEMCSESS" -s "$POOL" top -d 0 --once >/dev/null 2>"$TMP/bad"
check_eq "top -d 0 is a usage error" 2 $?

# ---- the console: pool panel ----
start_top main 160 45 LC_ALL=C.UTF-8 -- -d 0.5 --count-interval 1
check_pane main "the title names the screen, the interval and the pool" "^memcsess top . pool . [0-9:]+ [A-Z]+ . every 0.5s . pool of 3 \(ketama, prefix memc.sess.key.\)"
for p in $A $B $C; do
	check_pane main "the panel shows 127.0.0.1:$p UP" "^127\.0\.0\.1:$p +UP +1\.[0-9]"
	check_cell main "the panel counts the sessions PHP put on 127.0.0.1:$p" "127.0.0.1:$p " SESS "$(on "$TMP/where1" "$p")"
done
check_cell main "the TOTAL row counts 20 sessions" "TOTAL " SESS 20
check_pane main "UTF-8 terminal: box drawing in the title" "│ pool │"
check_pane main "UTF-8 terminal: block bars" "\[(█|▏|▎|▍|▌|▋|▊|▉|·){6}\] +[0-9]+%"
tm capture-pane -e -p -t main >"$TMP/colour"
check "colours are used when the terminal has them" grep -qE $'\e\\[([0-9;]*;)?32m' "$TMP/colour"

php_write "$POOL" php 10 simple >"$TMP/w2" || not_ok "PHP could not write more sessions"
cut -d'"' -f4 "$TMP/w2" >"$TMP/sids2"
check_cell main "after PHP writes 10 more sessions, TOTAL rises to 30" "TOTAL " SESS 30
php "$PHP_DIR/where.php" "$POOL" memc.sess.key. <"$TMP/sids2" >>"$TMP/where1"
check_cell main "and the count of 127.0.0.1:$A rises with it" "127.0.0.1:$A " SESS "$(on "$TMP/where1" "$A")"

for ((i = 0; i < 13; i++)); do keys main '>'; done
check_pane main "sorting by SESS marks its header" "SESS▼"
pane main
order=$(grep -E '^127\.0\.0\.1:' "$TMP/pane.main" | while read -r name _; do cell "$TMP/pane.main" "$name " SESS; done | tr '\n' ' ')
check_eq "rows are sorted by SESS, most first" "$(echo "$order" | tr ' ' '\n' | grep . | sort -rn | tr '\n' ' ')" "$order"
keys main r
check_pane main "r reverses the sort" "SESS▲"

# ---- the session list ----
keys main Tab
# pick N: the Nth session PHP wrote first: "sid server index".
pick() {
	local s
	s=$(sed -n "$1p" "$TMP/sids1")
	echo "$s $(grep "^$s " "$TMP/where1" | cut -d' ' -f2) $(($1 - 1))"
}
read -r sid srv i < <(pick 14)	# user_id 1013: only in the first batch
check_pane main "the session list is streamed in" "[0-9]+ shown of [0-9]+; walk done"
check_pane main "the list shows a session PHP wrote, on the server PHP used" "^  $sid +$srv +[0-9]+ +2[0-9]m[0-9]{2}s +[0-9ms]+ +php +user_id=$((1000 + i)) "
keys main / "user_id=$((1000 + i))" Enter
check_pane main "a decoded-field filter finds the session with user_id=$((1000 + i))" "^1 shown of 1 matching user_id=$((1000 + i))"
check_pane main "... and it is the one PHP wrote" "^  $sid "
keys main / 't00001*' Enter
n=$(grep -c '^t00001' "$TMP/sids1" "$TMP/sids2" | awk -F: '{ s += $2 } END { print s }')
check_pane main "a sid glob keeps only matching sids" "^$n shown of 30; .*sid t00001\*"
keys main / Enter
check_pane main "an empty filter shows every session again" "^30 shown of 30"
keys main s s
check_pane main "s sorts by TTL" "sort ttl"
keys main s
check_pane main "s again sorts by size" "sort size"
pane main
sizes=$(awk '$1 ~ /^t[0-9a-f]+$/ { print $3 }' "$TMP/pane.main" | tr '\n' ' ')
check_eq "rows are sorted by size, largest first" "$(echo "$sizes" | tr ' ' '\n' | grep . | sort -rn | tr '\n' ' ')" "$sizes"
check "... and the sizes differ" test "$(echo "$sizes" | tr ' ' '\n' | grep . | sort -u | wc -l)" -gt 1
keys main End
check_pane main "End goes to the last row" "^  t0[0-9a-f]+ " 2

# ---- the inspector ----
keys main / "user_id=$((1000 + i))" Enter
check_pane main "filtered again" "^1 shown of 1 matching"
keys main Enter
check_pane main "Enter opens the inspector on the session" "^session +$sid\$"
check_pane main "the inspector names the server PHP reads it from" "^server +$srv \(where PHP reads it\)"
check_pane main "the inspector shows decoded fields" "user_id: int $((1000 + i))"
check_pane main "... strings" "name: string\([0-9]+\) \"user \\\\\"$i\\\\\" Ünïcødé ✓ /slash\""
check_pane main "... binary as hex" "binary: string\(8\) binary, hex:"
check_pane main "... the hex bytes" "0000 +00 ff fe 20 62 69 6e $(printf %02x "$i")"
check_pane main "... objects with private properties" "-items \(private Cart\): array\(2\)"
keys main / 'cart:' Enter Enter
check_pane main "Enter folds the object under the cursor" "▸ cart: object\(Cart\)"
check "folded: its properties are hidden" bash -c "! grep -q 'sku:' '$TMP/pane.main'"
keys main Enter
check_pane main "Enter unfolds it again" "sku: string\([0-9]+\) \"A-$i\""

keys main BSpace
check_pane main "Backspace goes back to the list" "^1 shown of 1 matching"
php -d session.save_handler=memcached -d "session.save_path=$POOL" -r '
	ini_set("session.use_cookies", "0"); ini_set("session.use_strict_mode", "0");
	session_id("tlongstring0001"); session_start();
	$_SESSION["long"] = str_repeat("0123456789", 40); $_SESSION["user_id"] = 4242;'
keys main / 'user_id=4242' Enter
check_pane main "a session PHP wrote just now is found by its field" "^  tlongstring0001 "
keys main Enter
check_pane main "the inspector shows the long string's first line" "^ +long: string\(400\) \"0123456789[0-9]+\$"
check_pane main "... wrapped onto the next lines" "^ +[0-9]{40,}\$"
check_pane main "... to its end" "^ +[0-9]*\"\$"
keys main Escape
check_pane main "Esc goes back to the list" "^1 shown of 1 matching user_id=4242"
keys main / "user_id=$((1000 + i))" Enter
check_pane main "back to the session to act on" "^1 shown of 1 matching user_id=$((1000 + i))"
keys main Enter
check_pane main "its inspector again" "^session +$sid\$"

# ---- actions ----
keys main x
check_pane main "x asks for confirmation naming the session, every copy" "Expire \(delete\) every copy of session $sid\? PHP will start an empty session for this id\. \[y/N\]"
keys main n
check_pane main "any other key cancels" "expire: cancelled, nothing changed"
check_eq "cancelled: the session is still there" "14 vars, user_id $((1000 + i))" "$(php_session "$sid")"
keys main x
check_pane main "x asks again" "Expire \(delete\) every copy of session $sid"
keys main y
check_pane main "y expires it, summed up as memcsess expire does" "expire: 1 matched, 1 expired, 0 already gone, 0 failed"
check_pane main "the inspector shows it gone" "^not found: the session is not on this server"
check_eq "PHP now starts an empty session for that id" "0 vars, user_id none" "$(php_session "$sid")"
keys main BSpace
check_pane main "Backspace goes back to the list, where the session is gone" "^0 shown of 0 matching user_id=$((1000 + i))"
read -r sid2 srv2 _ < <(pick 6)
keys main / "$sid2" Enter
check_pane main "the list shows another session" "^  $sid2 "
keys main t
check_pane main "t asks for a TTL" "New TTL for every copy of session $sid2"
keys main 1 0 m Enter
check_pane main "and confirmation naming the new TTL" "Set the TTL of every copy of session $sid2 to 10m00s \(expires .*\)\? \[y/N\]"
keys main y
check_pane main "y touches it" "expire: 1 matched, 1 touched, 0 already gone, 0 failed"
ttl=$(mc_cmd "${srv2#127.0.0.1:}" "mg memc.sess.key.$sid2 t" | grep -oE 't[0-9]+' | tr -d t)
check "memcached has the new TTL (about 600 s, got $ttl)" test "${ttl:-0}" -ge 590 -a "${ttl:-0}" -le 600
check_pane main "the list shows the new TTL" "^  $sid2 +$srv2 +[0-9]+ +(10m00s|9m5[0-9]s) "

# ---- back on the panel: a dead server, a stalled one, both come back ----
keys main Tab
check_pane main "Tab goes back to the pool panel" "^SERVER +STATE"
kill "$C_PID"
check_pane main "killing one memcached turns its row DOWN" "^127\.0\.0\.1:$C +DOWN "
check_pane main "the panel says why" "server 127\.0\.0\.1:$C: (connect: Connection refused|connection closed)"
check_pane main "the TOTAL row counts 2 of 3 up" "^TOTAL +2/3up"
# uptime_moves NAME: the uptime in A's row changes within 6 s (its row still updates)
uptime_moves() {
	local up k
	pane main
	up=$(cell "$TMP/pane.main" "127.0.0.1:$A " UPTIME)
	for ((k = 0; k < 60; k++)); do
		pane main
		[ "$(cell "$TMP/pane.main" "127.0.0.1:$A " UPTIME)" != "$up" ] && break
		sleep 0.1
	done
	check "$1 (was ${up:-empty})" test "$(cell "$TMP/pane.main" "127.0.0.1:$A " UPTIME)" != "$up" -a -n "$up"
}
uptime_moves "while $C is down, the uptime of $A still changes"
kill -STOP "$B_PID"
check_pane main "a stalled memcached shows TIMEOUT" "^127\.0\.0\.1:$B +TIMEOUT "
uptime_moves "while $B is stalled, the uptime of $A still changes"
check "... and $B is still TIMEOUT" grep -qE "^127\.0\.0\.1:$B +TIMEOUT " "$TMP/pane.main"
kill -CONT "$B_PID"
check_pane main "and comes back UP by itself" "^127\.0\.0\.1:$B +UP "
user=()
[ "$(id -u)" -eq 0 ] && user=(-u nobody)
memcached "${user[@]}" -l 127.0.0.1 -p "$C" -U 0 -m 64 >"$TMP/mc-restart.log" 2>&1 &
MC_PIDS+=($!)
check_pane main "a restarted memcached comes back UP by itself" "^127\.0\.0\.1:$C +UP "

# ---- help, quit, terminal restored, stderr shown after ----
keys main '?'
check_pane main "? shows the help with every key" "^Session inspector"
keys main Escape
check_pane main "any key leaves the help" "^SERVER +STATE"
keys main F1
check_pane main "F1 shows the help too" "^Session inspector"
keys main Escape
check_pane main "... and any key leaves it" "^SERVER +STATE"
keys main q
check_pane main "q quits with exit code 0" "^EXIT=0"
check_pane main "the terminal is restored (icanon echo)" "^TTY: icanon echo"
check_pane main "what was written to stderr meanwhile is shown after" "^expire: 1 matched, 1 expired, 0 already gone, 0 failed$"

# ---- --readonly ----
for k in 8 9 10 11 12; do	# one that was not on the memcached restarted empty
	read -r sid3 srv3 i3 < <(pick $k)
	[ "$srv3" != "127.0.0.1:$C" ] && break
done
start_top ro 80 24 LC_ALL=C.UTF-8 -- -d 0.5 --readonly
check_pane ro "--readonly is shown in the title, before what 80 columns cut" "^memcsess top \[read-only\] . pool . "
keys ro Tab
check_pane ro "the list loads" "shown of [0-9]+; walk done"
keys ro / "$sid3" Enter
check_pane ro "the session to keep is listed" "^  $sid3 "
keys ro x
check_pane ro "--readonly refuses expire" "read-only \(--readonly\): expire is disabled"
keys ro t
check_pane ro "--readonly refuses touch" "read-only \(--readonly\): touch is disabled"
check_eq "the session is untouched" "14 vars, user_id $((1000 + i3))" "$(php_session "$sid3")"
keys ro C-c
check_pane ro "Ctrl-C (SIGINT) ends it with exit code 130" "^EXIT=130"
check_pane ro "and restores the terminal" "^TTY: icanon echo"

# ---- --iterations, and a crash path (SIGABRT) ----
start_top iter 100 30 LC_ALL=C.UTF-8 -- -d 0.2 --iterations 5
check_pane iter "--iterations 5 -d 0.2 ends by itself with exit code 0" "^EXIT=0"
start_top crash 100 30 LC_ALL=C.UTF-8 -- -d 0.5
check_pane crash "a console for the crash path is up" "^TOTAL +3/3up"
kill -ABRT "$(ps -o pid= --ppid "$(cat "$TMP/crash.pid")" | head -1)"
check_pane crash "SIGABRT ends it (exit code 134)" "^EXIT=134"
check_pane crash "and the terminal is restored first" "^TTY: icanon echo"

# ---- 80x24, plain ASCII, NO_COLOR, paging, marked sessions, resize, SIGTERM ----
php_write "$POOL" php 40 simple >/dev/null || not_ok "PHP could not write sessions to page through"
for m in tmark0001 tmark0002; do
	php -d session.save_handler=memcached -d "session.save_path=$POOL" -r '
		ini_set("session.use_cookies", "0"); ini_set("session.use_strict_mode", "0");
		session_id($argv[1]); session_start(); $_SESSION["user_id"] = 7;' "$m"
done
php -d session.save_handler=memcached -d "session.save_path=$POOL" -r '
	ini_set("session.use_cookies", "0"); ini_set("session.use_strict_mode", "0");
	session_id("tlongstring0002"); session_start(); $_SESSION["long"] = str_repeat("0123456789", 40);'
start_top small 80 24 LC_ALL=C NO_COLOR=1 -- -d 0.5
check_pane small "80x24 shows every server and the total" "^TOTAL +3/3up"
check_pane small "80x24 has the essential columns" "^SERVER +STATE +GET/s +SET/s +HIT% +MEM +ITEMS +SESS +EVICT/s *$"
pane small
# every server row and TOTAL end with their EVICT/s figure under the header's last column, which
# the check above saw whole (a layout wider than the pane would lose it to tmux's cut)
ends=$(awk '{ sub(/ +$/, "") }
	/^SERVER / { w = length($0) } w && /^(127\.0\.0\.1:[0-9]+|TOTAL) / && / ([0-9.]+[kMG]?|-)$/ && length($0) == w { n++ }
	END { print n + 0 }' "$TMP/pane.small")
check_eq "80x24: every row ends under EVICT/s" 4 "$ends"
[ "$ends" = 4 ] || sed 's/^/#   /' "$TMP/pane.small"
check_eq "ASCII terminal: no UTF-8 drawing" 0 "$(tr -d '\000-\177' <"$TMP/pane.small" | wc -c)"
check "ASCII bars" grep -qE "\[[#-]{6}\] +[0-9]+%" "$TMP/pane.small"
tm capture-pane -e -p -t small >"$TMP/mono"
check "NO_COLOR: no colour codes" bash -c "! grep -qE $'\\e\\\\[([0-9;]*;)?3[0-7]m' '$TMP/mono'"
for ((k = 0; k < 8; k++)); do keys small '>'; done
check_pane small "80x24: > steps over the columns not shown (8 steps: SESS)" "^SERVER +STATE +GET/s +SET/s +HIT% +MEM +ITEMS +SESSv +EVICT/s *$"
keys small '?'
check_pane small "80x24: the help says more lines follow" "^\.\.\. [0-9]+ more lines \(Down, PgDn\)"
keys small NPage NPage
check_pane small "PgDn scrolls the help to its end" "^y confirms, any other key cancels\.$"
check "... where no key is cut off at 80 columns (u: unmark all)" grep -qE "^  u +unmark all$" "$TMP/pane.small"
keys small Escape
check_pane small "Esc leaves the help" "^SERVER +STATE"
keys small Tab
check_pane small "80x24: the list loads" "shown of [0-9]+; walk done"
check_pane small "80x24: the list has sid, size, TTL, idle and data" "^  SID +SIZE +TTL +IDLE +DATA *$"
"$MEMCSESS" -s "$POOL" list --sort sid | awk 'NR > 1 { print $1 }' >"$TMP/bysid"
keys small s
check_pane small "s sorts by sid" "sort sid"
# first_row: the sid on the first row of the list on the small screen; wait_first SID polls
# until it is SID (bounded).
first_row() { pane small; awk '$1 ~ /^t[0-9a-z]+$/ { print $1; exit }' "$TMP/pane.small"; }
wait_first() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(first_row)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
keys small Home	# the sort keeps the selected session selected; to the top
wait_first "$(head -n 1 "$TMP/bysid")"
check_eq "sorted by sid: the screen shows the first 20 sids in order" \
	"$(head -n 20 "$TMP/bysid" | tr '\n' ' ')" \
	"$(awk '$1 ~ /^t[0-9a-z]+$/ { print $1 }' "$TMP/pane.small" | tr '\n' ' ')"
keys small PgDn PgDn
wait_first "$(sed -n 20p "$TMP/bysid")"
check_eq "PgDn twice pages down (cursor 19 rows a page, the last row in view)" "$(sed -n 20p "$TMP/bysid")" "$(first_row)"
keys small End
wait_pane small "^  $(tail -n 1 "$TMP/bysid") "
check "End shows the last sid at the bottom" grep -qE "^  $(tail -n 1 "$TMP/bysid") " "$TMP/pane.small"
keys small Home
wait_first "$(head -n 1 "$TMP/bysid")"
check_eq "Home goes back to the first sid" "$(head -n 1 "$TMP/bysid")" "$(first_row)"
keys small / tmark Enter
check_pane small "plain text filters the sids" "^2 shown of [0-9]+; .*sid \*tmark\*"
keys small Space Space x
check_pane small "Space marks both and x asks" "\[y/N\]"
tr '\n' ' ' <"$TMP/pane.small" | tr -s ' ' >"$TMP/asked"
check "the confirmation names both sessions" \
	grep -qE "Expire \(delete\) every copy of 2 marked sessions \(tmark0001, tmark0002\)\? PHP will start an empty session for these ids\. \[y/N\]" "$TMP/asked"
check "... wrapped: it starts on a line above its [y/N]" test \
	"$(grep -n 'Expire (delete)' "$TMP/pane.small" | cut -d: -f1)" -lt "$(grep -n '\[y/N\]' "$TMP/pane.small" | cut -d: -f1)"
keys small y
check_pane small "y expires both" "expire: 2 matched, 2 expired, 0 already gone, 0 failed"
check_pane small "the list no longer has them" "^0 shown of [0-9]+; "
check_eq "PHP starts an empty session for tmark0001" "0 vars, user_id none" "$(php_session tmark0001)"
check_eq "... and for tmark0002" "0 vars, user_id none" "$(php_session tmark0002)"
keys small / "$sid3" Enter
check_pane small "a rich session PHP wrote is listed" "^  $sid3 "
keys small Enter
check_pane small "its inspector, taller than the screen" "^session +$sid3\$"
keys small End
check_pane small "End goes to its last line" "^ +empty: array\(0\)\$"
keys small -
check_pane small "- folds everything: the shorter tree fills the screen again (its data line is back)" "^data\$"
check_pane small "... down to the folded cart" "[+] cart: object\(Cart\)"
keys small Escape
check_pane small "Esc goes back to the list" "^1 shown of [0-9]+; .*sid \*$sid3\*"
keys small / tlongstring0002 Enter
check_pane small "the session with the long string is listed" "^  tlongstring0002 "
keys small Enter
check_pane small "80 columns: its string wraps in lines of 60 to 79 digits" "^ +[0-9]{60,79}\$"
check "... none longer" bash -c "! grep -qE '[0-9]{80}' '$TMP/pane.small'"
tm resize-window -t small -x 130 -y 30
check_pane small "a resize reflows the inspector (wider: lines of 100 digits and more)" "^ +[0-9]{100,129}\$"
keys small Escape
check_pane small "a resize reflows the list (wider: server and handler)" "^  SID +SERVER +SIZE +TTL +IDLE +HANDLER +DATA *$"
keys small Tab
check_pane small "a resize reflows the panel (wider: more columns)" "^SERVER +STATE +CONN +GET/s +SET/s +HIT% +HIT%ALL +MEM +ITEMS +SESSv +EVICT/s +EXP/s +IN/s +OUT/s +GET/s-HISTORY"
for ((k = 0; k < 7; k++)); do keys small '<'; done
check_pane small "< steps back over the shown columns (7 steps: CONN)" "^SERVER +STATE +CONNv +GET/s "
tm resize-window -t small -x 80 -y 24
check_pane small "narrower again: the panel says it is sorted by a column it no longer shows" "^sorted by CONN, a column not shown at this width$"
kill -TERM "$(ps -o pid= --ppid "$(cat "$TMP/small.pid")" | head -1)"
check_pane small "SIGTERM ends it with exit code 130" "^EXIT=130"
check_pane small "and restores the terminal" "^TTY: icanon echo"
# ---- encrypted sessions: shown as such, decrypted with a key ----
export MEMCSESS_TEST_OKEY="okey-$(php -r 'echo bin2hex(random_bytes(12));')"
printf '%s\n' "$MEMCSESS_TEST_OKEY" >"$TMP/keys"
php -d session.save_handler=memcached -d "session.save_path=$POOL" "$PHP_DIR/crypt-write.php" \
	whole 1 >"$TMP/crypt" || not_ok "PHP could not write an encrypted session"
wsid=$(cut -d'"' -f4 "$TMP/crypt")
# One session holding encrypted values: two openssl ones (card, profile.ssn), a Laravel one
# (prefs) whose key is not in the key file.
export MEMCSESS_TEST_LKEY="base64:$(php -r 'echo base64_encode(random_bytes(32));')"
php -d session.save_handler=memcached -d "session.save_path=$POOL" "$PHP_DIR/crypt-write.php" \
	inner 1 >"$TMP/crypt-inner" || not_ok "PHP could not write a session with encrypted values"
isid=$(cut -d'"' -f4 "$TMP/crypt-inner")
start_top nokey 160 30 LC_ALL=C.UTF-8 -- -d 0.5
keys nokey Tab / "$wsid" Enter
check_pane nokey "without a key the list says the session is encrypted" "^  $wsid .* encrypted +\(encrypted \(openssl aes-256-cbc\)\)"
keys nokey / "$isid" Enter
check_pane nokey "without a key the preview names an encrypted value's scheme, not its base64" "^  $isid .* php +user_id=3000 card=\(encrypted openssl\) token=\""
keys nokey q
check_pane nokey "q quits" "^EXIT=0"
start_top withkey 160 30 LC_ALL=C.UTF-8 -- -d 0.5 --key-file "$TMP/keys"
keys withkey Tab / "$wsid" Enter
check_pane withkey "with --key-file the list shows the decrypted data" "^  $wsid .* php +user_id=2000 name=\"whöle 0\""
keys withkey Enter
check_pane withkey "the inspector names the encryption and the key" "^encryption +openssl aes-256-cbc, opened with key 1"
check_pane withkey "and shows the decrypted fields" "user_id: int 2000"
check "the key is never shown" bash -c "! grep -qF '$MEMCSESS_TEST_OKEY' '$TMP/pane.withkey'"
keys withkey Escape
wait_pane withkey "^  $wsid " || not_ok "Esc did not go back to the list"
keys withkey / "$isid" Enter
check_pane withkey "the preview shows a decrypted value's plaintext" "^  $isid .* php +user_id=3000 card=\"4111 1111 1111 0000\""
keys withkey Enter
check_pane withkey "the inspector marks the decrypted values" '^    card: string\(19\) "4111 1111 1111 0000" \(decrypted: openssl\)$'
check_pane withkey "nested ones too" '^      ssn: string\(8\) "078-05-0" \(decrypted: openssl\)$'
check_pane withkey "and the one no key opens, with its scheme" '^ +[A-Za-z0-9+/=]*" \(encrypted: laravel\)$'
check_pane withkey "and says why it stays encrypted" '^encrypted +3 values inside, 2 decrypted; cannot decrypt prefs: no key of 16 or 32 bytes'
keys withkey q
check_pane withkey "q quits" "^EXIT=0"

# The key from MEMCSESS_KEY: used, then wiped from the process's environment.
start_top envkey 160 30 LC_ALL=C.UTF-8 MEMCSESS_KEY="$MEMCSESS_TEST_OKEY" -- -d 0.5
keys envkey Tab / "$wsid" Enter
check_pane envkey "with MEMCSESS_KEY the list shows the decrypted data" "^  $wsid .* php +user_id=2000 name=\"whöle 0\""
tr '\0' '\n' <"/proc/$(ps -o pid= --ppid "$(cat "$TMP/envkey.pid")" | head -1 | tr -d ' ')/environ" >"$TMP/environ"
check "MEMCSESS_KEY is still in the environment of memcsess, emptied" grep -qx 'MEMCSESS_KEY=' "$TMP/environ"
check "the key is no longer in it" bash -c "! grep -qF '$MEMCSESS_TEST_OKEY' '$TMP/environ'"
keys envkey q
check_pane envkey "q quits" "^EXIT=0"

# ---- rows streamed into a sorted list: the selected session stays selected ----
# selected NAME: the sid on the row shown in reverse video.
selected() {
	tm capture-pane -e -p -t "$1" | grep $'^\e\\[7m' | sed 's/\x1b\[[0-9;]*m//g' | awk '{ print $1; exit }'
}
kill -STOP "$B_PID"	# its sessions come in last, when it goes on
n_ac=$("$MEMCSESS" -s "$POOL" --timeout 0.3 list 2>/dev/null | awk 'NR > 1' | wc -l)
TOP_TIMEOUT=30 start_top merge 120 40 LC_ALL=C.UTF-8 -- -d 0.5
keys merge Tab s
check_pane merge "the walk waits for the stopped server, the others' $n_ac sessions sorted by sid" \
	"^$n_ac shown of $n_ac; walking the pool: .*; sort sid"
keys merge End
for ((k = 0; k < 50; k++)); do
	pane merge
	pick_sid=$(selected merge)
	[ -n "$pick_sid" ] &&
		[ "$(awk '$1 ~ /^[a-z][0-9a-z]+$/ { s = $1 } END { print s }' "$TMP/pane.merge")" = "$pick_sid" ] && break
	sleep 0.1
done
check "End selects the last of them ($pick_sid)" test -n "$pick_sid"
kill -CONT "$B_PID"
check_pane merge "the stopped server's sessions stream in" "; walk done in "
"$MEMCSESS" -s "$POOL" list --sort sid | awk 'NR > 1 { print $1 }' >"$TMP/merged"
check "... some of them sort before the selected one" \
	test "$(grep -n "^$pick_sid\$" "$TMP/merged" | cut -d: -f1)" -gt "$n_ac"
check_eq "the selected session is still $pick_sid" "$pick_sid" "$(selected merge)"
keys merge Tab Home
check_pane merge "Tab, Home: the first server selected on the panel" "^SERVER +STATE"
first_srv=$(tm capture-pane -e -p -t merge | grep $'^\e\\[7m' | sed 's/\x1b\[[0-9;]*m//g' | awk '{ print $1; exit }')
n_first=$("$MEMCSESS" -s "$POOL" list | awk -v s="$first_srv" '$2 == s' | wc -l)
keys merge Enter
check_pane merge "Enter opens the list of that server's $n_first sessions" "^$n_first shown of [0-9]+; .*; server $first_srv;"
pane merge
# PHP's random ids may give the server more sessions than the 40-row pane holds: then the
# screen is full of its rows.
rows_on=$(awk -v s="$first_srv" '$1 ~ /^[a-z][0-9a-z]+$/ && $2 == s' "$TMP/pane.merge" | wc -l)
rows_all=$(awk '$1 ~ /^[a-z][0-9a-z]+$/ && $2 ~ /:[0-9]+$/' "$TMP/pane.merge" | wc -l)
check_eq "... every row is on $first_srv" "$rows_all" "$rows_on"
check "... all $n_first of them shown, or the screen full of them ($rows_on rows)" \
	test "$rows_on" -eq "$n_first" -o \( "$rows_on" -lt "$n_first" -a "$rows_on" -ge 30 \)
keys merge q
check_pane merge "q quits" "^EXIT=0"

# ---- --mouse: the wheel scrolls, a click selects, a double click opens ----
# mouse NAME BUTTON COL ROW...: X10 mouse reports (button 0 press, 3 release, 65 wheel down)
# at 1-based screen cells, as a terminal sends them.
mouse() {
	local name=$1 hex=()
	shift
	while [ $# -gt 0 ]; do
		hex+=(1b 5b 4d "$(printf %x $((32 + $1)))" "$(printf %x $((32 + $2)))" "$(printf %x $((32 + $3)))")
		shift 3
	done
	tm send-keys -t "$name" -H "${hex[@]}"
}
start_top mouse 100 30 LC_ALL=C.UTF-8 -- -d 0.5 --mouse
keys mouse Tab
check_pane mouse "--mouse: the list loads" "shown of [0-9]+; walk done"
pane mouse
row() { awk -v n="$1" '/^  [a-z][0-9a-z]+ / && ++k == n { print $1 }' "$TMP/pane.mouse"; }
third=$(row 3) sixth=$(row 6) fifth=$(row 5)
mouse mouse 0 5 6 3 5 6	# press and release on screen line 6: the third row
# wait_selected NAME SID: polls until SID is the selected row (bounded).
wait_selected() {
	local k
	for ((k = 0; k < 30; k++)); do
		[ "$(selected "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
wait_selected mouse "$third"
check_eq "a click selects the row under it" "$third" "$(selected mouse)"
mouse mouse 65 5 6
wait_selected mouse "$sixth"
check_eq "the wheel moves the selection three rows down" "$sixth" "$(selected mouse)"
mouse mouse 0 5 8 3 5 8 0 5 8 3 5 8
check_pane mouse "a double click opens the session under it" "^session +$fifth\$"
keys mouse q
check_pane mouse "q quits" "^EXIT=0"

# Under SANITIZE=1 the sanitizers report on the terminal after the console ends.
for name in main ro iter crash small nokey withkey envkey merge mouse; do
	tm capture-pane -p -S - -t "$name" >"$TMP/history.$name"
	check "no sanitizer report from the '$name' console" \
		bash -c "! grep -E 'Sanitizer|runtime error' '$TMP/history.$name'"
done
exit 0
