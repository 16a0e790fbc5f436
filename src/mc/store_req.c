/* store_req.c: the helpers the store backends share on requests (see store_req.h). */
#include "mc/store_req.h"

#include <stdlib.h>

#define THIRTY_DAYS (30 * 86400)

void store_reqs_release(struct store_req *reqs, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		free(reqs[k].error);
		reqs[k].error = NULL;
		buf_release(&reqs[k].got);
	}
}

void store_reqs_fail(struct store_req *reqs, size_t n, size_t i, const char *cause)
{
	for (size_t k = 0; k < n; k++) {
		if (reqs[k].server != i || reqs[k].status != ST_ERROR || reqs[k].error)
			continue;
		reqs[k].error = xstrdup(cause);
	}
}

int64_t store_ttl_arg(int64_t exp, int64_t now)
{
	if (exp < 0)
		return 0;
	if (exp <= now)
		return -1;
	if (exp - now > THIRTY_DAYS)
		return exp;
	return exp - now;
}
