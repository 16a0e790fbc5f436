<?php
// compare.php EXPECT.jsonl DUMP.jsonl [LABEL]: checks that every session PHP wrote appears in
// memcsess's output exactly once with data === what PHP had in $_SESSION. One ok/not ok line
// for the whole set, plus a not-ok line per mismatching session (at most 20).
[$_, $expFile, $dumpFile] = $argv;
$label = $argv[3] ?? 'data';
$expect = [];
foreach (file($expFile, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $n => $line) {
	$e = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
	$expect[$e['sid']] = $e['expect'];
}
$seen = [];
$bad = 0;
foreach (file($dumpFile, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $n => $line) {
	$d = json_decode($line, true);
	if (!is_array($d)) {
		echo "not ok - $label: line " . ($n + 1) . " of memcsess output is not JSON: $line\n";
		exit(1);
	}
	$sid = $d['sid'];
	if (!array_key_exists($sid, $expect)) {
		continue;
	}
	if (isset($seen[$sid])) {
		echo "not ok - $label: sid $sid listed twice\n";
		$bad++;
	}
	$seen[$sid] = true;
	$got = $d['data'] ?? null;
	if ($got !== $expect[$sid] && $bad++ < 20) {
		echo "not ok - $label: sid $sid: expected " . json_encode($expect[$sid]) .
			" got " . json_encode($d['data'] ?? $d['decode_error'] ?? null) . "\n";
	}
}
$missing = array_diff_key($expect, $seen);
foreach (array_slice(array_keys($missing), 0, 20) as $sid) {
	echo "not ok - $label: sid $sid written by PHP is missing from memcsess output\n";
}
if (!$bad && !$missing) {
	echo "ok - $label: all " . count($expect) . " sessions match what PHP stored\n";
}
exit($bad || $missing ? 1 : 0);
