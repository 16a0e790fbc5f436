<?php
// php-decode.php DUMP-FILE: PHP's own session_decode() + json_encode() over the session values
// of a `memcsess dump` file (JSON Lines; the stored bytes are "value", or "value_b64" when they
// are not UTF-8; "handler" names the serialize handler). Only decoding and encoding are timed.
// Prints "<sessions> <bytes> <seconds>". Run with -d session.save_path=DIR (a writable directory).

$path = $argv[1] ?? 'php://stdin';
$by_handler = [];
foreach (new SplFileObject($path) as $line) {
	$r = json_decode($line, true);
	if (!is_array($r) || !isset($r['handler'])) {
		continue;
	}
	$value = isset($r['value_b64']) ? base64_decode($r['value_b64'], true) : ($r['value'] ?? null);
	if (!is_string($value) || !in_array($r['handler'], ['php', 'php_binary', 'php_serialize', 'igbinary'], true)) {
		continue;
	}
	$by_handler[$r['handler']][] = $value;
}

ini_set('session.use_cookies', '0');
ini_set('session.use_strict_mode', '0');
ini_set('session.cache_limiter', '');
ini_set('serialize_precision', '-1');
$sessions = 0;
$bytes = 0;
$seconds = 0.0;
foreach ($by_handler as $handler => $values) {
	// The handler cannot change while a session is active: one session per handler.
	ini_set('session.serialize_handler', $handler);
	session_id('phpdecodebench' . strtr($handler, '_', '-'));
	if (!session_start()) {
		fwrite(STDERR, "php-decode: session_start failed\n");
		exit(1);
	}
	$t = hrtime(true);
	foreach ($values as $v) {
		$_SESSION = [];
		if (session_decode($v)) {
			$out = json_encode($_SESSION, JSON_PARTIAL_OUTPUT_ON_ERROR | JSON_INVALID_UTF8_SUBSTITUTE);
			$sessions++;
			$bytes += strlen($v);
		}
	}
	$seconds += (hrtime(true) - $t) / 1e9;
	$_SESSION = [];
	session_abort();
}
printf("%d %d %.6f\n", $sessions, $bytes, $seconds);
