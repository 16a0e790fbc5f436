/* watch.h: memcached's log stream (the `watch` command) from every server of a pool, a
 * connection each, all read by one thread (epoll), parsed, and handed to one consumer
 * through a bounded queue. The threads are bounded, not the pool: the reader, and up to 4
 * short-lived ones while connections are being opened. A lost connection is opened again with
 * backoff; a refusal is reported, never hidden. */
#ifndef MEMCSESS_WATCH_H
#define MEMCSESS_WATCH_H

#include <stddef.h>
#include "mc/pool.h"
#include "mc/watchline.h"

struct watch_opts {
	int timeout_ms;		/* connect and hand-shake bound */
	int mutations;		/* 1: ask for `mutations` everywhere (--mutations); 0: only from
				 * memcached >= 1.6.42 (older ones crash on a failed binary set) */
	double backoff_max;	/* longest wait between two attempts, seconds */
};

enum watch_state {
	WATCH_ON,		/* watching; text names the streams */
	WATCH_REFUSED,		/* the server refused the watch (text says why) */
	WATCH_LOST,		/* the watch connection broke */
	WATCH_DOWN,		/* no connection could be made */
};

struct watch_item {
	size_t server;
	int is_state;		/* 1: a state change (st), 0: a log line (line) */
	struct {
		enum watch_state state;
		int permanent;	/* 1: no further attempt will be made (-W, SASL, login) */
		int mutations;	/* WATCH_ON: mutations are watched */
		char text[232];
	} st;
	struct wl line;
};

struct watch;

/* Starts watching every server of p (p must outlive the watch). Returns new. */
struct watch *watch_start(const struct pool *p, const struct watch_opts *o);
/* Lends up to max items at *items, oldest first, waiting up to timeout_ms for the first;
 * returns how many. They stay valid until watch_return, which must come before the next
 * watch_take. A server's lines come in the order it sent them, except that lines read together
 * are put in gid order; its state changes come between its lines where they happened. */
size_t watch_take(struct watch *w, const struct watch_item **items, size_t max, int timeout_ms);
/* Gives back the n items the last watch_take lent (their slots take new items). */
void watch_return(struct watch *w, size_t n);
/* Lines that could not be parsed, so far. */
unsigned long watch_bad_lines(struct watch *w);
/* Stops every thread and frees w. */
void watch_free(struct watch *w);
/* "watching", "refused", "lost", "down". */
const char *watch_state_name(enum watch_state s);
/* text without a leading "server NAME: " (for a line or finding that names the server
 * already); a pointer into text. */
const char *watch_strip_server(const char *text, const char *name);

#endif
