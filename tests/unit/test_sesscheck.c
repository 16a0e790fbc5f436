/* test_sesscheck.c: the checking decoders (sess_check, igbinary_check, phpser_new_check) accept
 * and fail exactly as the decoders that build trees, with the same handler and error, on the
 * golden sessions (argv[1], default tests/golden), the fuzz corpus beside them, every prefix
 * of those and every one-byte change of the golden ones. One check per file. */
#include "php/handlers.h"
#include "unit.h"
#include "php/igbinary.h"
#include "php/unserialize.h"
#include "php/value.h"
#include "util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

/* 1 when one serialize() value parses the same way with and without building. */
static int same_value(const char *in, size_t len)
{
	struct decode_error e1 = { 0, "" }, e2 = { 0, "" };
	size_t pos1 = 0, pos2 = 0;
	struct phpser *p = phpser_new(in, len), *c = phpser_new_check(in, len);
	struct pv *v = phpser_value(p, &pos1, &e1);
	const struct pv *w = phpser_value(c, &pos2, &e2);
	int same = !v == !w && pos1 == pos2 && (v ? v->type == w->type :
		   e1.offset == e2.offset && strcmp(e1.msg, e2.msg) == 0);
	pv_free(v);
	phpser_free(p);
	phpser_free(c);
	return same;
}

/* 1 when the bytes decode the same way with and without building, with every handler. */
static int same_session(const char *in, size_t len)
{
	struct decode_error e1 = { 0, "" }, e2 = { 0, "" };
	enum pv_type type = PV_NULL;
	struct pv *v = igbinary_decode(in, len, &e1);
	int same = !v == (igbinary_check(in, len, &type, &e2) != 0) &&
		   (v ? v->type == type : e1.offset == e2.offset && !strcmp(e1.msg, e2.msg));
	pv_free(v);
	for (enum sess_handler h = SESS_UNKNOWN; h <= SESS_IGBINARY && same; h++) {
		enum sess_handler u1 = SESS_UNKNOWN, u2 = SESS_UNKNOWN;
		memset(&e1, 0, sizeof(e1));
		memset(&e2, 0, sizeof(e2));
		v = sess_decode(in, len, h, &u1, &e1);
		int rc = sess_check(in, len, h, &u2, &e2);
		same = !v == (rc != 0) && u1 == u2 &&
		       (v || (e1.offset == e2.offset && strcmp(e1.msg, e2.msg) == 0));
		if (h == SESS_UNKNOWN)
			same = same && sess_detect(in, len) == u1;
		pv_free(v);
	}
	return same && same_value(in, len);
}

/* Checks the file, its prefixes and (when mutate) its one-byte changes; 1 when all agree. */
static int check_file(const char *dir, const char *name, int mutate)
{
	char path[4096];
	size_t len;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char *in = unit_read_file(path, &len);
	int same = in != NULL;
	size_t step = len / 1024 + 1;	/* big files: about a thousand prefixes */
	for (size_t n = 0; same && n <= len; n += step)
		same = same_session(in, n);
	same = same && same_session(in, len);
	/* the fuzz targets read a handler byte first */
	same = same && (len == 0 || same_session(in + 1, len - 1));
	static const unsigned char bytes[] = { 0, 1, '"', ':', ';', '|', '}', '9', 'R', 'r', 0x80 };
	for (size_t i = 0; mutate && same && i < len; i++) {
		char keep = in[i];
		for (size_t j = 0; same && j < sizeof(bytes); j++) {
			in[i] = (char)bytes[j];
			same = same_session(in, len);
		}
		in[i] = keep;
	}
	unit_check(same, "check agrees with decode: %s", path);
	free(in);
	return same;
}

/* Checks every file of dir ending in suffix ("" for all). */
static void check_dir(const char *dir, const char *suffix, int mutate)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int files = 0;
	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name), k = strlen(suffix);
		if (de->d_name[0] == '.' || n < k || strcmp(de->d_name + n - k, suffix) != 0)
			continue;
		check_file(dir, de->d_name, mutate);
		files++;
	}
	if (d)
		closedir(d);
	unit_check(files > 0, "files to check in %s", dir);
}

/* References are where checking must remember most: what each slot held. */
static const char *const crafted[] = {
	"a:3:{i:0;O:1:\"A\":0:{}i:1;r:2;i:2;r:3;}",
	"a:3:{i:0;O:1:\"A\":0:{}i:1;R:2;i:2;r:3;}",
	"a:4:{i:0;O:1:\"A\":0:{}i:1;s:1:\"x\";i:2;R:3;i:3;r:4;}",
	"a:2:{i:0;s:1:\"x\";i:1;r:2;}",
	"a:2:{i:0;a:1:{i:0;r:2;}i:1;R:3;}",
	"a:2:{i:0;C:1:\"A\":14:{O:1:\"B\":0:{}}i:1;r:3;}",
	"a:2:{i:0;C:1:\"A\":6:{i:1;x}i:1;r:3;}",
	"a:1:{i:0;E:5:\"A:Bcd\";}x|r:1;",
	"x|O:1:\"A\":0:{}y|r:1;z|r:2;",
	"x|O:1:\"A\":0:{}y|R:1;z|r:2;",
	"!x|y|i:1;",
	/* plain containers read in one loop (unserialize.c skip_plain): the slots they take must
	 * be the ones parse_value takes, and what they accept what it accepts */
	"x|a:2:{i:0;O:1:\"A\":0:{}i:1;s:1:\"a\";}y|r:3;z|R:4;",
	"x|a:1:{i:0;O:1:\"A\":1:{s:1:\"p\";a:0:{}}}y|r:4;",
	"x|a:1:{i:0;O:1:\"A\":0:{}}y|r:2;",
	"x|a:1:{i:0;i:1;}y|r:2;",
	"x|a:1:{i:0;i:1;}y|R:3;",
	"x|a:1:{i:0;i:1;}y|R:4;",
	"a:2:{i:0;a:1:{i:0;d:NAN;}i:1;a:1:{i:0;d:-INF;}}",
	"a:3:{i:0;d:1.5E+25;i:1;d:-0.0;i:2;d:.5;}",
	"a:1:{i:0;i:9223372036854775807;}",
	"a:1:{i:0;i:-9223372036854775808;}",
	"a:1:{i:0;i:9223372036854775808;}",
	"a:1:{i:0;i:+000000000000000000001;}",
	"a:1:{i:-9223372036854775809;b:1;}",
	"a:1:{s:1:\"k\";b:2;}",
	"a:1:{i:0;O:0:\"\":0:{}}",
	"a:1:{i:0;O:2:\"\\A\":0:{}}",
	"a:1:{i:0;O:1:\"A\":1:{i:0;N;}}",
	"a:2:{i:0;N;}",
	"a:1:{i:0;N;i:1;N;}",
	"a:1:{i:0;N;}}",
	"a:1:{i:0;N;}trailing",
	"a:9:{i:0;N;}",
	"a:01:{s:002:\"ab\";s:0:\"\";}",
	"a:1:{i:0;a:1:{i:0;a:1:{i:0;a:1:{i:0;a:1:{i:0;a:1:{i:0;a:1:{i:0;a:1:{i:0;N;}}}}}}}}",
};

int main(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(crafted) / sizeof(crafted[0]); i++)
		unit_check(same_session(crafted[i], strlen(crafted[i])), "check agrees with decode: %s",
			   crafted[i]);
	/* nesting past what skip_plain keeps open, and past PV_MAX_DEPTH */
	static const int depths[] = { 63, 64, 65, 1023, 1024, 1025 };
	for (size_t i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
		struct buf b = BUF_INIT;
		for (int d = 0; d < depths[i]; d++)
			buf_adds(&b, "a:1:{i:0;");
		buf_adds(&b, "N;");
		for (int d = 0; d < depths[i]; d++)
			buf_addc(&b, '}');
		unit_check(same_session(b.ptr, b.len), "check agrees with decode: %d arrays deep",
			   depths[i]);
		buf_release(&b);
	}
	const char *golden = argc > 1 ? argv[1] : "tests/golden";
	char corpus[4096];
	check_dir(golden, ".sess", 1);
	snprintf(corpus, sizeof(corpus), "%s/../fuzz/corpus/sessdec", golden);
	check_dir(corpus, "", 0);
	snprintf(corpus, sizeof(corpus), "%s/../fuzz/corpus/igbinary", golden);
	check_dir(corpus, "", 0);
	return unit_done();
}
