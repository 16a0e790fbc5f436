/* fuzz_sessdec.c: sess_decode with every handler (first byte picks it), then the JSON and the
 * tree a decoded session is shown as (pv_write_json must write what jansson writes). sess_check
 * must agree with it (handler and error too). What sess_fast_json accepts, sess_decode must
 * accept with the same handler, and the JSON must be the same bytes; session_write_json must
 * write what the tree path (session_decode_value, inner strings checked for encryption) does. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "php/handlers.h"
#include "php/direct.h"
#include "session_decode.h"
#include "php/value.h"
#include "php/value_json.h"
#include "php/value_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* session_write_json against the tree path it stands for (encryption looked for, no keys). */
static void check_view(const char *bytes, size_t len, enum sess_handler h)
{
	struct decode_opts o = { h, CRYPT_AUTO, NULL, NULL };
	struct decode_info a, b;
	struct buf fast = BUF_INIT, slow = BUF_INIT;
	int wrote = session_write_json(bytes, len, 0, &o, &a, &fast);
	struct pv *v = session_decode_value(bytes, len, 0, &o, &b);
	if (v)
		pv_write_json(&slow, v);
	if (wrote != (v != NULL) || memcmp(&a, &b, sizeof(a)) != 0 || fast.len != slow.len ||
	    (fast.len && memcmp(fast.ptr, slow.ptr, fast.len) != 0))
		abort();
	pv_free(v);
	buf_release(&fast);
	buf_release(&slow);
}

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
	struct buf fast = BUF_INIT;
	enum sess_handler fast_used = SESS_UNKNOWN;
	int fast_rc = sess_fast_json((const char *)data + 1, size - 1, h, CRYPT_NONE, NULL,
				     &fast_used, &fast);
	if (fast_rc == 0 && (!v || fast_used != used))
		abort();
	if (fast_rc != 0 && fast.len)
		abort();
	check_view((const char *)data + 1, size - 1, h);
	if (!v) {
		buf_release(&fast);	/* a decline can leave room made */
		return 0;
	}
	/* the streaming writer must write jansson's bytes */
	json_t *j = pv_to_json(v);
	char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	struct buf out = BUF_INIT;
	pv_write_json(&out, v);
	if (!want || strlen(want) != out.len || memcmp(want, out.ptr, out.len) != 0)
		abort();
	if (fast_rc == 0 && (fast.len != out.len || memcmp(fast.ptr, out.ptr, out.len) != 0))
		abort();
	buf_release(&fast);
	free(want);
	buf_reset(&out);
	pv_format_tree(v, &out);
	buf_release(&out);
	pv_free(v);
	return 0;
}
