#!/bin/bash
# SASL (memcached -S, binary protocol only) with --sasl: real PHP writes sessions through SASL;
# inspect, expire and migrate of known sids work over the binary protocol; listing fails at once
# naming each server; a wrong password or a frozen server is named, bounded by --timeout.
. "$(dirname "$0")/../lib.sh"
sasl_setup ops s3cret-pw || exit 1
for v in S1 S2 S3; do
	SASL_CONF_PATH=$TMP/sasl mc_start_var $v -S || exit 1
done
mc_start_var P1 || exit 1
mc_start_var P2 || exit 1
SPOOL="127.0.0.1:$S1,127.0.0.1:$S2"
PPOOL="127.0.0.1:$P1,127.0.0.1:$P2"
printf 's3cret-pw\n' >"$TMP/pw"
printf 'wrong-pw\n' >"$TMP/bad"
PHPSASL=(-d memcached.sess_binary_protocol=1 -d memcached.sess_sasl_username=ops
	 -d memcached.sess_sasl_password=s3cret-pw)
SASL=(--username ops --password-file "$TMP/pw" --sasl)
M() { "$MEMCSESS" "$@"; }
# ms_since START_NS: milliseconds since START_NS (date +%s%N).
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

php_write "$SPOOL" php 40 rich "${PHPSASL[@]}" >"$TMP/exp"
cut -d'"' -f4 "$TMP/exp" >"$TMP/sids"
check_eq "real PHP wrote 40 sessions through SASL" 40 "$(wc -l <"$TMP/sids")"
php_read "$SPOOL" "$TMP/exp" "PHP reads its sessions back through SASL" "${PHPSASL[@]}"

# inspect: the decoded data PHP wrote, from the server PHP reads it from; no TTL over binary.
: >"$TMP/insp.jsonl"
bad=0
while read -r sid; do
	M -s "$SPOOL" "${SASL[@]}" inspect --json "$sid" >"$TMP/insp.json" 2>>"$TMP/insp.err" || bad=$((bad + 1))
	php -r 'echo json_encode(json_decode(file_get_contents($argv[1]), true), JSON_PRESERVE_ZERO_FRACTION), "\n";' "$TMP/insp.json" >>"$TMP/insp.jsonl"
done <"$TMP/sids"
check_eq "inspect --json --sasl exits 0 for every session" 0 "$bad"
php "$PHP_DIR/compare.php" "$TMP/exp" "$TMP/insp.jsonl" "inspect --json --sasl data equals what PHP wrote"
check_eq "inspect --json: ttl and idle are null (unknown over the binary protocol)" 40 \
	"$(grep -c '"ttl":null,"last_access":null,"idle":null,"times_known":false' "$TMP/insp.jsonl")"
check_eq "no stray copies found" 0 "$(grep -c copies_on "$TMP/insp.jsonl")"
sid=$(head -1 "$TMP/sids")
M -s "$SPOOL" "${SASL[@]}" inspect "$sid" >"$TMP/out" 2>"$TMP/err"
check_eq "inspect --sasl exits 0" 0 $?
check "inspect shows the decoded data" grep -q "user_id: int 1000" "$TMP/out"
check "inspect says the TTL is unknown" grep -q "^ttl  *unknown (binary protocol)$" "$TMP/out"
check "and the last access too" grep -q "^last access  *unknown (binary protocol)$" "$TMP/out"
check "inspect names the server" grep -Eq "^server  *127.0.0.1:($S1|$S2) \(where PHP reads it\)$" "$TMP/out"

# expire SID deletes (PHP then finds nothing); expire --ttl touches (PHP still reads it).
M -s "$SPOOL" "${SASL[@]}" expire "$sid" >"$TMP/out" 2>"$TMP/err"
check_eq "expire --sasl SID exits 0" 0 $?
check "expire says 1 expired" grep -q "^expire: 1 matched, 1 expired, 0 already gone, 0 failed" "$TMP/err"
head -1 "$TMP/exp" >"$TMP/gone.exp"
READ_MISSING=$TMP/missing php_read "$SPOOL" "$TMP/gone.exp" "PHP reads after expire" "${PHPSASL[@]}" >/dev/null
check_eq "PHP finds the expired session gone" "$sid" "$(cat "$TMP/missing")"
M -s "$SPOOL" "${SASL[@]}" expire "$sid" >"$TMP/out" 2>"$TMP/err"
check "expire again: already gone" grep -q "^expire: 1 matched, 0 expired, 1 already gone" "$TMP/err"
sed -n 2p "$TMP/exp" >"$TMP/touch.exp"
M -s "$SPOOL" "${SASL[@]}" expire --ttl 2h "$(sed -n 2p "$TMP/sids")" >"$TMP/out" 2>"$TMP/err"
check_eq "expire --ttl --sasl exits 0" 0 $?
check "expire --ttl says 1 touched" grep -q "^expire: 1 matched, 1 touched" "$TMP/err"
php_read "$SPOOL" "$TMP/touch.exp" "PHP still reads the touched session" "${PHPSASL[@]}"
tail -n +2 "$TMP/exp" >"$TMP/live.exp"
tail -n +2 "$TMP/sids" >"$TMP/live.sids"

# The shell keeps --sasl for every command, and does not watch SASL servers over text.
printf 'servers\ninspect %s\n' "$(head -1 "$TMP/live.sids")" |
	M -s "$SPOOL" "${SASL[@]}" shell >"$TMP/out" 2>"$TMP/err"
check_eq "shell --sasl runbook exits 0" 0 $?
check "shell: servers says SASL servers are not watched" grep -q "^server  *127.0.0.1:$S1  sasl: not watched (binary protocol)$" "$TMP/out"
check "shell: inspect reads the session over SASL" grep -q "user_id: int 1001" "$TMP/out"

# A wrong password names the server and the user, exit 3, password never shown.
M -s "$SPOOL" --username ops --password-file "$TMP/bad" --sasl inspect "$sid" >"$TMP/out" 2>"$TMP/err"
check_eq "inspect with a wrong password exits 3" 3 $?
check "and says authentication failed, naming the server and user" \
	grep -Eq "^memcsess: server 127.0.0.1:($S1|$S2): authentication failed for user 'ops'$" "$TMP/err"
check_eq "the wrong password is not shown" 0 "$(grep -c wrong-pw "$TMP/err")"
M -s "$SPOOL" --sasl inspect "$sid" >"$TMP/out" 2>"$TMP/err"
check_eq "--sasl without --username is a usage error" 2 $?
check "which says what is missing" grep -q -- "--sasl: give --username" "$TMP/err"

# Anything that needs the keys listed fails at once for every server.
for cmd in list dump "expire --all --yes" "expire --idle-over 1h" "migrate --from $SPOOL --to 127.0.0.1:$S3"; do
	t0=$(date +%s%N)
	M -s "$SPOOL" "${SASL[@]}" --timeout 5 $cmd >"$TMP/out" 2>"$TMP/err"
	rc=$?
	took=$(ms_since "$t0")
	check_eq "${cmd%% *} ${cmd#* } --sasl exits 3" 3 "$rc"
	for s in $S1 $S2; do
		check "${cmd%% *}: server $s is named: it cannot list keys" grep -q "server 127.0.0.1:$s: .*SASL, memcached -S, speaks only the binary protocol: memcsess cannot list keys there; give session ids" "$TMP/err"
	done
	check "${cmd%% *} fails at once (${took} ms, no timeout wait)" [ "$took" -lt 2000 ]
done

# migrate --sids from the SASL pool into a plain one, --move: PHP reads every session from the
# plain pool; the SASL copies are gone (deleted with CAS).
AUTH=(--username ops --password-file "$TMP/pw")
M "${AUTH[@]}" migrate --sasl-from --from "$SPOOL" --to "$PPOOL" --sids "$TMP/live.sids" --move --json >"$TMP/out" 2>"$TMP/err"
check_eq "migrate --sasl-from --sids SASL -> plain --move exits 0" 0 $?
check "39 copied and 39 sources deleted" grep -q '"read":39,"copied":39,.*"deleted":39' "$TMP/out"
check "a note says the TTL was unknown: 1440s" grep -q "^migrate: the SASL source cannot tell how long sessions have left (binary protocol): copies get a TTL of 1440s" "$TMP/err"
check_eq "the note is said once" 1 "$(grep -c "cannot tell how long" "$TMP/err")"
php_read "$PPOOL" "$TMP/live.exp" "PHP reads every migrated session from the plain pool"
READ_MISSING=$TMP/missing php_read "$SPOOL" "$TMP/live.exp" "SASL reads" "${PHPSASL[@]}" >/dev/null
check_eq "the SASL sources are gone" 39 "$(wc -l <"$TMP/missing")"
ttl=$(M -s "$PPOOL" inspect --json "$(head -1 "$TMP/live.sids")" | php -r 'echo json_decode(stream_get_contents(STDIN), true)["ttl"];')
check "the copies have a TTL of 1440s ($ttl)" [ "$ttl" -gt 1400 ] && [ "$ttl" -le 1440 ]

# ... and back from the plain pool into the SASL pool (--sasl-to), --move, sids on stdin.
M "${AUTH[@]}" migrate --sasl-to --from "$PPOOL" --to "$SPOOL" \
	--sids - --move --json <"$TMP/live.sids" >"$TMP/out" 2>"$TMP/err"
check_eq "migrate --sasl-to --sids - plain -> SASL --move exits 0" 0 $?
check "39 copied and 39 sources deleted" grep -q '"read":39,"copied":39,.*"deleted":39' "$TMP/out"
check_eq "no TTL note: the plain source tells its TTLs" 0 "$(grep -c "cannot tell" "$TMP/err")"
php_read "$SPOOL" "$TMP/live.exp" "PHP reads every session moved into the SASL pool" "${PHPSASL[@]}"
check_eq "the plain sources are gone" 0 "$(($(count_keys "$P1" memc.sess.key.) + $(count_keys "$P2" memc.sess.key.)))"
M "${AUTH[@]}" migrate --sasl-from --from "$SPOOL" --to "$PPOOL" \
	--sids - --ttl 2h --json <<<"nosuchsession" >"$TMP/out" 2>"$TMP/err"
check_eq "a sid not on the source gives exit 1" 1 $?
check "and is named with its server" grep -Eq "^memcsess: session nosuchsession: not found on 127.0.0.1:($S1|$S2) \(where PHP reads it\)$" "$TMP/err"
M migrate --from "$PPOOL" --to "$SPOOL" --sasl-to "${AUTH[@]}" --ttl 2h --sids - </dev/null >"$TMP/out" 2>"$TMP/err"
check_eq "--ttl without a SASL source is a usage error" 2 $?

# dump from a plain pool | migrate --sasl-to; load --sasl of a dump.
php_write "$PPOOL" php 25 rich >"$TMP/plain.exp"
M -s "$PPOOL" dump >"$TMP/dump"
M "${SASL[@]}" migrate --to "$SPOOL" <"$TMP/dump" >"$TMP/out" 2>"$TMP/err"
check_eq "dump | migrate --sasl --to SASLPOOL exits 0" 0 $?
check "25 copied" grep -q "^migrate: 25 read, 25 copied" "$TMP/err"
php_read "$SPOOL" "$TMP/plain.exp" "PHP reads the dumped sessions from the SASL pool" "${PHPSASL[@]}"
M -s "127.0.0.1:$S3" "${SASL[@]}" load "$TMP/dump" >"$TMP/out" 2>"$TMP/err"
check_eq "load --sasl exits 0" 0 $?
check "25 loaded" grep -q "^load: 25 sessions read, 25 loaded" "$TMP/err"
php_read "127.0.0.1:$S3" "$TMP/plain.exp" "PHP reads the loaded sessions from the SASL server" "${PHPSASL[@]}"
M -s "127.0.0.1:$S3" "${SASL[@]}" load "$TMP/dump" >"$TMP/out" 2>"$TMP/err"
check "load again keeps what is there" grep -q "^load: 25 sessions read, 0 loaded, 25 already present" "$TMP/err"
# A session over the server's item limit is not sent (memcached would drop the one there).
sid=$(head -1 "$TMP/dump" | php -r 'echo json_decode(fgets(STDIN))->sid;')
php -r 'echo json_encode(["key" => "memc.sess.key.$argv[1]", "value" => "a|s:2097152:\"" .
	str_repeat("x", 2097152) . "\";"]), "\n";' "$sid" >"$TMP/big"
M -s "127.0.0.1:$S3" "${SASL[@]}" load --overwrite "$TMP/big" >"$TMP/out" 2>"$TMP/err"
check_eq "load --sasl --overwrite of a value over the limit exits 1" 1 $?
check "it is named with the server's limit, read over the binary protocol" \
	grep -q "session $sid: server 127.0.0.1:$S3: .*value of 2097167 bytes not written: .*item_size_max of 1048576" "$TMP/err"
grep "\"$sid\"" "$TMP/plain.exp" >"$TMP/one.exp"
php_read "127.0.0.1:$S3" "$TMP/one.exp" "PHP still reads the session that was there" "${PHPSASL[@]}"

# top: the pool panel reads stats over the binary protocol; sessions cannot be counted there.
M -s "$SPOOL" "${SASL[@]}" top --once >"$TMP/out" 2>"$TMP/err"
check_eq "top --once --sasl exits 0" 0 $?
check "both SASL servers are UP with their version" \
	[ "$(grep -cE "^127\.0\.0\.1:($S1|$S2) +UP +1\.6\." "$TMP/out")" -eq 2 ]
check "the total row counts the items PHP wrote" \
	awk -v want="$(wc -l <"$TMP/live.sids")" '/^TOTAL/ { exit !($11 + 0 >= want) }' "$TMP/out"
M -s "$SPOOL" --username ops --password-file "$TMP/bad" --sasl top --once >"$TMP/out" 2>"$TMP/err"
check_eq "top --once with a wrong SASL password exits 3" 3 $?
check "both servers show AUTH" [ "$(grep -cE "^127\.0\.0\.1:($S1|$S2) +AUTH " "$TMP/out")" -eq 2 ]
check "and the snapshot says authentication failed" \
	grep -q "^server 127.0.0.1:$S1: authentication failed for user 'ops'" "$TMP/out"

# A frozen SASL server gives a timeout naming it, within --timeout; a stopped one is named too.
on_s2=$(while read -r s; do
	M -s "$SPOOL" "${SASL[@]}" inspect "$s" | grep -q "^server  *127.0.0.1:$S2 " && { echo "$s"; break; }
done <"$TMP/live.sids")
kill -STOP "$S2_PID"
check "some session lives on the server to freeze" [ -n "$on_s2" ]
t0=$(date +%s%N)
M -s "$SPOOL" "${SASL[@]}" --timeout 0.5 expire "$on_s2" >"$TMP/out" 2>"$TMP/err"
rc=$?
took=$(ms_since "$t0")
check_eq "expire on a frozen SASL server exits 1" 1 "$rc"
check "the error names the server and the timeout" grep -q "server 127.0.0.1:$S2: timeout after 500 ms" "$TMP/err"
check "within the timeout (${took} ms)" [ "$took" -lt 1900 ]
kill -CONT "$S2_PID"
kill "$S2_PID"
wait "$S2_PID" 2>/dev/null
M -s "$SPOOL" "${SASL[@]}" --timeout 0.5 inspect "$on_s2" >"$TMP/out" 2>"$TMP/err"
check_eq "inspect on a stopped SASL server exits 3" 3 $?
check "the error names the server" grep -q "server 127.0.0.1:$S2: connection failure" "$TMP/err"
check_eq "no password in any output" 0 "$(cat "$TMP"/out "$TMP"/err | grep -c s3cret)"
exit 0
