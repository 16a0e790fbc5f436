<?php
// sessdecode.php: PHP's own session_decode() for a value of any serialize handler, as a PHP
// script has to do it. The handler can only change while no session is active, so the session
// (whose save handler stores nothing) is restarted when the next value has another handler.

class BenchNoStore implements SessionHandlerInterface
{
	public function open($path, $name): bool { return true; }
	public function close(): bool { return true; }
	public function read($id): string|false { return ''; }
	public function write($id, $data): bool { return true; }
	public function destroy($id): bool { return true; }
	public function gc($max): int|false { return 0; }
}

session_set_save_handler(new BenchNoStore(), true);
ini_set('session.use_cookies', '0');
ini_set('session.use_strict_mode', '0');
ini_set('session.cache_limiter', '');
ini_set('serialize_precision', '-1');

/* The serialize handler that wrote $v, told by its first bytes. */
function bench_handler_of(string $v): string
{
	if (strncmp($v, "\x00\x00\x00\x02", 4) === 0) {
		return 'igbinary';
	}
	return preg_match('/^a:\d+:\{/', $v) ? 'php_serialize' : 'php';
}

/* Makes $handler the active session's serialize handler. */
function bench_use_handler(string $handler): void
{
	static $current = null;
	if ($current === $handler) {
		return;
	}
	if ($current !== null) {
		session_abort();
	}
	ini_set('session.serialize_handler', $handler);
	session_id('benchdecode');
	if (!session_start()) {
		fwrite(STDERR, "sessdecode: session_start failed\n");
		exit(1);
	}
	$current = $handler;
}

/* $v decoded with the active session's handler and encoded as JSON; null when it fails. */
function bench_decode_json(string $v): ?string
{
	$_SESSION = [];
	if (!session_decode($v)) {
		return null;
	}
	$json = json_encode($_SESSION, JSON_PARTIAL_OUTPUT_ON_ERROR | JSON_INVALID_UTF8_SUBSTITUTE);
	return $json === false ? null : $json;
}
