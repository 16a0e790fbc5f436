/* test_golden.c: decodes every <case>.sess in the golden directory (argv[1], default
 * tests/golden) and compares the JSON with <case>.json and the tree with <case>.tree.
 * One check per case. With --write-trees it (re)writes the .tree files instead, for review. */
#include "php/handlers.h"
#include "unit.h"
#include "php/value.h"
#include "php/value_json.h"
#include "php/value_text.h"

#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n > k && strcmp(s + n - k, suffix) == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Returns the sorted names in dir (new array of new strings), or NULL. */
static char **list_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char **names = NULL;
	size_t cap = 0;
	struct dirent *e;
	*n = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, *n, sizeof(*names), cmp_names);
	return names;
}

static void add_json(struct buf *out, const json_t *j)
{
	char *s = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	if (!s) {
		buf_adds(out, "(nothing)");
		return;
	}
	buf_printf(out, "%.80s%s", s, strlen(s) > 80 ? "..." : "");
	free(s);
}

/* Describes in out the first place where got differs from want; returns 1 if it does. */
static int json_diff(const json_t *want, const json_t *got, const char *path, struct buf *out)
{
	if (json_equal(want, got))
		return 0;
	if (json_is_object(want) && json_is_object(got)) {
		const char *key;
		json_t *w;
		json_object_foreach((json_t *)want, key, w) {
			char *sub = xasprintf("%s.%s", path, key);
			json_t *g = json_object_get(got, key);
			int differs = g ? json_diff(w, g, sub, out) : 1;
			if (!g)
				buf_printf(out, "%s: missing", sub);
			free(sub);
			if (differs)
				return 1;
		}
		json_object_foreach((json_t *)got, key, w) {
			if (!json_object_get(want, key)) {
				buf_printf(out, "%s.%s: unexpected", path, key);
				return 1;
			}
		}
	}
	if (json_is_array(want) && json_is_array(got) && json_array_size(want) == json_array_size(got)) {
		for (size_t i = 0; i < json_array_size(want); i++) {
			char *sub = xasprintf("%s[%zu]", path, i);
			int differs = json_diff(json_array_get(want, i), json_array_get(got, i), sub, out);
			free(sub);
			if (differs)
				return 1;
		}
	}
	buf_printf(out, "%s: expected ", path);
	add_json(out, want);
	buf_adds(out, ", got ");
	add_json(out, got);
	return 1;
}

/* Describes the first differing line of two texts; returns 1 if they differ. */
static int text_diff(const char *want, const char *got, struct buf *out)
{
	if (strcmp(want, got) == 0)
		return 0;
	int line = 1;
	while (*want && *want == *got) {
		if (*want == '\n')
			line++;
		want++, got++;
	}
	while (line > 1 && want[-1] != '\n')
		want--, got--;
	buf_printf(out, "tree line %d: expected \"%.*s\", got \"%.*s\"", line,
		   (int)strcspn(want, "\n"), want, (int)strcspn(got, "\n"), got);
	return 1;
}

/* The handler a case file name starts with ("php_binary-refs.sess" -> SESS_PHP_BINARY). */
static enum sess_handler handler_of(const char *name)
{
	char tmp[64];
	size_t n = strcspn(name, "-");
	enum sess_handler h = SESS_UNKNOWN;
	if (n < sizeof(tmp)) {
		memcpy(tmp, name, n);
		tmp[n] = '\0';
		if (sess_handler_parse(tmp, &h))
			h = SESS_UNKNOWN;
	}
	return h;
}

/* Decodes one case; on success fills *json and *tree. Describes a failure in out. */
static int decode_case(const char *dir, const char *name, json_t **json, struct buf *tree,
		       struct buf *out)
{
	char *path = xasprintf("%s/%s.sess", dir, name);
	size_t len;
	char *bytes = unit_read_file(path, &len);
	free(path);
	if (!bytes) {
		buf_adds(out, "cannot read .sess");
		return -1;
	}
	struct decode_error err;
	enum sess_handler used, want = len ? handler_of(name) : SESS_EMPTY;
	struct pv *v = sess_decode(bytes, len, SESS_UNKNOWN, &used, &err);
	free(bytes);
	if (!v) {
		buf_printf(out, "decode failed at offset %zu: %s", err.offset, err.msg);
		return -1;
	}
	if (used != want) {
		buf_printf(out, "detected %s, expected %s", sess_handler_name(used),
			   sess_handler_name(want));
		pv_free(v);
		return -1;
	}
	*json = pv_to_json(v);
	pv_format_tree(v, tree);
	pv_free(v);
	return 0;
}

static int write_tree(const char *dir, const char *name, const struct buf *tree)
{
	char *path = xasprintf("%s/%s.tree", dir, name);
	FILE *f = fopen(path, "wb");
	int rc = f && fwrite(tree->ptr ? tree->ptr : "", 1, tree->len, f) == tree->len ? 0 : -1;
	if (f && fclose(f))
		rc = -1;
	free(path);
	return rc;
}

/* Compares one case with its .json and .tree; describes the first difference in out. */
static int check_case(const char *dir, const char *name, int write_trees, struct buf *out)
{
	json_t *got = NULL;
	struct buf tree = BUF_INIT;
	int rc = decode_case(dir, name, &got, &tree, out);
	if (rc == 0 && write_trees) {
		rc = write_tree(dir, name, &tree);
		if (rc)
			buf_adds(out, "cannot write .tree");
	} else if (rc == 0) {
		char *path = xasprintf("%s/%s.json", dir, name);
		json_error_t jerr;
		json_t *want = json_load_file(path, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
		free(path);
		path = xasprintf("%s/%s.tree", dir, name);
		char *want_tree = unit_read_file(path, NULL);
		free(path);
		if (!want)
			buf_printf(out, "no usable .json: %s", jerr.text);
		else if (json_diff(want, got, "$", out))
			;	/* out says where */
		else if (!want_tree)
			buf_adds(out, "no .tree");
		else
			text_diff(want_tree, tree.ptr ? tree.ptr : "", out);
		rc = out->len ? -1 : 0;
		json_decref(want);
		free(want_tree);
	}
	json_decref(got);
	buf_release(&tree);
	return rc;
}

/* A .json or .tree must belong to a .sess. */
static void check_orphan(const char *dir, char **names, size_t n, const char *file)
{
	const char *dot = strrchr(file, '.');
	if (!dot || (strcmp(dot, ".json") && strcmp(dot, ".tree")))
		return;
	char *sess = xasprintf("%.*s.sess", (int)(dot - file), file);
	int found = bsearch(&sess, names, n, sizeof(*names), cmp_names) != NULL;
	unit_check(found, "golden %s/%s has a matching .sess", dir, file);
	free(sess);
}

int main(int argc, char **argv)
{
	const char *dir = "tests/golden";
	int write_trees = 0, cases = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--write-trees") == 0)
			write_trees = 1;
		else
			dir = argv[i];
	}
	size_t n;
	char **names = list_dir(dir, &n);
	unit_check(names != NULL, "golden directory %s can be read", dir);
	for (size_t i = 0; names && i < n; i++) {
		if (!has_suffix(names[i], ".sess")) {
			check_orphan(dir, names, n, names[i]);
			continue;
		}
		char *name = xstrndup(names[i], strlen(names[i]) - 5);
		struct buf out = BUF_INIT;
		int rc = check_case(dir, name, write_trees, &out);
		unit_check(rc == 0, "golden %s%s%s", name, rc ? ": " : "", out.ptr ? out.ptr : "");
		buf_release(&out);
		free(name);
		cases++;
	}
	unit_check(cases > 0, "golden directory %s has cases (%d)", dir, cases);
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	return unit_done();
}
