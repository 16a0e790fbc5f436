<?php
// old-server.php PORT UPSTREAM_PORT [nostats]: a memcached older than 1.6.9 in front of a real
// one on 127.0.0.1:UPSTREAM_PORT. It prints "ready" once listening. "lru_crawler metadump hash"
// is refused as such a server refuses it (BADCLASS); "lru_crawler metadump all" is passed on and
// every key line of its reply is sent twice (a busy server's LRU walk meets items again); with
// nostats, every "stats" command is answered ERROR, as a proxy that does not pass them on
// answers; everything else is relayed as it is, one upstream connection per client.
$srv = stream_socket_server("tcp://127.0.0.1:" . (int)$argv[1], $errno, $errstr);
if (!$srv) { fwrite(STDERR, "old-server: $errstr\n"); exit(1); }
$upstream = "tcp://127.0.0.1:" . (int)$argv[2];
$nostats = ($argv[3] ?? '') === 'nostats';
echo "ready\n";
$peer = [];	// socket id => the socket at the other end
$sock = [];	// socket id => socket
$from_client = [];	// socket id => 1 for client sockets
$buf = [];	// socket id => bytes not yet handled
$md = [];	// upstream socket id => 1 while a metadump reply comes

function drop($id) {
	global $peer, $sock, $from_client, $buf, $md;
	foreach ([$id, (int)$peer[$id]] as $i) {
		if (isset($sock[$i])) fclose($sock[$i]);
		unset($peer[$i], $sock[$i], $from_client[$i], $buf[$i], $md[$i]);
	}
}

// Client bytes: whole lines, each refused, marked or passed on.
function from_client($id) {
	global $peer, $sock, $buf, $md, $nostats;
	while (($p = strpos($buf[$id], "\n")) !== false) {
		$line = rtrim(substr($buf[$id], 0, $p), "\r");
		$buf[$id] = substr($buf[$id], $p + 1);
		if ($line === 'lru_crawler metadump hash') {
			fwrite($sock[$id], "BADCLASS invalid class id\r\n");
			continue;
		}
		if ($nostats && ($line === 'stats' || strncmp($line, 'stats ', 6) === 0)) {
			fwrite($sock[$id], "ERROR\r\n");
			continue;
		}
		if (strncmp($line, 'lru_crawler metadump', 20) === 0)
			$md[(int)$peer[$id]] = 1;
		fwrite($peer[$id], "$line\r\n");
	}
}

// Upstream bytes: key lines of a metadump twice, the rest as they come.
function from_upstream($id) {
	global $peer, $buf, $md;
	while (isset($md[$id]) && ($p = strpos($buf[$id], "\n")) !== false) {
		$line = substr($buf[$id], 0, $p + 1);
		$buf[$id] = substr($buf[$id], $p + 1);
		fwrite($peer[$id], strncmp($line, 'key=', 4) === 0 ? $line . $line : $line);
		if (strncmp($line, 'key=', 4) !== 0)
			unset($md[$id]);
	}
	if (!isset($md[$id]) && $buf[$id] !== '') {
		fwrite($peer[$id], $buf[$id]);
		$buf[$id] = '';
	}
}

for (;;) {
	$r = array_merge([$srv], array_values($sock));
	$w = $e = null;
	if (stream_select($r, $w, $e, null) === false) break;
	foreach ($r as $s) {
		if ($s === $srv) {
			$c = stream_socket_accept($srv);
			$u = $c ? stream_socket_client($upstream, $errno, $errstr, 2) : false;
			if (!$u) { if ($c) fclose($c); continue; }
			$sock[(int)$c] = $c; $sock[(int)$u] = $u;
			$peer[(int)$c] = $u; $peer[(int)$u] = $c;
			$from_client[(int)$c] = 1;
			$buf[(int)$c] = $buf[(int)$u] = '';
			continue;
		}
		$id = (int)$s;
		if (!isset($sock[$id])) continue;
		$d = fread($s, 65536);
		if ($d === '' || $d === false) { drop($id); continue; }
		$buf[$id] .= $d;
		isset($from_client[$id]) ? from_client($id) : from_upstream($id);
	}
}
