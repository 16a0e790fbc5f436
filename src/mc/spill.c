/* spill.c: the walk's temporary key file (see spill.h). */
#include "mc/spill.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The stdio buffer: a quarter of a megabyte a system call, not 4 KB (glibc sizes the buffer it
 * allocates itself by the file's block size, whatever it is told). */
#define SPILL_BUF (256 * 1024)

/* Opens fd as s->f with a buffer of its own; 0 or -1. */
static int attach(struct spill *s, int fd)
{
	s->f = fdopen(fd, "w+");
	if (!s->f)
		return -1;
	s->buf = xmalloc(SPILL_BUF);
	setvbuf(s->f, s->buf, _IOFBF, SPILL_BUF);
	return 0;
}

/* Keys kept in memory: a server's, then the process's (every walk of every scan at once). A
 * key of a PHP session takes some 40 bytes: 25,000 of them a server, 200,000 in all. */
#define SPILL_MEM_ONE (1024 * 1024)
#define SPILL_MEM_ALL (8 * 1024 * 1024)
#define SPILL_MEM_FIRST (16 * 1024)

static size_t mem_taken;	/* of SPILL_MEM_ALL, atomic */

/* Takes n more bytes of SPILL_MEM_ALL: 1, or 0 when they are not there. */
static int mem_take(size_t n)
{
	size_t was = __atomic_fetch_add(&mem_taken, n, __ATOMIC_RELAXED);
	if (was + n <= SPILL_MEM_ALL)
		return 1;
	__atomic_fetch_sub(&mem_taken, n, __ATOMIC_RELAXED);
	return 0;
}

/* Lets go of the memory the keys were kept in. */
static void mem_release(struct spill *s)
{
	__atomic_fetch_sub(&mem_taken, s->mem_cap, __ATOMIC_RELAXED);
	free(s->mem);
	s->mem = NULL;
	s->mem_len = s->mem_cap = 0;
}

void spill_open(struct spill *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

/* Creates the file (unlinked at once) in $TMPDIR or /tmp and moves the keys kept in memory
 * there. Returns 0, or -1 with *cause (new). */
static int to_file(struct spill *s, char **cause)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	char *path = xasprintf("%s/memcsess-keys-XXXXXX", dir);
	s->fd = mkstemp(path);
	if (s->fd >= 0)
		unlink(path);
	int fd = s->fd >= 0 ? dup(s->fd) : -1;
	if (fd < 0 || attach(s, fd) < 0 ||
	    fwrite_unlocked(s->mem, 1, s->mem_len, s->f) != s->mem_len) {
		*cause = xasprintf("cannot create a temporary file in %s: %s", dir, strerror(errno));
		if (fd >= 0 && !s->f)
			close(fd);
		if (s->fd >= 0)
			close(s->fd);
		s->fd = -1;
	}
	free(path);
	if (s->fd < 0)
		return -1;
	mem_release(s);
	return 0;
}

/* Keeps rec in memory, when it fits: 1, else 0. */
static int to_mem(struct spill *s, const unsigned char *rec, size_t n)
{
	if (s->mem_len + n > s->mem_cap) {
		size_t cap = s->mem_cap ? s->mem_cap * 2 : SPILL_MEM_FIRST;
		if (cap > SPILL_MEM_ONE || !mem_take(cap - s->mem_cap))
			return 0;
		s->mem = xrealloc(s->mem, cap);
		s->mem_cap = cap;
	}
	memcpy(s->mem + s->mem_len, rec, n);
	s->mem_len += n;
	return 1;
}

/* A record is the shared and the new length (a byte each), the change of last access as a
 * varint, then the new bytes: the sid and three or four bytes for a session key (the prefix is
 * shared), where the whole item took 80. Less to write and read again on a million keys. */
#define SPILL_HEAD (2 + 10)

/* Writes v at o, seven bits a byte, low first; returns the bytes written (at most 10). */
static size_t put_varint(unsigned char *o, uint64_t v)
{
	size_t n = 0;
	for (; v >= 0x80; v >>= 7)
		o[n++] = (unsigned char)(v | 0x80);
	o[n++] = (unsigned char)v;
	return n;
}

/* Reads a varint from f into *v: 0, or -1 at the end of the file or past ten bytes. */
static int get_varint(FILE *f, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned shift = 0; shift < 70; shift += 7) {
		int c = getc_unlocked(f);
		if (c == EOF)
			return -1;
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* A change of last access as an unsigned number, small either way (zigzag), and back. */
static uint64_t la_change(int64_t from, int64_t to)
{
	uint64_t d = (uint64_t)to - (uint64_t)from;
	return d << 1 ^ (0 - (d >> 63));
}

static int64_t la_changed(int64_t from, uint64_t z)
{
	return (int64_t)((uint64_t)from + (z >> 1 ^ (0 - (z & 1))));
}

int spill_write(struct spill *s, const struct md_item *it, char **cause)
{
	struct spill_mark *m = &s->mark;
	unsigned char rec[SPILL_HEAD + MC_MAX_KEY];
	size_t shared = 0, max = m->key_len < it->key_len ? m->key_len : it->key_len;
	while (shared < max && m->key[shared] == it->key[shared])
		shared++;
	rec[0] = (unsigned char)shared;
	rec[1] = (unsigned char)(it->key_len - shared);
	size_t n = 2 + put_varint(rec + 2, la_change(m->la, it->la));
	memcpy(rec + n, it->key + shared, it->key_len - shared);
	n += it->key_len - shared;
	memcpy(m->key + shared, it->key + shared, it->key_len - shared);
	m->key_len = it->key_len;
	m->la = it->la;
	if (s->fd < 0 && to_mem(s, rec, n))
		return 0;
	if (s->fd < 0 && to_file(s, cause) < 0)
		return -1;
	if (fwrite_unlocked(rec, 1, n, s->f) != n) {	/* one thread per file */
		*cause = xasprintf("writing the temporary key file: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int spill_pause(struct spill *s)
{
	int r = s->f && fclose(s->f) != 0 ? -1 : 0;
	s->f = NULL;
	free(s->buf);
	s->buf = NULL;
	return r;
}

int spill_rewind(struct spill *s, char **cause)
{
	int fd = -1;
	s->mark = (struct spill_mark){ .key_len = 0 };	/* as when they were written */
	if (s->fd < 0) {	/* in memory: read it as a stream too */
		if (s->mem_len && !(s->f = fmemopen(s->mem, s->mem_len, "r"))) {
			*cause = xasprintf("keys kept in memory: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if ((s->f && fflush(s->f) != 0) || (!s->f && ((fd = dup(s->fd)) < 0 || attach(s, fd) < 0)) ||
	    fseek(s->f, 0, SEEK_SET) != 0) {
		*cause = xasprintf("temporary key file: %s", strerror(errno));
		if (fd >= 0 && !s->f)
			close(fd);
		return -1;
	}
	return 0;
}

int spill_read(struct spill *s, struct md_item *it)
{
	struct spill_mark *m = &s->mark;
	FILE *f = s->f;
	if (!f)
		return 0;	/* no key was written */
	int shared = getc_unlocked(f), fresh;
	uint64_t la;
	if (shared == EOF)
		return feof(f) && !ferror(f) ? 0 : -1;
	if ((fresh = getc_unlocked(f)) == EOF || (size_t)shared > m->key_len ||
	    shared + fresh > MC_MAX_KEY || get_varint(f, &la) ||
	    fread_unlocked(m->key + shared, 1, (size_t)fresh, f) != (size_t)fresh)
		return -1;	/* a cut or broken record */
	m->key_len = (size_t)(shared + fresh);
	m->la = la_changed(m->la, la);
	memcpy(it->key, m->key, m->key_len);
	it->key[m->key_len] = '\0';
	it->key_len = m->key_len;
	it->la = m->la;
	it->size = 0;
	it->exp = -1;
	it->cas = 0;
	it->flags = 0;
	it->has_flags = 0;
	it->cls = -1;
	it->fetched = -1;
	return 1;
}

void spill_close(struct spill *s)
{
	spill_pause(s);
	mem_release(s);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
