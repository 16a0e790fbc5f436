<?php
// endless.php PORT: a fake memcached that answers lru_crawler metadump with one key (not a
// session) every 20 ms and never ends it, so that a scan of it runs until it is cancelled.
$srv = stream_socket_server("tcp://127.0.0.1:" . (int)$argv[1], $errno, $err);
if (!$srv) { fwrite(STDERR, "$err\n"); exit(1); }
echo "ready\n";
$clients = [];
$dumping = [];
$n = 0;
for (;;) {
	$r = $clients;
	$r[] = $srv;
	$w = $e = null;
	if (stream_select($r, $w, $e, 0, 20000) === false) break;
	foreach ($r as $s) {
		if ($s === $srv) {
			$c = @stream_socket_accept($srv, 0);
			if ($c) $clients[(int)$c] = $c;
			continue;
		}
		$line = fgets($s);
		if ($line === false) {
			unset($clients[(int)$s], $dumping[(int)$s]);
			fclose($s);
		} elseif (strncmp($line, 'lru_crawler metadump', 20) === 0) {
			$dumping[(int)$s] = $s;
		}
	}
	foreach ($dumping as $k => $s) {
		if (@fwrite($s, "key=slow.$n exp=-1 la=1700000000 cas=$n fetch=no cls=1 size=70\r\n") === false)
			unset($dumping[$k]);
	}
	$n++;
}
