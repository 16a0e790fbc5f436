/* watchline.h: one line of memcached's log stream (the `watch` command) parsed into fields. */
#ifndef MEMCSESS_WATCHLINE_H
#define MEMCSESS_WATCHLINE_H

#include <stddef.h>
#include <stdint.h>

#define WL_KEY_MAX 250		/* memcached's longest key, decoded */
#define WL_ADDR_MAX 64

enum wl_type {
	WL_OTHER,		/* a line of a kind memcsess does not use */
	WL_GET,			/* type=item_get (fetchers) */
	WL_STORE,		/* type=item_store (mutations) */
	WL_EVICTION,		/* type=eviction (evictions) */
	WL_DELETED,		/* type=deleted (deletions) */
	WL_CONN_NEW,		/* type=conn_new (connevents) */
	WL_CONN_CLOSE,		/* type=conn_close (connevents) */
	WL_SKIPPED,		/* skipped=N: lines memcached dropped for this watcher */
};

enum wl_status {
	WLS_NONE,
	WLS_FOUND, WLS_NOT_FOUND, WLS_EXPIRED, WLS_FLUSHED,		/* item_get */
	WLS_STORED, WLS_NOT_STORED, WLS_EXISTS, WLS_TOO_LARGE, WLS_NO_MEMORY,	/* item_store */
	WLS_OTHER,
};

enum wl_cmd { WLC_NONE, WLC_ADD, WLC_SET, WLC_REPLACE, WLC_APPEND, WLC_PREPEND, WLC_CAS,
	      WLC_DELETE, WLC_OTHER };

struct wl {
	enum wl_type type;
	double ts;		/* seconds since the epoch; 0 when absent */
	uint64_t gid;
	char key[WL_KEY_MAX + 1];	/* URL-decoded, NUL-terminated (a key holds no NUL) */
	size_t key_len;
	enum wl_status status;
	enum wl_cmd cmd;
	int64_t ttl;		/* store: the TTL given; eviction: seconds left, -1 never expires */
	int64_t la;		/* eviction: seconds since the last access; -1 absent */
	int fetched;		/* eviction: fetch=yes */
	int cfd;		/* the client's descriptor on the server; -1 absent */
	int64_t size;		/* value bytes; -1 absent */
	char rip[WL_ADDR_MAX];	/* conn_new/conn_close: remote address; "" absent */
	unsigned rport;
	char reason[24];	/* conn_close */
	uint64_t skipped;	/* WL_SKIPPED */
};

/* Parses one line (without its line end) into *out. Returns 0, or -1 when the line is not a
 * log line memcsess can read (no ts=/gid=, a bad key encoding, a number out of range). */
int wl_parse(const char *line, size_t len, struct wl *out);
/* The name memcached gives a status ("found", "too_large"...). */
const char *wl_status_name(enum wl_status s);

#endif
