/* dumpline.c: parsing dump lines (see dumpline.h). */
#include "dumpline.h"
#include "base64.h"
#include "metadump.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void dump_entry_init(struct dump_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->exp = -1;
}

void dump_entry_release(struct dump_entry *e)
{
	buf_release(&e->key);
	buf_release(&e->value);
	dump_entry_init(e);
}

/* Reads bytes from member name (a string) or name_b64 (base64) into out. */
static int get_bytes(json_t *o, const char *name, struct buf *out, char **cause)
{
	char b64name[64];
	snprintf(b64name, sizeof(b64name), "%s_b64", name);
	json_t *plain = json_object_get(o, name), *enc = json_object_get(o, b64name);
	if (plain && enc) {
		*cause = xasprintf("both \"%s\" and \"%s\" given", name, b64name);
		return -1;
	}
	if (!plain && !enc) {
		*cause = xasprintf("no \"%s\" (or \"%s\")", name, b64name);
		return -1;
	}
	json_t *v = plain ? plain : enc;
	if (!json_is_string(v)) {
		*cause = xasprintf("\"%s\" is not a string", plain ? name : b64name);
		return -1;
	}
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (plain) {
		buf_reset(out);
		buf_add(out, s, n);
		return 0;
	}
	if (base64_decode(s, n, out) != 0) {
		*cause = xasprintf("\"%s\" is not valid base64", b64name);
		return -1;
	}
	return 0;
}

/* Reads an optional integer member in [lo, hi]; null counts as absent. Returns 1 found, 0 absent,
 * -1 malformed. */
static int get_int(json_t *o, const char *name, json_int_t lo, json_int_t hi, json_int_t *out,
		   char **cause)
{
	json_t *v = json_object_get(o, name);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		*cause = xasprintf("\"%s\" must be an integer from %lld to %lld", name,
				   (long long)lo, (long long)hi);
		return -1;
	}
	*out = json_integer_value(v);
	return 1;
}

/* Fills the metadata fields of e from o. */
static int get_meta(json_t *o, struct dump_entry *e, char **cause)
{
	json_int_t v;
	int r;
	if ((r = get_int(o, "flags", 0, UINT32_MAX, &v, cause)) < 0)
		return -1;
	e->flags = r ? (uint32_t)v : 0;
	if ((r = get_int(o, "expiry", 0, INT64_MAX, &v, cause)) < 0)
		return -1;
	e->exp = r ? v : -1;
	if ((r = get_int(o, "cas", 0, INT64_MAX, &v, cause)) < 0)
		return -1;
	e->cas = r ? (uint64_t)v : 0;
	json_t *s = json_object_get(o, "server");
	if (s && (!json_is_string(s) || json_string_length(s) >= sizeof(e->server))) {
		*cause = xstrdup("\"server\" must be a server name");
		return -1;
	}
	if (s)
		snprintf(e->server, sizeof(e->server), "%s", json_string_value(s));
	e->locked = json_is_true(json_object_get(o, "locked"));
	e->misplaced = json_object_get(o, "php_server") != NULL;
	return 0;
}

int dumpline_parse(const char *line, size_t len, struct dump_entry *e, char **cause)
{
	json_error_t jerr;
	dump_entry_release(e);
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!o) {
		*cause = xasprintf("not JSON at byte %d: %s", jerr.position, jerr.text);
		return -1;
	}
	int ret = -1;
	if (!json_is_object(o))
		*cause = xstrdup("not a JSON object");
	else if (get_bytes(o, "key", &e->key, cause) == 0 &&
		 get_bytes(o, "value", &e->value, cause) == 0 && get_meta(o, e, cause) == 0)
		ret = 0;
	if (ret == 0 && (e->key.len == 0 || e->key.len > MC_MAX_KEY)) {
		*cause = xasprintf("key of %zu bytes (memcached keys are 1 to %d bytes)", e->key.len,
				   MC_MAX_KEY);
		ret = -1;
	}
	json_decref(o);
	return ret;
}

/* Skips the rest of an over-long line. */
static void skip_line(FILE *f)
{
	int ch;
	while ((ch = getc_unlocked(f)) != EOF && ch != '\n')
		;
}

/* Reads one line into r->buf; returns its length, -1 at the end, -2 on error, -3 too long. */
static long read_line(struct dump_reader *r)
{
	size_t n = 0;
	int ch;
	while ((ch = getc_unlocked(r->f)) != EOF) {
		if (ch == '\n')
			break;
		if (n + 1 >= r->cap) {
			if (r->cap >= DUMP_MAX_LINE) {
				skip_line(r->f);
				return -3;
			}
			r->cap = r->cap ? r->cap * 2 : 4096;
			r->buf = xrealloc(r->buf, r->cap);
		}
		r->buf[n++] = (char)ch;
	}
	if (ch == EOF && ferror(r->f))
		return -2;
	if (ch == EOF && n == 0)
		return -1;
	if (n && r->buf[n - 1] == '\r')
		n--;
	return (long)n;
}

int dump_reader_next(struct dump_reader *r, struct dump_entry *e, char **cause)
{
	for (;;) {
		long n = read_line(r);
		if (n == -1)
			return 0;
		r->line++;
		if (n == -2) {
			*cause = xasprintf("%s: read error at line %zu", r->name, r->line);
			return -2;
		}
		if (n == -3) {
			*cause = xasprintf("%s: line %zu: longer than %u bytes", r->name, r->line,
					   DUMP_MAX_LINE);
			return -1;
		}
		if (n == 0)
			continue;
		char *inner = NULL;
		if (dumpline_parse(r->buf, (size_t)n, e, &inner) == 0)
			return 1;
		*cause = xasprintf("%s: line %zu: %s", r->name, r->line, inner);
		free(inner);
		return -1;
	}
}

void dump_reader_release(struct dump_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}
