/* act.c: the actions on sessions (expire, touch): asked for, confirmed with a sentence naming
 * what will happen, then run on a background thread so a slow server never freezes the
 * screen. They are memcsess expire's (src/expire.c): every copy of each session, on every
 * server, and the same messages: the summary on the status line, it and each failure on
 * stderr (shown after the console ends). */
#include "views.h"
#include "expire.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct act_job {
	int deleting;		/* expire; else touch */
	int64_t ttl;
	char **sids;		/* distinct, sorted */
	size_t n;
	struct expire x;	/* the run: every copy and what became of it */
	char **errs;		/* the failures, as memcsess expire words them */
	size_t n_errs;
	void (*wake)(void *);
	void *wake_arg;
	pthread_t tid;
	int done;		/* atomic */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Copies the sessions of the targets (each once) into a new job (not started). */
static struct act_job *job_new(struct top *t, const struct act_target *tg, size_t n, int del)
{
	struct act_job *j = xcalloc(1, sizeof(*j));
	j->deleting = del;
	j->sids = xcalloc(n ? n : 1, sizeof(*j->sids));
	for (size_t i = 0; i < n; i++)
		j->sids[i] = xstrdup(tg[i].sid);
	qsort(j->sids, n, sizeof(*j->sids), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (j->n && strcmp(j->sids[j->n - 1], j->sids[i]) == 0)
			free(j->sids[i]);
		else
			j->sids[j->n++] = j->sids[i];
	}
	expire_init(&j->x, t->pool);
	j->wake = t->wake;
	j->wake_arg = t->wake_arg;
	return j;
}

static void job_free(struct act_job *j)
{
	for (size_t i = 0; i < j->n; i++)
		free(j->sids[i]);
	for (size_t i = 0; i < j->n_errs; i++)
		free(j->errs[i]);
	free(j->sids);
	free(j->errs);
	expire_release(&j->x);
	free(j);
}

/* Keeps a failure of the run (on the job's thread). */
static void on_note(void *arg, enum expire_note kind, const char *text)
{
	struct act_job *j = arg;
	if (kind != EXPIRE_ERROR)
		return;
	j->errs = xrealloc(j->errs, (j->n_errs + 1) * sizeof(*j->errs));
	j->errs[j->n_errs++] = xstrdup(text);
}

/* What memcsess expire [--ttl] SID... does, on the job's thread. */
static void *job_run(void *arg)
{
	struct act_job *j = arg;
	j->x.touch = !j->deleting;
	j->x.ttl = j->ttl;
	j->x.note = on_note;
	j->x.note_arg = j;
	for (size_t i = 0; i < j->n; i++) {
		char *cause = NULL;
		if (expire_add_sid(&j->x, j->sids[i], &cause) < 0) {
			on_note(j, EXPIRE_ERROR, cause);
			j->x.failed++;
			free(cause);
		}
	}
	expire_run(&j->x);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	if (j->wake)
		j->wake(j->wake_arg);
	return NULL;
}

static void job_start(struct top *t, struct act_job *j)
{
	t->act = j;
	if (pthread_create(&j->tid, NULL, job_run, j) != 0) {
		job_run(j);
		j->tid = pthread_self();
	}
	top_status(t, 0, "%s %zu session%s...", j->deleting ? "expiring" : "touching", j->n,
		   j->n == 1 ? "" : "s");
}

#define NAMED_MAX 5	/* marked sessions named one by one in a confirmation */

/* "every copy of session SID" or "every copy of 3 marked sessions (SID, ...)" into out. */
static void describe(const struct act_job *j, struct buf *out)
{
	if (j->n == 1) {
		buf_printf(out, "every copy of session %s", j->sids[0]);
		return;
	}
	buf_printf(out, "every copy of %zu marked sessions (", j->n);
	for (size_t i = 0; i < j->n && i < NAMED_MAX; i++)
		buf_printf(out, "%s%s", i ? ", " : "", j->sids[i]);
	if (j->n > NAMED_MAX)
		buf_printf(out, " and %zu more", j->n - NAMED_MAX);
	buf_addc(out, ')');
}

/* May an action start now? Says why not on the status line. */
static int may_act(struct top *t, const char *what, size_t n)
{
	if (t->readonly) {
		top_status(t, 1, "read-only (--readonly): %s is disabled", what);
		return 0;
	}
	if (t->act) {
		top_status(t, 1, "an action is still running");
		return 0;
	}
	if (n == 0) {
		top_status(t, 1, "no session selected");
		return 0;
	}
	return 1;
}

static void confirmed(struct top *t, int ok, const char *text, void *arg)
{
	struct act_job *j = arg;
	(void)text;
	if (!ok || t->act) {
		top_status(t, 0, "%s: cancelled, nothing changed", j->deleting ? "expire" : "touch");
		job_free(j);
		return;
	}
	job_start(t, j);
}

void act_expire(struct top *t, const struct act_target *targets, size_t n)
{
	if (!may_act(t, "expire", n))
		return;
	struct act_job *j = job_new(t, targets, n, 1);
	struct buf what = BUF_INIT;
	describe(j, &what);
	prompt_ask(t, 1, confirmed, j, "Expire (delete) %s? PHP will start an empty session "
		   "for %s. [y/N] ", what.ptr, j->n == 1 ? "this id" : "these ids");
	buf_release(&what);
}

/* The answer to "new TTL": asks for confirmation naming the TTL and the expiry. */
static void got_ttl(struct top *t, int ok, const char *text, void *arg)
{
	struct act_job *j = arg;
	int64_t ttl;
	if (!ok || !*text) {
		top_status(t, 0, "touch: cancelled, nothing changed");
		job_free(j);
		return;
	}
	if (ui_parse_ttl(text, &ttl) < 0) {
		top_status(t, 1, "touch: '%s' is not a TTL (try 1440, 30m, 2h, or 0 for never)", text);
		job_free(j);
		return;
	}
	j->ttl = ttl;
	char dur[32], when[48];
	fmt_duration(ttl ? ttl : -1, dur, sizeof(dur));
	fmt_time(ttl ? (int64_t)time(NULL) + ttl : -1, when, sizeof(when));
	struct buf what = BUF_INIT;
	describe(j, &what);
	if (ttl)
		prompt_ask(t, 1, confirmed, j, "Set the TTL of %s to %s (expires %s)? [y/N] ",
			   what.ptr, dur, when);
	else
		prompt_ask(t, 1, confirmed, j, "Make %s never expire (TTL 0)? [y/N] ", what.ptr);
	buf_release(&what);
}

void act_touch(struct top *t, const struct act_target *targets, size_t n)
{
	if (!may_act(t, "touch", n))
		return;
	struct act_job *j = job_new(t, targets, n, 0);
	struct buf what = BUF_INIT;
	describe(j, &what);
	prompt_ask(t, 0, got_ttl, j, "New TTL for %s (seconds, 30m, 2h; 0 never expires): ",
		   what.ptr);
	buf_release(&what);
}

static void results_release(struct top *t)
{
	for (size_t i = 0; i < t->n_results; i++)
		free(t->results[i].sid);
	free(t->results);
	t->results = NULL;
	t->n_results = 0;
}

/* Publishes what became of every copy as results, the failures and the summary on stderr (as
 * memcsess expire words them), and the summary on the status line with the first failure. */
static void report(struct top *t, struct act_job *j)
{
	const struct expire *x = &j->x;
	results_release(t);
	t->results = xcalloc(x->n ? x->n : 1, sizeof(*t->results));
	for (size_t i = 0; i < x->n; i++) {
		const struct expire_copy *c = &x->c[i];
		struct act_result *r = &t->results[t->n_results++];
		r->sid = xstrdup(c->key + c->sid_off);
		r->server = c->server;
		r->deleted = j->deleting && (c->state == EXPIRE_DONE || c->state == EXPIRE_GONE);
		r->touched = !j->deleting && c->state == EXPIRE_DONE;
		r->exp = x->exp;
	}
	t->results_gen++;
	for (size_t i = 0; i < j->n_errs; i++)
		fprintf(stderr, "memcsess: %s\n", j->errs[i]);
	char *sum = expire_summary(x);
	fprintf(stderr, "%s\n", sum);
	if (j->n_errs)
		top_status(t, 1, "%s; %s", sum, j->errs[0]);
	else
		top_status(t, x->failed > 0, "%s", sum);
	free(sum);
}

int act_update(struct top *t)
{
	struct act_job *j = t->act;
	if (!j || !__atomic_load_n(&j->done, __ATOMIC_ACQUIRE))
		return 0;
	if (!pthread_equal(j->tid, pthread_self()))
		pthread_join(j->tid, NULL);
	t->act = NULL;
	report(t, j);
	job_free(j);
	return 1;
}

void act_release(struct top *t)
{
	if (t->act) {
		if (!pthread_equal(t->act->tid, pthread_self()))
			pthread_join(t->act->tid, NULL);
		job_free(t->act);
		t->act = NULL;
	}
	results_release(t);
}
