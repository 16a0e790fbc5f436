/* doctor/net.h: where an address sits (loopback, private network, public internet), for the
 * exposure check. Only the address memcsess itself reaches a server on can be judged. */
#ifndef MEMCSESS_DOCTOR_NET_H
#define MEMCSESS_DOCTOR_NET_H

#include <stddef.h>
#include <sys/socket.h>

enum net_scope {
	NET_UNKNOWN,
	NET_LOCAL,	/* a unix socket: only this machine */
	NET_LOOPBACK,	/* 127.0.0.0/8, ::1 */
	NET_PRIVATE,	/* RFC 1918, 100.64/10, link-local, fc00::/7, fe80::/10 */
	NET_PUBLIC,	/* anything else */
};

/* The scope of a socket address (IPv4, IPv6, IPv4-mapped IPv6, unix). */
enum net_scope net_scope_addr(const struct sockaddr *sa);
/* The scope of a numeric address written as text ("10.1.2.3", "::1"); -1 when it is none. */
int net_scope_text(const char *text, enum net_scope *out);
/* The scope of the peer of connected socket fd, its address written into addr (n bytes). */
enum net_scope net_scope_peer(int fd, char *addr, size_t n);
/* "loopback", "private", "public", "local socket", "unknown". */
const char *net_scope_name(enum net_scope s);

#endif
