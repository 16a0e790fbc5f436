<?php
// where.php SERVERS PREFIX < sids: prints "sid server" for each server that physically holds
// PREFIX.sid, asking every server on its own (the ground truth for placement).
[$_, $servers, $prefix] = $argv;
$conns = [];
foreach (explode(',', $servers) as $s) {
	// host:port, or a unix socket path (port 0)
	[$host, $port] = $s[0] === '/' ? [$s, 0] : explode(':', $s);
	$m = new Memcached();
	$m->addServer($host, (int)$port);
	$conns[$s] = $m;
}
while (($sid = fgets(STDIN)) !== false) {
	$sid = trim($sid);
	if ($sid === '') {
		continue;
	}
	foreach ($conns as $name => $m) {
		$m->get($prefix . $sid);
		if ($m->getResultCode() === Memcached::RES_SUCCESS) {
			echo "$sid $name\n";
		}
	}
}
