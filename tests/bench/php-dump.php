<?php
// php-dump.php POOL [ketama|modula]: what a PHP script dumping every session does: Memcached::getAllKeys(),
// getMulti() in batches of 1000, session_decode() and json_encode() of each; prints one line
// {"sid":..,"data":..} a session, and "php-dump: <found keys> <dumped> <failed> <bytes written>"
// on stderr.
require __DIR__ . '/pool.php';
require __DIR__ . '/sessdecode.php';

$m = bench_pool($argv[1], $argv[2] ?? 'ketama');
$keys = $m->getAllKeys();
if ($keys === false) {
	fwrite(STDERR, "php-dump: getAllKeys failed: " . $m->getResultMessage() . "\n");
	exit(1);
}
$sids = [];
foreach ($keys as $k) {
	if (strncmp($k, BENCH_PREFIX, strlen(BENCH_PREFIX)) === 0 && substr($k, -5) !== '.lock') {
		$sids[] = substr($k, strlen(BENCH_PREFIX));
	}
}
$dumped = $failed = $bytes = 0;
foreach (array_chunk($sids, 1000) as $chunk) {
	$got = $m->getMulti($chunk);
	if ($got === false) {
		fwrite(STDERR, "php-dump: getMulti failed: " . $m->getResultMessage() . "\n");
		exit(1);
	}
	foreach ($got as $sid => $v) {
		bench_use_handler(bench_handler_of($v));
		$json = bench_decode_json($v);
		if ($json === null) {
			$failed++;
			continue;
		}
		$bytes += fwrite(STDOUT, '{"sid":' . json_encode($sid) . ',"data":' . $json . "}\n");
		$dumped++;
	}
}
fprintf(STDERR, "php-dump: %d %d %d %d\n", count($sids), $dumped, $failed, $bytes);
