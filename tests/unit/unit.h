/* unit.h: the smallest test harness: one "ok"/"not ok" line per check, counted by tests/run.sh. */
#ifndef MEMCSESS_UNIT_H
#define MEMCSESS_UNIT_H

#include <dirent.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"

static int unit_fails, unit_passes;

__attribute__((format(printf, 2, 3)))
static int unit_check(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(cond ? "ok - " : "not ok - ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	if (cond)
		unit_passes++;
	else
		unit_fails++;
	return cond;
}

/* Returns the file's bytes (new, NUL-terminated), or NULL when it cannot be read. */
static inline char *unit_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b = BUF_INIT;
	char tmp[8192];
	size_t n;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, len);
}

/* Calls same(bytes, len) for every file of dir whose name ends in suffix ("": all), printing
 * "# differs: path" when it returns 0. Returns how many files were read; *bad gets how many
 * differed. */
static inline int unit_each_file(const char *dir, const char *suffix,
				 int (*same)(const char *, size_t), int *bad)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;
	*bad = 0;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name), k = strlen(suffix);
		if (e->d_name[0] == '.' || n < k || strcmp(e->d_name + n - k, suffix) != 0)
			continue;
		char *path = xasprintf("%s/%s", dir, e->d_name);
		size_t len;
		char *bytes = unit_read_file(path, &len);
		if (bytes && !same(bytes, len)) {
			printf("# differs: %s\n", path);
			(*bad)++;
		}
		files += bytes != NULL;
		free(bytes);
		free(path);
	}
	if (d)
		closedir(d);
	return files;
}

/* Use as: return unit_done(); */
static int unit_done(void)
{
	fflush(stdout);
	return unit_fails ? 1 : 0;
}

#endif
