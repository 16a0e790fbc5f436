/* fuzz_dumpline.c: one line of `memcsess dump` output, as load and migrate read it; the fast
 * reader must agree with jansson's. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dumpline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1);
	memcpy(line, data, size);
	struct dump_entry e, j;
	char *cause = NULL, *jcause = NULL;
	dump_entry_init(&e);
	dump_entry_init(&j);
	int r = dumpline_parse(line, size, &e, &cause);
	int jr = dumpline_parse_json(line, size, &j, &jcause);
	/* the fast path must read what jansson reads */
	if (r != jr || (r < 0 && strcmp(cause, jcause) != 0) ||
	    (r == 0 && (e.key.len != j.key.len || memcmp(e.key.ptr, j.key.ptr, e.key.len) != 0 ||
			e.value.len != j.value.len ||
			(e.value.len && memcmp(e.value.ptr, j.value.ptr, e.value.len) != 0) ||
			e.flags != j.flags || e.exp != j.exp || e.cas != j.cas ||
			strcmp(e.server, j.server) != 0 || e.locked != j.locked ||
			e.misplaced != j.misplaced)))
		abort();
	dump_entry_release(&e);
	dump_entry_release(&j);
	free(cause);
	free(jcause);
	free(line);
	return 0;
}
