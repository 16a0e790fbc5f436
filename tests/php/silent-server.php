<?php
// silent-server.php PORT: accepts connections and never says anything (a TLS handshake that
// stalls). Prints "ready" once listening.
$srv = stream_socket_server("tcp://127.0.0.1:" . $argv[1], $errno, $err);
if (!$srv) {
	fwrite(STDERR, "listen: $err\n");
	exit(1);
}
echo "ready\n";
$clients = [];
for (;;) {
	$c = @stream_socket_accept($srv, 60);
	if ($c)
		$clients[] = $c;	// kept open, never read
}
