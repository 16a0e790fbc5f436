<?php
// tls-stall.php PORT CERT KEY: a TLS memcached on 127.0.0.1:PORT that answers stats requests
// (no statistics) and stops reading at the first ms: a server that hangs in the middle of a
// client's writes. Prints "ready" once listening; each client is served by a process of its
// own (pcntl), held for 60 s once it stalls.
[$_, $port, $cert, $key] = $argv;
$ctx = stream_context_create(['ssl' => ['local_cert' => $cert, 'local_pk' => $key]]);
$srv = stream_socket_server("tls://127.0.0.1:$port", $errno, $errstr,
	STREAM_SERVER_BIND | STREAM_SERVER_LISTEN, $ctx);
if (!$srv) {
	fwrite(STDERR, "tls-stall: $errstr\n");
	exit(1);
}
echo "ready\n";
$held = [];
for (;;) {
	$c = @stream_socket_accept($srv, -1);
	if (!$c)
		continue;
	if (pcntl_fork() !== 0) {	/* the parent accepts the next, keeping its copy: closing it
					 * would end the TLS session for the child too */
		$held[] = $c;
		continue;
	}
	while (($line = fgets($c)) !== false) {
		if (strncmp($line, 'ms ', 3) === 0)
			break;
		if (strncmp($line, 'stats', 5) === 0)
			fwrite($c, "END\r\n");
		elseif (strncmp($line, 'version', 7) === 0)
			fwrite($c, "VERSION 1.6.18\r\n");
	}
	sleep(60);	/* holds the connection, reading nothing */
	exit(0);
}
