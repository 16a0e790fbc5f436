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
require __DIR__ . '/expect.php';

const OPENSSL_CIPHER = 'aes-256-cbc';

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

$mode = $argv[1];
$count = (int)$argv[2];
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
}
