<?php
// fake-server.php PORT MODE: a sick memcached on 127.0.0.1:PORT for fault tests. It prints
// "ready" once listening, serves any number of clients at once, and answers each request line:
//   garbage  bytes that are no memcached reply
//   close    the start of a plausible reply, then closes the connection (mid-response)
//   huge     mg: a value header of 2000000000 bytes (over any item limit); metadump: one key
//   deep     mg: a session nested 2000 levels deep; metadump: one key
//   record   a working store for ms (values on one line), mg and mn that prints every request
//            line on standard output (the test reads how memcsess talks)
//   forget   takes every write (quiet ms: no answer) and keeps none of it: mg finds nothing,
//            as after an eviction or a restart
//   shrink   takes every write and keeps none of it: mg finds an item of 1 byte at every key,
//            as when another write replaced it
$srv = stream_socket_server("tcp://127.0.0.1:" . (int)$argv[1], $errno, $errstr);
if (!$srv) { fwrite(STDERR, "fake-server: $errstr\n"); exit(1); }
$mode = $argv[2];
echo "ready\n";
$deep = 'a|' . str_repeat('a:1:{i:0;', 2000) . 'i:1;' . str_repeat('}', 2000);
$clients = [];
$bufs = [];

// record: keeps what ms stores, answers mg from it; ms with q is answered only when not stored.
function record($line) {
	static $store = [], $pending = null;
	echo "$line\n";
	$t = explode(' ', $line);
	if ($pending !== null) {
		[$key, $flags, $quiet, $add, $opaque] = $pending;
		$pending = null;
		if ($add && isset($store[$key]))
			return "NS$opaque\r\n";
		$store[$key] = [$flags, $line];
		return $quiet ? null : "HD$opaque\r\n";
	}
	if ($t[0] === 'ms') {
		$pending = [$t[1], 0, false, false, ''];
		foreach (array_slice($t, 3) as $f) {
			if ($f[0] === 'F') $pending[1] = (int)substr($f, 1);
			if ($f === 'q') $pending[2] = true;
			if ($f === 'ME') $pending[3] = true;
			if ($f[0] === 'O') $pending[4] = " $f";
		}
		return null;
	}
	if ($t[0] === 'mg' && isset($store[$t[1]])) {
		[$flags, $v] = $store[$t[1]];
		return "VA " . strlen($v) . " t-1 f$flags l1 c1\r\n$v\r\n";
	}
	if ($t[0] === 'mn')
		return "MN\r\n";
	return $t[0] === 'mg' ? "EN\r\n" : null;
}

// The reply to one request line (or null: none, e.g. a data line).
function reply($line, $mode, $deep) {
	$key = 'memc.sess.key.t0fake0000000000000001';
	$cmd = strtok($line, ' ');
	if ($mode === 'garbage')
		return "\x01\x02\xff garbage \x00 here\r\n";
	if ($mode === 'close')
		return $cmd === 'mg' ? "VA 100 t10 f0\r\nuser|s:" : "key=$key exp=-1 la=1";
	if ($mode === 'record' && $cmd !== 'version' && $cmd !== 'stats')
		return record($line);
	if ($cmd === 'lru_crawler')
		return "key=$key exp=-1 la=1700000000 cas=1 fetch=no cls=1 size=100\r\nEND\r\n";
	if ($cmd === 'mg' && $mode === 'huge')
		return "VA 2000000000 t-1 f0 s2000000000 l1 h0 c1\r\n";
	static $value_next = false;	/* forget, shrink: the line after an ms is its value */
	if ($mode === 'forget' || $mode === 'shrink') {
		if ($value_next) {
			$value_next = false;
			return null;
		}
		if ($cmd === 'ms') {
			$value_next = true;
			return null;
		}
	}
	if ($cmd === 'mg' && $mode === 'shrink')
		return strpos($line, ' v') !== false ? "VA 1 t-1 f0 l1 c1\r\nx\r\n" : "HD t-1 f0 s1 l1 c1\r\n";
	if ($cmd === 'mg' && $mode === 'deep')
		return "VA " . strlen($deep) . " t-1 f0 s" . strlen($deep) . " l1 h0 c1\r\n$deep\r\n";
	if ($cmd === 'mn')
		return "MN\r\n";
	if ($cmd === 'mg' || $cmd === 'md')
		return $cmd === 'mg' ? "EN\r\n" : "NF\r\n";
	if ($cmd === 'version')
		return "VERSION 1.6.18\r\n";
	if ($cmd === 'stats')
		return "STAT pid 1\r\nEND\r\n";
	return null;
}

for (;;) {
	$r = array_merge([$srv], $clients);
	$w = $e = null;
	if (stream_select($r, $w, $e, null) === false) break;
	foreach ($r as $s) {
		if ($s === $srv) {
			$c = stream_socket_accept($srv);
			if ($c) { $clients[(int)$c] = $c; $bufs[(int)$c] = ''; }
			continue;
		}
		$d = fread($s, 65536);
		if ($d === '' || $d === false) { unset($clients[(int)$s], $bufs[(int)$s]); fclose($s); continue; }
		$bufs[(int)$s] .= $d;
		while (($p = strpos($bufs[(int)$s], "\n")) !== false) {
			$line = rtrim(substr($bufs[(int)$s], 0, $p), "\r");
			$bufs[(int)$s] = substr($bufs[(int)$s], $p + 1);
			$out = reply($line, $mode, $deep);
			if ($out === null) continue;
			@fwrite($s, $out);
			if ($mode === 'close') { unset($clients[(int)$s], $bufs[(int)$s]); fclose($s); break; }
		}
	}
}
