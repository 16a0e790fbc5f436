<?php
// write.php COUNT [rich|simple|empty|edge|large]: writes COUNT sessions through PHP's own session
// handler (the ini settings come from the command line) and prints {"sid","expect"} per session.
require __DIR__ . '/expect.php';

require_once __DIR__ . '/classes.php';

/* The data of session number $i. */
function fill($i, $mode)
{
	$_SESSION['user_id'] = 1000 + $i;
	if ($mode === 'simple') {
		return;
	}
	if ($mode === 'large') {	/* over a TLS record (16 KB) even compressed */
		$_SESSION['blob'] = bin2hex(random_bytes(30000));
		return;
	}
	$_SESSION['name'] = "user \"$i\" Ünïcødé ✓ /slash";
	$_SESSION['ratio'] = 0.1 * $i;
	$_SESSION['whole'] = 2.0;
	$_SESSION['big'] = PHP_INT_MAX;
	$_SESSION['small'] = PHP_INT_MIN;
	$_SESSION['flags'] = [true, false, null];
	$_SESSION['binary'] = "\x00\xff\xfe bin" . chr($i % 256);
	$_SESSION['cart'] = new Cart("user$i", [['sku' => "A-$i", 'qty' => $i % 5], ['sku' => 'B', 'qty' => 1]]);
	$acc = new Account('x', []);
	$acc->id = $i;
	$_SESSION['account'] = $acc;
	$_SESSION['same'] = $_SESSION['cart'];
	$list = ['a', 'b'];
	$_SESSION['list'] = $list;
	$_SESSION['map'] = [5 => 'five', 'k' => ['deep' => ['deeper' => [1, 2, 3]]]];
	$_SESSION['empty'] = [];
	if ($mode === 'edge') {
		fill_edge();
	}
}

/* What rich sessions lack: PHP references (R:), floats at their limits, enums, unicode names. */
function fill_edge()
{
	$_SESSION['alias'] = &$_SESSION['list'];
	$_SESSION['inner'] = ['x' => &$_SESSION['user_id'], 'y' => &$_SESSION['user_id']];
	$_SESSION['inf'] = INF;
	$_SESSION['ninf'] = -INF;
	$_SESSION['nan'] = NAN;
	$_SESSION['negzero'] = -0.0;
	$_SESSION['tiny'] = 5e-324;
	$_SESSION['sum'] = 0.1 + 0.2;
	$_SESSION['max'] = 1.7976931348623157e308;
	$_SESSION['suit'] = Suit::Hearts;
	$_SESSION['suit_again'] = Suit::Hearts;
	$_SESSION['status'] = Status::Active;
	$_SESSION['ключ ✓'] = "日本語 — 🎉 \u{10FFFF}";
}

$count = (int)($argv[1] ?? 1);
$mode = $argv[2] ?? 'rich';
ini_set('session.use_cookies', '0');
ini_set('session.use_strict_mode', '0');
ini_set('session.cache_limiter', '');
for ($i = 0; $i < $count; $i++) {
	session_id(sprintf('t%05d%s', $i, bin2hex(random_bytes(8))));
	if (!session_start()) {
		fwrite(STDERR, "session_start failed\n");
		exit(1);
	}
	if ($mode !== 'empty') {
		fill($i, $mode);
	}
	$expect = memcsess_expect_json($_SESSION);
	if (!session_write_close()) {
		fwrite(STDERR, "session_write_close failed\n");
		exit(1);
	}
	echo json_encode(['sid' => session_id(), 'expect' => json_decode($expect)],
		JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION), "\n";
}
