/* fuzz_igbinary.c: igbinary_decode on a whole buffer; igbinary_check must agree with it. What
 * igbinary_fast_json accepts, igbinary_decode must decode to an array whose pv_write_json is the
 * same bytes; what it accepts looking for encrypted strings, it accepts the same without. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "php/direct_igbinary.h"
#include "php/igbinary.h"
#include "php/value.h"
#include "php/value_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fast path against the tree v (NULL: igbinary_decode failed). */
static void check_fast(const char *bytes, size_t size, const struct pv *v)
{
	struct buf fast = BUF_INIT, tree = BUF_INIT, seen = BUF_INIT;
	int rc = igbinary_fast_json(bytes, size, CRYPT_NONE, NULL, &fast);
	if (rc != 0 && fast.len)
		abort();
	if (rc == 0) {
		if (!v || v->type != PV_ARRAY)
			abort();
		pv_write_json(&tree, v);
		if (fast.len != tree.len || memcmp(fast.ptr, tree.ptr, fast.len) != 0)
			abort();
	}
	int seen_rc = igbinary_fast_json(bytes, size, CRYPT_AUTO, NULL, &seen);
	if (seen_rc == 0 && (rc != 0 || seen.len != fast.len ||
			     memcmp(seen.ptr, fast.ptr, fast.len) != 0))
		abort();
	if (seen_rc != 0 && seen.len)
		abort();
	buf_release(&fast);
	buf_release(&tree);
	buf_release(&seen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decode_error err, check_err;
	enum pv_type type = PV_NULL;
	struct pv *v = igbinary_decode((const char *)data, size, &err);
	int rc = igbinary_check((const char *)data, size, &type, &check_err);
	if (!v != (rc != 0) || (v && v->type != type) ||
	    (!v && (err.offset != check_err.offset || strcmp(err.msg, check_err.msg) != 0)))
		abort();
	check_fast((const char *)data, size, v);
	pv_free(v);
	return 0;
}
