/* fuzz_igbinary.c: igbinary_decode on a whole buffer; igbinary_check must agree with it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sessdec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decode_error err, check_err;
	enum pv_type type = PV_NULL;
	struct pv *v = igbinary_decode((const char *)data, size, &err);
	int rc = igbinary_check((const char *)data, size, &type, &check_err);
	if (!v != (rc != 0) || (v && v->type != type) ||
	    (!v && (err.offset != check_err.offset || strcmp(err.msg, check_err.msg) != 0)))
		abort();
	pv_free(v);
	return 0;
}
