/* dump.c: memcsess dump: every session as one JSON line. */
#include "commands.h"
#include "record.h"
#include "mc/scan.h"
#include "mc/stats.h"
#include "util.h"
#include "php/handlers.h"
#include "session_decode.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { O_SID = 1, O_HANDLER, O_NO_DATA, O_NO_VALUE, O_DECRYPT, O_STATS };
static const struct cmd_opt dump_opts[] = {
	{ "sid", 0, ARG_SID, O_SID },
	{ "handler", 0, ARG_HANDLER, O_HANDLER },
	{ "no-data", 0, 0, O_NO_DATA },
	{ "no-value", 0, 0, O_NO_VALUE },
	{ "decrypt", 0, 0, O_DECRYPT },
	{ "stats", 0, 0, O_STATS },
	{ NULL, 0, 0, 0 },
};

struct dump_state {
	struct cmd_ctx *ctx;
	enum sess_handler handler;
	unsigned what;
	int decrypt;		/* --decrypt: add decrypted data (the stored bytes stay as they are) */
	struct decode_opts opts;
	pthread_mutex_t out;	/* the scan calls on_rec from every server's thread at once */
	size_t decode_errors;
	int stats;		/* --stats: say at the end how many lines and bytes, in how long */
	size_t lines, bytes;	/* written so far */
	size_t chunk;		/* lines are written once a server has this many bytes of them */
	struct dump_room *room;	/* one per walk thread (sess_rec.worker) */
};

/* One thread's lines waiting to be written, and the room to decode in, kept from record to
 * record. */
struct dump_room {
	CACHE_ALIGNED struct buf lines;	/* each thread's room on lines of its own */
	struct buf data;
	size_t n;		/* lines waiting */
};

/* Writes the n bytes at p to descriptor fd, whole; returns 0 or -1 with errno. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes a server's waiting lines under the output lock, straight to standard output's
 * descriptor (one copy less than through stdio, which holds nothing else); returns 0, or 2 when
 * standard output failed. Unless wait, returns 0 at once when another server's lines are being
 * written (the lines wait for a later call). */
static int flush_room(struct dump_state *st, struct dump_room *room, int wait)
{
	int ret = 0;
	if (room->lines.len == 0)
		return 0;
	if (!wait && pthread_mutex_trylock(&st->out) != 0)
		return 0;
	if (wait)
		pthread_mutex_lock(&st->out);
	if (fflush(stdout) != 0 || cmd_output_failed()) {
		cmd_output_failed();
		ret = 2;
	} else if (write_all(fileno(stdout), room->lines.ptr, room->lines.len) < 0) {
		cmd_output_error(errno);
		ret = 2;
	} else {
		st->lines += room->n;
		st->bytes += room->lines.len;
	}
	pthread_mutex_unlock(&st->out);
	buf_reset(&room->lines);
	room->n = 0;
	return ret;
}

/* Says on stderr why a session was dumped raw. */
static void complain(struct dump_state *st, const struct sess_rec *r, const struct decode_info *d)
{
	struct buf why = BUF_INIT;
	session_describe(d, &why);
	pthread_mutex_lock(&st->out);
	st->decode_errors++;
	cmd_error("server %s: key %.*s: %s (dumped raw)", st->ctx->pool.servers[r->server].name,
		  (int)r->key_len, r->key, why.ptr);
	pthread_mutex_unlock(&st->out);
	buf_release(&why);
}

/* Scan callback, run in every server's thread: one JSON line per session, written a chunk of
 * lines (256 KB or more) at a time, each line at once on a terminal. */
static int on_rec(const struct sess_rec *r, void *arg)
{
	struct dump_state *st = arg;
	struct dump_room *room = &st->room[r->worker];
	struct decode_info d;
	if (!app_sid_ok(st->ctx->app, r->sid, r->sid_len))
		return 0;
	record_write(&st->ctx->pool, r, st->what, &st->opts, &d, &room->lines, &room->data);
	buf_addc(&room->lines, '\n');
	room->n++;
	if (session_failed(&d))
		complain(st, r, &d);
	if (room->lines.len < st->chunk)
		return 0;
	/* a chunk is written when the output is free, four when it is not (no sleeping on it) */
	return flush_room(st, room, room->lines.len >= 4 * st->chunk);
}

/* --stats: one line on stderr, whatever else happened. */
static void print_stats(const struct dump_state *st, double secs)
{
	fprintf(stderr, "dump: %zu sessions, %zu bytes in %.3f s (%.0f sessions/s, %.1f MB/s)\n",
		st->lines, st->bytes, secs, secs > 0 ? (double)st->lines / secs : 0.0,
		secs > 0 ? (double)st->bytes / secs / 1e6 : 0.0);
}

static int dump_options(const struct cmd_args *a, struct dump_state *st, struct scan_opts *so)
{
	for (size_t i = 0; i < a->n_opts; i++) {
		const char *arg = a->opts[i].arg;
		switch (a->opts[i].key) {
		case O_SID: so->sid_glob = arg; break;
		case O_NO_DATA: st->what &= ~(unsigned)RECORD_DATA; break;
		case O_NO_VALUE: st->what &= ~(unsigned)RECORD_VALUE; break;
		case O_DECRYPT: st->decrypt = 1; break;
		case O_STATS: st->stats = 1; break;
		case O_HANDLER:
			if (sess_handler_parse(arg, &st->handler) < 0) {
				cmd_error("--handler: expected php, php_binary, php_serialize or "
					  "igbinary, got '%s'", arg);
				return EXIT_USAGE;
			}
			break;
		}
	}
	if (!(st->what & (RECORD_VALUE | RECORD_DATA))) {
		cmd_error("dump: --no-data and --no-value leave nothing to dump");
		return EXIT_USAGE;
	}
	if (a->n_pos > 1) {
		cmd_error("dump: at most one sid pattern, got %d", a->n_pos);
		return EXIT_USAGE;
	}
	if (a->n_pos == 1)
		so->sid_glob = a->pos[0];
	return 0;
}

static int dump_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	struct dump_state st = { .ctx = ctx, .what = RECORD_VALUE | RECORD_DATA };
	struct scan_opts so = { .values = 1, .meta = 1, .locks = 1, .cancel = ctx->cancel,
				.parallel = 1 };
	int ret = dump_options(a, &st, &so);
	if (ret == 0 && st.decrypt)
		ret = cmd_keys(ctx, 1);
	if (ret)
		return ret;
	cmd_decode_opts(ctx, st.handler, st.decrypt, &st.opts);
	if (ctx->app != APP_PHP)
		so.locks = 0;	/* only PHP's session handler locks */
	struct scan_server *res = xcalloc(ctx->pool.n, sizeof(*res));
	size_t rooms = scan_threads(&ctx->pool);
	st.room = xcalloc_lines(rooms, sizeof(*st.room));
	st.chunk = isatty(fileno(stdout)) ? 0 : 256 * 1024;
	pthread_mutex_init(&st.out, NULL);
	double start = stats_now();
	int r = scan_pool(&ctx->pool, &so, on_rec, &st, res);
	for (size_t i = 0; i < rooms; i++) {
		if (r != 2 && flush_room(&st, &st.room[i], 1) == 2)
			r = 2;
		buf_release(&st.room[i].lines);
		buf_release(&st.room[i].data);
	}
	pthread_mutex_destroy(&st.out);
	free(st.room);
	if (st.stats)
		print_stats(&st, stats_now() - start);
	ret = cmd_report_scan(ctx, res);
	scan_server_release(res, ctx->pool.n);
	free(res);
	if (r == 2)
		return EXIT_IO;
	if (ret == EXIT_OK && st.decode_errors)
		ret = EXIT_PARTIAL;
	return ret;
}

const struct cmd_entry cmd_dump_entry = {
	.name = "dump",
	.usage = "[--sid GLOB] [--handler H] [--no-data | --no-value] [--decrypt] [--stats] "
		 "[SID-GLOB]",
	.summary = "write every session as JSON Lines on standard output",
	.needs = NEED_POOL,
	.opts = dump_opts,
	.operands = ARG_SID,
	.run = dump_run,
};
