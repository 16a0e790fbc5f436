/* tls.h: the TLS settings of a pool (memcached -Z): one OpenSSL context, the name checked, and
 * the naming of what went wrong in a handshake. */
#ifndef MEMCSESS_MC_TLS_H
#define MEMCSESS_MC_TLS_H

#include <time.h>

struct ssl_st;
struct ssl_ctx_st;

/* What the command line gives (--tls-ca, --tls-cert, --tls-key, --tls-servername,
 * --tls-insecure); strings are not owned. */
struct tls_opts {
	const char *ca;		/* CA file, or NULL: the system's CAs */
	const char *cert;	/* client certificate (PEM), or NULL */
	const char *key;	/* its private key (PEM); NULL: in the cert file */
	const char *servername;	/* SNI and the name checked; NULL: each server's host */
	int insecure;		/* 1: no verification at all */
};

/* Shared by the pools that use it (pool_set_tls takes a reference). */
struct tls_conf {
	struct ssl_ctx_st *ctx;
	char *servername;	/* owned, or NULL */
	int insecure;
	int refs;
};

/* Sets up a client context for TLS 1.2 and 1.3 from o. Returns new (one reference), or NULL
 * with *cause (new) naming the file that cannot be used. */
struct tls_conf *tls_conf_new(const struct tls_opts *o, char **cause);
/* Takes one more reference; returns t. */
struct tls_conf *tls_conf_ref(struct tls_conf *t);
/* Drops one reference; frees t with the last. NULL: nothing. */
void tls_conf_unref(struct tls_conf *t);
/* 1 when the key file at path can be read by its group or others. */
int tls_key_exposed(const char *path);
/* A new TLS client on connected socket fd for host (a name or an address: SNI is sent for a
 * name, and the certificate must name it), or NULL with *cause. */
struct ssl_st *tls_client(const struct tls_conf *t, int fd, const char *host, char **cause);
/* What a TLS client's writes gather in before they go to the socket. */
#define TLS_WRITE_BUFFER (64 * 1024)
/* Sends what the client's writes gathered: 1 when all is sent, 0 when the socket is full (wait
 * until it can be written, then call again), -1 when the send failed (errno). */
int tls_flush(struct ssl_st *ssl);
/* Why a handshake (handshake 1), read or write on ssl failed with SSL_get_error code err:
 * returns new, e.g. "certificate verify failed: the server's certificate has expired ...". */
char *tls_why(struct ssl_st *ssl, int err, int handshake);
/* The end of validity of the server's certificate on ssl; returns 0, or -1 when none. */
int tls_peer_expiry(struct ssl_st *ssl, time_t *not_after);

#endif
