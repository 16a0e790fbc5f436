<?php
// edit_same.php SID: real PHP makes the change t0018-edit.sh asks of memcsess set/unset, to
// session SID through its own session handler (ini settings from the command line), so that
// the bytes PHP writes can be compared with memcsess's.
require_once __DIR__ . '/classes.php';
ini_set('session.use_cookies', '0');
ini_set('session.use_strict_mode', '0');
ini_set('session.cache_limiter', '');
session_id($argv[1]);
if (!session_start()) {
	fwrite(STDERR, "session_start failed\n");
	exit(1);
}
$_SESSION['user_id'] = 42;
$_SESSION['map']['k']['deep']['deeper'][1] = 9.5;
$_SESSION['added'] = ['a' => [1, 2], 'f' => 2.0, 'n' => null, 7 => 'seven'];
$_SESSION['bin'] = "\x00\xff";
unset($_SESSION['flags']);
(function () { $this->items[0]['qty'] = 7; })->call($_SESSION['cart']);
$_SESSION['alias'][0] = 'z';
$_SESSION['name'] = "Zed \u{2713}";
$_SESSION['status'] = Status::Banned;
session_write_close();
