/* doctor/net.c: address scopes (see net.h). */
#include "doctor/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

/* The scope of an IPv4 address in host byte order. */
static enum net_scope scope_v4(uint32_t a)
{
	if ((a >> 24) == 127)
		return NET_LOOPBACK;
	if ((a >> 24) == 10 || (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168) ||
	    (a >> 22) == (100u << 2 | 1) || (a >> 16) == (169u << 8 | 254))
		return NET_PRIVATE;	/* 10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16 */
	return NET_PUBLIC;
}

static enum net_scope scope_v6(const struct in6_addr *a)
{
	const unsigned char *b = a->s6_addr;
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (IN6_IS_ADDR_LOOPBACK(a))
		return NET_LOOPBACK;
	if (memcmp(b, mapped, 12) == 0)
		return scope_v4((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
				(uint32_t)b[14] << 8 | b[15]);
	if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
		return NET_PRIVATE;	/* fc00::/7 unique local, fe80::/10 link-local */
	return NET_PUBLIC;
}

enum net_scope net_scope_addr(const struct sockaddr *sa)
{
	switch (sa->sa_family) {
	case AF_INET:
		return scope_v4(ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr));
	case AF_INET6:
		return scope_v6(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
	case AF_UNIX:
		return NET_LOCAL;
	}
	return NET_UNKNOWN;
}

int net_scope_text(const char *text, enum net_scope *out)
{
	struct in_addr v4;
	struct in6_addr v6;
	if (inet_pton(AF_INET, text, &v4) == 1)
		*out = scope_v4(ntohl(v4.s_addr));
	else if (inet_pton(AF_INET6, text, &v6) == 1)
		*out = scope_v6(&v6);
	else
		return -1;
	return 0;
}

enum net_scope net_scope_peer(int fd, char *addr, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	snprintf(addr, n, "?");
	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return NET_UNKNOWN;
	const struct sockaddr *sa = (const struct sockaddr *)&ss;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, addr,
			  (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, addr,
			  (socklen_t)n);
	else if (sa->sa_family == AF_UNIX)
		snprintf(addr, n, "unix socket");
	return net_scope_addr(sa);
}

const char *net_scope_name(enum net_scope s)
{
	switch (s) {
	case NET_LOCAL: return "local socket";
	case NET_LOOPBACK: return "loopback";
	case NET_PRIVATE: return "private";
	case NET_PUBLIC: return "public";
	case NET_UNKNOWN: break;
	}
	return "unknown";
}
