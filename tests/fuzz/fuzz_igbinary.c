/* fuzz_igbinary.c: igbinary_decode on a whole buffer. */
#include <stdint.h>
#include "sessdec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decode_error err;
	struct pv *v = igbinary_decode((const char *)data, size, &err);
	pv_free(v);
	return 0;
}
