/* fuzz_sessdec.c: sess_decode with every handler (first byte picks it), then the JSON and the
 * tree a decoded session is shown as (pv_write_json must write what jansson writes). sess_check
 * must agree with it (handler and error too). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sessdec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum sess_handler h = (enum sess_handler)(data[0] % (SESS_IGBINARY + 1));
	struct decode_error err = { 0, "" }, check_err = { 0, "" };
	enum sess_handler used = SESS_UNKNOWN, check_used = SESS_UNKNOWN;
	struct pv *v = sess_decode((const char *)data + 1, size - 1, h, &used, &err);
	int rc = sess_check((const char *)data + 1, size - 1, h, &check_used, &check_err);
	if (!v != (rc != 0) || used != check_used ||
	    (!v && (err.offset != check_err.offset || strcmp(err.msg, check_err.msg) != 0)))
		abort();
	if (!v)
		return 0;
	/* the streaming writer must write jansson's bytes */
	json_t *j = pv_to_json(v);
	char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	struct buf out = BUF_INIT;
	pv_write_json(&out, v);
	if (!want || strlen(want) != out.len || memcmp(want, out.ptr, out.len) != 0)
		abort();
	free(want);
	buf_reset(&out);
	pv_format_tree(v, &out);
	buf_release(&out);
	pv_free(v);
	return 0;
}
