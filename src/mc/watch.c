/* watch.c: one watch connection and thread per server feeding one bounded queue. */
#include "mc/watch.h"
#include "mc/conn.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define QUEUE_CAP 4096
#define BATCH 256
#define READ_CHUNK 65536
#define GATHER 0.01		/* seconds to let lines gather once the socket is drained */

struct watch;

struct wsrv {
	struct watch *w;
	size_t i;
	struct pool_server s;	/* a copy without the pool's kept connections: a watch connection
				 * is the watch's own */
	pthread_t th;
	int started;
	enum watch_state last;	/* last state reported, to report changes only */
	char last_text[232];
};

struct watch {
	struct watch_opts o;
	size_t n;
	struct wsrv *srv;
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	struct watch_item *q;
	size_t head, len;
	int stop;
	int wake[2];		/* a byte written here breaks every thread's wait */
	unsigned long bad;
};

/* Pushes n items, waiting while the queue is full; returns -1 once stopping. */
static int push(struct watch *w, const struct watch_item *it, size_t n)
{
	pthread_mutex_lock(&w->mu);
	for (size_t k = 0; k < n; k++) {
		while (w->len == QUEUE_CAP && !w->stop)
			pthread_cond_wait(&w->not_full, &w->mu);
		if (w->stop)
			break;
		w->q[(w->head + w->len) % QUEUE_CAP] = it[k];
		w->len++;
		if (w->len == 1)
			pthread_cond_signal(&w->not_empty);
	}
	int stop = w->stop;
	pthread_mutex_unlock(&w->mu);
	return stop ? -1 : 0;
}

/* Reports a state change of server s (only when it differs from the last one reported). */
static void report(struct wsrv *s, enum watch_state st, int permanent, int mutations,
		   const char *text)
{
	if (s->last == st && strcmp(s->last_text, text) == 0 && st != WATCH_ON)
		return;
	s->last = st;
	snprintf(s->last_text, sizeof(s->last_text), "%s", text);
	struct watch_item it;
	memset(&it, 0, sizeof(it));
	it.server = s->i;
	it.is_state = 1;
	it.st.state = st;
	it.st.permanent = permanent;
	it.st.mutations = mutations;
	snprintf(it.st.text, sizeof(it.st.text), "%s", text);
	push(s->w, &it, 1);
}

static int stopping(struct watch *w)
{
	pthread_mutex_lock(&w->mu);
	int s = w->stop;
	pthread_mutex_unlock(&w->mu);
	return s;
}

const char *watch_state_name(enum watch_state s)
{
	switch (s) {
	case WATCH_ON: return "watching";
	case WATCH_REFUSED: return "refused";
	case WATCH_LOST: return "lost";
	default: return "down";
	}
}

const char *watch_strip_server(const char *text, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(text, "server ", 7) == 0 && strncmp(text + 7, name, n) == 0 &&
	    strncmp(text + 7 + n, ": ", 2) == 0)
		return text + 9 + n;
	return text;
}

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

/* Parses the complete lines of b (consumed from it), in gid order within the batch, and
 * pushes them. Returns -1 once stopping. */
static int feed(struct wsrv *s, struct buf *b, size_t *off, struct watch_item *batch)
{
	size_t n = 0;
	unsigned long bad = 0;
	for (;;) {
		char *start = b->ptr + *off;
		char *nl = memchr(start, '\n', b->len - *off);
		if (!nl)
			break;
		size_t len = (size_t)(nl - start);
		*off += len + 1;
		if (len && start[len - 1] == '\r')
			len--;
		struct watch_item *it = &batch[n];
		it->server = s->i;
		it->is_state = 0;
		if (wl_parse(start, len, &it->line) < 0) {
			bad++;
			continue;
		}
		/* lines may come out of order: insertion into gid order within the batch */
		size_t k = n;
		while (k > 0 && batch[k - 1].line.gid > it->line.gid && it->line.type != WL_SKIPPED)
			k--;
		if (k != n) {
			struct watch_item tmp = *it;
			memmove(&batch[k + 1], &batch[k], (n - k) * sizeof(*batch));
			batch[k] = tmp;
		}
		if (++n == BATCH) {
			if (push(s->w, batch, n) < 0)
				return -1;
			n = 0;
		}
	}
	if (bad) {
		pthread_mutex_lock(&s->w->mu);
		s->w->bad += bad;
		pthread_mutex_unlock(&s->w->mu);
	}
	return n ? push(s->w, batch, n) : 0;
}

/* Waits secs seconds or until the watch stops; returns 1 when stopping. */
static int nap(struct watch *w, double secs)
{
	struct pollfd pf = { .fd = w->wake[0], .events = POLLIN };
	return poll(&pf, 1, (int)(secs * 1000)) > 0 || stopping(w);
}

/* Reads the stream until it breaks (-1 with *cause) or the watch stops (0). */
static int stream(struct wsrv *s, struct conn *c, char **cause)
{
	struct buf b = BUF_INIT;
	size_t off = 0;
	struct watch_item *batch = xmalloc(BATCH * sizeof(*batch));
	int r = 0, gathered = 0;
	/* what conn_readline read past the OK line */
	buf_add(&b, c->in.ptr ? c->in.ptr + c->in_off : "", c->in.len - c->in_off);
	for (;;) {
		if (feed(s, &b, &off, batch) < 0)
			break;
		if (b.len - off > CONN_MAX_LINE) {
			*cause = xasprintf("server %s: log line longer than %d bytes", s->s.name,
					   CONN_MAX_LINE);
			r = -1;
			break;
		}
		memmove(b.ptr, b.ptr + off, b.len - off);
		b.len -= off;
		off = 0;
		buf_grow(&b, READ_CHUNK);
		long got = conn_recv(c, b.ptr + b.len, b.cap - b.len - 1, cause);
		if (got > 0) {
			b.len += (size_t)got;
			b.ptr[b.len] = '\0';
			gathered = 0;
			continue;
		}
		if (got < 0) {
			r = -1;
			break;
		}
		/* Drained: under load memcached writes a few lines every millisecond; reading
		 * them GATHER later costs a wake-up (here and in the consumer) for many lines, not
		 * for a few, and the kernel's socket buffer holds far more meanwhile. */
		if (!gathered) {
			gathered = 1;
			if (nap(s->w, GATHER))
				break;
			continue;
		}
		gathered = 0;
		struct pollfd pf[2] = { { .fd = c->fd, .events = POLLIN }, { .fd = s->w->wake[0],
									    .events = POLLIN } };
		if (poll(pf, 2, -1) < 0 && errno != EINTR) {
			*cause = xasprintf("server %s: poll: %s", s->s.name, strerror(errno));
			r = -1;
			break;
		}
		if (pf[1].revents || stopping(s->w))
			break;
	}
	free(batch);
	buf_release(&b);
	return r;
}

/* One server's thread: connect, watch, stream; again with backoff when it breaks. */
static void *run(void *arg)
{
	struct wsrv *s = arg;
	struct watch *w = s->w;
	double backoff = 0.25;
	while (!stopping(w)) {
		struct conn c;
		char *cause = NULL, streams[128];
		int permanent = 0, mutations = 0, watching = 0, opened = 0;
		if (conn_open(&c, &s->s, w->o.timeout_ms, &cause) < 0) {
			/* a wrong login does not get better by trying again */
			permanent = strstr(cause, "authentication failed") != NULL;
			report(s, permanent ? WATCH_REFUSED : WATCH_DOWN, permanent, 0, cause);
		} else {
			opened = 1;
		}
		if (opened && handshake(s, &c, &permanent, &mutations, streams, sizeof(streams),
					&cause) < 0) {
			report(s, WATCH_REFUSED, permanent, 0, cause);
		} else if (opened) {
			char text[200];
			snprintf(text, sizeof(text), "watching (%s)", streams);
			report(s, WATCH_ON, 0, mutations, text);
			watching = 1;
			backoff = 0.25;
			if (stream(s, &c, &cause) < 0)
				report(s, WATCH_LOST, 0, mutations, cause);
		}
		if (opened)
			conn_close(&c);
		free(cause);
		if (permanent || stopping(w))
			break;
		if (nap(w, watching ? 0.1 : backoff))
			break;
		backoff = backoff * 2 > w->o.backoff_max ? w->o.backoff_max : backoff * 2;
	}
	return NULL;
}

struct watch *watch_start(const struct pool *p, const struct watch_opts *o)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	w->o = *o;
	if (w->o.backoff_max <= 0)
		w->o.backoff_max = 5;
	w->n = p->n;
	w->srv = xcalloc(p->n, sizeof(*w->srv));
	w->q = xmalloc(QUEUE_CAP * sizeof(*w->q));
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->not_empty, NULL);
	pthread_cond_init(&w->not_full, NULL);
	if (pipe(w->wake) < 0)
		w->wake[0] = w->wake[1] = -1;
	for (size_t i = 0; i < p->n; i++) {
		struct wsrv *s = &w->srv[i];
		s->w = w;
		s->i = i;
		s->s = p->servers[i];
		s->s.idle = NULL;
		s->last = (enum watch_state)-1;
		s->started = pthread_create(&s->th, NULL, run, s) == 0;
	}
	return w;
}

size_t watch_take(struct watch *w, struct watch_item *out, size_t max, int timeout_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	while (w->len == 0 && !w->stop)
		if (pthread_cond_timedwait(&w->not_empty, &w->mu, &until) != 0)
			break;
	size_t n = 0;
	for (; n < max && w->len > 0; n++) {
		out[n] = w->q[w->head];
		w->head = (w->head + 1) % QUEUE_CAP;
		w->len--;
	}
	if (n)
		pthread_cond_broadcast(&w->not_full);
	pthread_mutex_unlock(&w->mu);
	return n;
}

unsigned long watch_bad_lines(struct watch *w)
{
	pthread_mutex_lock(&w->mu);
	unsigned long b = w->bad;
	pthread_mutex_unlock(&w->mu);
	return b;
}

void watch_free(struct watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_broadcast(&w->not_full);
	pthread_cond_broadcast(&w->not_empty);
	pthread_mutex_unlock(&w->mu);
	/* a byte left in the pipe wakes every thread's poll; when it cannot be written, the
	 * threads still see stop at their next line or timeout */
	ssize_t wr = w->wake[1] >= 0 ? write(w->wake[1], "x", 1) : -1;
	(void)wr;
	for (size_t i = 0; i < w->n; i++)
		if (w->srv[i].started)
			pthread_join(w->srv[i].th, NULL);
	if (w->wake[0] >= 0) {
		close(w->wake[0]);
		close(w->wake[1]);
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->not_empty);
	pthread_cond_destroy(&w->not_full);
	free(w->q);
	free(w->srv);
	free(w);
}
