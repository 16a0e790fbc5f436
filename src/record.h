/* record.h: one session record as JSON (the dump line format, also list --json and inspect --json). */
#ifndef MEMCSESS_RECORD_H
#define MEMCSESS_RECORD_H

#include <jansson.h>
#include "mc/pool.h"
#include "mc/scan.h"
#include "php/handlers.h"

#define RECORD_VALUE 0x1	/* include the stored bytes ("value" or "value_b64") */
#define RECORD_DATA 0x2		/* include the decoded data ("data" or "decode_error") */

/* Builds the JSON object for r. handler forces a session handler (SESS_UNKNOWN detects).
 * *err (may be NULL) receives the decode error when decoding failed: err->msg[0] is then set.
 * Returns new. */
json_t *record_to_json(const struct pool *p, const struct sess_rec *r, unsigned what,
		       enum sess_handler handler, struct decode_error *err);
struct decode_opts;
struct decode_info;
/* The same, decoding through session_decode with o (NULL: detect everything, no keys): also
 * "compression", "encryption" {scheme, cipher, decrypted, key, error} and "inner_encryption"
 * {found, decrypted, failed, error} when there is something to say. Without RECORD_DATA only
 * the handler and those are worked out (session_probe). *info (may be NULL) gets what
 * happened. Returns new. */
json_t *record_to_json_opts(const struct pool *p, const struct sess_rec *r, unsigned what,
			    const struct decode_opts *o, struct decode_info *info);
/* Appends record_to_json_opts's record as json_dumps(JSON_COMPACT) writes it, byte for byte
 * (no newline), without building the data's jansson tree. scratch (may be NULL) is room the
 * caller keeps from record to record, so that the data need not be allocated each time. */
void record_write(const struct pool *p, const struct sess_rec *r, unsigned what,
		  const struct decode_opts *o, struct decode_info *info, struct buf *out,
		  struct buf *scratch);
/* The handler name shown for r: "empty", "php", ..., or "-" without a value. */
const char *record_handler(const struct sess_rec *r);

#endif
