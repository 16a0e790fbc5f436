/* test_fidelity.c: PHP's own test values (php-src and php-igbinary test suites, with what
 * PHP 8.2 makes of each) in ../shared/fidelity/php-src/cases.jsonl beside the repository
 * (found from argv[1], the golden directory): every `expect` case decodes to exactly that
 * JSON, every `must_error` case fails, every `must_decode` case succeeds. A missing corpus
 * is a failure: CI has it. */
#include "codec/base64.h"
#include "php/handlers.h"
#include "php/session_encode.h"
#include "php/value_edit_text.h"
#include "unit.h"
#include "php/value_json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A case line's fields, read as text: jansson refuses some lines (a NUL in an object key, as
 * PHP's json_encode writes a private property of an incomplete class). */
struct fcase {
	char *id, *handler, *session_b64, *variant;
	char *expect;		/* the raw JSON text of "expect", or NULL */
	int must_error;
};

/* The plain (escape-free) string member name of the line's head, new; NULL when absent. */
static char *member_string(const char *line, size_t head, const char *name)
{
	char *pat = xasprintf("\"%s\":\"", name);
	const char *at = memmem(line, head, pat, strlen(pat));
	const char *s = at ? at + strlen(pat) : NULL;
	const char *e = s ? strchr(s, '"') : NULL;
	free(pat);
	return e ? xstrndup(s, (size_t)(e - s)) : NULL;
}

/* Reads a line (the expect member, when there, is the last); returns 0 or -1. */
static int fcase_parse(const char *line, struct fcase *c)
{
	const char *ex = strstr(line, ",\"expect\":");
	size_t head = ex ? (size_t)(ex - line) : strlen(line);
	memset(c, 0, sizeof(*c));
	if (ex) {
		const char *e = strrchr(ex, '}');
		c->expect = xstrndup(ex + 10, (size_t)(e - ex - 10));
	}
	c->id = member_string(line, head, "id");
	c->handler = member_string(line, head, "handler");
	c->session_b64 = member_string(line, head, "session_b64");
	c->variant = member_string(line, head, "variant");
	c->must_error = memmem(line, head, "\"must_error\":", 13) != NULL;
	return c->id && c->handler && c->session_b64 && c->variant ? 0 : -1;
}

static void fcase_release(struct fcase *c)
{
	free(c->id);
	free(c->handler);
	free(c->session_b64);
	free(c->variant);
	free(c->expect);
}

/* The JSON of the decoded session, compact; NULL (err set) when it does not decode. */
static char *decode_case(const struct fcase *c, struct decode_error *err)
{
	struct buf sess = BUF_INIT, out = BUF_INIT;
	enum sess_handler h;
	if (sess_handler_parse(c->handler, &h) ||
	    base64_decode(c->session_b64, strlen(c->session_b64), &sess)) {
		snprintf(err->msg, sizeof(err->msg), "bad case line");
		buf_release(&sess);
		return NULL;
	}
	struct pv *v = sess_decode(sess.ptr, sess.len, h, NULL, err);
	buf_release(&sess);
	if (!v)
		return NULL;
	pv_write_json(&out, v);
	pv_free(v);
	return buf_detach(&out, NULL);
}

/* Whether the JSON texts are the same, but for how a float is written (memcsess writes
 * jansson's %.17g, PHP's json_encode the shortest form: 0.10000000000000001 vs 0.1). */
static int same_json(const char *want, const char *got)
{
	if (strcmp(want, got) == 0)
		return 1;
	json_error_t e;
	json_t *w = json_loads(want, JSON_DECODE_ANY, &e), *g = json_loads(got, JSON_DECODE_ANY, &e);
	char *ws = w ? json_dumps(w, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	char *gs = g ? json_dumps(g, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	int same = ws && gs && strcmp(ws, gs) == 0;
	free(ws);
	free(gs);
	json_decref(w);
	json_decref(g);
	return same;
}

/* One check for the case; returns 1 when it holds. */
static int check_case(const struct fcase *c)
{
	struct decode_error err = { 0, "" };
	char *got = decode_case(c, &err);
	int ok;
	if (c->must_error) {
		ok = unit_check(!got, "fidelity %s: php refuses it, so must memcsess", c->id);
	} else if (!got) {
		ok = unit_check(0, "fidelity %s: decodes (error at %zu: %s)", c->id, err.offset,
				err.msg);
	} else if (c->expect) {
		ok = unit_check(same_json(c->expect, got), "fidelity %s: decodes as php does",
				c->id);
		if (!ok)
			printf("# want %s\n# got  %s\n", c->expect, got);
	} else {
		ok = unit_check(1, "fidelity %s: decodes", c->id);
	}
	free(got);
	return ok;
}

/* Encodes the decoded case again. A reser case's session is PHP's own serialize() (or
 * igbinary_serialize()) of the value: the bytes must come back exactly. Other variants hold
 * strings PHP did not write (their reference numbers, duplicate keys and int property names
 * PHP would rewrite, knowing the classes): what is written must decode to the same JSON. */
static void check_encode(const struct fcase *c)
{
	struct buf sess = BUF_INIT, want = BUF_INIT, out = BUF_INIT;
	enum sess_handler h;
	char *cause = NULL;
	int exact = strcmp(c->variant, "reser") == 0;
	sess_handler_parse(c->handler, &h);
	base64_decode(c->session_b64, strlen(c->session_b64), &sess);
	struct pv *v = sess_decode(sess.ptr, sess.len, h, NULL, NULL);
	int ok = v && sess_encode(v, h, &out, &cause) == 0;
	if (ok && exact) {
		buf_add(&want, sess.ptr, sess.len);
		ok = out.len == want.len && memcmp(out.ptr, want.ptr, want.len) == 0;
		/* and through the edit text */
		struct buf text = BUF_INIT;
		pv_edit_write(v, &text);
		struct pv *back = pv_edit_read(text.ptr, text.len, h, &cause);
		buf_reset(&out);
		ok = ok && back && sess_encode(back, h, &out, &cause) == 0 && out.len == want.len &&
		     memcmp(out.ptr, want.ptr, want.len) == 0;
		pv_free(back);
		buf_release(&text);
	} else if (ok) {
		struct pv *again = sess_decode(out.ptr, out.len, h, NULL, NULL);
		pv_write_json(&want, v);
		struct buf got = BUF_INIT;
		if (again)
			pv_write_json(&got, again);
		ok = again && got.len == want.len && memcmp(got.ptr, want.ptr, want.len) == 0;
		buf_release(&got);
		pv_free(again);
	}
	if (!unit_check(ok, "fidelity %s: encodes %s", c->id,
			exact ? "to php's own bytes" : "to the same value")) {
		struct buf a = BUF_INIT, b = BUF_INIT;
		buf_add_escaped(&a, want.ptr, want.len);
		buf_add_escaped(&b, out.ptr ? out.ptr : "", out.len);
		printf("# want %.500s\n# got  %.500s %s\n", a.ptr, b.ptr ? b.ptr : "",
		       cause ? cause : "");
		buf_release(&a);
		buf_release(&b);
	}
	free(cause);
	pv_free(v);
	buf_release(&sess);
	buf_release(&want);
	buf_release(&out);
}

int main(int argc, char **argv)
{
	const char *golden = argc > 1 ? argv[1] : "tests/golden";
	char *path = xasprintf("%s/../../../shared/fidelity/php-src/cases.jsonl", golden);
	FILE *f = fopen(path, "r");
	unit_check(f != NULL, "fidelity corpus %s is there", path);
	char *line = NULL;
	size_t cap = 0, cases = 0, n_ok = 0, encoded = 0;
	struct fcase *all = NULL;
	while (f && getline(&line, &cap, f) > 0) {
		all = xrealloc(all, (n_ok + 1) * sizeof(*all));
		cases++;
		if (unit_check(fcase_parse(line, &all[n_ok]) == 0, "fidelity line %zu reads", cases))
			check_case(&all[n_ok++]);
		else
			fcase_release(&all[n_ok]);
	}
	for (size_t i = 0; i < n_ok; i++) {
		if (!all[i].must_error) {
			check_encode(&all[i]);
			encoded++;
		}
	}
	unit_check(encoded >= 400, "fidelity: %zu cases encoded again", encoded);
	for (size_t i = 0; i < n_ok; i++)
		fcase_release(&all[i]);
	free(all);
	unit_check(cases >= 492, "fidelity: %zu cases read (492 expected)", cases);
	free(line);
	free(path);
	if (f)
		fclose(f);
	return unit_done();
}
