/* fuzz_meta.c: mg replies as a server sends them, read by meta_read_get through a socketpair
 * until the bytes run out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "mc/meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes all of data to fd (the socket buffer is made large enough first). */
static int write_all(int fd, const uint8_t *data, size_t size)
{
	int sz = (int)size + 65536;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	while (size > 0) {
		ssize_t w = write(fd, data, size);
		if (w <= 0)
			return -1;
		data += w;
		size -= (size_t)w;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	if (size > 200000 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0)
		return 0;
	int rsz = (int)size + 65536;
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &rsz, sizeof(rsz));
	if (write_all(sv[1], data, size) < 0) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	close(sv[1]);
	struct conn c;
	memset(&c, 0, sizeof(c));
	c.fd = sv[0];
	c.timeout_ms = 100;
	c.name = "fuzz";
	struct buf value = BUF_INIT;
	struct mg_reply r;
	char *cause = NULL;
	while (meta_read_get(&c, "k", &r, &value, &cause) == 0)
		;
	free(cause);
	buf_release(&value);
	conn_close(&c);
	return 0;
}
