/* watch_connect.c: opening the watch connections (see watch_connect.h): version, then watch,
 * on connector threads that end when no connection is left to open. */
#include "mc/watch_connect.h"
#include "mc/watch_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compares "1.6.18" with major.minor.patch: <0, 0, >0. */
static int version_cmp(const char *v, int ma, int mi, int pa)
{
	int a = 0, b = 0, c = 0;
	if (sscanf(v, "%d.%d.%d", &a, &b, &c) < 2)
		return -1;	/* unknown: the oldest */
	if (a != ma)
		return a - ma;
	if (b != mi)
		return b - mi;
	return c - pa;
}

void watch_streams(const char *version, int mutations, char *out, size_t cap,
		   int *with_mutations)
{
	*with_mutations = mutations || version_cmp(version, 1, 6, 42) >= 0;
	snprintf(out, cap, "fetchers evictions connevents%s%s",
		 version_cmp(version, 1, 6, 20) >= 0 ? " deletions" : "",
		 *with_mutations ? " mutations" : "");
}

/* 1 when the server answers a binary-protocol version request on a connection of its own: a
 * server that leaves a text command unanswered that way speaks only the binary protocol
 * (memcached -S, SASL). */
static int speaks_binary(const struct wsrv *s)
{
	struct conn c;
	char *cause = NULL;
	unsigned char req[24] = { 0x80, 0x0b };
	if (conn_open(&c, &s->s, s->w->o.timeout_ms, &cause) < 0) {
		free(cause);
		return 0;
	}
	conn_queue(&c, req, sizeof(req));
	int ok = conn_flush(&c, &cause) == 0 && conn_fill(&c, &cause) == 0 &&
		 (unsigned char)c.in.ptr[c.in_off] == 0x81;
	free(cause);
	conn_close(&c);
	return ok;
}

/* Sends version, then watch; returns 0 watching, -1 with *cause (*permanent set when trying
 * again cannot help). */
static int handshake(struct wsrv *s, struct conn *c, int *permanent, int *mutations,
		     char *streams, size_t cap, char **cause)
{
	const char *line;
	size_t len;
	*permanent = 0;
	if (conn_command(c, "version", cause) < 0 || conn_readline(c, &line, &len, cause) < 0) {
		*permanent = *cause && (strstr(*cause, "without a reply") ||
					(!c->got_reply && speaks_binary(s)));
		if (*permanent) {
			free(*cause);
			*cause = xasprintf("server %s: no text protocol, so no watch command (a SASL "
					   "server, memcached -S, speaks only the binary protocol)",
					   s->s.name);
		}
		return -1;
	}
	if ((len < 8 || memcmp(line, "VERSION ", 8) != 0) && conn_explain_auth(c, cause)) {
		*permanent = 1;
		return -1;
	}
	if (len < 8 || memcmp(line, "VERSION ", 8) != 0) {
		*cause = xasprintf("server %s: unexpected reply to version: %.80s", s->s.name, line);
		return -1;
	}
	char version[32];
	snprintf(version, sizeof(version), "%.*s", (int)(len - 8 < 31 ? len - 8 : 31), line + 8);
	watch_streams(version, s->w->o.mutations, streams, cap, mutations);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "watch %s", streams);
	if (conn_command(c, cmd, cause) < 0 || conn_readline(c, &line, &len, cause) < 0)
		return -1;
	if (len == 2 && memcmp(line, "OK", 2) == 0)
		return 0;
	if (len >= 16 && memcmp(line, "WATCHER_TOO_MANY", 16) == 0) {
		*cause = xasprintf("server %s: watch refused: WATCHER_TOO_MANY (memcached takes 20 "
				   "watchers at most)", s->s.name);
	} else if (strstr(line, "watch commands not allowed")) {
		*permanent = 1;
		*cause = xasprintf("server %s: watch refused: watch commands not allowed "
				   "(memcached -W)", s->s.name);
	} else {
		*permanent = 1;
		*cause = xasprintf("server %s: watch %s refused: %.80s", s->s.name, streams, line);
	}
	return -1;
}

/* One attempt on server s, on a connector's thread: connect and ask for the watch. The outcome
 * is left in s->res, the connection in s->c when it worked. */
static void attempt(struct wsrv *s)
{
	struct attempt *a = &s->res;
	char *cause = NULL, streams[128];
	memset(a, 0, sizeof(*a));
	if (conn_open(&s->c, &s->s, s->w->o.timeout_ms, &cause) < 0) {
		s->c.fd = -1;	/* nothing to close: conn_open closed what it opened */
		/* a wrong login does not get better by trying again */
		a->permanent = cause && strstr(cause, "authentication failed") != NULL;
		a->state = a->permanent ? WATCH_REFUSED : WATCH_DOWN;
	} else if (handshake(s, &s->c, &a->permanent, &a->mutations, streams, sizeof(streams),
			     &cause) < 0) {
		a->state = WATCH_REFUSED;
		conn_close(&s->c);
	} else {
		a->ok = 1;
		a->state = WATCH_ON;
		s->open = 1;
		snprintf(a->text, sizeof(a->text), "watching (%s)", streams);
	}
	if (!a->ok)
		snprintf(a->text, sizeof(a->text), "%s", cause ? cause : "no connection");
	free(cause);
}

/* A connector: opens the connections asked for until none is left, then ends. */
static void *connector_run(void *arg)
{
	struct connector *ct = arg;
	struct watch *w = ct->w;
	pthread_mutex_lock(&w->jmu);
	while (w->jlen > 0 && !w->jstop) {
		size_t i = w->jobs[w->jhead];
		w->jhead = (w->jhead + 1) % w->n;
		w->jlen--;
		w->inflight++;
		pthread_mutex_unlock(&w->jmu);
		attempt(&w->srv[i]);
		pthread_mutex_lock(&w->jmu);
		w->inflight--;
		w->done[w->dlen++] = i;
		wake_reader(w);
	}
	w->running--;
	ct->state = CT_EXITED;
	pthread_mutex_unlock(&w->jmu);
	return NULL;
}

void watch_job_add(struct watch *w, size_t i)
{
	w->srv[i].phase = SRV_CONNECTING;
	pthread_mutex_lock(&w->jmu);
	w->jobs[(w->jhead + w->jlen) % w->n] = i;
	w->jlen++;
	pthread_mutex_unlock(&w->jmu);
}

void watch_connectors_start(struct watch *w)
{
	pthread_mutex_lock(&w->jmu);
	size_t want = w->jlen + w->inflight;
	for (int k = 0; k < CONNECTORS && (size_t)w->running < want; k++) {
		struct connector *ct = &w->conn_th[k];
		if (ct->state == CT_RUNNING)
			continue;
		if (ct->state == CT_EXITED)	/* it has let go of jmu for good */
			pthread_join(ct->th, NULL);
		ct->state = CT_NONE;
		ct->w = w;
		if (pthread_create(&ct->th, NULL, connector_run, ct) != 0)
			break;
		ct->state = CT_RUNNING;
		w->running++;
	}
	pthread_mutex_unlock(&w->jmu);
}

void watch_connectors_join(struct watch *w)
{
	pthread_mutex_lock(&w->jmu);
	w->jstop = 1;
	pthread_mutex_unlock(&w->jmu);
	for (int k = 0; k < CONNECTORS; k++) {
		pthread_mutex_lock(&w->jmu);
		int started = w->conn_th[k].state != CT_NONE;
		pthread_mutex_unlock(&w->jmu);
		if (started)
			pthread_join(w->conn_th[k].th, NULL);
	}
}
