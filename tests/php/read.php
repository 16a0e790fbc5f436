<?php
// read.php EXPECT.jsonl [LABEL]: real PHP, configured by -d options like write.php, reads every
// session of EXPECT through its own session handler (read-only) and checks that $_SESSION is
// exactly what was written. Prints one ok line, or not-ok lines (at most 20).
require __DIR__ . '/expect.php';
require_once __DIR__ . '/classes.php';
$label = $argv[2] ?? 'PHP reads the sessions';
ini_set('session.use_cookies', '0');
ini_set('session.use_strict_mode', '0');
ini_set('session.cache_limiter', '');
$bad = 0;
$n = 0;
// With READ_MISSING=FILE, sessions PHP finds empty are listed there instead of failing.
$missingOut = getenv('READ_MISSING') ?: null;
$missing = [];
foreach (file($argv[1], FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
	$e = json_decode($line, true);
	session_id($e['sid']);
	$_SESSION = [];
	if (!session_start(['read_and_close' => true])) {
		echo "not ok - $label: session_start failed for {$e['sid']}\n";
		exit(1);
	}
	$got = json_decode(memcsess_expect_json($_SESSION), true);
	$n++;
	if ($missingOut !== null && $got === []) {
		$missing[] = $e['sid'];
		continue;
	}
	if ($got !== $e['expect'] && $bad++ < 20) {
		echo "not ok - $label: sid {$e['sid']}: PHP read " . json_encode($got) . "\n";
	}
}
if ($missingOut !== null) {
	file_put_contents($missingOut, $missing ? implode("\n", $missing) . "\n" : '');
}
if (!$bad) {
	$n -= count($missing);
	echo "ok - $label: all $n sessions read back exactly\n";
}
exit($bad ? 1 : 0);
