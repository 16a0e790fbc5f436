#!/bin/bash
# TLS (memcached -Z): every command over TLS with certificates made here by the openssl
# command; each failure named and bounded by --timeout (unknown CA, expired certificate, name
# mismatch, plaintext server with --tls, TLS server without it, a handshake that stalls, a
# server that stops reading in the middle of a write, a client certificate the server
# requires); migrate plaintext -> TLS and back, after which PHP (through the server's notls:
# listener: php-memcached has no TLS) reads every session.
. "$(dirname "$0")/../lib.sh"
command -v openssl >/dev/null || { not_ok "the openssl command is installed"; exit 1; }
memcached -h | grep -q ssl_chain_cert || { not_ok "memcached is built with TLS"; exit 1; }
C=$TMP/certs
mkdir -p "$C"
chmod 755 "$TMP" "$C"
# mkcerts DIR: a CA, a second CA, a server certificate for 127.0.0.1 and localhost, a client
# certificate, an expired one, one ending in 10 days, one for another name.
mkcerts() {
	local d=$1
	(
	cd "$d" || exit 1
	cfg() { printf '[req]\ndistinguished_name=dn\n[dn]\n[ext]\nsubjectAltName=%s\n' "$1" >"$2"; }
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -subj /CN=memcsess-test-ca
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca2.key -out ca2.pem -days 3650 -subj /CN=memcsess-other-ca
	for n in srv client expired other soon; do
		openssl req -newkey rsa:2048 -nodes -keyout $n.key -out $n.csr -subj /CN=$n
	done
	cfg "IP:127.0.0.1,DNS:localhost" srv.cnf
	cfg "DNS:other.example" other.cnf
	cfg "DNS:client" client.cnf
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 -extfile srv.cnf -extensions ext -out srv.pem
	openssl x509 -req -in other.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 -extfile other.cnf -extensions ext -out other.pem
	openssl x509 -req -in soon.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 10 -extfile srv.cnf -extensions ext -out soon.pem
	openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 -extfile client.cnf -extensions ext -out client.pem
	# expired: 'openssl ca' takes a start and end date in the past
	mkdir -p ca.db
	: >ca.db/index.txt
	echo 1000 >ca.db/serial
	printf '[ca]\ndefault_ca=c\n[c]\ndir=ca.db\ndatabase=ca.db/index.txt\nserial=ca.db/serial\nnew_certs_dir=ca.db\ndefault_md=sha256\npolicy=p\ncopy_extensions=none\nx509_extensions=ext\n[p]\ncommonName=supplied\n[ext]\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >ca.cnf
	openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr -out expired.pem -startdate 20200101000000Z -enddate 20200201000000Z
	chmod 644 ./*.key
	) >"$d/mkcerts.log" 2>&1
}
mkcerts "$C" || { not_ok "certificates made: $(cat "$C/mkcerts.log")"; exit 1; }
# tls_start VAR CERT [memcached args...]: memcached -Z with CERT on VAR's port and a notls:
# listener on VAR_PLAIN's.
tls_start() {
	local var=$1 cert=$2 plain
	shift 2
	plain=$(free_port)
	eval "${var}_PLAIN=$plain"
	mc_start_var "$var" -Z -o "ssl_chain_cert=$C/$cert.pem,ssl_key=$C/$cert.key" \
	-l "notls:127.0.0.1:$plain" "$@"
}
tls_start S srv || exit 1
tls_start E expired || exit 1
tls_start O other || exit 1
tls_start N soon || exit 1
tls_start V srv -o "ssl_verify_mode=2,ssl_ca_cert=$C/ca.pem" || exit 1
mc_start_var D || exit 1
php_server_start Q silent-server.php || exit 1
TLS=(--tls --tls-ca "$C/ca.pem")
T="127.0.0.1:$S"
php_write "127.0.0.1:$S_PLAIN" php 40 simple >"$TMP/exp"
cut -d'"' -f4 "$TMP/exp" | sort >"$TMP/sids"
sid=$(head -1 "$TMP/sids")

## Every command over TLS.
"$MEMCSESS" -s "$T" "${TLS[@]}" list --json >"$TMP/out" 2>"$TMP/err"
check_eq "list over TLS exits 0" 0 $?
check_eq "list over TLS sees every session PHP wrote" 40 "$(grep -c '"sid":"t0' "$TMP/out")"
check_eq "and names the server as given" 40 "$(grep -c "\"server\":\"$T\"" "$TMP/out")"
"$MEMCSESS" -s "localhost:$S" "${TLS[@]}" list --json >"$TMP/out" 2>"$TMP/err"
check_eq "a host name checked against the certificate's DNS name works too" 40 "$(grep -c '"sid":"t0' "$TMP/out")"
"$MEMCSESS" -s "$T" "${TLS[@]}" inspect "$sid" >"$TMP/out" 2>"$TMP/err"
check "inspect over TLS shows the session" grep -q "user_id: int" "$TMP/out"
"$MEMCSESS" -s "$T" "${TLS[@]}" dump >"$TMP/dump" 2>"$TMP/err"
check_eq "dump over TLS exits 0" 0 $?
"$MEMCSESS" -s "127.0.0.1:$S_PLAIN" dump >"$TMP/dump-plain"
# what depends on the second each dump ran in
times='s/"idle":[0-9]*//; s/"ttl":[0-9]*//; s/"expiry":[0-9]*//; s/"last_access":[0-9]*//'
check "dump over TLS has the bytes of the same dump in plaintext" \
	cmp <(sed "s/127.0.0.1:$S\"/X\"/; $times" "$TMP/dump" | sort) \
	    <(sed "s/127.0.0.1:$S_PLAIN\"/X\"/; $times" "$TMP/dump-plain" | sort)
"$MEMCSESS" -s "$T" "${TLS[@]}" expire --yes --all >"$TMP/out" 2>"$TMP/err"
check_eq "expire --all over TLS exits 0" 0 $?
check_eq "and the server is empty" 0 "$(count_keys "$S_PLAIN" memc.sess.key.)"
"$MEMCSESS" -s "$T" "${TLS[@]}" load "$TMP/dump" >"$TMP/out" 2>"$TMP/err"
check_eq "load over TLS exits 0" 0 $?
php_read "127.0.0.1:$S_PLAIN" "$TMP/exp" "PHP reads every session load wrote over TLS"
"$MEMCSESS" -s "$T" "${TLS[@]}" top --once >"$TMP/out" 2>"$TMP/err"
check_eq "top --once over TLS exits 0" 0 $?
check "and shows the server with its sessions" grep -q "$T" "$TMP/out"
printf 'list --json\ninspect %s\nservers\n' "$sid" | "$MEMCSESS" -s "$T" "${TLS[@]}" shell >"$TMP/out" 2>"$TMP/err"
check_eq "a shell runbook over TLS exits 0" 0 $?
check_eq "its list sees every session" 40 "$(grep -c '"sid":"t0' "$TMP/out")"
check "its inspect shows the session" grep -q "user_id: int" "$TMP/out"
check "its servers shows the server up and the TLS settings" \
	grep -qx "tls           $C/ca.pem" "$TMP/out"
check "with the server up over TLS" grep -q "server        $T  up" "$TMP/out"
check_eq "and the shell's watch of the servers says nothing" "" "$(cat "$TMP/err")"
"$MEMCSESS" -s "$T" "${TLS[@]}" watch --json --duration 2 >"$TMP/out" 2>"$TMP/err" &
wpid=$!
sleep 0.7
head -1 "$TMP/exp" >"$TMP/exp1"
php_read "127.0.0.1:$S_PLAIN" "$TMP/exp1" "PHP reads a session while watched" >/dev/null
wait $wpid
check_eq "watch over TLS exits 0" 0 $?
check "and sees PHP read the session" grep -q "\"sid\":\"$sid\"" "$TMP/out"
"$MEMCSESS" -s "$T" "${TLS[@]}" doctor >"$TMP/out" 2>"$TMP/err"
check "doctor over TLS checks the certificate" grep -q "certificate: every server's TLS certificate is valid for over 30 days" "$TMP/out"
"$MEMCSESS" -s "127.0.0.1:$N" "${TLS[@]}" doctor >"$TMP/out" 2>"$TMP/err"
check_eq "doctor: a certificate ending within 30 days is a warning (exit 5)" 5 $?
check "which says when it ends" grep -q "certificate 127.0.0.1:$N: the server's TLS certificate expires on .*, in 9 days" "$TMP/out"

## migrate: TLS -> plaintext and back; PHP reads every session after each.
"$MEMCSESS" "${TLS[@]}" migrate --from "$T" --to "127.0.0.1:$D" --tls-from --move >"$TMP/out" 2>"$TMP/err"
check_eq "migrate --tls-from (TLS -> plaintext) --move exits 0" 0 $?
check_eq "the TLS server is empty" 0 "$(count_keys "$S_PLAIN" memc.sess.key.)"
php_read "127.0.0.1:$D" "$TMP/exp" "PHP reads every session on the plaintext server"
"$MEMCSESS" --tls-ca "$C/ca.pem" migrate --from "127.0.0.1:$D" --to "$T" --tls-to --move >"$TMP/out" 2>"$TMP/err"
check_eq "migrate --tls-to (plaintext -> TLS) --move exits 0" 0 $?
check_eq "the plaintext server is empty" 0 "$(count_keys "$D" memc.sess.key.)"
php_read "127.0.0.1:$S_PLAIN" "$TMP/exp" "PHP reads every session back on the TLS server"
"$MEMCSESS" "${TLS[@]}" migrate --from "$T" --to "127.0.0.1:$D" >"$TMP/out" 2>"$TMP/err"
check_eq "migrate with --tls (both sides) fails on the plaintext side (exit 1)" 1 $?
check "naming it" grep -q "server 127.0.0.1:$D: TLS handshake: wrong version number" "$TMP/err"

# Sessions larger than a TLS record: memcached 1.6 stalls when a record holds more after a value
# that began in an earlier record (memcsess ends a record with each value).
php_write "127.0.0.1:$D" php 6 large >"$TMP/exp-large"
check_eq "PHP wrote large sessions" 6 "$(count_keys "$D" memc.sess.key.)"
"$MEMCSESS" --tls-ca "$C/ca.pem" --timeout 3 migrate --from "127.0.0.1:$D" --to "$T" --tls-to --move >"$TMP/out" 2>"$TMP/err"
check_eq "migrate --tls-to of sessions over 16 KB exits 0" 0 $?
php_read "127.0.0.1:$S_PLAIN" "$TMP/exp-large" "PHP reads every large session copied over TLS"
"$MEMCSESS" -s "$T" "${TLS[@]}" dump --sid 't0*' >"$TMP/dump-all" 2>"$TMP/err"
check_eq "dump over TLS of large and small sessions: all of them" 46 "$(wc -l <"$TMP/dump-all")"

## Errors: named, and never longer than --timeout.
# err_case NAME EXIT PATTERN ARGS...: memcsess ARGS list fails with EXIT, PATTERN in its error, in
# under 3 s (--timeout 1).
err_case() {
	local name=$1 want=$2 pat=$3 t0 t1
	shift 3
	t0=$(date +%s%N)
	"$MEMCSESS" --timeout 1 "$@" list >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	t1=$(date +%s%N)
	check_eq "$name: exit $want" "$want" "$rc"
	check "$name: says '$pat'" grep -q -- "$pat" "$TMP/err"
	check "$name: within the timeout ($(((t1 - t0) / 1000000)) ms)" [ $(((t1 - t0) / 1000000)) -lt 3000 ]
}
err_case "unknown CA" 3 "server $T: TLS handshake: certificate verify failed: unknown CA" \
	-s "$T" --tls --tls-ca "$C/ca2.pem"
err_case "no --tls-ca: the system's CAs do not know the test CA" 3 "unknown CA" -s "$T" --tls
err_case "expired certificate" 3 "certificate verify failed: the server's certificate has expired on 2020-02-01" \
	-s "127.0.0.1:$E" "${TLS[@]}"
err_case "name mismatch" 3 "name mismatch: the server's certificate is not for 127.0.0.1" \
	-s "127.0.0.1:$O" "${TLS[@]}"
err_case "a plaintext server with --tls" 3 "wrong version number (the server does not speak TLS on this port" \
	-s "127.0.0.1:$D" "${TLS[@]}"
err_case "a TLS server without --tls" 3 "server $T: the server speaks TLS: add --tls" -s "$T"
err_case "a handshake that stalls" 3 "timeout after 1000 ms while in the TLS handshake" \
	-s "127.0.0.1:$Q" "${TLS[@]}"
err_case "a client certificate required and not given" 3 "the server wants a client certificate (memcached ssl_verify_mode): give --tls-cert FILE and --tls-key FILE" \
	-s "127.0.0.1:$V" "${TLS[@]}"
err_case "--tls with --sasl" 2 "SASL goes through libmemcached's binary protocol, which has no TLS" \
	-s "$T" "${TLS[@]}" --sasl --username u --password-file /dev/null
err_case "a missing CA file" 2 "--tls-ca $C/none.pem" -s "$T" --tls --tls-ca "$C/none.pem"

# A TLS server that stops reading in the middle of a load's writes (15 MB a batch, more than
# the sockets hold): each batch fails within --timeout, every session named, none lost.
php_server_start W tls-stall.php "$C/srv.pem $C/srv.key" || exit 1
php -r 'for ($i = 0; $i < 300; $i++) echo json_encode(["key" => sprintf("memc.sess.key.t0stall%05d", $i),
	"value" => "a|s:60000:\"" . str_repeat(chr(97 + $i % 26), 60000) . "\";", "flags" => 0]), "\n";' >"$TMP/stall.jsonl"
t0=$(date +%s%N)
"$MEMCSESS" -s "127.0.0.1:$W" "${TLS[@]}" --timeout 1 load "$TMP/stall.jsonl" >"$TMP/out" 2>"$TMP/err"
rc=$?
t1=$(date +%s%N)
check_eq "a server that stops reading a TLS write: load exits 1" 1 "$rc"
check_eq "each of the 300 sessions is named with the timeout" 300 \
	"$(grep -c "^memcsess: session t0stall[0-9]*: server 127.0.0.1:$W: timeout after 1000 ms while" "$TMP/err")"
check "the first batch failed while sending" grep -q "timeout after 1000 ms while sending" "$TMP/err"
check "the summary counts 300 failed" grep -q "^load: 300 sessions read, 0 loaded.* 300 failed" "$TMP/err"
check "two batches, each bounded by the timeout ($(((t1 - t0) / 1000000)) ms)" [ $(((t1 - t0) / 1000000)) -lt 5000 ]
kill "$W_PID"

"$MEMCSESS" -s "127.0.0.1:$O" "${TLS[@]}" --tls-servername other.example list --json >"$TMP/out" 2>"$TMP/err"
check_eq "--tls-servername: the name the certificate holds is checked instead" 0 $?
"$MEMCSESS" -s "127.0.0.1:$E" --tls --tls-insecure list --json >"$TMP/out" 2>"$TMP/err"
check_eq "--tls-insecure reaches the server with the expired certificate" 0 $?
check "with a warning" grep -q "warning: --tls-insecure: the servers' certificates are not checked" "$TMP/err"
"$MEMCSESS" -s "127.0.0.1:$V" "${TLS[@]}" --tls-cert "$C/client.pem" --tls-key "$C/client.key" list --json >"$TMP/out" 2>"$TMP/err"
check_eq "ssl_verify_mode=2: with a client certificate list exits 0" 0 $?
check "a key file others can read gets a warning" grep -q "warning: --tls-key $C/client.key can be read by its group or others" "$TMP/err"
chmod 600 "$C/client.key"
"$MEMCSESS" -s "127.0.0.1:$V" "${TLS[@]}" --tls-cert "$C/client.pem" --tls-key "$C/client.key" list >"$TMP/out" 2>"$TMP/err"
check_eq "no warning once only its owner can read it" "" "$(cat "$TMP/err")"
exit 0
