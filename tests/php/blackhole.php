<?php
// blackhole.php N SECONDS: N loopback listeners that never complete a connection (each with a
// full accept queue: the kernel drops further handshakes, as for a host that is down). Prints
// one port a line, then holds them for SECONDS.
[$_, $n, $secs] = $argv;
$held = [];
$ctx = stream_context_create(['socket' => ['backlog' => 0]]);
for ($i = 0; $i < (int)$n; $i++) {
	$srv = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr,
		STREAM_SERVER_BIND | STREAM_SERVER_LISTEN, $ctx);
	if (!$srv) {
		fwrite(STDERR, "blackhole: $errstr\n");
		exit(1);
	}
	$port = (int)substr(strrchr(stream_socket_get_name($srv, false), ':'), 1);
	for ($k = 0; $k < 4; $k++)	// fill the accept queue
		$held[] = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 1,
			STREAM_CLIENT_CONNECT | STREAM_CLIENT_ASYNC_CONNECT);
	$held[] = $srv;
	echo "$port\n";
}
sleep((int)$secs);
