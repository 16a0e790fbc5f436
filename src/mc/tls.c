/* tls.c: TLS settings of a pool and the naming of TLS failures (see tls.h). */
#include "mc/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include "util.h"

/* Where an SSL keeps what its handshake saw (struct seen), made once. */
static int seen_index = -1;
static pthread_once_t seen_once = PTHREAD_ONCE_INIT;

/* What a handshake saw, for naming a failure: the end of an expired certificate (0: none), and
 * whether the server asked for a client certificate we have not got. */
struct seen {
	time_t expired_on;
	int cert_wanted;
};

static void seen_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	free(ptr);
}

static void seen_init(void)
{
	seen_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, seen_free);
}

/* What ssl's handshake saw; NULL when it is not ours. */
static struct seen *seen_of(const SSL *ssl)
{
	return seen_index >= 0 ? SSL_get_ex_data(ssl, seen_index) : NULL;
}

/* Keeps the end of an expired server certificate for the message. */
static int on_verify(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct seen *s = ssl ? seen_of(ssl) : NULL;
	X509 *cert = X509_STORE_CTX_get_current_cert(x);
	struct tm tm;
	if (!ok && s && cert && X509_STORE_CTX_get_error(x) == X509_V_ERR_CERT_HAS_EXPIRED &&
	    ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1)
		s->expired_on = timegm(&tm);
	return ok;
}

/* Notes that the server asked for a client certificate when none is set. */
static int on_cert_request(SSL *ssl, void *arg)
{
	(void)arg;
	struct seen *s = seen_of(ssl);
	if (s && !SSL_get_certificate(ssl))
		s->cert_wanted = 1;
	return 1;
}

/* The first error OpenSSL queued, as text (new), and the queue emptied. */
static char *openssl_reason(const char *fallback)
{
	unsigned long e = ERR_get_error();
	char text[256];
	if (!e)
		return xstrdup(fallback);
	const char *r = ERR_reason_error_string(e);
	if (r)
		snprintf(text, sizeof(text), "%s", r);
	else
		ERR_error_string_n(e, text, sizeof(text));
	ERR_clear_error();
	return xstrdup(text);
}

/* 0 when path can be read, else -1 with *cause naming it and opt. */
static int readable(const char *opt, const char *path, char **cause)
{
	FILE *f = fopen(path, "r");
	if (f) {
		fclose(f);
		return 0;
	}
	*cause = xasprintf("%s %s: %s", opt, path, strerror(errno));
	return -1;
}

/* Loads the client certificate and key into ctx. */
static int load_client_cert(SSL_CTX *ctx, const struct tls_opts *o, char **cause)
{
	const char *key = o->key ? o->key : o->cert;
	if (readable("--tls-cert", o->cert, cause) < 0 || readable("--tls-key", key, cause) < 0)
		return -1;
	if (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1) {
		char *why = openssl_reason("cannot read");
		*cause = xasprintf("--tls-cert %s: %s", o->cert, why);
		free(why);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		char *why = openssl_reason("cannot read");
		*cause = xasprintf("--tls-key %s: %s", key, why);
		free(why);
		return -1;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ERR_clear_error();
		*cause = xasprintf("--tls-key %s: not the key of the certificate in %s", key, o->cert);
		return -1;
	}
	return 0;
}

/* Sets what is trusted: o->ca, else the system's CAs. */
static int load_trust(SSL_CTX *ctx, const struct tls_opts *o, char **cause)
{
	if (o->insecure)
		return 0;
	if (!o->ca) {
		if (SSL_CTX_set_default_verify_paths(ctx) == 1)
			return 0;
		char *why = openssl_reason("no CA store");
		*cause = xasprintf("--tls: the system's CA certificates: %s (give --tls-ca FILE)", why);
		free(why);
		return -1;
	}
	if (readable("--tls-ca", o->ca, cause) < 0)
		return -1;
	if (SSL_CTX_load_verify_locations(ctx, o->ca, NULL) == 1)
		return 0;
	char *why = openssl_reason("cannot read");
	*cause = xasprintf("--tls-ca %s: %s", o->ca, why);
	free(why);
	return -1;
}

struct tls_conf *tls_conf_new(const struct tls_opts *o, char **cause)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		*cause = openssl_reason("cannot set up TLS");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* TLS 1.3: AES-128-GCM first (the fastest with AES-NI); all three stay allowed */
	SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
				 "TLS_CHACHA20_POLY1305_SHA256");
	pthread_once(&seen_once, seen_init);
	SSL_CTX_set_verify(ctx, o->insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, on_verify);
	SSL_CTX_set_cert_cb(ctx, on_cert_request, NULL);
	/* reads take whatever the socket has, several records at once */
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_default_read_buffer_len(ctx, 64 * 1024);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (load_trust(ctx, o, cause) < 0 || (o->cert && load_client_cert(ctx, o, cause) < 0)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (!o->cert && o->key) {
		SSL_CTX_free(ctx);
		*cause = xstrdup("--tls-key: give the certificate with --tls-cert FILE too");
		return NULL;
	}
	struct tls_conf *t = xcalloc(1, sizeof(*t));
	t->ctx = ctx;
	t->servername = o->servername ? xstrdup(o->servername) : NULL;
	t->insecure = o->insecure;
	t->refs = 1;
	return t;
}

struct tls_conf *tls_conf_ref(struct tls_conf *t)
{
	t->refs++;
	return t;
}

void tls_conf_unref(struct tls_conf *t)
{
	if (!t || --t->refs > 0)
		return;
	SSL_CTX_free(t->ctx);
	free(t->servername);
	free(t);
}

int tls_key_exposed(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
}

/* 1 when s is an IPv4 or IPv6 address. */
static int is_address(const char *s)
{
	unsigned char a[16];
	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* Reads come straight from socket fd; writes gather in a buffer of TLS_WRITE_BUFFER bytes, so
 * that the records of one flush leave in one send, not one each (see tls_flush). */
static int set_bios(SSL *ssl, int fd)
{
	BIO *sock = BIO_new_socket(fd, BIO_NOCLOSE), *buf = BIO_new(BIO_f_buffer());
	if (!sock || !buf || BIO_set_write_buffer_size(buf, TLS_WRITE_BUFFER) != 1 ||
	    BIO_up_ref(sock) != 1) {
		BIO_free(sock);
		BIO_free(buf);
		return -1;
	}
	BIO_push(buf, sock);
	SSL_set_bio(ssl, sock, buf);	/* takes a reference to each */
	return 0;
}

int tls_flush(SSL *ssl)
{
	BIO *w = SSL_get_wbio(ssl);
	if (BIO_flush(w) == 1)
		return 1;
	return BIO_should_retry(w) ? 0 : -1;
}

SSL *tls_client(const struct tls_conf *t, int fd, const char *host, char **cause)
{
	const char *name = t->servername ? t->servername : host;
	SSL *ssl = SSL_new(t->ctx);
	if (ssl)
		SSL_set_ex_data(ssl, seen_index, xcalloc(1, sizeof(struct seen)));
	if (!ssl || set_bios(ssl, fd) < 0) {
		SSL_free(ssl);
		*cause = openssl_reason("cannot set up TLS");
		return NULL;
	}
	int addr = is_address(name);
	if (!addr)
		SSL_set_tlsext_host_name(ssl, name);
	if (!t->insecure) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
		X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		int ok = addr ? X509_VERIFY_PARAM_set1_ip_asc(vp, name) :
			 X509_VERIFY_PARAM_set1_host(vp, name, 0);
		if (ok != 1) {
			SSL_free(ssl);
			ERR_clear_error();
			*cause = xasprintf("cannot check the certificate for '%s'", name);
			return NULL;
		}
	}
	return ssl;
}

/* The end of the validity of the peer certificate, as text (new), or NULL. */
static char *peer_not_after(SSL *ssl)
{
	time_t t;
	struct seen *s = seen_of(ssl);
	if (s && s->expired_on)
		t = s->expired_on;
	else if (tls_peer_expiry(ssl, &t) < 0)
		return NULL;
	struct tm tm;
	char date[64];
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm);
	return xstrdup(date);
}

/* Why certificate verification failed, or NULL when it did not. */
static char *verify_why(SSL *ssl)
{
	long v = SSL_get_verify_result(ssl);
	if (v == X509_V_OK)
		return NULL;
	switch (v) {
	case X509_V_ERR_CERT_HAS_EXPIRED: {
		char *when = peer_not_after(ssl);
		char *s = xasprintf("certificate verify failed: the server's certificate has "
				    "expired%s%s", when ? " on " : "", when ? when : "");
		free(when);
		return s;
	}
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return xstrdup("certificate verify failed: the server's certificate is not valid "
			       "yet (check the clocks)");
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH: {
		const char *host = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
		char *ip = X509_VERIFY_PARAM_get1_ip_asc(SSL_get0_param(ssl));
		char *s = xasprintf("certificate verify failed: name mismatch: the server's "
				    "certificate is not for %s (give --tls-servername NAME with a "
				    "name it holds)", ip ? ip : host ? host : "this host");
		OPENSSL_free(ip);
		return s;
	}
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return xasprintf("certificate verify failed: unknown CA: %s (give the CA that "
				 "signed the server's certificate with --tls-ca FILE)",
				 X509_verify_cert_error_string(v));
	default:
		return xasprintf("certificate verify failed: %s", X509_verify_cert_error_string(v));
	}
}

/* A hint for a failure OpenSSL names by reason code, or "". */
static const char *reason_hint(int reason, int handshake)
{
	if (!handshake && reason != SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED)
		return "";
	switch (reason) {
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_PACKET_LENGTH_TOO_LONG:
	case SSL_R_UNEXPECTED_EOF_WHILE_READING:
		return " (the server does not speak TLS on this port: drop --tls, or give its TLS "
		       "port)";
	case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
	case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
	case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
		return " (the server wants a client certificate it trusts: give --tls-cert FILE "
		       "and --tls-key FILE)";
	default:
		return "";
	}
}

char *tls_why(SSL *ssl, int err, int handshake)
{
	char *v = verify_why(ssl);
	if (v) {
		ERR_clear_error();
		return v;
	}
	unsigned long e = ERR_peek_error();
	struct seen *seen = seen_of(ssl);
	if (seen && seen->cert_wanted) {
		char *why = err == SSL_ERROR_SYSCALL && !e && errno ? xstrdup(strerror(errno)) :
			    openssl_reason("connection closed");
		char *m = xasprintf("the server wants a client certificate (memcached "
				    "ssl_verify_mode): give --tls-cert FILE and --tls-key FILE (%s)",
				    why);
		free(why);
		return m;
	}
	if (err == SSL_ERROR_SYSCALL && !e)
		return xasprintf("%s", errno ? strerror(errno) : "connection closed by the server");
	if (err == SSL_ERROR_ZERO_RETURN ||
	    (!handshake && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
		ERR_clear_error();
		return xstrdup("connection closed by the server");
	}
	const char *hint = reason_hint(ERR_GET_REASON(e), handshake);
	char *why = openssl_reason("failed");
	char *s = xasprintf("%s%s", why, hint);
	free(why);
	return s;
}

int tls_peer_expiry(SSL *ssl, time_t *not_after)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);
	if (!cert)
		return -1;
	struct tm tm;
	if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1)
		return -1;
	*not_after = timegm(&tm);
	return 0;
}
