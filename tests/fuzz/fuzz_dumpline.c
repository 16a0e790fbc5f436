/* fuzz_dumpline.c: one line of `memcsess dump` output, as load and migrate read it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dumpline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1);
	memcpy(line, data, size);
	struct dump_entry e;
	char *cause = NULL;
	dump_entry_init(&e);
	dumpline_parse(line, size, &e, &cause);
	dump_entry_release(&e);
	free(cause);
	free(line);
	return 0;
}
