/* commands.h: the subcommand table, the dispatcher, and what commands share. */
#ifndef MEMCSESS_COMMANDS_H
#define MEMCSESS_COMMANDS_H

#include <signal.h>
#include "app.h"
#include "mc/pool.h"
#include "opt_arg.h"
#include "session_decode.h"

/* Exit codes (man/memcsess.1, EXIT STATUS). */
enum {
	EXIT_OK = 0,
	EXIT_PARTIAL = 1,	/* not found, or some servers/sessions failed */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_POOL = 3,		/* no server could be reached, or the pool is misconfigured */
	EXIT_IO = 4,		/* writing the output failed (disk full, closed pipe) */
	EXIT_WARNING = 5,	/* doctor: the worst finding is a warning */
	EXIT_CRITICAL = 6,	/* doctor: the worst finding is critical */
	EXIT_INTERRUPTED = 130,
};

/* What .needs asks the dispatcher to do before .run. */
#define NEED_POOL 0x1
#define NEED_KEY 0x2	/* load the key ring when --key-file or MEMCSESS_KEY gives one */

struct cmd_opt {
	const char *name;	/* long name, without -- */
	int short_name;		/* 0 for none */
	enum opt_arg has_arg;	/* ARG_NONE: a flag; else the kind of value it takes */
	int key;		/* what the command switches on */
};

struct cmd_optval {
	int key;
	const char *arg;
};

struct cmd_args {
	struct cmd_optval opts[64];
	size_t n_opts;
	char **pos;
	int n_pos;
};

struct cmd_ctx {
	struct pool pool;
	int have_pool;
	int keep_conns;		/* the pool keeps its connections between commands (the shell) */
	char *servers;		/* owned */
	int servers_from_env;	/* servers came from MEMCSESS_SERVERS */
	char *prefix;		/* owned */
	enum pool_dist dist;
	int timeout_ms;
	int threads;		/* --threads: threads for work on every server; 0 default */
	volatile sig_atomic_t *cancel;
	/* decryption and framework layout (--key-file, --scheme, --cipher, --app) */
	char *key_file;		/* owned */
	struct keyring keys;	/* loaded by cmd_keys; wiped by cmd_ctx_release */
	int keys_loaded;
	enum crypt_scheme scheme;
	char *cipher;		/* owned; NULL: the scheme's default */
	enum app_layout app;
	int prefix_given, dist_given;
	/* memcached -Y login (--username, --password-file or MEMCSESS_PASSWORD) */
	char *username;		/* owned */
	char *password_file;	/* owned */
	char *password;		/* owned; loaded by cmd_auth, wiped by cmd_ctx_release */
	int sasl;		/* --sasl: the servers want SASL over the binary protocol (-S) */
	/* TLS (memcached -Z): --tls, --tls-ca, --tls-cert, --tls-key, --tls-servername,
	 * --tls-insecure; the strings owned */
	int tls;
	char *tls_ca, *tls_cert, *tls_key, *tls_servername;
	int tls_insecure;
	struct tls_conf *tls_conf;	/* one reference, made by cmd_tls; NULL until then */
};

struct cmd_entry {
	const char *name;
	const char *usage;
	const char *summary;
	unsigned needs;
	const struct cmd_opt *opts;	/* ends with { NULL } */
	enum opt_arg operands;		/* what its operands are, for completion (ARG_NONE: none) */
	int (*run)(struct cmd_ctx *ctx, const struct cmd_args *args);
};

extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_inspect_entry;
extern const struct cmd_entry cmd_dump_entry;
extern const struct cmd_entry cmd_decode_entry;
extern const struct cmd_entry cmd_expire_entry;
extern const struct cmd_entry cmd_load_entry;
extern const struct cmd_entry cmd_set_entry;
extern const struct cmd_entry cmd_unset_entry;
extern const struct cmd_entry cmd_edit_entry;
extern const struct cmd_entry cmd_migrate_entry;
extern const struct cmd_entry cmd_shell_entry;
extern const struct cmd_entry cmd_top_entry;
extern const struct cmd_entry cmd_doctor_entry;
extern const struct cmd_entry cmd_watch_entry;
extern const struct cmd_entry cmd_exporter_entry;
/* Every command, in the order usage lists them; ends with NULL (main.c). */
extern const struct cmd_entry *const cmd_table[];
/* The options every command takes, before or after its name; ends with { NULL } (main.c). */
extern const struct cmd_opt common_opts[];

/* The command named name, or the only one it is a prefix of; NULL when none or ambiguous. */
const struct cmd_entry *cmd_find(const char *name);
/* Parses argv (argv[0] is the command name) and runs it; returns an exit code. */
int cmd_dispatch(struct cmd_ctx *ctx, int argc, char **argv);
/* Sets up the pool from the context's settings when not done yet; returns 0 or an exit code. */
int cmd_pool(struct cmd_ctx *ctx);
void cmd_ctx_init(struct cmd_ctx *ctx);
void cmd_ctx_release(struct cmd_ctx *ctx);
/* 1 when writing to standard output has failed (its errno is kept for the final message). */
int cmd_output_failed(void);
/* Records that a write to standard output's descriptor, past stdio, failed with err. */
void cmd_output_error(int err);
/* Prints "memcsess: <msg>" on stderr. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reports the per-server failures of a scan on stderr; returns EXIT_OK or EXIT_PARTIAL
 * (EXIT_POOL when every server failed). */
struct scan_server;
int cmd_report_scan(const struct cmd_ctx *ctx, struct scan_server *res);
/* Loads the key ring from --key-file, else MEMCSESS_KEY (whose value is then wiped), once.
 * required: fail when neither is given. Returns 0 or an exit code (after a message). */
int cmd_keys(struct cmd_ctx *ctx, int required);
/* Loads the password for --username from --password-file, else MEMCSESS_PASSWORD (whose value
 * is then wiped), once. Returns 0 or an exit code (after a message). */
int cmd_auth(struct cmd_ctx *ctx);
/* Gives pool p the context's login (cmd_auth) and, with sasl, the binary protocol with SASL,
 * which needs --username. Returns 0 or an exit code (after a message). */
int cmd_pool_auth(struct cmd_ctx *ctx, struct pool *p, int sasl, int tls);
/* Sets up the TLS settings from the --tls-* options once (warning about --tls-insecure and a
 * key file others can read). Returns 0 or an exit code (after a message). */
int cmd_tls(struct cmd_ctx *ctx);
/* Decoding options from the context: handler h, --scheme, --cipher, and the keys when loaded
 * and decrypt is set. The result points into ctx. */
void cmd_decode_opts(const struct cmd_ctx *ctx, enum sess_handler h, int decrypt,
		     struct decode_opts *o);
/* Parses a non-negative integer option value; returns 0 or -1 (after a usage message). */
int cmd_parse_count(const char *opt, const char *s, long *out);

#endif
