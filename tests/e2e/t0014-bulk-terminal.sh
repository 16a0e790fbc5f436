#!/bin/bash
# expire and migrate on a terminal, as a person runs them: in tmux, the screen read with
# capture-pane and the raw bytes kept with pipe-pane. expire asks before changing more than five
# sessions, naming the count; migrate draws a progress line on stderr (count, total, rate, ETA),
# and off a terminal writes only its summary line. Every wait polls (bounded), never a fixed sleep,
# except the pause of a stopped target that makes the run outlast the ETA's first second.
. "$(dirname "$0")/../lib.sh"
tmux_start
unset MEMCSESS_KEY MEMCSESS_SERVERS
for v in A B X Y Z; do mc_start_var "$v" || exit 1; done
POOL="127.0.0.1:$A,127.0.0.1:$B"
NEW="127.0.0.1:$X,127.0.0.1:$Y"

# The runner waits for $GO (when set) so that pipe-pane is on before memcsess writes, then shows
# the exit code and stays.
cat >"$TMP/run.sh" <<'EOF'
while [ -n "$GO" ] && [ ! -e "$GO" ]; do sleep 0.05; done
"$MEMCSESS" "$@"
echo "EXIT=$?"
exec sleep 600
EOF
# run NAME [GOFILE] -- ARGS...: memcsess ARGS in a new tmux session; stdin and stderr the terminal.
run() {
	local name=$1 go=
	shift
	[ "$1" != "--" ] && { go=$1; shift; }
	shift
	tm new-session -d -s "$name" -x 220 -y 60 env MEMCSESS="$MEMCSESS" GO="$go" \
		bash "$TMP/run.sh" "$@"
}
# The screen helpers of lib.sh (pane, wait_pane, check_pane): wrapped lines joined, waits of 20 s.
PANE_JOIN=1
PANE_WAIT=20
# wait_raw NAME: the summary line can be on the screen before pipe-pane's copy has it; polls
# (bounded, 10 s) until the raw bytes have it too.
wait_raw() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q 'read, 1000 copied' "$TMP/raw.$1" 2>/dev/null && return 0
		sleep 0.1
	done
}

# expire: more than five sessions are confirmed first, naming the count; n changes nothing.
php_write "$POOL" php 40 simple >"$TMP/all.exp" || not_ok "PHP could not write sessions"
run no -- -s "$POOL" expire --all
check_pane no "expire --all on a terminal asks, naming the count" '^expire \(delete\) 40 sessions\? \[y/N\]'
tm send-keys -t no n Enter
check_pane no "n: nothing done, exit code 1" '^EXIT=1$'
check "n: it says nothing was done" grep -q '^expire: nothing done' "$TMP/pane.no"
php_read "$POOL" "$TMP/all.exp" "after n PHP reads every session intact"

# Five or fewer, a dry run, or --yes: no question.
head -3 "$TMP/all.exp" | cut -d'"' -f4 >"$TMP/three"
run few -- -s "$POOL" expire $(cat "$TMP/three")
check_pane few "three sids are expired without a question" '^expire: 3 matched, 3 expired'
check "no question for three" [ "$(grep -c 'y/N' "$TMP/pane.few")" -eq 0 ]
run dry -- -s "$POOL" expire --all --dry-run
check_pane dry "a dry run does not ask" '^expire: 37 matched, 0 expired.*dry run'
check "no question for a dry run" [ "$(grep -c 'y/N' "$TMP/pane.dry")" -eq 0 ]

# y goes ahead; PHP then finds every session empty.
run yes -- -s "$POOL" --timeout 5 expire --ttl-under 1d
check_pane yes "--ttl-under asks too, naming the count" '^expire \(delete\) 37 sessions\? \[y/N\]'
tm send-keys -t yes y Enter
check_pane yes "y: all 37 expired, exit code 0" '^EXIT=0$'
check "y: the summary counts them" grep -q '^expire: 37 matched, 37 expired, 0 already gone, 0 failed' "$TMP/pane.yes"
READ_MISSING="$TMP/missing" php_read "$POOL" "$TMP/all.exp" "x" >/dev/null
check_eq "PHP now finds every session empty" 40 "$(wc -l <"$TMP/missing")"
php_write "$POOL" php 8 simple >/dev/null
run sure -- -s "$POOL" expire --all --yes
check_pane sure "--yes: no question, 8 expired" '^expire: 8 matched, 8 expired'
check "no question with --yes" [ "$(grep -c 'y/N' "$TMP/pane.sure")" -eq 0 ]

# migrate from a pool: a progress line with the count, the total from the servers' stats, the rate
# and, once the run is past its first second, the time left. Target X stopped for a moment
# holds the first batch back past that second.
php_write "$POOL" php 1000 simple >"$TMP/m.exp" || not_ok "PHP could not write sessions"
run mig "$TMP/go.mig" -- --timeout 20 migrate --from "$POOL" --to "$NEW"
tm pipe-pane -o -t mig "cat >>'$TMP/raw.mig'"
kill -STOP "$X_PID"
touch "$TMP/go.mig"
for i in $(seq 100); do grep -q 'migrate: 1 of' "$TMP/raw.mig" 2>/dev/null && break; sleep 0.05; done
sleep 1.2
kill -CONT "$X_PID"
check_pane mig "migrate on a terminal ends with one summary line" '^migrate: 1000 read, 1000 copied'
check_pane mig "and exit code 0" '^EXIT=0$'
wait_raw mig
tr '\r' '\n' <"$TMP/raw.mig" | sed 's/\x1b\[K//g' >"$TMP/lines.mig"
check "the progress line counts, with the total from the servers" \
	grep -qE '^migrate: [0-9]+ of ~1000 \([0-9]+%\) read, [0-9]+ copied, 0 failed, [0-9]+ sessions/s' "$TMP/lines.mig"
check "past the first second it shows the time left" \
	grep -qE '^migrate: [0-9]+ of ~1000 \([0-9]+%\) read, [0-9]+ copied, 0 failed, [0-9]+ sessions/s, ETA [0-9]+s$' "$TMP/lines.mig"
check "the last progress line is the whole run" grep -qE '^migrate: 1000 of ~1000 \(100%\) read, 1000 copied' "$TMP/lines.mig"
php_read "$NEW" "$TMP/m.exp" "PHP on the new pool reads every session"

# migrate from a dump file: the total is estimated from the file's size.
"$MEMCSESS" -s "$POOL" dump >"$TMP/dump"
run file "$TMP/go.file" -- migrate --to "127.0.0.1:$Z" "$TMP/dump"
tm pipe-pane -o -t file "cat >>'$TMP/raw.file'"
touch "$TMP/go.file"
check_pane file "migrate from a file on a terminal ends with one summary line" '^migrate: 1000 read, 1000 copied'
check_pane file "and exit code 0" '^EXIT=0$'
wait_raw file
tr '\r' '\n' <"$TMP/raw.file" | sed 's/\x1b\[K//g' >"$TMP/lines.file"
first=$(grep -m1 -oE '^migrate: 1 of ~[0-9]+' "$TMP/lines.file" | grep -oE '[0-9]+$')
check "from a file, the first progress line estimates the total from the file's size (~$first)" \
	[ "${first:-0}" -ge 500 -a "${first:-0}" -le 2000 ]
check "the last progress line has the exact total" grep -qE '^migrate: 1000 of ~1000 \(100%\) read' "$TMP/lines.file"

# Off a terminal: no progress line, only the summary.
"$MEMCSESS" migrate --to "127.0.0.1:$Z" "$TMP/dump" 2>"$TMP/err"
check_eq "off a terminal stderr has one line" 1 "$(wc -l <"$TMP/err")"
check "and it is the summary, with no progress" grep -q '^migrate: 1000 read, 0 copied, 1000 already there' "$TMP/err"
check_eq "no carriage return in it" 0 "$(tr -cd '\r' <"$TMP/err" | wc -c)"
exit 0
