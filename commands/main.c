/* main.c: the command table, option parsing shared by every command, and main(). */
#include "build_info.h"
#include "commands.h"
#include "complete_spec.h"
#include "mc/conn.h"
#include "mc/scan.h"
#include "mc/tls.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const struct cmd_entry *const cmd_table[] = {
	&cmd_list_entry,
	&cmd_inspect_entry,
	&cmd_dump_entry,
	&cmd_decode_entry,
	&cmd_expire_entry,
	&cmd_load_entry,
	&cmd_set_entry,
	&cmd_unset_entry,
	&cmd_edit_entry,
	&cmd_migrate_entry,
	&cmd_shell_entry,
	&cmd_top_entry,
	&cmd_doctor_entry,
	&cmd_watch_entry,
	&cmd_exporter_entry,
	NULL,
};

/* Options every command accepts. Keys are negative so they never meet a command's. */
enum { OPT_SERVERS = -100, OPT_PREFIX, OPT_DIST, OPT_TIMEOUT, OPT_HELP, OPT_KEY_FILE,
       OPT_SCHEME, OPT_CIPHER, OPT_APP, OPT_THREADS };
enum { OPT_USERNAME = -150, OPT_PASSWORD_FILE, OPT_SASL };
enum { OPT_TLS = -170, OPT_TLS_CA, OPT_TLS_CERT, OPT_TLS_KEY, OPT_TLS_SERVERNAME,
       OPT_TLS_INSECURE };
const struct cmd_opt common_opts[] = {
	{ "servers", 's', ARG_SERVERS, OPT_SERVERS },
	{ "prefix", 0, ARG_TEXT, OPT_PREFIX },
	{ "distribution", 0, ARG_DIST, OPT_DIST },
	{ "timeout", 0, ARG_DURATION, OPT_TIMEOUT },
	{ "threads", 0, ARG_NUMBER, OPT_THREADS },
	{ "help", 'h', 0, OPT_HELP },
	{ "key-file", 0, ARG_FILE, OPT_KEY_FILE },
	{ "scheme", 0, ARG_SCHEME, OPT_SCHEME },
	{ "cipher", 0, ARG_TEXT, OPT_CIPHER },
	{ "app", 0, ARG_APP, OPT_APP },
	{ "username", 0, ARG_TEXT, OPT_USERNAME },
	{ "password-file", 0, ARG_FILE, OPT_PASSWORD_FILE },
	{ "sasl", 0, 0, OPT_SASL },
	{ "tls", 0, 0, OPT_TLS },
	{ "tls-ca", 0, 1, OPT_TLS_CA },
	{ "tls-cert", 0, 1, OPT_TLS_CERT },
	{ "tls-key", 0, 1, OPT_TLS_KEY },
	{ "tls-servername", 0, 1, OPT_TLS_SERVERNAME },
	{ "tls-insecure", 0, 0, OPT_TLS_INSECURE },
	{ NULL, 0, 0, 0 },
};

/* errno of the first failed write to standard output. */
static int out_errno;

int cmd_output_failed(void)
{
	if (!ferror(stdout))
		return out_errno != 0;
	if (!out_errno)
		out_errno = errno ? errno : EIO;
	return 1;
}

void cmd_output_error(int err)
{
	if (!out_errno)
		out_errno = err ? err : EIO;
}

void cmd_error(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	flockfile(stderr);	/* one whole line, while other servers' threads report too */
	fputs("memcsess: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void cmd_ctx_init(struct cmd_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	const char *env = getenv("MEMCSESS_SERVERS");
	ctx->servers = xstrdup(env && *env ? env : POOL_DEFAULT_SERVERS);
	ctx->servers_from_env = env && *env;
	ctx->prefix = xstrdup(POOL_DEFAULT_PREFIX);
	ctx->dist = DIST_KETAMA;
	ctx->timeout_ms = POOL_DEFAULT_TIMEOUT_MS;
	ctx->scheme = CRYPT_AUTO;
	ctx->app = APP_PHP;
}

void cmd_ctx_release(struct cmd_ctx *ctx)
{
	if (ctx->have_pool)
		pool_release(&ctx->pool);
	free(ctx->servers);
	free(ctx->prefix);
	free(ctx->key_file);
	free(ctx->cipher);
	keyring_release(&ctx->keys);
	free(ctx->username);
	free(ctx->password_file);
	if (ctx->password)
		OPENSSL_cleanse(ctx->password, strlen(ctx->password));
	free(ctx->password);
	free(ctx->tls_ca);
	free(ctx->tls_cert);
	free(ctx->tls_key);
	free(ctx->tls_servername);
	tls_conf_unref(ctx->tls_conf);
	memset(ctx, 0, sizeof(*ctx));
}

/* --app's defaults for what was not given: prefix, distribution, whole-key hashing. */
static int app_preset(struct cmd_ctx *ctx)
{
	const char *prefix = app_default_prefix(ctx->app);
	if (!ctx->prefix_given && !prefix) {
		cmd_error("--app %s: give the cache prefix with --prefix (laravel:, laravel_cache:, "
			  "<app>_cache_ or <app>-cache-; 'list --detect' shows which)",
			  app_name(ctx->app));
		return EXIT_USAGE;
	}
	if (!ctx->prefix_given) {
		free(ctx->prefix);
		ctx->prefix = xstrdup(prefix);
	}
	/* plain Memcached clients default to modula over the whole key */
	if (!ctx->dist_given && app_hashes_prefix(ctx->app))
		ctx->dist = DIST_MODULA;
	return 0;
}

int cmd_keys(struct cmd_ctx *ctx, int required)
{
	char *cause = NULL;
	char *env = getenv("MEMCSESS_KEY");
	int r = 0;
	if (ctx->keys_loaded)
		return 0;
	if (ctx->key_file)
		r = keyring_load_file(&ctx->keys, ctx->key_file, &cause);
	else if (env && *env)
		r = keyring_add_text(&ctx->keys, env, strlen(env), "MEMCSESS_KEY", &cause);
	else if (required)
		cause = xstrdup("no key: give --key-file PATH or set MEMCSESS_KEY");
	if (env)	/* the key is not left in the environment */
		OPENSSL_cleanse(env, strlen(env));
	if (r < 0 || cause) {
		cmd_error("%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	ctx->keys_loaded = 1;
	return 0;
}

void cmd_decode_opts(const struct cmd_ctx *ctx, enum sess_handler h, int decrypt,
		     struct decode_opts *o)
{
	o->handler = h;
	o->scheme = ctx->scheme;
	o->cipher = ctx->cipher;
	o->keys = decrypt && ctx->keys_loaded ? &ctx->keys : NULL;
}

int cmd_pool(struct cmd_ctx *ctx)
{
	char *cause = NULL;
	if (ctx->have_pool)
		return 0;
	int preset = app_preset(ctx);
	if (preset)
		return preset;
	if (pool_init(&ctx->pool, ctx->servers, ctx->dist, ctx->prefix, ctx->timeout_ms, &cause)) {
		cmd_error("%s%s", ctx->servers_from_env ? "MEMCSESS_SERVERS: " : "", cause);
		free(cause);
		return EXIT_USAGE;
	}
	ctx->pool.threads = ctx->threads;
	ctx->have_pool = 1;
	ctx->pool.hash_prefix = app_hashes_prefix(ctx->app);
	if (ctx->keep_conns)
		conn_keep(&ctx->pool);
	return cmd_pool_auth(ctx, &ctx->pool, ctx->sasl, ctx->tls);
}

int cmd_tls(struct cmd_ctx *ctx)
{
	if (ctx->tls_conf)
		return 0;
	struct tls_opts o = { .ca = ctx->tls_ca, .cert = ctx->tls_cert, .key = ctx->tls_key,
			      .servername = ctx->tls_servername, .insecure = ctx->tls_insecure };
	const char *key = o.key ? o.key : o.cert;
	char *cause = NULL;
	if (ctx->tls_insecure)
		cmd_error("warning: --tls-insecure: the servers' certificates are not checked: "
			  "anyone on the way can read and change the sessions");
	if (key && tls_key_exposed(key))
		cmd_error("warning: --tls-key %s can be read by its group or others (chmod 600 %s)",
			  key, key);
	ctx->tls_conf = tls_conf_new(&o, &cause);
	if (ctx->tls_conf)
		return 0;
	cmd_error("%s", cause);
	free(cause);
	return EXIT_USAGE;
}

int cmd_pool_auth(struct cmd_ctx *ctx, struct pool *p, int sasl, int tls)
{
	int twice = pool_named_twice(p);
	if (twice >= 0)
		cmd_error("warning: server %s is named twice in the server list: PHP gives it a "
			  "double share of the sessions, and memcsess walks it twice (each of its "
			  "sessions is listed twice)", p->servers[twice].name);
	if (sasl && !ctx->username) {
		cmd_error("--sasl: give --username, and the password with --password-file or "
			  "MEMCSESS_PASSWORD");
		return EXIT_USAGE;
	}
	if (sasl && tls) {
		cmd_error("--tls with --sasl: SASL goes through libmemcached's binary protocol, which "
			  "has no TLS (memcsess speaks TLS on the text protocol only)");
		return EXIT_USAGE;
	}
	int ret = cmd_auth(ctx);
	if (!ret && tls)
		ret = cmd_tls(ctx);
	if (ret)
		return ret;
	pool_set_tls(p, tls ? ctx->tls_conf : NULL);
	pool_set_auth(p, ctx->username, ctx->password);
	p->sasl = sasl;
	return 0;
}

int cmd_report_scan(const struct cmd_ctx *ctx, struct scan_server *res)
{
	size_t failed = 0, incomplete = 0;
	if (cmd_output_failed())	/* the scan was stopped for it: the dispatcher says so */
		return EXIT_IO;
	for (size_t i = 0; i < ctx->pool.n; i++) {
		if (res[i].method == ENUM_CACHEDUMP && !res[i].failed) {
			cmd_error("server %s: lru_crawler metadump refused; listed with stats "
				  "cachedump, which is incomplete", ctx->pool.servers[i].name);
			incomplete++;
		}
		if (!res[i].failed)
			continue;
		failed++;
		cmd_error("%s", res[i].error ? res[i].error : "failed");
	}
	if (failed == 0)
		return incomplete ? EXIT_PARTIAL : EXIT_OK;
	return failed == ctx->pool.n ? EXIT_POOL : EXIT_PARTIAL;
}

/* Reads the first line of path (without its line end) as a password; returns new, or NULL
 * with *cause. */
static char *read_password(const char *path, char **cause)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		*cause = xasprintf("--password-file %s: %s", path, strerror(errno));
		return NULL;
	}
	char line[1024];
	char *pw = NULL;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0])
			pw = xstrdup(line);
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(f);
	if (!pw)
		*cause = xasprintf("--password-file %s: no password on its first line", path);
	return pw;
}

int cmd_auth(struct cmd_ctx *ctx)
{
	char *cause = NULL;
	char *env = getenv("MEMCSESS_PASSWORD");
	if (!ctx->username || ctx->password)
		return 0;
	if (ctx->password_file)
		ctx->password = read_password(ctx->password_file, &cause);
	else if (env && *env)
		ctx->password = xstrdup(env);
	else
		cause = xasprintf("--username %s: no password: give --password-file PATH or set "
				  "MEMCSESS_PASSWORD", ctx->username);
	if (env)	/* the password is not left in the environment */
		OPENSSL_cleanse(env, strlen(env));
	if (!ctx->password) {
		cmd_error("%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_parse_count(const char *opt, const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0) {
		cmd_error("--%s: expected a whole number >= 0, got '%s'", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Finds a command by name or unique prefix. */
const struct cmd_entry *cmd_find(const char *name)
{
	const struct cmd_entry *found = NULL;
	size_t n = strlen(name);
	for (size_t i = 0; cmd_table[i]; i++) {
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
		if (n && strncmp(cmd_table[i]->name, name, n) == 0) {
			if (found)
				return NULL;
			found = cmd_table[i];
		}
	}
	return found;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: memcsess [--servers LIST] [--prefix P] [--distribution D] "
		     "[--timeout S]\n                [--app php|laravel|symfony] [--key-file PATH] "
		     "[--scheme S] [--cipher C]\n                [--username U] [--password-file F] "
		     "[--sasl]\n                [--tls] [--tls-ca F] [--tls-cert F] [--tls-key F] "
		     "[--tls-servername N] [--tls-insecure]\n                <command> [options]\n\ncommands:\n");
	for (size_t i = 0; cmd_table[i]; i++)
		fprintf(out, "  %-8s %s\n", cmd_table[i]->name, cmd_table[i]->summary);
	fprintf(out, "\nSee memcsess(1) or 'memcsess <command> --help'.\n");
}

static void command_usage(const struct cmd_entry *e, FILE *out)
{
	fprintf(out, "usage: memcsess %s %s\n%s\n", e->name, e->usage, e->summary);
}

/* Appends opts to the getopt tables. */
static void add_opts(const struct cmd_opt *opts, struct option *lo, size_t *n, struct buf *so,
		     const struct cmd_opt **map)
{
	for (; opts && opts->name; opts++) {
		lo[*n].name = opts->name;
		lo[*n].has_arg = opts->has_arg ? required_argument : no_argument;
		lo[*n].flag = NULL;
		lo[*n].val = 1000 + (int)*n;
		map[*n] = opts;
		(*n)++;
		if (opts->short_name) {
			buf_addc(so, (char)opts->short_name);
			if (opts->has_arg)
				buf_addc(so, ':');
		}
	}
}

/* Maps getopt's return value to the option it stands for. */
static const struct cmd_opt *which_opt(int c, const struct cmd_opt *const *map, size_t n,
				       const struct cmd_entry *e)
{
	if (c >= 1000 && (size_t)(c - 1000) < n)
		return map[c - 1000];
	for (size_t i = 0; i < n; i++)
		if (map[i]->short_name == c)
			return map[i];
	(void)e;
	return NULL;
}

/* Applies --key-file, --scheme, --cipher or --app; returns 0 or an exit code. */
static int crypto_option(struct cmd_ctx *ctx, int key, const char *arg)
{
	char *cause = NULL;
	if (key == OPT_KEY_FILE) {
		free(ctx->key_file);
		ctx->key_file = xstrdup(arg);
	} else if (key == OPT_SCHEME && crypt_scheme_parse(arg, &ctx->scheme) < 0) {
		cmd_error("--scheme: expected auto, none, openssl or laravel, got '%s'", arg);
		return EXIT_USAGE;
	} else if (key == OPT_CIPHER && crypt_cipher_check(arg, &cause) < 0) {
		cmd_error("--cipher: %s", cause);
		free(cause);
		return EXIT_USAGE;
	} else if (key == OPT_CIPHER) {
		free(ctx->cipher);
		ctx->cipher = xstrdup(arg);
	} else if (key == OPT_APP && app_parse(arg, &ctx->app) < 0) {
		cmd_error("--app: expected php, laravel or symfony, got '%s'", arg);
		return EXIT_USAGE;
	}
	return 0;
}

/* Applies a common option to ctx; returns 0 or an exit code. */
/* Sets one of the --tls options; the settings are made again on the next use. */
static void tls_option(struct cmd_ctx *ctx, int key, const char *arg)
{
	char **s = key == OPT_TLS_CA ? &ctx->tls_ca : key == OPT_TLS_CERT ? &ctx->tls_cert :
		   key == OPT_TLS_KEY ? &ctx->tls_key :
		   key == OPT_TLS_SERVERNAME ? &ctx->tls_servername : NULL;
	if (s) {
		free(*s);
		*s = xstrdup(arg);
	}
	if (key == OPT_TLS)
		ctx->tls = 1;
	if (key == OPT_TLS_INSECURE)
		ctx->tls_insecure = 1;
	tls_conf_unref(ctx->tls_conf);	/* the pools that use it keep their reference */
	ctx->tls_conf = NULL;
}

static int common_option(struct cmd_ctx *ctx, const struct cmd_entry *e, int key, const char *arg)
{
	double secs;
	long n = 0;
	switch (key) {
	case OPT_SERVERS:
		free(ctx->servers);
		ctx->servers = xstrdup(arg);
		ctx->servers_from_env = 0;
		break;
	case OPT_PREFIX:
		free(ctx->prefix);
		ctx->prefix = xstrdup(arg);
		ctx->prefix_given = 1;
		break;
	case OPT_DIST:
		if (pool_dist_parse(arg, &ctx->dist) < 0) {
			cmd_error("--distribution: expected ketama, ketama_weighted or modula, got '%s'", arg);
			return EXIT_USAGE;
		}
		ctx->dist_given = 1;
		break;
	case OPT_TIMEOUT:
		if (parse_duration(arg, &secs) < 0 || secs < 0.001 || secs > 3600) {
			cmd_error("--timeout: expected seconds between 0.001 and 3600, got '%s'", arg);
			return EXIT_USAGE;
		}
		ctx->timeout_ms = (int)(secs * 1000 + 0.5);
		break;
	case OPT_THREADS:
		if (cmd_parse_count("threads", arg, &n) < 0)
			return EXIT_USAGE;
		if (n < 1 || n > 64) {
			cmd_error("--threads: expected a number from 1 to 64, got '%s'", arg);
			return EXIT_USAGE;
		}
		ctx->threads = (int)n;
		break;
	case OPT_HELP:
		command_usage(e, stdout);
		return -1;
	case OPT_USERNAME:
		free(ctx->username);
		ctx->username = xstrdup(arg);
		break;
	case OPT_PASSWORD_FILE:
		free(ctx->password_file);
		ctx->password_file = xstrdup(arg);
		break;
	case OPT_SASL:
		ctx->sasl = 1;
		break;
	case OPT_TLS:
	case OPT_TLS_INSECURE:
	case OPT_TLS_CA:
	case OPT_TLS_CERT:
	case OPT_TLS_KEY:
	case OPT_TLS_SERVERNAME:
		tls_option(ctx, key, arg);
		break;
	default:
		if (crypto_option(ctx, key, arg))
			return EXIT_USAGE;
		break;
	}
	if (ctx->have_pool && key != OPT_HELP) {
		pool_release(&ctx->pool);
		ctx->have_pool = 0;
	}
	return 0;
}

/* Parses argv into args (command options) and ctx (common options). */
static int parse_args(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc, char **argv,
		      struct cmd_args *args)
{
	struct option lo[96];
	const struct cmd_opt *map[96];
	size_t n = 0;
	struct buf so = BUF_INIT;
	buf_adds(&so, ":");
	add_opts(common_opts, lo, &n, &so, map);
	add_opts(e->opts, lo, &n, &so, map);
	memset(&lo[n], 0, sizeof(lo[n]));
	int ret = 0;
	optind = 0;	/* 0, not 1: glibc then forgets a half-read option cluster of the last call */
	opterr = 0;
	int c;
	while (ret == 0 && (c = getopt_long(argc, argv, so.ptr, lo, NULL)) != -1) {
		const struct cmd_opt *o = which_opt(c, map, n, e);
		if (c == '?' || c == ':' || !o) {
			/* a short option inside a cluster (-Xj) is named by optopt, not argv */
			char shortopt[3] = { '-', (char)optopt, '\0' };
			const char *word = optind > 0 && optind <= argc ? argv[optind - 1] : NULL;
			const char *bad = optopt && (!word || strncmp(word, "--", 2) != 0) ? shortopt : word;
			cmd_error("%s: %s '%s'", e->name, c == ':' ? "missing value for" :
				  "unknown option", bad ? bad : "?");
			command_usage(e, stderr);
			ret = EXIT_USAGE;
		} else if (o->key < 0) {
			ret = common_option(ctx, e, o->key, optarg);
		} else if (args->n_opts < sizeof(args->opts) / sizeof(args->opts[0])) {
			args->opts[args->n_opts].key = o->key;
			args->opts[args->n_opts++].arg = optarg;
		}
	}
	buf_release(&so);
	args->pos = argv + optind;
	args->n_pos = argc - optind;
	return ret;
}

int cmd_dispatch(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = cmd_find(argv[0]);
	if (!e) {
		cmd_error("unknown or ambiguous command '%s'", argv[0]);
		usage(stderr);
		return EXIT_USAGE;
	}
	struct cmd_args args;
	memset(&args, 0, sizeof(args));
	int ret = parse_args(ctx, e, argc, argv, &args);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if ((e->needs & NEED_POOL) && (ret = cmd_pool(ctx)) != 0)
		return ret;
	if ((e->needs & NEED_KEY) && (ret = cmd_keys(ctx, 0)) != 0)
		return ret;
	out_errno = 0;
	ret = e->run(ctx, &args);
	if (fflush(stdout) != 0 || cmd_output_failed()) {
		cmd_output_failed();
		if (out_errno != EPIPE)
			cmd_error("write error on standard output: %s", strerror(out_errno));
		clearerr(stdout);
		return EXIT_IO;
	}
	return ret;
}

/* Splits the common options that stand before the command name. */
static int leading_options(struct cmd_ctx *ctx, int argc, char **argv, int *first)
{
	static const struct cmd_entry top = { .name = "memcsess", .usage = "<command> [options]",
		.summary = "Show and handle PHP sessions in a memcached pool." };
	int i = 1;
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return -1;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("memcsess %s (%s)\n", MEMCSESS_VERSION, MEMCSESS_BUILD);
			return -1;
		}
		const struct cmd_opt *o = NULL;
		const char *arg = NULL;
		for (size_t k = 0; common_opts[k].name && !o; k++) {
			size_t len = strlen(common_opts[k].name);
			const char *a = argv[i];
			if (strncmp(a, "--", 2) == 0 && strncmp(a + 2, common_opts[k].name, len) == 0 &&
			    (a[2 + len] == '\0' || a[2 + len] == '='))
				o = &common_opts[k];
			else if (a[1] == common_opts[k].short_name && a[1] && a[2] == '\0')
				o = &common_opts[k];
			if (o && o->has_arg)
				arg = strchr(a, '=') ? strchr(a, '=') + 1 : (i + 1 < argc ? argv[++i] : NULL);
		}
		if (!o || (o->has_arg && !arg)) {
			cmd_error("unknown option or missing value: '%s'", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
		int r = common_option(ctx, &top, o->key, arg);
		if (r)
			return r;
		i++;
	}
	*first = i;
	return 0;
}

/* Commands that write many lines get a large output buffer when it goes to a file or a pipe:
 * a dump of a million sessions is then a few thousand writes, not a million. (Before any
 * output; the shell keeps its own.) */
static void bulk_output(const char *cmd)
{
	static const char *const bulk[] = { "dump", "list", "decode" };
	static char big[1 << 20];
	struct stat st;
	if (isatty(STDOUT_FILENO))
		return;
	for (size_t i = 0; i < sizeof(bulk) / sizeof(bulk[0]); i++) {
		if (strcmp(cmd, bulk[i]) != 0)
			continue;
		setvbuf(stdout, big, _IOFBF, sizeof(big));
		/* a pipe from the streams (dump | migrate) as big as the buffer: one wake-up a
		 * megabyte, not sixteen; where the system allows less, the pipe stays as it was */
		if (strcmp(cmd, "list") != 0 && fstat(STDOUT_FILENO, &st) == 0 &&
		    S_ISFIFO(st.st_mode))
			(void)fcntl(STDOUT_FILENO, F_SETPIPE_SZ, (int)sizeof(big));
	}
}

int main(int argc, char **argv)
{
	struct cmd_ctx ctx;
	int first = 1;
	signal(SIGPIPE, SIG_IGN);
	cmd_ctx_init(&ctx);
	int ret = leading_options(&ctx, argc, argv, &first);
	if (ret == 0 && first >= argc && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		static char shell[] = "shell";	/* no command on a terminal: the shell */
		char *shell_argv[] = { shell, NULL };
		ret = cmd_dispatch(&ctx, 1, shell_argv);
	} else if (ret == 0 && first >= argc) {
		usage(stderr);
		ret = EXIT_USAGE;
	} else if (ret == 0 && strcmp(argv[first], COMPLETE_SPEC_COMMAND) == 0) {
		ret = complete_spec_write(stdout) ? EXIT_IO : EXIT_OK;
	} else if (ret == 0) {
		bulk_output(argv[first]);
		ret = cmd_dispatch(&ctx, argc - first, argv + first);
	}
	cmd_ctx_release(&ctx);
	return ret < 0 ? EXIT_OK : ret;
}
