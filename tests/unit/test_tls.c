/* test_tls.c: the TLS settings: which files are refused and how, the key file check. The
 * handshakes themselves run against memcached -Z in e2e/t0406-tls.sh. */
#include "mc/tls.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* tls_conf_new on o must fail with a cause containing want. */
static void refused(const struct tls_opts *o, const char *want, const char *what)
{
	char *cause = NULL;
	struct tls_conf *t = tls_conf_new(o, &cause);
	unit_check(!t && cause && strstr(cause, want), "%s: '%s'", what, cause ? cause : "(none)");
	tls_conf_unref(t);
	free(cause);
}

static void check_files(void)
{
	struct tls_opts none = { .ca = "/nonexistent/ca.pem" };
	refused(&none, "--tls-ca /nonexistent/ca.pem", "a CA file that is not there is named");
	struct tls_opts cert = { .insecure = 1, .cert = "/nonexistent/c.pem" };
	refused(&cert, "--tls-cert /nonexistent/c.pem", "a client certificate not there is named");
	struct tls_opts key = { .insecure = 1, .key = "/dev/null" };
	refused(&key, "give the certificate with --tls-cert", "a key without a certificate");
	struct tls_opts ok = { .insecure = 1, .servername = "cache.example" };
	char *cause = NULL;
	struct tls_conf *t = tls_conf_new(&ok, &cause);
	unit_check(t && !cause && t->insecure && strcmp(t->servername, "cache.example") == 0,
		   "--tls-insecure needs no CA; the server name is kept");
	if (t) {
		unit_check(tls_conf_ref(t) == t && t->refs == 2, "a pool takes a reference");
		tls_conf_unref(t);
		tls_conf_unref(t);
	}
	free(cause);
}

static void check_key_mode(void)
{
	char path[] = "/tmp/memcsess-unit-key.XXXXXX";
	int fd = mkstemp(path);
	unit_check(fd >= 0, "a temporary key file");
	if (fd < 0)
		return;
	close(fd);
	chmod(path, 0600);
	unit_check(!tls_key_exposed(path), "0600: only its owner reads it");
	chmod(path, 0640);
	unit_check(tls_key_exposed(path), "0640: its group reads it");
	chmod(path, 0604);
	unit_check(tls_key_exposed(path), "0604: others read it");
	unlink(path);
	unit_check(!tls_key_exposed(path), "a file that is not there is not exposed");
}

int main(void)
{
	check_files();
	check_key_mode();
	return unit_done();
}
