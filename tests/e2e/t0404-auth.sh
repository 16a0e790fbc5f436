#!/bin/bash
# memcached's text-protocol authentication (-Y authfile): every command logs in with --username
# and the password from --password-file or MEMCSESS_PASSWORD (never argv, never printed); a
# wrong password gives "authentication failed" naming the server. A SASL server (-S, binary
# protocol only) is reported as one where keys cannot be listed.
. "$(dirname "$0")/../lib.sh"
printf 'ops:s3cret-pw\nother:x\n' >"$TMP/authfile"
chmod 644 "$TMP/authfile"
chmod 755 "$TMP"
mc_start_var A -Y "$TMP/authfile" || exit 1
mc_start_var B || exit 1
mc_start_var N -Y "$TMP/authfile" || exit 1
printf 's3cret-pw\n' >"$TMP/pw"
printf 'wrong\n' >"$TMP/bad"
POOL="127.0.0.1:$A,127.0.0.1:$B"
# PHP writes through the binary protocol with SASL only; the sessions are put in place with a
# plain server first, then loaded into the authenticated one by memcsess itself.
mc_start_var W || exit 1
php_write "127.0.0.1:$W" php 30 simple >"$TMP/exp"
cut -d'"' -f4 "$TMP/exp" | sort >"$TMP/sids"
"$MEMCSESS" -s "127.0.0.1:$W" dump >"$TMP/dump"
AUTH=(--username ops --password-file "$TMP/pw")

"$MEMCSESS" -s "127.0.0.1:$A" list >"$TMP/out" 2>"$TMP/err"
check_eq "without credentials an authenticating server gives exit 3" 3 $?
check "and the error says it wants a login" grep -q "server 127.0.0.1:$A: authentication required (memcached -Y): give --username" "$TMP/err"
"$MEMCSESS" -s "127.0.0.1:$A" --username ops list >"$TMP/out" 2>"$TMP/err"
check_eq "--username without a password is a usage error" 2 $?
check "which says where the password comes from" grep -q "give --password-file PATH or set MEMCSESS_PASSWORD" "$TMP/err"

"$MEMCSESS" -s "127.0.0.1:$A" "${AUTH[@]}" load "$TMP/dump" >"$TMP/out" 2>"$TMP/err"
check_eq "load into an authenticating server exits 0" 0 $?
"$MEMCSESS" -s "127.0.0.1:$A" "${AUTH[@]}" list --json >"$TMP/out" 2>"$TMP/err"
check_eq "list with --password-file exits 0" 0 $?
check_eq "list sees every session" 30 "$(grep -c '"sid":"t0' "$TMP/out")"
MEMCSESS_PASSWORD=s3cret-pw "$MEMCSESS" -s "127.0.0.1:$A" --username ops dump >"$TMP/d2" 2>"$TMP/err"
check_eq "dump with MEMCSESS_PASSWORD exits 0" 0 $?
check_eq "dump writes every session" 30 "$(grep -c '"sid":"t0' "$TMP/d2")"
sid=$(head -1 "$TMP/sids")
"$MEMCSESS" -s "127.0.0.1:$A" "${AUTH[@]}" inspect "$sid" >"$TMP/out" 2>"$TMP/err"
check "inspect shows a session" grep -q "user_id: int" "$TMP/out"
"$MEMCSESS" -s "127.0.0.1:$A" "${AUTH[@]}" expire "$sid" >"$TMP/out" 2>"$TMP/err"
check_eq "expire exits 0" 0 $?
"$MEMCSESS" -s "127.0.0.1:$A" "${AUTH[@]}" list --json >"$TMP/out"
check_eq "and the session is gone" 29 "$(grep -c '"sid":"t0' "$TMP/out")"
"$MEMCSESS" "${AUTH[@]}" migrate --from "127.0.0.1:$A" --to "127.0.0.1:$N" --move --json >"$TMP/out" 2>"$TMP/err"
check_eq "migrate --move between two authenticating servers exits 0" 0 $?
"$MEMCSESS" -s "127.0.0.1:$N" "${AUTH[@]}" list --json >"$TMP/out"
check_eq "every session is on the new server" 29 "$(grep -c '"sid":"t0' "$TMP/out")"
check_eq "no password in any output" "" "$(cat "$TMP"/out "$TMP"/err "$TMP/d2" | grep -c s3cret | grep -v '^0$')"

# A mixed pool: the plain server gets no password (it answers mn without asking for one).
"$MEMCSESS" -s "$POOL" "${AUTH[@]}" list >"$TMP/out" 2>"$TMP/err"
check_eq "a pool of an authenticating and a plain server works" 0 $?
check_eq "the plain server was never sent the password" 0 "$(count_keys "$B" memcsess.auth)"

"$MEMCSESS" -s "$POOL" --username ops --password-file "$TMP/bad" list >"$TMP/out" 2>"$TMP/err"
check_eq "a wrong password gives exit 1 (the other server is served)" 1 $?
check "the error says authentication failed, naming the server and user" \
	grep -q "server 127.0.0.1:$A: authentication failed for user 'ops'" "$TMP/err"
check "the error does not show the password" [ "$(grep -c wrong "$TMP/err")" -eq 0 ]
MEMCSESS_PASSWORD=nope "$MEMCSESS" -s "127.0.0.1:$N" --username ops inspect "$sid" >/dev/null 2>"$TMP/err"
check_eq "inspect with a wrong password exits 3" 3 $?
check "inspect says authentication failed" grep -q "server 127.0.0.1:$N: authentication failed" "$TMP/err"
"$MEMCSESS" -s "127.0.0.1:$N" --username ops --password-file "$TMP/nosuch" list >/dev/null 2>"$TMP/err"
check_eq "a missing password file is a usage error" 2 $?

# SASL (memcached -S): binary protocol only; keys cannot be listed, and memcsess says so (with
# --sasl too: t0405).
sasl_setup ops s3cret-pw || exit 1
SASL_CONF_PATH=$TMP/sasl mc_start_var S -S || exit 1
AUTH=(--username ops --password-file "$TMP/pw" --timeout 0.5)
"$MEMCSESS" -s "127.0.0.1:$S" "${AUTH[@]}" list >"$TMP/out" 2>"$TMP/err"
check_eq "list on a SASL server exits 3" 3 $?
check "and says keys cannot be listed there" \
	grep -q "server 127.0.0.1:$S: .*SASL, memcached -S, speaks only the binary protocol: memcsess cannot list keys there" "$TMP/err"
"$MEMCSESS" -s "127.0.0.1:$S" list >"$TMP/out" 2>"$TMP/err"
check "so does list without credentials" \
	grep -q "server 127.0.0.1:$S: .*SASL, memcached -S, speaks only the binary protocol: memcsess cannot list keys there" "$TMP/err"
exit 0
