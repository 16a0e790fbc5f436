#!/bin/bash
# make-corpus.sh: (re)writes the seed corpora in tests/fuzz/corpus/ from real output: the golden
# session files (real PHP), metadump/cachedump lines and raw mg replies of a real memcached
# filled by real PHP, `memcsess dump` lines, PHP's openssl_encrypt envelopes and php-memcached's
# compressed values. Needs MEMCSESS (the binary). Run by hand after a format changes.
. "$(dirname "$0")/../lib.sh"
C=$TESTS_DIR/fuzz/corpus
seed() { # seed TARGET NAME: stdin becomes one seed file
	mkdir -p "$C/$1"
	cat >"$C/$1/$2"
}
# sessdec: first byte is the handler (0 detect, 2 php, 3 php_binary, 4 php_serialize, 5 igbinary)
for f in "$TESTS_DIR"/golden/*.sess; do
	b=$(basename "$f" .sess)
	case $b in
	php_binary-*) h=3 ;; php_serialize-*) h=4 ;; igbinary-*) h=5 ;; php-*) h=2 ;;
	esac
	{ printf "\\x0$h"; cat "$f"; } | seed sessdec "$b"
	{ printf '\x00'; cat "$f"; } | seed sessdec "detect-$b"
	case $b in igbinary-*) seed igbinary "$b" <"$f" ;; esac
done

mc_start_var A || exit 1
php_write "127.0.0.1:$A" php 4 rich >/dev/null
php_write "127.0.0.1:$A" php_serialize 2 rich >/dev/null
php_write "127.0.0.1:$A" igbinary 2 rich >/dev/null
php -r '$m = new Memcached(); $m->addServer("127.0.0.1", (int)$argv[1]);
	$m->set("key with%20url", "x"); $m->set(str_repeat("k", 250), "y", 3600);' "$A"
i=0
mc_cmd "$A" "lru_crawler metadump all" | tr -d '\r' | while IFS= read -r l; do
	i=$((i + 1)); printf '%s' "$l" | seed metadump "line$i"
done
i=0
for cls in 1 2 3 4 5 6 7 8 9 10 11 12; do
	mc_cmd "$A" "stats cachedump $cls 20" | tr -d '\r'
done | while IFS= read -r l; do
	i=$((i + 1)); printf '%s' "$l" | seed cachedump "line$i"
done
"$MEMCSESS" -s "127.0.0.1:$A" dump 2>/dev/null | head -8 | while IFS= read -r l; do
	i=$((i + 1)); printf '%s' "$l" | seed dumpline "line$i"
done
"$MEMCSESS" -s "127.0.0.1:$A" dump 2>/dev/null | awk 'length < 3000' | head -3 >"$TMP/lines"
n=0; while IFS= read -r l; do n=$((n + 1)); printf '%s' "$l" | seed dumpline "short$n"; done <"$TMP/lines"
# meta: raw replies to mg, exactly as the server sent them (hit with value, hit, miss)
key=$(mc_cmd "$A" "lru_crawler metadump all" | grep -o 'key=memc[^ ]*' | head -1 | cut -d= -f2)
php -r '$s = fsockopen("127.0.0.1", (int)$argv[1]);
	fwrite($s, "mg $argv[2] t f s l h c v\r\nmg $argv[2] t f s l h c\r\nmg nosuch t f s l h c v\r\nmn\r\n");
	$o = ""; while (!str_ends_with($o, "MN\r\n")) $o .= fread($s, 65536); echo substr($o, 0, -4);' \
	"$A" "$key" | seed meta hit-miss
printf 'HD t-1 f0 s5 l3 h1 c42\r\nEN\r\nVA 3 t10 f1 b\r\nabc\r\n' | seed meta small
# crypt: first byte 0 auto, 1 openssl, 2 laravel (+4: a whole value)
php -r '
	$sess = "user|s:5:\"alice\";n|i:42;";
	$k = base64_decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
	$iv = random_bytes(16);
	echo base64_encode(openssl_encrypt($sess, "aes-256-cbc", $k, 0, $iv) . "::" . $iv), "\n";
	foreach (["aes-256-cbc", "aes-256-gcm"] as $c) {
		$iv = random_bytes(openssl_cipher_iv_length($c)); $tag = "";
		$value = openssl_encrypt(serialize($sess), $c, $k, 0, $iv, $tag);
		$iv = base64_encode($iv); $tag = base64_encode($tag ?? "");
		$mac = str_contains($c, "gcm") ? "" : hash_hmac("sha256", $iv . $value, $k);
		echo base64_encode(json_encode(compact("iv", "value", "mac", "tag"), JSON_UNESCAPED_SLASHES)), "\n";
	}' >"$TMP/crypt"
n=0
while IFS= read -r l; do
	n=$((n + 1))
	{ printf '\x04'; printf '%s' "$l"; } | seed crypt "auto-whole$n"
	{ printf '\x00'; printf '%s' "$l"; } | seed crypt "auto$n"
	{ printf "\\x0$(( n == 1 ? 5 : 6 ))"; printf '%s' "$l"; } | seed crypt "forced$n"
done <"$TMP/crypt"
mkdir -p "$C/compress"
# compress: first byte 0 zlib, 1 fastlz (php-memcached's wrapping: 4-byte length first)
php -d memcached.compression_threshold=100 -r '
	foreach (["zlib" => Memcached::COMPRESSION_ZLIB, "fastlz" => Memcached::COMPRESSION_FASTLZ] as $n => $t)
	foreach (["small" => str_repeat("n|s:5:\"alice\";", 40), "long" => str_repeat(md5("x"), 100) . str_repeat("-", 9000)] as $w => $v) {
		$m = new Memcached(); $m->addServer("127.0.0.1", (int)$argv[1]);
		$m->setOption(Memcached::OPT_COMPRESSION, true); $m->setOption(Memcached::OPT_COMPRESSION_TYPE, $t);
		$m->set("k", $v);
		$s = fsockopen("127.0.0.1", (int)$argv[1]); fwrite($s, "get k\r\n");
		[, , , $len] = explode(" ", trim(fgets($s)));
		$raw = ""; while (strlen($raw) < $len) $raw .= fread($s, $len - strlen($raw));
		file_put_contents($argv[2] . "/$n-$w", ($n === "zlib" ? "\x00" : "\x01") . $raw);
		file_put_contents($argv[2] . "/bare-$n-$w", "\xfe" . substr($raw, 4));
	}' "$A" "$C/compress"
ok "seed corpora written"
