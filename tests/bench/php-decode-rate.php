<?php
// php-decode-rate.php DUMPFILE: PHP's session_decode() + json_encode() over the stored values of
// a `memcsess dump` file, in one process; only decoding and encoding are timed (reading the file
// and switching handlers are not). Prints "<sessions> <bytes> <seconds> <failed>".
require __DIR__ . '/sessdecode.php';

$f = fopen($argv[1], 'r') or exit(1);
$n = $bytes = $failed = 0;
$ns = 0;
while (($line = fgets($f)) !== false) {
	$r = json_decode($line, true);
	$v = isset($r['value_b64']) ? base64_decode($r['value_b64'], true) : ($r['value'] ?? null);
	if (!is_string($v)) {
		fwrite(STDERR, "php-decode-rate: no value in line " . ($n + $failed + 1) . "\n");
		exit(1);
	}
	bench_use_handler(bench_handler_of($v));
	$t = hrtime(true);
	$json = bench_decode_json($v);
	$ns += hrtime(true) - $t;
	if ($json === null) {
		$failed++;
		continue;
	}
	$n++;
	$bytes += strlen($v);
}
printf("%d %d %.6f %d\n", $n, $bytes, $ns / 1e9, $failed);
