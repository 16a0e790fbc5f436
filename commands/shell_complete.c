/* shell_complete.c: Tab in memcsess shell. Completes command names (from the command table,
 * so every command is known), the option names of the command being typed, session ids (from
 * the last list and a look-up on the pool), server addresses, the values an option takes and
 * file names (after > and >>, and where a command or option takes a FILE); what an option or
 * a command's operands take is in their tables (opt_arg.h). */
#include "shell_complete.h"
#include "shell_builtins.h"
#include "mc/scan.h"
#include "tokenize.h"
#include "util.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define LOOKUP_MAX 200		/* session ids one look-up on the pool collects at most */
#define LOOKUP_TIMEOUT_MS 500	/* per server */
#define LOOKUP_DEADLINE_MS 1500	/* for the whole look-up: a Tab never hangs */
#define LIST_MAX 100		/* candidates listed at most */

/* The word being completed and what it could become. */
struct completion {
	const char *base;	/* the typed part the candidates extend */
	struct strlist cands;
	int partial;		/* the candidates may not be all: never extend the word with them */
	const char *note;	/* said under the list of candidates */
};

static void add_if(struct completion *c, const char *s)
{
	if (strncmp(s, c->base, strlen(c->base)) == 0)
		strlist_add(&c->cands, s);
}

static void add_names(struct completion *c, const char *const *names)
{
	for (; *names; names++)
		add_if(c, *names);
}

static void add_commands(struct completion *c)
{
	for (size_t i = 0; cmd_table[i]; i++)
		if (cmd_table[i] != &cmd_shell_entry)
			add_if(c, cmd_table[i]->name);
	for (const struct shell_builtin *b = shell_builtins; b->name; b++)
		add_if(c, b->name);
}

static void add_options(struct completion *c, const struct cmd_opt *opts)
{
	for (; opts && opts->name; opts++) {
		char *s = xasprintf("--%s", opts->name);
		add_if(c, s);
		free(s);
	}
}

/* Server lists are comma-separated: only the part after the last comma is completed. */
static void add_servers(struct shell *sh, struct completion *c)
{
	const char *comma = strrchr(c->base, ',');
	if (comma)
		c->base = comma + 1;
	for (size_t i = 0; i < sh->servers_seen.n; i++)
		add_if(c, sh->servers_seen.v[i]);
}

/* The names in the directory of the typed path that extend it; a directory gets a slash. A
 * leading ~/ is the home directory, as in a redirection. Dot files only when asked for. */
static void add_files(struct completion *c)
{
	const char *slash = strrchr(c->base, '/'), *home = getenv("HOME");
	char *dir = slash ? xstrndup(c->base, (size_t)(slash - c->base) + 1) : xstrdup("./");
	if (dir[0] == '~' && dir[1] == '/' && home) {
		char *abs = xasprintf("%s%s", home, dir + 1);
		free(dir);
		dir = abs;
	}
	c->base = slash ? slash + 1 : c->base;
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if ((de->d_name[0] == '.' && c->base[0] != '.') || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		char *path = xasprintf("%s%s", dir, de->d_name);
		struct stat st;
		int is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
		char *name = xasprintf("%s%s", de->d_name, is_dir ? "/" : "");
		add_if(c, name);
		free(name);
		free(path);
	}
	if (d)
		closedir(d);
	free(dir);
}

static volatile sig_atomic_t lookup_expired;

static void on_alarm(int sig)
{
	(void)sig;
	lookup_expired = 1;
}

struct lookup {
	struct completion *c;
	size_t found;
};

static int on_sid(const struct sess_rec *r, void *arg)
{
	struct lookup *lk = arg;
	if (r->kind != REC_SESSION)
		return 0;
	char *sid = xstrndup(r->sid, r->sid_len);
	add_if(lk->c, sid);
	free(sid);
	return ++lk->found >= LOOKUP_MAX;
}

/* The fnmatch pattern of every sid starting with prefix; returns new. */
static char *prefix_glob(const char *prefix)
{
	struct buf g = BUF_INIT;
	for (const char *p = prefix; *p; p++) {
		if (strchr("*?[\\", *p))
			buf_addc(&g, '\\');
		buf_addc(&g, *p);
	}
	buf_addc(&g, '*');
	return buf_detach(&g, NULL);
}

/* Runs the scan with an alarm that cancels it after the deadline; returns scan_pool's value. */
static int scan_with_deadline(const struct pool *p, const struct scan_opts *so, void *arg,
			      struct scan_server *res)
{
	struct sigaction sa, old;
	struct itimerval on, off;
	memset(&sa, 0, sizeof(sa));
	memset(&on, 0, sizeof(on));
	memset(&off, 0, sizeof(off));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	on.it_value.tv_sec = LOOKUP_DEADLINE_MS / 1000;
	on.it_value.tv_usec = LOOKUP_DEADLINE_MS % 1000 * 1000;
	lookup_expired = 0;
	sigaction(SIGALRM, &sa, &old);
	setitimer(ITIMER_REAL, &on, NULL);
	int r = scan_pool(p, so, on_sid, arg, res);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	return r;
}

/* Asks the pool for the sids starting with the typed part (keys only, a small cap). */
static void lookup_sids(struct shell *sh, struct completion *c)
{
	struct cmd_ctx *ctx = sh->ctx;
	if (cmd_pool(ctx) != 0)
		return;
	struct pool p = ctx->pool;	/* the same pool, with a shorter timeout */
	if (p.timeout_ms > LOOKUP_TIMEOUT_MS)
		p.timeout_ms = LOOKUP_TIMEOUT_MS;
	char *glob = prefix_glob(c->base);
	struct scan_opts so = { .sid_glob = glob, .cancel = &lookup_expired };
	struct scan_server *res = xcalloc(p.n, sizeof(*res));
	struct lookup lk = { c, 0 };
	if (scan_with_deadline(&p, &so, &lk, res) != 0) {
		c->partial = 1;
		c->note = "more sessions match: type more of the id";
	} else if (lookup_expired) {
		c->partial = 1;
		c->note = "the pool was slow to answer: these may not be all";
	}
	scan_server_release(res, p.n);
	free(res);
	free(glob);
}

static void add_sids(struct shell *sh, struct completion *c)
{
	for (size_t i = 0; i < sh->listing.n; i++)
		add_if(c, sh->listing.v[i]);
	lookup_sids(sh, c);
}

/* The option of e, or common option, that word names ("--sort", "-n"); NULL if none. */
static const struct cmd_opt *find_opt(const struct cmd_entry *e, const char *word)
{
	const struct cmd_opt *tables[] = { e->opts, common_opts };
	if (word[0] != '-')
		return NULL;
	for (size_t t = 0; t < 2; t++)
		for (const struct cmd_opt *o = tables[t]; o && o->name; o++)
			if ((word[1] == '-' && strcmp(word + 2, o->name) == 0) ||
			    (o->short_name && word[1] == o->short_name && !word[2]))
				return o;
	return NULL;
}

/* Candidates for a value of kind a (an option's, or a command's operand), where the shell
 * knows them: opt_arg.c's table, the same one the bash and zsh completions are made from. */
static void add_values(struct shell *sh, struct completion *c, enum opt_arg a)
{
	const char *comma = strrchr(c->base, ',');
	switch (a) {
	case ARG_SERVERS:
		add_servers(sh, c);
		break;
	case ARG_SID:
		add_sids(sh, c);
		break;
	case ARG_FILE:
		add_files(c);
		break;
	case ARG_EVENTS:	/* several, comma-separated: the part after the last comma */
		c->base = comma ? comma + 1 : c->base;
		add_names(c, opt_arg_choices(a));
		break;
	default:
		if (opt_arg_choices(a))
			add_names(c, opt_arg_choices(a));
		break;
	}
}

/* A command's arguments: options, option values, and its operands, as its tables say. */
static void add_command_args(struct shell *sh, struct completion *c, const struct cmd_entry *e,
			     char **words, size_t n)
{
	const char *eq = strchr(c->base, '=');
	if (c->base[0] == '-' && eq) {
		char *name = xstrndup(c->base, (size_t)(eq - c->base));
		const struct cmd_opt *o = find_opt(e, name);
		free(name);
		c->base = eq + 1;
		if (o && o->has_arg)
			add_values(sh, c, o->has_arg);
		return;
	}
	if (c->base[0] == '-') {
		add_options(c, e->opts);
		add_options(c, common_opts);
		return;
	}
	const struct cmd_opt *prev = n > 1 ? find_opt(e, words[n - 1]) : NULL;
	if (prev && prev->has_arg)
		add_values(sh, c, prev->has_arg);
	else
		add_values(sh, c, e->operands);
}

/* The common options that take a value, by name: what set accepts. */
static void add_settings(struct completion *c)
{
	for (const struct cmd_opt *o = common_opts; o->name; o++)
		if (o->has_arg)
			add_if(c, o->name);
}

/* A builtin's arguments. */
static void add_builtin_args(struct shell *sh, struct completion *c, char **words, size_t n)
{
	if (strcmp(words[0], "help") == 0 && n == 1)
		add_commands(c);
	else if (strcmp(words[0], "use") == 0)
		add_servers(sh, c);
	else if (strcmp(words[0], "set") == 0 && n == 1)
		add_settings(c);
	else if (strcmp(words[0], "set") == 0 && n == 2 && shell_setting(words[1]))
		add_values(sh, c, shell_setting(words[1])->has_arg);
}

/* Fills c for the word being typed: the last token of t, or a new word after it. */
static void gather(struct shell *sh, const struct tokens *t, struct completion *c)
{
	size_t n = t->ends_in_word ? t->n - 1 : t->n, k = 0;
	char **all = xcalloc(n + 1, sizeof(*all)), **words = all;
	const struct cmd_entry *e;
	for (size_t i = 0; i < n; i++) {
		enum token_kind kind = t->v[i].kind;
		int redirect = kind == TOKEN_OUT || kind == TOKEN_APPEND;
		if (kind == TOKEN_WORD) {
			words[k++] = t->v[i].text;
			continue;
		}
		if (redirect && i + 1 == n)
			add_files(c);	/* the word typed is the file after > or >> */
		if (!redirect || i + 1 == n) {	/* after | or <: nothing to offer */
			free(all);
			return;
		}
		i++;	/* the redirection's file is no argument */
	}
	n = k;
	if (n && strcmp(words[0], "memcsess") == 0) {
		words++;
		n--;
	}
	if (n == 0)
		add_commands(c);
	else if (shell_find_builtin(words[0]))
		add_builtin_args(sh, c, words, n);
	else if ((e = cmd_find(words[0])) != NULL)
		add_command_args(sh, c, e, words, n);
	free(all);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the candidates and drops repeats. */
static void sort_unique(struct strlist *l)
{
	size_t k = 0;
	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (size_t i = 0; i < l->n; i++) {
		if (k && strcmp(l->v[k - 1], l->v[i]) == 0)
			free(l->v[i]);
		else
			l->v[k++] = l->v[i];
	}
	l->n = k;
}

/* Inserts s at the cursor, escaped for the quote the word is in (0: none). */
static void insert_quoted(EditLine *el, const char *s, char quote)
{
	const char *special = quote == '"' ? "\"\\$`" : quote ? "" : " \t'\"\\<>|#";
	struct buf b = BUF_INIT;
	for (; *s; s++) {
		if (strchr(special, *s))
			buf_addc(&b, '\\');
		buf_addc(&b, *s);
	}
	if (b.len)
		el_insertstr(el, b.ptr);
	buf_release(&b);
}

/* Lists the candidates in columns under the line (which libedit then draws again). */
static void list_cands(EditLine *el, const struct completion *c)
{
	FILE *out = stdout;
	struct winsize ws;
	size_t width = 1, shown = c->cands.n < LIST_MAX ? c->cands.n : LIST_MAX;
	el_get(el, EL_GETFP, 1, &out);
	for (size_t i = 0; i < shown; i++)
		if (strlen(c->cands.v[i]) + 2 > width)
			width = strlen(c->cands.v[i]) + 2;
	size_t cols = ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
	cols = cols / width ? cols / width : 1;
	fputc('\n', out);
	for (size_t i = 0; i < shown; i++)
		fprintf(out, "%-*s%s", (int)width, c->cands.v[i],
			(i + 1) % cols == 0 || i + 1 == shown ? "\n" : "");
	if (c->cands.n > shown)
		fprintf(out, "(%zu more)\n", c->cands.n - shown);
	if (c->note)
		fprintf(out, "(%s)\n", c->note);
	fflush(out);
}

/* Extends the word: the whole candidate when it is the only one, else their common part;
 * when that adds nothing, lists them. */
static unsigned char complete_apply(EditLine *el, struct completion *c, char quote)
{
	size_t typed = strlen(c->base);
	sort_unique(&c->cands);
	if (c->cands.n == 0 && !c->note)
		return CC_ERROR;
	if (c->cands.n == 1 && !c->partial) {
		const char *cand = c->cands.v[0];
		char tail[3] = { quote, ' ', '\0' };
		insert_quoted(el, cand + typed, quote);
		size_t len = strlen(cand);
		if (!len || cand[len - 1] != '/')	/* a directory: its files come next */
			el_insertstr(el, quote ? tail : tail + 1);
		return CC_REFRESH;
	}
	const char *first = c->cands.n ? c->cands.v[0] : "", *last = c->cands.n ?
				 c->cands.v[c->cands.n - 1] : "";
	size_t common = 0;
	while (first[common] && first[common] == last[common])
		common++;
	if (common > typed && !c->partial) {
		char *part = xstrndup(first + typed, common - typed);
		insert_quoted(el, part, quote);
		free(part);
		return CC_REFRESH;
	}
	list_cands(el, c);
	return CC_REDISPLAY;
}

unsigned char shell_complete(EditLine *el, int ch)
{
	void *sh = NULL;
	const LineInfo *li = el_line(el);
	struct tokens t;
	struct completion c;
	char *cause = NULL;
	(void)ch;
	el_get(el, EL_CLIENTDATA, &sh);
	char *text = xstrndup(li->buffer, (size_t)(li->cursor - li->buffer));
	tokenize_line(text, 1, &t, &cause);
	memset(&c, 0, sizeof(c));
	c.base = t.ends_in_word ? t.v[t.n - 1].text : "";
	gather(sh, &t, &c);
	unsigned char ret = complete_apply(el, &c, t.open_quote);
	strlist_clear(&c.cands);
	tokens_release(&t);
	free(text);
	return ret;
}
