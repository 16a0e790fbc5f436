<?php
// php-decode-rate.php DUMPFILE [OUT]: PHP's session_decode() + json_encode() over the stored
// values of a `memcsess dump` file, in one process, each JSON written as a line to OUT
// (/dev/null). Prints "<sessions> <bytes> <seconds> <failed> <whole seconds>": seconds counts
// only decoding and encoding; whole seconds the whole run (reading and parsing the dump lines,
// switching handlers, writing), the same work as `memcsess decode --lines`.
require __DIR__ . '/sessdecode.php';

$start = hrtime(true);
$f = fopen($argv[1], 'r') or exit(1);
$out = fopen($argv[2] ?? '/dev/null', 'w') or exit(1);
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
	fwrite($out, $json . "\n");
	$n++;
	$bytes += strlen($v);
}
fclose($out);
printf("%d %d %.6f %d %.6f\n", $n, $bytes, $ns / 1e9, $failed, (hrtime(true) - $start) / 1e9);
