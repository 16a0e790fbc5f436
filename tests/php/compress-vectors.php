<?php
// compress-vectors.php PORT: prints the rows of tests/unit/test_compress.c's table: values stored by real
// php-memcached with OPT_COMPRESSION (fastlz, zlib) into memcached on PORT, read back raw.
ini_set("memcached.compression_threshold", "100");
function stored($type, $v) {
	$m = new Memcached();
	$m->addServer('127.0.0.1', (int)$GLOBALS["argv"][1]);
	$m->setOption(Memcached::OPT_COMPRESSION, true);
	$m->setOption(Memcached::OPT_COMPRESSION_TYPE, $type === 'zlib' ? Memcached::COMPRESSION_ZLIB : Memcached::COMPRESSION_FASTLZ);
	$m->set('k', $v);
	$s = fsockopen('127.0.0.1', (int)$GLOBALS["argv"][1]); fwrite($s, "get k\r\n");
	[, , $flags, $len] = explode(' ', trim(fgets($s)));
	$raw = ''; while (strlen($raw) < $len) $raw .= fread($s, $len - strlen($raw));
	return [$flags, $raw];
}
function cstr($b) { $o = ''; foreach (str_split($b, 24) as $part) { $o .= "\t\t\""; foreach (str_split($part) as $c) $o .= sprintf('\\x%02x', ord($c)); $o .= "\"\n"; } return $o; }
$blk = ''; for ($i = 0; $i < 12; $i++) $blk .= md5("blk$i");
$vals = [
	'small' => (function () { $v = ''; for ($i = 0; $i < 80; $i++) $v .= "n$i|s:5:\"alice\";"; return $v; })(),
	'run' => str_repeat('a', 3000) . 'b' . str_repeat('xyz', 700),
	'level2' => str_repeat($blk . str_repeat('-', 8200), 8),
];
foreach (['fastlz', 'zlib'] as $t) foreach ($vals as $name => $v) {
	[$flags, $raw] = stored($t, $v);
	echo "\t{ \"$t $name\", $flags, ", strlen($v), ", \"", md5($v), "\", ", strlen($raw), ",\n", cstr($raw), "\t},\n";
}
