/* test_livescan.c: the session list's one-line preview and its decoded-field filter. */
#include "unit.h"
#include "livescan.h"
#include "php/handlers.h"
#include "php/value.h"

#include <stdlib.h>
#include <string.h>

static const char session[] =
	"user_id|i:12345;name|s:5:\"alice\";ratio|d:0.5;ok|b:1;none|N;"
	"cart|a:2:{i:0;a:1:{s:3:\"sku\";s:3:\"A-1\";}i:1;a:1:{s:3:\"sku\";s:3:\"B-2\";}}"
	"u|O:4:\"User\":1:{s:2:\"id\";i:7;}bin|s:3:\"\x00\xff\x01\";";

static const struct { const char *expr; int match; } cases[] = {
	{ "user_id=12345", 1 }, { "user_id=1234", 0 }, { "user_id=123*", 1 },
	{ "name=alice", 1 }, { "name=a*e", 1 }, { "name=bob", 0 },
	{ "ratio=0.5", 1 }, { "ok=true", 1 }, { "ok=false", 0 }, { "none=null", 1 },
	{ "cart.0.sku=A-1", 1 }, { "cart.1.sku=A-1", 0 }, { "cart.1.sku=B-?", 1 },
	{ "u.id=7", 1 }, { "cart=*", 0 }, { "missing=1", 0 }, { "user_id", 1 },
	{ "missing", 0 }, { "=12345", 0 },
};

int main(void)
{
	struct decode_error err;
	struct pv *v = sess_decode(session, sizeof(session) - 1, SESS_UNKNOWN, NULL, &err);
	if (!unit_check(v != NULL, "the test session decodes"))
		return unit_done();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		unit_check(live_field_match(v, cases[i].expr) == cases[i].match, "field filter '%s' %s",
			   cases[i].expr, cases[i].match ? "matches" : "does not match");
	struct buf b = BUF_INIT;
	live_preview(v, 1000, &b);
	const char *want = "user_id=12345 name=\"alice\" ratio=0.5 ok=true none=null cart=[2] "
			   "u=User{1} bin=bin(3)";
	if (!unit_check(strcmp(b.ptr, want) == 0, "preview of every kind of value"))
		printf("# got: %s\n", b.ptr);
	buf_reset(&b);
	live_preview(v, 20, &b);
	unit_check(strncmp(b.ptr, "user_id=12345 name=\"alice\" ...", 30) == 0 && b.len < 40,
		   "preview stops near its limit");
	buf_release(&b);
	pv_free(v);
	struct pv *empty = pv_new(PV_ARRAY);
	live_preview(empty, 100, &b);
	unit_check(strcmp(b.ptr, "(empty)") == 0, "preview of an empty session");
	buf_release(&b);
	pv_free(empty);
	return unit_done();
}
