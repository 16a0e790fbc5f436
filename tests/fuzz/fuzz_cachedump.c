/* fuzz_cachedump.c: one "stats cachedump" line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mc/metadump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1);
	memcpy(line, data, size);
	struct md_item it;
	char *cause = NULL;
	cachedump_parse_line(line, size, &it, &cause);
	free(cause);
	free(line);
	return 0;
}
