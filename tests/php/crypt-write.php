<?php
// crypt-write.php MODE COUNT [ARGS]: writes encrypted (or compressed) sessions the way real
// applications do and prints {"sid","key","expect"} per session, expect being what memcsess must
// show once it has decrypted (see expect.php; decrypted inner values are wrapped as
// {"__decrypted": value, "__scheme": scheme}). Keys come from the environment, never argv:
// MEMCSESS_TEST_OKEY (openssl scheme), MEMCSESS_TEST_LKEY (Laravel, "base64:..." APP_KEY form).
//   whole COUNT            session.save_handler=memcached under a SessionHandler that encrypts the
//                          whole session string (php.net's SessionHandler example, the pattern)
//   inner COUNT            plain sessions holding encrypted strings (openssl and Laravel)
//   laravel COUNT SERVERS PREFIX CIPHER   Laravel's cache session driver: Encrypter::encrypt()
//                          reproduced, Memcached::set(PREFIX . 40-character id) (compressed with
//                          php-memcached's default fastlz when over 2000 bytes: half are)
//   symfony COUNT SERVERS fastlz|zlib     Symfony's MemcachedSessionHandler: Memcached::set('sf2s'
//                          . sid, session data), 3 KB of data so php-memcached compresses it
//   readback whole|laravel EXPECT [SERVERS PREFIX]   reads the sessions of EXPECT back as the
//                          application would (its session handler that decrypts, or Laravel's
//                          Memcached::get() and Encrypter::decrypt()) and prints one ok line when
//                          each holds what was written, else not-ok lines
//   damaged                one session per kind of damage, each a whole value written through the
//                          session handler as the pattern or Laravel wrote it, then damaged;
//                          prints {"sid","key","case","error"}, error being what memcsess must say
require __DIR__ . '/expect.php';

// The pattern's cipher: aes-256-cbc, or MEMCSESS_TEST_CIPHER (another cipher, for --cipher).
define('OPENSSL_CIPHER', getenv('MEMCSESS_TEST_CIPHER') ?: 'aes-256-cbc');

// The widespread hand-rolled pattern.
function oss_encrypt(string $data, string $key): string
{
	$iv = random_bytes(openssl_cipher_iv_length(OPENSSL_CIPHER));
	return base64_encode(openssl_encrypt($data, OPENSSL_CIPHER, $key, 0, $iv) . '::' . $iv);
}

function oss_decrypt(string $data, string $key): string
{
	[$ct, $iv] = explode('::', base64_decode($data), 2);
	return openssl_decrypt($ct, OPENSSL_CIPHER, $key, 0, $iv);
}

// Illuminate\Encryption\Encrypter::encrypt(), as Laravel 8-11 builds the payload.
function laravel_encrypt($value, string $appKey, string $cipher = 'aes-256-cbc', bool $serialize = true): string
{
	$key = base64_decode(substr($appKey, 7));
	$iv = random_bytes(openssl_cipher_iv_length(strtolower($cipher)));
	$tag = '';
	$value = \openssl_encrypt($serialize ? serialize($value) : $value, strtolower($cipher), $key, 0, $iv, $tag);
	$iv = base64_encode($iv);
	$tag = base64_encode($tag ?? '');
	$mac = str_contains($cipher, 'gcm') ? '' : hash_hmac('sha256', $iv . $value, $key);
	return base64_encode(json_encode(compact('iv', 'value', 'mac', 'tag'), JSON_UNESCAPED_SLASHES));
}

// Illuminate\Encryption\Encrypter::decrypt(): the MAC checked, then one unserialize(); null if not.
function laravel_decrypt(string $payload, string $appKey)
{
	$key = base64_decode(substr($appKey, 7));
	$j = json_decode(base64_decode($payload), true);
	$gcm = ($j['tag'] ?? '') !== '';
	$cipher = (strlen($key) === 16 ? 'aes-128-' : 'aes-256-') . ($gcm ? 'gcm' : 'cbc');
	if (!$gcm && !hash_equals(hash_hmac('sha256', $j['iv'] . $j['value'], $key), $j['mac']))
		return null;
	$plain = openssl_decrypt($j['value'], $cipher, $key, 0, base64_decode($j['iv']),
		$gcm ? base64_decode($j['tag']) : '');
	return $plain === false ? null : unserialize($plain);
}

class EncryptedSessionHandler extends SessionHandler
{
	public function __construct(private string $key) {}

	public function read($id): string|false
	{
		$data = parent::read($id);
		return $data === '' || $data === false ? '' : oss_decrypt($data, $this->key);
	}

	public function write($id, $data): bool
	{
		return parent::write($id, oss_encrypt($data, $this->key));
	}
}

function emit(string $sid, string $key, $expect): void
{
	echo json_encode(['sid' => $sid, 'key' => $key, 'expect' => $expect],
		JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION), "\n";
}

function wrapped($value, string $scheme): array
{
	return ['__decrypted' => memcsess_expect($value), '__scheme' => $scheme];
}

// Sessions through PHP's own session handler; $fill fills $_SESSION and returns the expectation.
function through_handler(int $count, string $tag, callable $fill): void
{
	ini_set('session.use_cookies', '0');
	ini_set('session.use_strict_mode', '0');
	ini_set('session.cache_limiter', '');
	for ($i = 0; $i < $count; $i++) {
		session_id(sprintf('%s%05d%s', $tag, $i, bin2hex(random_bytes(8))));
		session_start() or exit(1);
		$expect = $fill($i);
		session_write_close() or exit(1);
		emit(session_id(), ini_get('memcached.sess_prefix') . session_id(), $expect);
	}
}

function memcached_client(string $servers): Memcached
{
	$m = new Memcached();
	foreach (explode(',', $servers) as $s) {
		[$host, $port] = explode(':', $s);
		$m->addServer($host, (int)$port);
	}
	return $m;
}

// The raw bytes of $data through PHP's session handler (a SessionHandler that stores them as given).
class RawSessionHandler extends SessionHandler
{
	public string $raw = '';

	public function read($id): string|false
	{
		return '';
	}

	public function write($id, $data): bool
	{
		return parent::write($id, $this->raw);
	}
}

function flip(string $s, int $at, int $bit = 1): string
{
	$s[$at] = chr(ord($s[$at]) ^ $bit);
	return $s;
}

// A Laravel payload's JSON changed by $fn (the MAC redone when $key is given).
function laravel_edit(string $payload, callable $fn, ?string $key = null): string
{
	$j = json_decode(base64_decode($payload), true);
	$fn($j);
	if ($key !== null)
		$j['mac'] = hash_hmac('sha256', $j['iv'] . $j['value'], $key);
	return base64_encode(json_encode($j, JSON_UNESCAPED_SLASHES));
}

// Each damage the issue names, on values real PHP made just now: [case, stored bytes, error].
function damaged_values(string $okey, string $lkey): array
{
	$sess = 'user_id|i:2000;name|s:12:"damaged data";cart|a:1:{s:3:"sku";s:5:"W-000";}';
	[$ct, $iv] = explode('::', base64_decode(oss_encrypt($sess, $okey)), 2);
	$raw = base64_decode($ct);	// options 0: the ciphertext is base64 inside
	$oss = fn($c, $sep, $v) => base64_encode(base64_encode($c) . $sep . $v);
	$k = base64_decode(substr($lkey, 7));
	$cbc = laravel_encrypt(serialize($sess), $lkey);
	$gcm = laravel_encrypt(serialize($sess), $lkey, 'aes-256-gcm');
	$flip_b64 = fn(&$j, $f) => $j[$f] = base64_encode(flip(base64_decode($j[$f]), 3));
	$wrong = 'base64:' . base64_encode(random_bytes(32));
	return [
		['openssl wrong key', oss_encrypt($sess, 'not-' . $okey), 'bad padding|plaintext unusable'],
		// the last padding byte, through the block before it: 0x80 more, no padding is that long
		['openssl flipped ciphertext byte', $oss(flip($raw, strlen($raw) - 17, 0x80), '::', $iv), 'bad padding'],
		// "i:2000" becomes "h:2000": the padding holds, the plaintext is no session
		['openssl flipped iv byte', $oss($raw, '::', flip($iv, 8)), 'plaintext unusable'],
		['openssl flipped separator byte', $oss($raw, ':;', $iv), "no '::' between ciphertext and iv"],
		['openssl short iv', $oss($raw, '::', substr($iv, 0, 8)), 'short iv: 8 bytes, aes-256-cbc needs 16'],
		['openssl empty ciphertext', $oss('', '::', $iv), 'empty ciphertext'],
		['openssl truncated payload', substr(oss_encrypt($sess, $okey), 0, -3), 'truncated payload'],
		// not base64 at all: no scheme's, so a session that cannot be decoded (forced: not base64)
		['non-base64 garbage', 'QUJD!!RA' . substr(oss_encrypt($sess, $okey), 8), 'cannot decode at byte'],
		['laravel wrong key', laravel_encrypt(serialize($sess), $wrong), 'mac mismatch'],
		['laravel flipped iv byte', laravel_edit($cbc, fn(&$j) => $flip_b64($j, 'iv')), 'mac mismatch'],
		['laravel flipped value byte', laravel_edit($cbc, fn(&$j) => $flip_b64($j, 'value')), 'mac mismatch'],
		['laravel flipped mac byte', laravel_edit($cbc, fn(&$j) => $j['mac'] = flip($j['mac'], 5)), 'mac mismatch'],
		['laravel short iv', laravel_edit($cbc, fn(&$j) => $j['iv'] = base64_encode(substr(base64_decode($j['iv']), 0, 8)), $k), 'short iv: 8 bytes, aes-cbc needs 16'],
		['laravel empty value', laravel_edit($cbc, fn(&$j) => $j['value'] = '', $k), 'empty ciphertext'],
		['laravel value not base64', laravel_edit($cbc, fn(&$j) => $j['value'] = '%%' . substr($j['value'], 2), $k), 'value is not base64'],
		['laravel truncated json', base64_encode(substr(base64_decode($cbc), 0, -12)), 'payload is not valid JSON'],
		['laravel gcm wrong key', laravel_encrypt(serialize($sess), $wrong, 'aes-256-gcm'), 'tag mismatch'],
		['laravel gcm flipped iv byte', laravel_edit($gcm, fn(&$j) => $flip_b64($j, 'iv')), 'tag mismatch'],
		['laravel gcm flipped value byte', laravel_edit($gcm, fn(&$j) => $flip_b64($j, 'value')), 'tag mismatch'],
		['laravel gcm flipped tag byte', laravel_edit($gcm, fn(&$j) => $flip_b64($j, 'tag')), 'tag mismatch'],
	];
}

$mode = $argv[1];
$count = (int)($argv[2] ?? 0);
$okey = getenv('MEMCSESS_TEST_OKEY');
$lkey = getenv('MEMCSESS_TEST_LKEY');

if ($mode === 'whole') {
	session_set_save_handler(new EncryptedSessionHandler($okey), true);
	through_handler($count, 'w', function ($i) {
		$_SESSION['user_id'] = 2000 + $i;
		$_SESSION['name'] = "whöle $i";
		$_SESSION['cart'] = ['sku' => "W-$i", 'qty' => $i % 3];
		return memcsess_expect($_SESSION);
	});
} elseif ($mode === 'inner') {
	through_handler($count, 'i', function ($i) use ($okey, $lkey) {
		$card = sprintf('4111 1111 1111 %04d', $i);
		$_SESSION['user_id'] = 3000 + $i;
		$_SESSION['card'] = oss_encrypt($card, $okey);
		$_SESSION['token'] = bin2hex(random_bytes(20));
		$_SESSION['profile'] = ['ssn' => oss_encrypt("078-05-$i", $okey), 'city' => 'Lyon'];
		$_SESSION['prefs'] = laravel_encrypt(['theme' => 'dark', 'n' => $i], $lkey);
		$e = memcsess_expect($_SESSION);
		$e['card'] = wrapped($card, 'openssl');
		$e['profile']['ssn'] = wrapped("078-05-$i", 'openssl');
		$e['prefs'] = wrapped(['theme' => 'dark', 'n' => $i], 'laravel');
		return $e;
	});
} elseif ($mode === 'laravel') {
	[, , , $servers, $prefix, $cipher] = $argv;
	$m = memcached_client($servers);
	if (($argv[6] ?? '') === 'zlib')
		$m->setOption(Memcached::OPT_COMPRESSION_TYPE, Memcached::COMPRESSION_ZLIB);
	$abc = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
	for ($i = 0; $i < $count; $i++) {
		$id = '';
		for ($j = 0; $j < 40; $j++)
			$id .= $abc[random_int(0, 61)];
		$attributes = ['_token' => bin2hex(random_bytes(20)), 'login_web_59ba36' => 4000 + $i,
			'_previous' => ['url' => "https://app.test/orders/$i"], '_flash' => ['old' => [], 'new' => []]];
		if ($i % 2)	// big enough for php-memcached to compress it (fastlz by default)
			$attributes['report'] = str_repeat("line $i of the report; ", 200);
		// Illuminate\Session\EncryptedStore::prepareForStorage(serialize($attributes))
		$payload = laravel_encrypt(serialize($attributes), $lkey, $cipher);
		// Illuminate\Cache\MemcachedStore::put(): prefix . id, minutes * 60
		$m->set($prefix . $id, $payload, 7200) or exit(1);
		emit($id, $prefix . $id, memcsess_expect($attributes));
	}
} elseif ($mode === 'symfony') {
	[, , , $servers, $type] = $argv;
	$m = memcached_client($servers);
	$m->setOption(Memcached::OPT_COMPRESSION_TYPE, $type === 'zlib' ? Memcached::COMPRESSION_ZLIB : Memcached::COMPRESSION_FASTLZ);
	for ($i = 0; $i < $count; $i++) {
		$sid = sprintf('s%s%05d%s', $type[0], $i, bin2hex(random_bytes(10)));
		$_SESSION = ['_sf2_attributes' => ['user' => "sym$i", 'notes' => str_repeat("note $i; ", 400)],
			'_sf2_meta' => ['u' => 1700000000 + $i, 'c' => 1700000000, 'l' => 0]];
		$data = '';	// the php serialize handler's format, as Symfony gets it from PHP
		foreach ($_SESSION as $k => $v)
			$data .= $k . '|' . serialize($v);
		$m->set('sf2s' . $sid, $data, 7200) or exit(1);
		emit($sid, 'sf2s' . $sid, memcsess_expect($_SESSION));
	}
} elseif ($mode === 'damaged') {
	$h = new RawSessionHandler();
	session_set_save_handler($h, true);
	ini_set('session.use_cookies', '0');
	ini_set('session.use_strict_mode', '0');
	ini_set('session.cache_limiter', '');
	foreach (damaged_values($okey, $lkey) as $i => [$case, $bytes, $error]) {
		$h->raw = $bytes;
		session_id(sprintf('d%05d%s', $i, bin2hex(random_bytes(8))));
		session_start() or exit(1);
		session_write_close() or exit(1);
		echo json_encode(['sid' => session_id(), 'key' => ini_get('memcached.sess_prefix') . session_id(),
			'case' => $case, 'error' => $error], JSON_UNESCAPED_SLASHES), "\n";
	}
} elseif ($mode === 'readback') {
	[, , $kind, $file] = $argv;
	$m = $kind === 'laravel' ? memcached_client($argv[4]) : null;
	if ($kind === 'whole') {
		session_set_save_handler(new EncryptedSessionHandler($okey), true);
		ini_set('session.use_cookies', '0');
		ini_set('session.use_strict_mode', '0');
		ini_set('session.cache_limiter', '');
	}
	$bad = $n = 0;
	foreach (file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
		$e = json_decode($line, true);
		if ($kind === 'whole') {
			session_id($e['sid']);
			$_SESSION = [];
			session_start(['read_and_close' => true]);
			$got = $_SESSION;
		} else {	// Illuminate\Session\EncryptedStore::readFromHandler()
			$v = $m->get($argv[5] . $e['sid']);
			$got = $v === false ? null : unserialize(laravel_decrypt($v, $lkey) ?? 'N;');
		}
		$got = json_decode(json_encode(memcsess_expect($got), JSON_PRESERVE_ZERO_FRACTION), true);
		$n++;
		if ($got !== $e['expect'] && $bad++ < 20)
			echo "not ok - PHP reads back {$e['sid']}: ", json_encode($got), "\n";
	}
	echo $bad || !$n ? "not ok" : "ok", " - PHP reads back the $n $kind sessions loaded\n";
}
if ($mode === 'inner-show') {	// inner-show SID: what an inner session holds, raw and opened
	ini_set('session.use_cookies', '0');
	ini_set('session.use_strict_mode', '0');
	ini_set('session.cache_limiter', '');
	session_id($argv[2]);
	session_start(['read_and_close' => true]);
	$s = $_SESSION;
	$iv = fn($v) => is_string($v) && str_contains(base64_decode($v), '::')
		? bin2hex(explode('::', base64_decode($v), 2)[1]) : null;
	$open = fn($v) => is_string($v) ? oss_decrypt($v, $okey) : null;
	echo json_encode(['user_id' => $s['user_id'] ?? null, 'has_card' => isset($s['card']),
		'card_raw' => $s['card'] ?? null, 'card_iv' => $iv($s['card'] ?? null),
		'card' => $open($s['card'] ?? null), 'ssn_raw' => $s['profile']['ssn'] ?? null,
		'ssn' => $open($s['profile']['ssn'] ?? null), 'prefs_raw' => $s['prefs'] ?? null,
		'prefs' => isset($s['prefs']) ? laravel_decrypt($s['prefs'], $lkey) : null],
		JSON_UNESCAPED_SLASHES), "\n";
}
