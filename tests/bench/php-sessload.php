<?php
// php-sessload.php SECONDS: PHP requests as fast as this process can make them for SECONDS:
// each one session_start() on a random sid of 10,000, a write, session_write_close(), through
// PHP's memcached session handler (save_path from the command line). Prints the requests made.
ini_set('session.use_cookies', '0');
ini_set('session.cache_limiter', '');
$end = microtime(true) + (float)($argv[1] ?? 10);
$n = 0;
while (microtime(true) < $end) {
	session_id(sprintf('load%05d', mt_rand(0, 9999)));
	session_start();
	$_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1;
	session_write_close();
	$n++;
}
echo "$n\n";
