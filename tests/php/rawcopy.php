<?php
// rawcopy.php PORT FROM TO: copies the item FROM to TO on one memcached, bytes and flags as
// they are (a second session identical to the first, byte for byte).
$s = fsockopen('127.0.0.1', (int)$argv[1], $e, $es, 2);
fwrite($s, "mg {$argv[2]} v f\r\n");
$head = fgets($s);
if (!preg_match('/^VA (\d+) f(\d+)/', $head, $m)) {
	fwrite(STDERR, "rawcopy: $head");
	exit(1);
}
$data = '';
while (strlen($data) < $m[1] + 2)
	$data .= fread($s, $m[1] + 2 - strlen($data));
fwrite($s, "ms {$argv[3]} {$m[1]} F{$m[2]} T0\r\n" . $data);
$r = fgets($s);
exit(trim($r) === 'HD' ? 0 : 1);
