/* session_change.c: read, change, diff, write (see session_change.h). */
#include "session_change.h"
#include "php/handlers.h"
#include "php/value_text.h"
#include "text_diff.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void tree_text(const struct pv *root, struct buf *out)
{
	pv_format_tree(root, out);
	if (!out->ptr)
		buf_adds(out, "");
}

static void pause_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (ms && nanosleep(&ts, &ts) != 0)
		;
}

static enum sess_change_status from_write(enum sess_write_status st)
{
	switch (st) {
	case SW_WRITTEN: return SC_WRITTEN;
	case SW_CONFLICT: return SC_CONFLICT;
	case SW_LOCKED: return SC_LOCKED;
	case SW_GONE: return SC_CONFLICT;
	default: return SC_FAILED;
	}
}

enum sess_change_status sess_change_run(const struct pool *p, const char *sid,
					const struct sess_edit_opts *o, sess_change_fn fn,
					void *arg, struct sess_change *c, char **cause)
{
	struct sess_edit e;
	struct buf before = BUF_INIT, after = BUF_INIT, value = BUF_INIT;
	enum sess_change_status st;
	uint32_t flags;
	int rc = sess_edit_read(&e, p, sid, o, cause);
	if (rc != 0) {
		st = rc > 0 ? SC_NOT_FOUND : SC_FAILED;
		if (rc > 0)
			*cause = xasprintf("no session %s on %s", sid, p->servers[e.home].name);
		goto out;
	}
	c->handler = e.handler;
	c->bytes_before = e.stored.len;
	tree_text(e.root, &before);
	if (fn(e.root, arg, cause) < 0 || sess_edit_encode(&e, &value, &flags, cause) < 0) {
		st = SC_BAD_CHANGE;
		goto out;
	}
	c->bytes_after = value.len;
	tree_text(e.root, &after);
	size_t changed = text_diff(before.ptr, after.ptr, &c->diff);
	if (!changed && value.len == e.stored.len && flags == e.flags &&
	    memcmp(value.ptr ? value.ptr : "", e.stored.ptr ? e.stored.ptr : "", value.len) == 0) {
		st = SC_UNCHANGED;
		goto out;
	}
	if (c->dry_run) {
		st = SC_DRY_RUN;
		goto out;
	}
	pause_ms(c->pause_ms);
	st = from_write(sess_edit_write(&e, value.ptr ? value.ptr : "", value.len, flags, o,
					cause));
out:
	sess_edit_release(&e);
	buf_release(&before);
	buf_release(&after);
	buf_release(&value);
	return st;
}

void sess_change_release(struct sess_change *c)
{
	buf_release(&c->diff);
}
