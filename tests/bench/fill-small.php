<?php
// fill-small.php FIRST COUNT POOL [ketama|modula]: writes sessions FIRST .. FIRST+COUNT-1 through
// PHP's own memcached session handler (gc_maxlifetime and memcached.sess_* from -d options), one
// session_id()/session_start()/session_write_close() each, and prints each sid. Each session is
// written with session.save_path set to the one server of POOL that PHP configured with the
// whole POOL stores it on (Memcached::getServerByKey with the handler's hashing, pool.php):
// php-memcached's handler costs about 0.1 ms a session more for every 30 servers in its save
// path (1,200 sessions/s at 256 servers against 11,000/s at 2), and libmemcached cannot hash
// more than 100 servers with ketama at all. Small sessions as most
// applications keep them: a user id, a CSRF token, a few flags, sometimes a cart, a flash
// message or the last pages seen. Sizes: log-normal around a median of 400 B (sigma 0.75),
// kept within 100 B .. 4 KB, from mt_rand seeded with FIRST: the same FIRST and COUNT give the
// same sessions in any pool. Handlers mixed between sessions (php 1/2, php_serialize 1/4,
// igbinary 1/4), each padded to its size as its handler encodes it. Progress on stderr every 50,000 sessions.
require __DIR__ . '/pool.php';
[$_, $first, $count, $spec] = $argv;
$first = (int)$first;
$count = (int)$count;
$pool = bench_pool($spec, $argv[4] ?? 'ketama');

const PAGES = ['/', '/shop', '/shop/shoes', '/cart', '/account', '/search?q=red+shoes', '/blog/42'];

/* A size in bytes: log-normal, median 400, sigma 0.75, within 100 .. 4096 (Box-Muller). */
function small_size(): int
{
	$u = (mt_rand() + 1) / (mt_getrandmax() + 2);
	$v = mt_rand() / mt_getrandmax();
	$z = sqrt(-2 * log($u)) * cos(2 * M_PI * $v);
	return max(100, min(4096, (int)(400 * exp(0.75 * $z))));
}

/* The session data of number $i (before padding). */
function small_session(int $i, int $target): array
{
	$s = ['uid' => 100000 + $i, 'csrf' => md5("csrf$i"), 'auth' => true];
	if ($target >= 180) {
		$s['flags'] = ['beta' => $i % 5 === 0, 'consent' => true, 'lang' => ['en', 'fr', 'de'][$i % 3]];
	}
	if ($target >= 300) {
		$s['last'] = 1760000000 + $i;
		$s['history'] = array_slice(PAGES, 0, 1 + $i % 4);
	}
	if ($target >= 600 && $i % 3 === 0) {
		$cart = [];
		for ($k = 0, $n = min(20, intdiv($target - 500, 180) + 1); $k < $n; $k++) {
			$cart[] = ['sku' => sprintf('SKU-%05d', ($i * 7 + $k) % 99991), 'qty' => 1 + $k % 3,
				'price' => round(4.99 + ($i + $k) % 200 * 1.25, 2)];
		}
		$s['cart'] = $cart;
	}
	if ($target >= 450 && $i % 4 === 1) {
		$s['flash'] = ['notice' => ['Your changes were saved.']];
	}
	return $s;
}

function small_sid(int $i): string
{
	return sprintf('s%07d%s', $i, substr(md5("sid$i"), 0, 24));
}

/* Pads the active session to $target bytes as its handler encodes it (when it is smaller). */
function small_pad(int $target, int $i): void
{
	$left = $target - strlen(session_encode());
	if ($left <= 0) {
		return;
	}
	$pad = str_repeat('viewed:SKU-' . ($i % 9973) . ';', intdiv($target, 10) + 1);
	$_SESSION['recent'] = substr($pad, 0, $left);
	$len = max(0, $left - (strlen(session_encode()) - $target));
	$_SESSION['recent'] = substr($pad, 0, $len);
}

ini_set('session.use_cookies', '0');
ini_set('session.use_strict_mode', '0');
ini_set('session.cache_limiter', '');
mt_srand($first);
// the sizes in the order of the sessions (the same in any pool), then the sessions server by
// server: a PHP process going from server to server at every session writes 800 sessions/s
// into 256 servers, against 10,000/s into 2
$target = $by_server = [];
for ($i = $first; $i < $first + $count; $i++) {
	$target[$i] = small_size();
	$at = $pool->getServerByKey(small_sid($i));
	$by_server[$at['host'] . ':' . $at['port']][] = $i;
}
$done = 0;
foreach ($by_server as $server => $numbers) {
	ini_set('session.save_path', $server);
	foreach ($numbers as $i) {
		ini_set('session.serialize_handler', ['php', 'php', 'php_serialize', 'igbinary'][$i % 4]);
		session_id(small_sid($i));
		if (!session_start()) {
			fwrite(STDERR, "fill-small: session_start failed at session $i\n");
			exit(1);
		}
		$_SESSION = small_session($i, $target[$i]);
		small_pad($target[$i], $i);
		if (!session_write_close()) {
			fwrite(STDERR, "fill-small: session_write_close failed at session $i\n");
			exit(1);
		}
		fwrite(STDOUT, session_id() . "\n");	// not echo: output would stop the next ini_set()
		if (++$done % 50000 === 0) {
			fprintf(STDERR, "fill-small: %d of %d written (from %d)\n", $done, $count, $first);
		}
	}
}
