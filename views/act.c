/* act.c: the actions on sessions (expire, touch): asked for, confirmed with a sentence naming
 * what will happen, then run on a background thread so a slow server never freezes the
 * screen. Each outcome is also written to stderr (shown after the console ends). */
#include "views.h"
#include "mc/actions.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct act_job {
	const struct pool *pool;
	int deleting;		/* expire; else touch */
	int64_t ttl;
	char **sids;
	size_t *servers;
	size_t n;
	int *outcome;		/* per session: 1 done, 0 not found, -1 failed */
	char **cause;
	void (*wake)(void *);
	void *wake_arg;
	pthread_t tid;
	int done;		/* atomic */
};

/* Copies the targets into a new job (not started). */
static struct act_job *job_new(struct top *t, const struct act_target *tg, size_t n, int del)
{
	struct act_job *j = xcalloc(1, sizeof(*j));
	j->pool = t->pool;
	j->deleting = del;
	j->n = n;
	j->sids = xcalloc(n, sizeof(*j->sids));
	j->servers = xcalloc(n, sizeof(*j->servers));
	j->outcome = xcalloc(n, sizeof(*j->outcome));
	j->cause = xcalloc(n, sizeof(*j->cause));
	for (size_t i = 0; i < n; i++) {
		j->sids[i] = xstrdup(tg[i].sid);
		j->servers[i] = tg[i].server;
	}
	j->wake = t->wake;
	j->wake_arg = t->wake_arg;
	return j;
}

static void job_free(struct act_job *j)
{
	for (size_t i = 0; i < j->n; i++) {
		free(j->sids[i]);
		free(j->cause[i]);
	}
	free(j->sids);
	free(j->servers);
	free(j->outcome);
	free(j->cause);
	free(j);
}

static void *job_run(void *arg)
{
	struct act_job *j = arg;
	struct buf key = BUF_INIT;
	for (size_t i = 0; i < j->n; i++) {
		buf_reset(&key);
		buf_printf(&key, "%s%s", j->pool->prefix, j->sids[i]);
		if (j->deleting)
			j->outcome[i] = sess_delete(j->pool, j->servers[i], key.ptr, key.len, &j->cause[i]);
		else
			j->outcome[i] = sess_touch(j->pool, j->servers[i], key.ptr, key.len, j->ttl,
						   &j->cause[i]);
	}
	buf_release(&key);
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

/* "session SID on SERVER" or "3 marked sessions (SID on SERVER, ...)" into out. */
static void describe(const struct top *t, const struct act_job *j, struct buf *out)
{
	if (j->n == 1) {
		buf_printf(out, "session %s on %s", j->sids[0], t->pool->servers[j->servers[0]].name);
		return;
	}
	buf_printf(out, "%zu marked sessions (", j->n);
	for (size_t i = 0; i < j->n && i < NAMED_MAX; i++)
		buf_printf(out, "%s%s on %s", i ? ", " : "", j->sids[i],
			   t->pool->servers[j->servers[i]].name);
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
	describe(t, j, &what);
	prompt_ask(t, 1, confirmed, j, "Expire (delete) %s? PHP will start an empty session "
		   "for %s. [y/N] ", what.ptr, n == 1 ? "this id" : "these ids");
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
	describe(t, j, &what);
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
	describe(t, j, &what);
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

/* Publishes the outcomes of j as results, on stderr, and on the status line. */
static void report(struct top *t, struct act_job *j)
{
	size_t ok = 0, gone = 0, failed = 0;
	const char *verb = j->deleting ? "expired" : "touched";
	results_release(t);
	t->results = xcalloc(j->n, sizeof(*t->results));
	for (size_t i = 0; i < j->n; i++) {
		const char *srv = t->pool->servers[j->servers[i]].name;
		struct act_result *r = &t->results[t->n_results++];
		r->sid = xstrdup(j->sids[i]);
		r->server = j->servers[i];
		r->deleted = j->deleting && j->outcome[i] >= 0;
		r->touched = !j->deleting && j->outcome[i] == 1;
		r->exp = j->ttl ? (int64_t)time(NULL) + j->ttl : -1;
		if (j->outcome[i] == 1) {
			ok++;
			fprintf(stderr, "memcsess: %s session %s on %s\n", verb, j->sids[i], srv);
		} else if (j->outcome[i] == 0) {
			gone++;
			fprintf(stderr, "memcsess: session %s not found on %s\n", j->sids[i], srv);
		} else {
			failed++;
			fprintf(stderr, "memcsess: %s\n", j->cause[i]);
		}
	}
	t->results_gen++;
	if (j->n == 1 && ok)
		top_status(t, 0, "%s session %s on %s", verb, j->sids[0],
			   t->pool->servers[j->servers[0]].name);
	else if (j->n == 1 && gone)
		top_status(t, 1, "session %s was not found on %s (already gone)", j->sids[0],
			   t->pool->servers[j->servers[0]].name);
	else if (j->n == 1)
		top_status(t, 1, "%s", j->cause[0]);
	else
		top_status(t, failed > 0, "%s %zu sessions, %zu not found, %zu failed", verb, ok,
			   gone, failed);
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
