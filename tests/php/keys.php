<?php
// keys.php: writes sessions whose ids are prefixes of one another, from 1 character to the
// longest php-memcached takes (231: its lock key, memc.sess.key.lock. and the id, is at most
// 250 bytes), plus ids that part from the long stem at every ninth place; prints
// {"sid","expect"} per session as write.php does.
require __DIR__ . '/expect.php';
ini_set('session.use_cookies', '0');
ini_set('session.use_strict_mode', '0');
ini_set('session.cache_limiter', '');
$stem = substr(str_repeat('k0123456789abcdef-,', 13), 0, 231);
$sids = [];
for ($n = 1; $n <= 231; $n += 5) {	/* 1, 6, ... 231: the stem whole last */
	$sids[] = substr($stem, 0, $n);
}
for ($at = 0; $at < 231; $at += 9) {	/* the stem with one character changed at $at */
	$sids[] = substr($stem, 0, $at) . 'Z' . substr($stem, $at + 1);
}
foreach (array_values(array_unique($sids)) as $i => $sid) {
	session_id($sid);
	if (!session_start()) {
		fwrite(STDERR, "session_start failed for $sid\n");
		exit(1);
	}
	$_SESSION['n'] = $i;
	$_SESSION['id'] = $sid;
	$_SESSION['pad'] = str_repeat('x', $i * 37 % 3000);	/* sizes of one to three bytes */
	$expect = memcsess_expect_json($_SESSION);
	if (!session_write_close()) {
		fwrite(STDERR, "session_write_close failed for $sid\n");
		exit(1);
	}
	echo json_encode(['sid' => $sid, 'expect' => json_decode($expect)], JSON_UNESCAPED_SLASHES), "\n";
	if ($i % 20 == 19)
		sleep(1);	/* last access times that differ */
}
