/* stats_reply.c: "stats" reply lines and the fields they fill (see stats_reply.h). */
#include "mc/stats_reply.h"
#include "util.h"

#include <stdint.h>
#include <string.h>

/* Is the line an error reply? Returns STATS_AUTH, STATS_ERROR, or 0 when it is not one. */
static int error_reply(const char *line, size_t len, char **cause)
{
	static const char *const errs[] = { "ERROR", "CLIENT_ERROR", "SERVER_ERROR" };
	int show = (int)(len > 160 ? 160 : len);
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		size_t n = strlen(errs[i]);
		if (len < n || memcmp(line, errs[i], n) != 0 || (len > n && line[n] != ' '))
			continue;
		if (memmem(line, len, "unauthenticated", 15) || memmem(line, len, "auth", 4)) {
			*cause = xasprintf("authentication required: server replied '%.*s'", show, line);
			return STATS_AUTH;
		}
		*cause = xasprintf("stats: server replied '%.*s'", show, line);
		return STATS_ERROR;
	}
	return 0;
}

enum stats_line stats_reply_line(const char *line, size_t len, struct stats_pair *pair,
				 char **cause)
{
	if (len == 3 && memcmp(line, "END", 3) == 0)
		return STATS_END;
	int e = error_reply(line, len, cause);
	if (e)
		return (enum stats_line)e;
	if (len < 5 || memcmp(line, "STAT ", 5) != 0) {
		*cause = xasprintf("stats line: expected 'STAT <name> <value>' at byte 0");
		return STATS_ERROR;
	}
	const char *name = line + 5;
	const char *sp = memchr(name, ' ', len - 5);
	if (!sp || sp == name) {
		*cause = xasprintf("stats line: no value after the name at byte %zu", len);
		return STATS_ERROR;
	}
	pair->name = name;
	pair->name_len = (size_t)(sp - name);
	pair->value = sp + 1;
	pair->value_len = len - (size_t)(pair->value - line);
	return STATS_STAT;
}

/* Stores value v[0..vn) at p as kind (size: STATS_TEXT's array); -1 when it does not fit. */
static int take_value(char *p, enum stats_kind kind, size_t size, const char *v, size_t vn)
{
	uint64_t u;
	switch (kind) {
	case STATS_YESNO:
		*(int *)(void *)p = vn == 3 && memcmp(v, "yes", 3) == 0 ? 1 :
				    vn == 2 && memcmp(v, "no", 2) == 0 ? 0 : -1;
		return 0;
	case STATS_TEXT: {
		size_t k = vn < size - 1 ? vn : size - 1;
		memcpy(p, v, k);
		p[k] = '\0';
		return 0;
	}
	default:
		break;
	}
	if (parse_u64(v, vn, &u) < 0 || (kind == STATS_I64 && u > INT64_MAX))
		return -1;
	if (kind == STATS_I64)
		*(int64_t *)(void *)p = (int64_t)u;
	else if (kind == STATS_SUM)
		*(uint64_t *)(void *)p += u;
	else
		*(uint64_t *)(void *)p = u;
	return 0;
}

int stats_reply_take(const struct stats_field *fields, size_t n, void *dst,
		     const struct stats_pair *pair)
{
	for (size_t i = 0; i < n; i++) {
		const struct stats_field *f = &fields[i];
		/* the first byte first: a reply has some 90 lines, each looked up in the table */
		if (pair->name_len == 0 || f->name[0] != pair->name[0] ||
		    strnlen(f->name, pair->name_len + 1) != pair->name_len ||
		    memcmp(f->name, pair->name, pair->name_len) != 0)
			continue;
		if (take_value((char *)dst + f->off, f->kind, f->size, pair->value,
			       pair->value_len) < 0)
			return -1;
		return 1;
	}
	return 0;
}
