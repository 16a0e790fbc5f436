/* shell_watch.h: one idle connection per server of the shell's pool, to notice (before a
 * command) a server that went away or came back, and to say which servers answer. */
#ifndef MEMCSESS_SHELL_WATCH_H
#define MEMCSESS_SHELL_WATCH_H

#include "commands.h"
#include "mc/conn.h"

struct shell_watch {
	char *servers;		/* the server list watched, owned; NULL when nothing is watched */
	struct pool pool;	/* its own pool: it outlives the context's being set up again */
	struct conn *conns;	/* fd < 0: the server is down */
	char **why;		/* why server i is down (owned), or NULL */
};

/* Starts watching the context's servers unless they are watched; with report, names the
 * servers that cannot be reached. */
void shell_watch_start(struct shell_watch *w, struct cmd_ctx *ctx, int report);
/* Before a command: reconnects to the servers that went away or came back, and says so. */
void shell_watch_check(struct shell_watch *w, const struct cmd_ctx *ctx);
void shell_watch_release(struct shell_watch *w);
/* "server 10.0.0.1:11211: connect: refused" said of name: the part after the name. */
const char *shell_watch_reason(const char *cause, const char *name);

#endif
