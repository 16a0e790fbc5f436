/* inspect.c: memcsess inspect <sid>: one session, where it lives and what it holds. */
#include "commands.h"
#include "mc/meta.h"
#include "record.h"
#include "mc/store.h"
#include "util.h"
#include "php/handlers.h"
#include "php/value.h"
#include "php/value_text.h"
#include "session_decode.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { O_JSON = 1, O_RAW, O_HANDLER };
static const struct cmd_opt inspect_opts[] = {
	{ "json", 'j', 0, O_JSON },
	{ "raw", 0, 0, O_RAW },
	{ "handler", 0, ARG_HANDLER, O_HANDLER },
	{ NULL, 0, 0, 0 },
};

struct found {
	struct sess_rec rec;
	struct buf key, value;
	int home_ok;		/* the home server answered */
	int copies;		/* servers other than home holding the key */
	struct buf copy_names;
};

/* Asks server i of a SASL pool for key over the binary protocol, which tells no TTL and no
 * last access. Returns 0, or -1 after printing why. */
static int ask_binary(const struct pool *p, size_t i, const struct buf *key,
		      struct mg_reply *rep, struct buf *out)
{
	struct store st;
	struct store_req r = { .op = ST_GET, .server = i, .key = key->ptr, .key_len = key->len };
	store_init(&st, p);
	store_run(&st, &r, 1);
	store_release(&st);
	memset(rep, 0, sizeof(*rep));
	rep->found = r.status == ST_DONE;
	rep->flags = r.got_flags;
	rep->cas = r.got_cas;
	rep->ttl = rep->idle = TTL_UNKNOWN;
	rep->size = r.got.len;
	if (out && rep->found)
		buf_add(out, r.got.ptr, r.got.len);
	if (r.status == ST_ERROR)
		cmd_error("%s", r.error ? r.error : "failed");
	int ret = r.status == ST_ERROR ? -1 : 0;
	store_reqs_release(&r, 1);
	return ret;
}

/* Asks server i for key; fills rep. Returns 0, or -1 after printing why. */
static int ask(const struct pool *p, size_t i, const struct buf *key, int value,
	       struct mg_reply *rep, struct buf *out)
{
	if (p->sasl)
		return ask_binary(p, i, key, rep, value ? out : NULL);
	struct conn c;
	char *cause = NULL;
	int r = conn_open(&c, &p->servers[i], p->timeout_ms, &cause);
	if (r == 0)
		r = meta_get(&c, key->ptr, key->len, value, rep, out, &cause);
	if (r < 0) {
		cmd_error("%s", cause);
		free(cause);
	}
	if (r == 0)
		conn_park(&c);
	else if (c.fd >= 0)
		conn_close(&c);
	return r;
}

/* Looks the session up on its home server and checks the others for stray copies. */
static void lookup(const struct pool *p, const char *sid, struct found *f)
{
	size_t home = pool_home(p, sid, strlen(sid));
	struct mg_reply rep;
	time_t now = time(NULL);
	f->home_ok = ask(p, home, &f->key, 1, &rep, &f->value) == 0;
	struct sess_rec *r = &f->rec;
	r->server = r->home = home;
	r->locked = -1;
	if (f->home_ok && rep.found) {
		r->have_meta = 1;
		r->flags = rep.flags;
		r->cas = rep.cas;
		r->ttl = rep.ttl;
		r->exp = rep.ttl < 0 ? (rep.ttl == TTL_UNKNOWN ? TTL_UNKNOWN : -1) : now + rep.ttl;
		r->idle = rep.idle;
		r->la = rep.idle < 0 ? -1 : now - rep.idle;
		r->value = f->value.ptr ? f->value.ptr : "";
		r->value_len = f->value.len;
	}
	for (size_t i = 0; i < p->n; i++) {
		struct mg_reply other;
		if (i == home || ask(p, i, &f->key, 0, &other, NULL) < 0 || !other.found)
			continue;
		f->copies++;
		buf_printf(&f->copy_names, "%s%s", f->copy_names.len ? ", " : "", p->servers[i].name);
	}
}

/* Looks up the session's lock key on the server PHP puts it. */
static void lookup_lock(const struct pool *p, const char *sid, struct sess_rec *r)
{
	struct buf hashed = BUF_INIT, key = BUF_INIT;
	struct mg_reply rep;
	buf_printf(&hashed, "lock.%s", sid);
	buf_printf(&key, "%s%s", p->prefix, hashed.ptr);
	size_t i = pool_home(p, hashed.ptr, hashed.len);
	if (ask(p, i, &key, 0, &rep, NULL) == 0) {
		r->locked = rep.found;
		r->lock_ttl = rep.ttl;
	}
	buf_release(&hashed);
	buf_release(&key);
}

static int print_data(const struct sess_rec *r, const struct decode_opts *o);

/* The ttl and last access lines; over the binary protocol (SASL) neither can be read. */
static void print_times(const struct sess_rec *r)
{
	char a[64], b[64];
	if (r->ttl == TTL_UNKNOWN) {
		printf("ttl          unknown (binary protocol)\n");
		printf("last access  unknown (binary protocol)\n");
		return;
	}
	fmt_duration(r->ttl, a, sizeof(a));
	fmt_time(r->exp, b, sizeof(b));
	printf("ttl          %s%s%s%s\n", a, r->exp >= 0 ? " (expires " : "", r->exp >= 0 ? b : "",
	       r->exp >= 0 ? ")" : "");
	fmt_duration(r->idle, a, sizeof(a));
	fmt_time(r->la, b, sizeof(b));
	printf("last access  %s ago (%s)\n", r->idle < 0 ? "?" : a, b);
}

static int print_human(const struct cmd_ctx *ctx, const struct found *f, const struct decode_opts *o)
{
	const struct pool *p = &ctx->pool;
	const struct sess_rec *r = &f->rec;
	char a[64];
	printf("session      %.*s\n", (int)r->sid_len, r->sid);
	printf("key          %s\n", f->key.ptr);
	printf("server       %s (where %s reads it)\n", p->servers[r->home].name, app_reader(ctx->app));
	if (f->copies)
		printf("copies       %s (%s does not read these)\n", f->copy_names.ptr, app_reader(ctx->app));
	print_times(r);
	printf("size         %zu bytes\n", r->value_len);
	printf("flags        %u\n", r->flags);
	printf("cas          %llu\n", (unsigned long long)r->cas);
	fmt_duration(r->lock_ttl, a, sizeof(a));
	if (r->locked == 1)
		printf("lock         held (expires: %s)\n", a);
	else
		printf("lock         %s\n", r->locked == 0 ? "none" : "unknown");
	return print_data(r, o);
}

/* The crypto lines: what compression and encryption were found, and how decrypting went. */
static void print_crypto(const struct decode_info *d)
{
	if (d->compression != COMPRESS_NONE)
		printf("compression  %s\n", compress_name(d->compression));
	if (d->scheme != CRYPT_NONE && d->key_index)
		printf("encryption   %s %s, decrypted with key %d\n", crypt_scheme_name(d->scheme),
		       d->cipher, d->key_index);
	else if (d->scheme != CRYPT_NONE && d->status == DECODE_ENCRYPTED)
		printf("encryption   %s %s, not decrypted (%s)\n", crypt_scheme_name(d->scheme),
		       d->cipher, d->error[0] ? d->error : "no key: --key-file or MEMCSESS_KEY");
	else if (d->scheme != CRYPT_NONE)
		printf("encryption   %s %s, cannot decrypt: %s\n", crypt_scheme_name(d->scheme),
		       d->cipher, d->error);
	if (d->inner_found)
		printf("encrypted    %zu value%s inside, %zu decrypted%s%s\n", d->inner_found,
		       d->inner_found == 1 ? "" : "s", d->inner_decrypted,
		       d->inner_failed ? "; cannot decrypt " : "", d->inner_error);
}

/* Prints the handler and the data tree (or why there is none); returns an exit code. */
static int print_data(const struct sess_rec *r, const struct decode_opts *o)
{
	struct decode_info d;
	struct pv *v = session_decode(r, o, &d);
	printf("handler      %s\n", session_handler(&d));
	print_crypto(&d);
	if (d.trailing)
		printf("warning      %zu byte%s after the array, which PHP ignores\n", d.trailing,
		       d.trailing == 1 ? "" : "s");
	if (!v) {
		if (d.status == DECODE_FAILED)
			printf("data         cannot decode at byte %zu: %s\n", d.err.offset, d.err.msg);
		else if (d.status == DECODE_UNCOMPRESS_FAILED)
			printf("data         cannot decompress: %s\n", d.error);
		else
			printf("data         (encrypted)\n");
		return session_failed(&d) ? EXIT_PARTIAL : EXIT_OK;
	}
	struct buf tree = BUF_INIT;
	pv_format_tree(v, &tree);
	printf("data%s\n", v->n_items ? "" : "         (empty)");
	/* the tree, indented under "data" */
	for (const char *line = tree.ptr; line && *line; ) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		printf("  %.*s\n", (int)n, line);
		line += n + (nl ? 1 : 0);
	}
	buf_release(&tree);
	pv_free(v);
	return session_failed(&d) ? EXIT_PARTIAL : EXIT_OK;
}

static int inspect_options(const struct cmd_args *a, int *mode, enum sess_handler *h)
{
	for (size_t i = 0; i < a->n_opts; i++) {
		switch (a->opts[i].key) {
		case O_JSON: *mode = O_JSON; break;
		case O_RAW: *mode = O_RAW; break;
		case O_HANDLER:
			if (sess_handler_parse(a->opts[i].arg, h) < 0) {
				cmd_error("--handler: expected php, php_binary, php_serialize or "
					  "igbinary, got '%s'", a->opts[i].arg);
				return EXIT_USAGE;
			}
			break;
		}
	}
	if (a->n_pos != 1) {
		cmd_error("inspect: expected one session id, got %d", a->n_pos);
		return EXIT_USAGE;
	}
	return 0;
}

/* Prints the session in the chosen form; returns an exit code. */
static int show(const struct cmd_ctx *ctx, struct found *f, int mode, enum sess_handler h)
{
	const struct pool *p = &ctx->pool;
	if (mode == O_RAW) {
		fwrite(f->rec.value, 1, f->rec.value_len, stdout);
		return EXIT_OK;
	}
	struct decode_opts opts;
	cmd_decode_opts(ctx, h, 1, &opts);
	if (mode == O_JSON) {
		struct decode_info d;
		json_t *o = record_to_json_opts(p, &f->rec, RECORD_VALUE | RECORD_DATA, &opts, &d);
		if (f->copies)
			json_object_set_new(o, "copies_on", json_string(f->copy_names.ptr));
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(o);
		return session_failed(&d) ? EXIT_PARTIAL : EXIT_OK;
	}
	return print_human(ctx, f, &opts);
}

static int inspect_run(struct cmd_ctx *ctx, const struct cmd_args *a)
{
	int mode = 0;
	enum sess_handler h = SESS_UNKNOWN;
	int ret = inspect_options(a, &mode, &h);
	if (ret)
		return ret;
	const char *sid = a->pos[0];
	struct found f;
	memset(&f, 0, sizeof(f));
	buf_printf(&f.key, "%s%s", ctx->pool.prefix, sid);
	f.rec.key = f.key.ptr;
	f.rec.key_len = f.key.len;
	scan_classify(ctx->pool.prefix, ctx->pool.prefix_len, &f.rec);
	if (strlen(sid) == 0) {
		cmd_error("inspect: the session id is empty");
		ret = EXIT_USAGE;
	} else if (f.key.len > MC_MAX_KEY) {
		cmd_error("inspect: key '%s' is longer than memcached's %d bytes", f.key.ptr, MC_MAX_KEY);
		ret = EXIT_USAGE;
	} else {
		lookup(&ctx->pool, sid, &f);
		if (!f.home_ok) {
			ret = EXIT_POOL;
		} else if (!f.rec.have_meta) {
			cmd_error("session %s not found on %s (where %s reads it)%s%s", sid,
				  ctx->pool.servers[f.rec.home].name, app_reader(ctx->app),
				  f.copies ? "; stray copies on " : "", f.copies ? f.copy_names.ptr : "");
			ret = EXIT_PARTIAL;
		} else {
			lookup_lock(&ctx->pool, sid, &f.rec);
			ret = show(ctx, &f, mode, h);
		}
	}
	buf_release(&f.key);
	buf_release(&f.value);
	buf_release(&f.copy_names);
	return ret;
}

const struct cmd_entry cmd_inspect_entry = {
	.name = "inspect",
	.usage = "[--json | --raw] [--handler H] <sid>",
	.summary = "show one session: where it lives, its metadata and its decoded data",
	.needs = NEED_POOL | NEED_KEY,
	.opts = inspect_opts,
	.operands = ARG_SID,
	.run = inspect_run,
};
