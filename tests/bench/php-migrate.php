<?php
// php-migrate.php FROM TO SIDS_FILE [batch]: what ops write today to move sessions between
// pools with PHP's Memcached class: one get and one set per session, or getMulti/setMulti in
// batches. Prints "<sessions> <seconds>". Keys and hashing as php-memcached's session handler.
[$_, $from, $to, $sidsFile] = $argv;
$batch = (int)($argv[4] ?? 0);
require __DIR__ . '/pool.php';

$src = bench_pool($from);
$dst = bench_pool($to);
$sids = [];
foreach (file($sidsFile, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
	$sids[] = $line[0] === '{' ? json_decode($line)->sid : $line;
}
$t = microtime(true);
$n = 0;
if ($batch <= 0) {
	foreach ($sids as $sid) {
		$v = $src->get($sid);
		if ($v !== false) {
			$dst->set($sid, $v, 1440);
			$n++;
		}
	}
} else {
	foreach (array_chunk($sids, $batch) as $chunk) {
		$got = $src->getMulti($chunk);
		if ($got) {
			$dst->setMulti($got, 1440);
			$n += count($got);
		}
	}
}
printf("%d %.3f\n", $n, microtime(true) - $t);
