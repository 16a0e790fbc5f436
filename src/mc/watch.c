/* watch.c: the watch connections of every server, read by one thread (epoll, edge-triggered)
 * into one bounded queue; connections are opened by a few short-lived threads so that a server
 * slow to answer holds up no other (watch_connect.c). */
#include "mc/watch.h"
#include "mc/conn.h"
#include "mc/watch_connect.h"
#include "mc/watch_int.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <openssl/ssl.h>

#define QUEUE_CAP 4096
#define BATCH 256		/* lines put in gid order together */
#define READ_CHUNK 65536
#define READS_PER_TURN 4	/* reads of one server before the others get theirs */
#define GATHER 0.01		/* seconds to let lines gather once the socket is drained */
#define GATHER_TICK 0.005	/* gatherings end on this grid: one wake-up ends many */
#define SLACK 0.001		/* deadlines this close are met now: one wake-up for several */

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int stopping(struct watch *w)
{
	pthread_mutex_lock(&w->mu);
	int s = w->stop;
	pthread_mutex_unlock(&w->mu);
	return s;
}

/* Makes the items written past tail takeable; then, when fewer than want slots are free,
 * waits for the consumer. Returns -1 once stopping. */
static int commit(struct watch *w, size_t want)
{
	size_t pend = w->pend;
	pthread_mutex_lock(&w->mu);
	w->len += pend;
	if (pend && w->len == pend)
		pthread_cond_signal(&w->not_empty);
	while (QUEUE_CAP - w->len < want && !w->stop)
		pthread_cond_wait(&w->not_full, &w->mu);
	w->room = QUEUE_CAP - w->len;
	int stop = w->stop;
	pthread_mutex_unlock(&w->mu);
	w->tail = (w->tail + pend) % QUEUE_CAP;
	w->pend = w->sort_from = 0;
	return stop ? -1 : 0;
}

/* The queue slot k places past tail (k < room): the reader's to write until committed. */
static struct watch_item *slot(struct watch *w, size_t k)
{
	return &w->q[(w->tail + k) % QUEUE_CAP];
}

/* The next slot for the reader to write, once there is room; NULL once stopping. */
static struct watch_item *next_slot(struct watch *w)
{
	if (w->pend == w->room && commit(w, 1) < 0)
		return NULL;
	return slot(w, w->pend);
}

/* Counts the slot next_slot gave as written; a full batch is made takeable. Returns -1 once
 * stopping. */
static int written(struct watch *w)
{
	return ++w->pend == BATCH ? commit(w, 0) : 0;
}

/* Reports a state change of server s (only when it differs from the last one reported). */
static void report(struct wsrv *s, enum watch_state st, int permanent, int mutations,
		   const char *text)
{
	if (s->last == st && strcmp(s->last_text, text) == 0 && st != WATCH_ON)
		return;
	s->last = st;
	snprintf(s->last_text, sizeof(s->last_text), "%s", text);
	struct watch_item *it = next_slot(s->w);
	if (!it)
		return;
	memset(it, 0, sizeof(*it));
	it->server = s->i;
	it->is_state = 1;
	it->st.state = st;
	it->st.permanent = permanent;
	it->st.mutations = mutations;
	snprintf(it->st.text, sizeof(it->st.text), "%s", text);
	written(s->w);
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

/* Sets when server s is tried again after an attempt or a stream that ended (never when
 * permanent). */
static void retry_later(struct wsrv *s, int permanent, int watched, double now)
{
	if (permanent) {
		s->phase = SRV_DONE;
		return;
	}
	s->phase = SRV_WAIT;
	s->due = now + (watched ? 0.1 : s->backoff);
	s->backoff = s->backoff * 2 > s->w->o.backoff_max ? s->w->o.backoff_max : s->backoff * 2;
}

/* Moves the line just written back among the lines of its server written before it in this
 * batch, into gid order (memcached's worker threads' lines can come out of order). */
static void place(struct watch *w)
{
	struct watch_item *it = slot(w, w->pend);
	size_t k = w->pend;
	if (it->line.type == WL_SKIPPED)
		return;
	while (k > w->sort_from && slot(w, k - 1)->line.gid > it->line.gid)
		k--;
	if (k == w->pend)
		return;
	struct watch_item tmp = *it;
	for (size_t j = w->pend; j > k; j--)
		*slot(w, j) = *slot(w, j - 1);
	*slot(w, k) = tmp;
}

/* Parses the complete lines of p[0, n) straight into the queue, in gid order within a batch.
 * Returns the bytes used (up to the last line end), or -1 once stopping. */
static long feed(struct watch *w, struct wsrv *s, const char *p, size_t n)
{
	size_t off = 0;
	unsigned long bad = 0;
	const char *nl;
	int r = 0;
	w->sort_from = w->pend;
	while (r == 0 && (nl = memchr(p + off, '\n', n - off)) != NULL) {
		const char *start = p + off;
		size_t len = (size_t)(nl - start);
		off += len + 1;
		if (len && start[len - 1] == '\r')
			len--;
		struct watch_item *it = next_slot(w);
		if (!it) {
			r = -1;
			break;
		}
		it->server = s->i;
		it->is_state = 0;
		if (wl_parse(start, len, &it->line) < 0) {
			bad++;
			continue;
		}
		place(w);
		r = written(w);
	}
	if (bad) {
		pthread_mutex_lock(&w->mu);
		w->bad += bad;
		pthread_mutex_unlock(&w->mu);
	}
	return r < 0 ? -1 : (long)off;
}

/* Queues the lines of the reader's buffer [0, n) for s and keeps the unended one in s->left.
 * Returns 0, -1 with *cause (a line too long) or -2 once stopping. */
static int take_lines(struct watch *w, struct wsrv *s, size_t n, char **cause)
{
	long used = feed(w, s, w->rbuf, n);
	if (used < 0)
		return -2;
	size_t rest = n - (size_t)used;
	if (rest > CONN_MAX_LINE) {
		*cause = xasprintf("server %s: log line longer than %d bytes", s->s.name,
				   CONN_MAX_LINE);
		return -1;
	}
	buf_reset(&s->left);
	buf_add(&s->left, w->rbuf + used, rest);
	return 0;
}

/* Reads server s without waiting, READS_PER_TURN times at most, queueing its lines. Returns 1
 * when more may be there, 0 when drained (*got_any: something came), -1 when the stream broke
 * (*cause) or -2 once stopping. */
static int drain(struct watch *w, struct wsrv *s, int *got_any, char **cause)
{
	*got_any = 0;
	for (int k = 0; k < READS_PER_TURN; k++) {
		size_t l = s->left.len;
		if (l)
			memcpy(w->rbuf, s->left.ptr, l);
		long got = conn_recv(&s->c, w->rbuf + l, READ_CHUNK, cause);
		if (got <= 0)
			return (int)got;
		*got_any = 1;
		int r = take_lines(w, s, l + (size_t)got, cause);
		if (r < 0)
			return r;
	}
	return 1;
}

/* Ends s's stream: reported lost, closed, tried again soon. Takes ownership of cause. */
static void lose(struct wsrv *s, char *cause, double now)
{
	report(s, WATCH_LOST, 0, s->mutations, cause);
	free(cause);
	conn_close(&s->c);
	s->open = 0;
	buf_release(&s->left);
	retry_later(s, 0, 1, now);
}

/* Reads server s, which epoll or its timer said is ready. Once drained, lines gather GATHER
 * seconds (to the next GATHER_TICK) before the next read: under load memcached writes a few
 * lines every millisecond; reading them GATHER later costs a wake-up (here and in the consumer)
 * for many lines, not for a few, and the kernel's socket buffer holds far more meanwhile. A read
 * after gathering that finds nothing waits for epoll. Returns -1 once stopping. */
static int serve(struct watch *w, struct wsrv *s)
{
	char *cause = NULL;
	int got_any;
	int r = drain(w, s, &got_any, &cause);
	if (r == -2) {
		free(cause);
		return -1;
	}
	if (r == -1) {
		lose(s, cause, mono_now());
		return 0;
	}
	if (r == 1 || (s->c.ssl && SSL_pending(s->c.ssl) > 0)) {
		s->gathered = 0;	/* more is there: read again next turn */
		return 0;
	}
	s->ready = 0;
	s->gathered = got_any || !s->gathered;
	s->gather_until = s->gathered ? ceil((mono_now() + GATHER) / GATHER_TICK) * GATHER_TICK : 0;
	return 0;
}

/* Server s's watch is open (the connector's attempt worked) or not: reported, then streamed
 * or tried again later. Returns -1 once stopping. */
static int adopt(struct watch *w, struct wsrv *s, double now)
{
	struct attempt *a = &s->res;
	if (!a->ok) {
		report(s, a->state, a->permanent, 0, a->text);
		retry_later(s, a->permanent, 0, now);
		return 0;
	}
	report(s, WATCH_ON, 0, a->mutations, a->text);
	s->mutations = a->mutations;
	s->backoff = 0.25;
	s->phase = SRV_STREAMING;
	s->ready = 1;
	s->gathered = 0;
	s->gather_until = 0;
	struct conn *c = &s->c;
	/* edge-triggered: told of bytes that come after a read found none */
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.u64 = s->i };
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		lose(s, xasprintf("server %s: epoll: %s", s->s.name, strerror(errno)), now);
		return 0;
	}
	/* what conn_readline read past the OK line; the reader's buffer serves from now on */
	size_t l = c->in.len - c->in_off;
	if (l)
		memcpy(w->rbuf, c->in.ptr + c->in_off, l);
	buf_release(&c->in);
	buf_release(&c->out);
	buf_release(&c->marks);
	c->in_off = 0;
	char *cause = NULL;
	int r = take_lines(w, s, l, &cause);
	if (r == -1)
		lose(s, cause, now);
	return r == -2 ? -1 : 0;
}

/* Takes the connectors' finished attempts. Returns -1 once stopping. */
static int take_done(struct watch *w, size_t *got, double now)
{
	pthread_mutex_lock(&w->jmu);
	size_t n = w->dlen;
	memcpy(got, w->done, n * sizeof(*got));
	w->dlen = 0;
	pthread_mutex_unlock(&w->jmu);
	for (size_t k = 0; k < n; k++)
		if (adopt(w, &w->srv[got[k]], now) < 0)
			return -1;
	return 0;
}

/* One round of the reader: connections due go to the connectors, servers ready are read,
 * what they gave is made takeable. Returns the ms until the next deadline (-1: none), or -2
 * once stopping. */
static int reader_turn(struct watch *w, double now)
{
	double next = -1;
	int asked = 0;
	for (size_t i = 0; i < w->n; i++) {
		struct wsrv *s = &w->srv[i];
		if (s->phase == SRV_WAIT && s->due <= now + SLACK) {
			watch_job_add(w, i);
			asked = 1;
		}
		if (s->phase == SRV_STREAMING && s->gather_until > 0 &&
		    s->gather_until <= now + SLACK) {
			s->gather_until = 0;
			s->ready = 1;
		}
		if (s->phase == SRV_STREAMING && s->ready && serve(w, s) < 0)
			return -2;
		double due = s->phase == SRV_WAIT ? s->due :
			     s->phase != SRV_STREAMING ? -1 :
			     s->ready ? now : s->gather_until > 0 ? s->gather_until : -1;
		if (due >= 0 && (next < 0 || due < next))
			next = due;
	}
	if (asked)
		watch_connectors_start(w);
	if (w->pend && commit(w, 0) < 0)
		return -2;
	return next < 0 ? -1 : next <= now ? 0 : (int)ceil((next - now) * 1000);
}

/* Marks the servers epoll names ready (unless gathering: read when it ends), and empties the
 * wake pipe when it is named. */
static void take_events(struct watch *w, const struct epoll_event *ev, int n)
{
	for (int k = 0; k < n; k++) {
		if (ev[k].data.u64 < w->n) {
			struct wsrv *s = &w->srv[ev[k].data.u64];
			if (s->phase == SRV_STREAMING && s->gather_until == 0)
				s->ready = 1;
			continue;
		}
		char drop[64];
		while (read(w->wake[0], drop, sizeof(drop)) > 0)
			;
	}
}

#define EVENTS 64

/* The reader: every stream, through one epoll. */
static void *reader_run(void *arg)
{
	struct watch *w = arg;
	struct epoll_event ev[EVENTS];
	size_t *got = xmalloc((w->n + 1) * sizeof(*got));
	while (!stopping(w)) {
		int timeout = take_done(w, got, mono_now()) < 0 ? -2 : reader_turn(w, mono_now());
		if (timeout == -2)
			break;
		if (w->wake[0] < 0 && (timeout < 0 || timeout > 100))
			timeout = 100;	/* no pipe: look at stop now and then */
		int r = epoll_wait(w->ep, ev, EVENTS, timeout);
		if (r < 0 && errno != EINTR)
			poll(NULL, 0, 10);	/* not a server's fault: no spinning meanwhile */
		take_events(w, ev, r);
	}
	for (size_t i = 0; i < w->n; i++) {
		struct wsrv *s = &w->srv[i];
		if (s->phase == SRV_STREAMING && s->open) {
			conn_close(&s->c);
			s->open = 0;
		}
	}
	free(got);
	return NULL;
}

/* Without an epoll the reader cannot work: every server is told so, for good. */
static void *reader_none(void *arg)
{
	struct watch *w = arg;
	for (size_t i = 0; i < w->n; i++) {
		char *cause = xasprintf("server %s: epoll: %s", w->srv[i].s.name,
					strerror(w->ep_errno));
		report(&w->srv[i], WATCH_DOWN, 1, 0, cause);
		free(cause);
	}
	if (w->pend)
		commit(w, 0);
	return NULL;
}

/* A pipe whose two ends do not block (fds -1 when none can be made). */
static void wake_pipe(int fd[2])
{
	if (pipe(fd) < 0) {
		fd[0] = fd[1] = -1;
		return;
	}
	for (int k = 0; k < 2; k++) {
		fcntl(fd[k], F_SETFL, fcntl(fd[k], F_GETFL) | O_NONBLOCK);
		fcntl(fd[k], F_SETFD, FD_CLOEXEC);
	}
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
	w->room = QUEUE_CAP;
	w->rbuf = xmalloc(CONN_MAX_LINE + READ_CHUNK + 2);
	w->jobs = xmalloc((p->n + 1) * sizeof(*w->jobs));
	w->done = xmalloc((p->n + 1) * sizeof(*w->done));
	pthread_mutex_init(&w->mu, NULL);
	pthread_mutex_init(&w->jmu, NULL);
	pthread_cond_init(&w->not_empty, NULL);
	pthread_cond_init(&w->not_full, NULL);
	wake_pipe(w->wake);
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	w->ep_errno = errno;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = SIZE_MAX };
	if (w->ep >= 0 && w->wake[0] >= 0)
		epoll_ctl(w->ep, EPOLL_CTL_ADD, w->wake[0], &ev);
	for (size_t i = 0; i < p->n; i++) {
		struct wsrv *s = &w->srv[i];
		s->w = w;
		s->i = i;
		s->s = p->servers[i];
		s->s.idle = NULL;
		s->phase = SRV_WAIT;
		s->backoff = 0.25;
		s->c.fd = -1;
		s->last = (enum watch_state)-1;
	}
	w->reader_started = pthread_create(&w->reader, NULL, w->ep >= 0 ? reader_run : reader_none,
					   w) == 0;
	return w;
}

size_t watch_take(struct watch *w, const struct watch_item **items, size_t max, int timeout_ms)
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
	size_t n = w->len;
	if (n > QUEUE_CAP - w->head)
		n = QUEUE_CAP - w->head;	/* the rest, from the ring's start, next time */
	if (n > max)
		n = max;
	*items = &w->q[w->head];
	pthread_mutex_unlock(&w->mu);
	return n;
}

void watch_return(struct watch *w, size_t n)
{
	if (n == 0)
		return;
	pthread_mutex_lock(&w->mu);
	w->head = (w->head + n) % QUEUE_CAP;
	w->len -= n;
	pthread_cond_signal(&w->not_full);
	pthread_mutex_unlock(&w->mu);
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
	wake_reader(w);
	if (w->reader_started)
		pthread_join(w->reader, NULL);
	watch_connectors_join(w);
	for (size_t i = 0; i < w->n; i++) {
		if (w->srv[i].open)	/* opened by a connector, never taken by the reader */
			conn_close(&w->srv[i].c);
		buf_release(&w->srv[i].left);
	}
	if (w->wake[0] >= 0) {
		close(w->wake[0]);
		close(w->wake[1]);
	}
	if (w->ep >= 0)
		close(w->ep);
	pthread_mutex_destroy(&w->mu);
	pthread_mutex_destroy(&w->jmu);
	pthread_cond_destroy(&w->not_empty);
	pthread_cond_destroy(&w->not_full);
	free(w->rbuf);
	free(w->jobs);
	free(w->done);
	free(w->q);
	free(w->srv);
	free(w);
}
