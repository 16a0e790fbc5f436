# blackhole.py N SECONDS: N loopback listeners that never complete a connection (each with a
# full accept queue: the kernel drops further handshakes, as for a host that is down). Prints
# one port a line, then holds them for SECONDS.
import socket
import sys
import time

held = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(0)
    port = s.getsockname()[1]
    for _ in range(4):  # fill the accept queue
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        held.append(c)
    held.append(s)
    print(port, flush=True)
time.sleep(float(sys.argv[2]))
