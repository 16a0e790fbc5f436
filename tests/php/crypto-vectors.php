<?php
// crypto-vectors.php: prints the rows of tests/unit/test_crypto.c's table (php tests/php/crypto-vectors.php):
// payloads made by real PHP's openssl_encrypt / hash_hmac / base64_encode / json_encode, tampered as named.
function c($b) { $o = '"'; for ($i = 0; $i < strlen($b); $i++) { $ch = $b[$i]; $n = ord($ch);
	if ($ch === '"' || $ch === '\\') $o .= '\\' . $ch; elseif ($n < 32 || $n > 126) $o .= sprintf('\\x%02x""', $n); else $o .= $ch; } return $o . '"'; }
function row($name, $scheme, $cipher, $payload, $keys, $parse, $open, $cause, $plain, $idx = 1) {
	printf("\t{ %s, %s, %s,\n\t  %s,\n\t  %s, %d, %d, %s, %s, %d },\n", c($name), $scheme,
		$cipher === null ? 'NULL' : c($cipher), c($payload), c($keys), $parse, $open,
		$cause === null ? 'NULL' : c($cause), $plain === null ? 'NULL' : c($plain), $idx);
}
function oss($data, $key, $cipher = 'aes-256-cbc', $iv = null) {   // the hand-rolled pattern
	$iv ??= random_bytes(openssl_cipher_iv_length($cipher));
	return base64_encode(openssl_encrypt($data, $cipher, $key, 0, $iv) . '::' . $iv);
}
function flip_b64($s, $at) { $s[$at] = $s[$at] === 'A' ? 'B' : 'A'; return $s; }
// Laravel's Encrypter::encrypt() (Illuminate\Encryption\Encrypter, 8.x-11.x), reproduced.
function laravel($value, $key, $cipher = 'aes-256-cbc', $serialize = true) {
	$iv = random_bytes(openssl_cipher_iv_length($cipher));
	$tag = '';
	$value = openssl_encrypt($serialize ? serialize($value) : $value, $cipher, $key, 0, $iv, $tag);
	$iv = base64_encode($iv);
	$tag = base64_encode($tag ?? '');
	$mac = str_contains($cipher, 'gcm') ? '' : hash_hmac('sha256', $iv . $value, $key);
	return base64_encode(json_encode(compact('iv', 'value', 'mac', 'tag'), JSON_UNESCAPED_SLASHES));
}
function lv_edit($payload, $fn) { $j = json_decode(base64_decode($payload), true); $fn($j); return base64_encode(json_encode($j, JSON_UNESCAPED_SLASHES)); }

$sess = 'user|s:5:"alice";n|i:42;card|s:16:"4111111111111111";';
$key = 'secret';                      // short: PHP pads it with NULs
$long = str_repeat('0123456789', 4);  // 40 bytes: PHP cuts it to 32
$AUTO = 'CRYPT_AUTO'; $O = 'CRYPT_OPENSSL'; $L = 'CRYPT_LARAVEL';

$p = oss($sess, $key);
row('openssl: short key padded', $AUTO, null, $p, $key, 1, 0, null, $sess);
row('openssl: forced scheme', $O, null, $p, $key, 1, 0, null, $sess);
row('openssl: long key cut', $AUTO, null, oss($sess, $long), $long, 1, 0, null, $sess);
row('openssl: --cipher aes-128-cbc', $AUTO, 'aes-128-cbc', oss($sess, $key, 'aes-128-cbc'), $key, 1, 0, null, $sess);
row('openssl: --cipher aes-256-ctr (no padding)', $AUTO, 'aes-256-ctr', oss($sess, $key, 'aes-256-ctr'), $key, 1, 0, null, $sess);
row('openssl: key ring, second key right', $AUTO, null, $p, "wrong-key-one\n$key", 1, 0, null, $sess, 2);
row('openssl: wrong key', $AUTO, null, $p, 'not-the-key', 1, -1, 'bad padding', null);
$raw = base64_decode($p); [$ct, $iv] = explode('::', $raw, 2);
row('openssl: flipped ciphertext byte (last block)', $AUTO, null, base64_encode(flip_b64($ct, strlen($ct) - 6) . '::' . $iv), $key, 1, -1, 'bad padding', null);
$iv2 = $iv; $iv2[3] = chr(ord($iv2[3]) ^ 1);
row('openssl: flipped iv byte (no MAC: garbled first block)', $AUTO, null, base64_encode($ct . '::' . $iv2), $key, 1, 0, null, substr_replace($sess, chr(ord($sess[3]) ^ 1), 3, 1));
row('openssl: flipped separator', $O, null, base64_encode($ct . ':;' . $iv), $key, -1, 0, "no '::'", null);
row('openssl: flipped separator (auto, whole)', $AUTO, null, base64_encode($ct . ':;' . $iv), $key, -1, 0, "no '::'", null);
row('openssl: short iv', $AUTO, null, base64_encode($ct . '::' . substr($iv, 0, 8)), $key, -1, 0, 'short iv: 8 bytes, aes-256-cbc needs 16', null);
row('openssl: empty payload (forced)', $O, null, '', $key, -1, 0, 'empty payload', null);
row('openssl: empty payload (auto: not encrypted)', $AUTO, null, '', $key, 0, 0, null, null);
row('openssl: non-base64 garbage (forced)', $O, null, "garbage \x01\x02 ~~", $key, -1, 0, 'not base64', null);
row('openssl: non-base64 garbage (auto: not encrypted)', $AUTO, null, "garbage \x01\x02 ~~", $key, 0, 0, null, null);
row('openssl: plain session (auto: not encrypted)', $AUTO, null, $sess, $key, 0, 0, null, null);
row('openssl: truncated payload', $AUTO, null, substr($p, 0, -1), $key, -1, 0, 'truncated payload', null);
row('openssl: truncated ciphertext', $AUTO, null, base64_encode(substr($ct, 0, -4) . '::' . $iv), $key, -1, 0, 'truncated ciphertext', null);
row('openssl: empty ciphertext', $O, null, base64_encode('::' . $iv), $key, -1, 0, 'ciphertext', null);
$zp = openssl_encrypt("0123456789abcde\x00", 'aes-256-cbc', $key, OPENSSL_ZERO_PADDING, $iv);
row('openssl: bad padding (last byte 0)', $AUTO, null, base64_encode($zp . '::' . $iv), $key, 1, -1, 'bad padding', null);
row('openssl: gcm cannot carry a tag', $O, 'aes-256-gcm', base64_encode($ct . '::' . substr($iv, 0, 12)), $key, -1, 0, 'needs a tag', null);
row('openssl: no key', $AUTO, null, $p, '', 1, -1, 'no key', null);

$k32 = random_bytes(32); $k16 = random_bytes(16);
$K32 = 'base64:' . base64_encode($k32); $K16 = 'base64:' . base64_encode($k16);
$inner = serialize(['user' => 'alice', 'n' => 42]);
$lp = laravel($inner, $k32);
row('laravel: aes-256-cbc', $AUTO, null, $lp, $K32, 1, 0, null, serialize($inner));
row('laravel: forced scheme and cipher', $L, 'aes-256-cbc', $lp, $K32, 1, 0, null, serialize($inner));
row('laravel: aes-128-cbc', $AUTO, null, laravel($inner, $k16, 'aes-128-cbc'), $K16, 1, 0, null, serialize($inner));
$lg = laravel($inner, $k32, 'aes-256-gcm');
row('laravel: aes-256-gcm', $AUTO, null, $lg, $K32, 1, 0, null, serialize($inner));
row('laravel: aes-128-gcm', $AUTO, null, laravel($inner, $k16, 'aes-128-gcm'), $K16, 1, 0, null, serialize($inner));
row('laravel: key ring, previous key right', $AUTO, null, $lp, "$K16\nbase64:" . base64_encode(random_bytes(32)) . "\n$K32", 1, 0, null, serialize($inner), 3);
row('laravel: gcm key ring, previous key right', $AUTO, null, $lg, "base64:" . base64_encode(random_bytes(32)) . "\n$K32", 1, 0, null, serialize($inner), 2);
row('laravel: wrong key', $AUTO, null, $lp, 'base64:' . base64_encode(random_bytes(32)), 1, -1, 'mac mismatch', null);
row('laravel: gcm wrong key', $AUTO, null, $lg, 'base64:' . base64_encode(random_bytes(32)), 1, -1, 'tag mismatch', null);
row('laravel: key of the wrong size', $AUTO, null, $lp, 'twenty-bytes-key-xyz', 1, -1, 'no key of 16 or 32 bytes', null);
row('laravel: forced aes-128-cbc, 32-byte key', $L, 'aes-128-cbc', $lp, $K32, 1, -1, 'no key of 16 or 32', null);
foreach (['iv', 'value', 'mac'] as $f)
	row("laravel: flipped byte in $f", $AUTO, null, lv_edit($lp, fn(&$j) => $j[$f] = flip_b64($j[$f], 5)), $K32, 1, -1, 'mac mismatch', null);
foreach (['iv', 'value', 'tag'] as $f)
	row("laravel: gcm flipped byte in $f", $AUTO, null, lv_edit($lg, fn(&$j) => $j[$f] = flip_b64($j[$f], 5)), $K32, 1, -1, 'tag mismatch', null);
row('laravel: short iv (MAC redone)', $AUTO, null, lv_edit($lp, function (&$j) use ($k32) { $j['iv'] = base64_encode(substr(base64_decode($j['iv']), 0, 8)); $j['mac'] = hash_hmac('sha256', $j['iv'] . $j['value'], $k32); }), $K32, -1, 0, 'short iv: 8 bytes, aes-cbc needs 16', null);
row('laravel: iv not base64', $AUTO, null, lv_edit($lp, fn(&$j) => $j['iv'] = '!!' . substr($j['iv'], 2)), $K32, -1, 0, 'iv is not base64', null);
row('laravel: no mac field', $AUTO, null, lv_edit($lp, function (&$j) { unset($j['mac']); }), $K32, -1, 0, 'lacks iv, value or mac', null);
row('laravel: gcm tag cut', $AUTO, null, lv_edit($lg, fn(&$j) => $j['tag'] = base64_encode(substr(base64_decode($j['tag']), 0, 8))), $K32, -1, 0, 'tag: 8 bytes', null);
row('laravel: forced gcm, no tag', $L, 'aes-256-gcm', lv_edit($lg, fn(&$j) => $j['tag'] = ''), $K32, -1, 0, 'missing tag', null);
row('laravel: empty payload', $L, null, '', $K32, -1, 0, 'empty payload', null);
row('laravel: non-base64 garbage', $L, null, '{"iv":"x"}', $K32, -1, 0, 'not base64', null);
row('laravel: truncated payload', $AUTO, null, substr($lp, 0, -2), $K32, -1, 0, 'truncated payload', null);
row('laravel: truncated JSON', $AUTO, null, base64_encode(substr(base64_decode($lp), 0, -10)), $K32, -1, 0, 'not valid JSON', null);
row('laravel: truncated value (MAC redone)', $AUTO, null, lv_edit($lp, function (&$j) use ($k32) { $j['value'] = base64_encode(substr(base64_decode($j['value']), 0, -3)); $j['mac'] = hash_hmac('sha256', $j['iv'] . $j['value'], $k32); }), $K32, -1, 0, 'truncated ciphertext', null);
$zv = base64_encode(openssl_encrypt("0123456789abcde\x00", 'aes-256-cbc', $k32, OPENSSL_RAW_DATA | OPENSSL_ZERO_PADDING, $ziv = random_bytes(16)));
$zivb = base64_encode($ziv);
row('laravel: bad padding under a good MAC', $AUTO, null, base64_encode(json_encode(['iv' => $zivb, 'value' => $zv, 'mac' => hash_hmac('sha256', $zivb . $zv, $k32), 'tag' => ''], JSON_UNESCAPED_SLASHES)), $K32, 1, -1, 'bad padding', null);
row('laravel: old payload without tag', $AUTO, null, lv_edit($lp, function (&$j) { unset($j['tag']); }), $K32, 1, 0, null, serialize($inner));
