/* fuzz_sessdec.c: sess_decode with every handler (first byte picks it), then the JSON and the
 * tree a decoded session is shown as. */
#include <jansson.h>
#include <stdint.h>
#include "sessdec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum sess_handler h = (enum sess_handler)(data[0] % (SESS_IGBINARY + 1));
	struct decode_error err;
	struct pv *v = sess_decode((const char *)data + 1, size - 1, h, NULL, &err);
	if (!v)
		return 0;
	json_t *j = pv_to_json(v);
	json_decref(j);
	struct buf out = BUF_INIT;
	pv_format_tree(v, &out);
	buf_release(&out);
	pv_free(v);
	return 0;
}
