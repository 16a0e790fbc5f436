/* direct_json.h: the pieces shared by the writers that go from a session's bytes straight to
 * JSON with no tree (direct.c, igbinary's direct_igbinary.c): strings, member names and their
 * repeats, objects' "__class" members. Each writes what value_json.c writes for the same value. */
#ifndef MEMCSESS_PHP_DIRECT_JSON_H
#define MEMCSESS_PHP_DIRECT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include "codec/crypto.h"
#include "util.h"

/* Far inside the tree path's limits (PV_MAX_DEPTH, JSON_MAX_NODES). */
#define FAST_MAX_DEPTH 256
#define FAST_MAX_NODES 500000
#define FAST_SMALL_KEYS 64

/* A member name as written into out: the JSON string, quotes included. */
struct fast_span {
	size_t off, len;
};

/* The names of the members of the open objects, innermost last. */
struct fast_keys {
	struct fast_span *spans;	/* small, or new when there are more */
	size_t n, cap;
	struct fast_span small[FAST_SMALL_KEYS];
};

/* Doubles *cap, the room of items (elements of size bytes): out of small, a stack array that
 * stays, the first time. Returns the new array (new, or items reallocated). */
void *fast_grow(void *items, const void *small, size_t *cap, size_t size);

void fast_keys_init(struct fast_keys *k);
void fast_keys_release(struct fast_keys *k);
/* Writes a member name (an int, or a string that must be UTF-8: else -1 and out unchanged)
 * and its ':', noting the name in k. */
int fast_put_key(struct fast_keys *k, struct buf *out, int is_int, int64_t i, const char *s,
		 size_t n);
/* The byte sep (',', '{'), then fast_put_key of the string s. */
int fast_put_member(struct fast_keys *k, struct buf *out, char sep, const char *s, size_t n);
/* Notes the member name written into out from off on, and writes its ':'. */
static inline void fast_note_key(struct fast_keys *k, struct buf *out, size_t off)
{
	if (k->n == k->cap)
		k->spans = fast_grow(k->spans, k->small, &k->cap, sizeof(*k->spans));
	k->spans[k->n++] = (struct fast_span){ off, out->len - off };
	buf_addc(out, ':');
}
/* Forgets the names noted since base (k->n when the object opened); 1 when one of them
 * repeats: jansson would keep one member (or the tree path names a shadowed private property
 * Other::name), so the tree path must write it. */
int fast_keys_close(struct fast_keys *k, const struct buf *out, size_t base);

/* json_write_string of s when it is UTF-8 (returns 0); else -1 and out unchanged. */
int fast_put_utf8(struct buf *out, const char *s, size_t n);
/* json_write_text: the string, or {"__base64": ...}. */
void fast_put_text(struct buf *out, const char *s, size_t n);
/* Opens an object with its "__class" member. */
void fast_open_class(struct buf *out, const char *cls, size_t n);
/* {"__class": cls, name: text}, as value_json.c writes custom objects and enum cases. */
void fast_put_named(struct buf *out, const char *cls, size_t cls_len, const char *name,
		    const char *s, size_t n);
/* fast_maybe_encrypted once s is a candidate (crypt_inner_candidate). */
int fast_envelope(enum crypt_scheme scheme, const char *cipher, const char *s, size_t n);
/* 1 when the crypto layer could take s for an envelope (then the tree path looks at it);
 * never under CRYPT_NONE. Inline: most strings are no candidate. */
static inline int fast_maybe_encrypted(enum crypt_scheme scheme, const char *cipher,
				       const char *s, size_t n)
{
	return scheme != CRYPT_NONE && crypt_inner_candidate(s, n) &&
	       fast_envelope(scheme, cipher, s, n);
}
/* Puts out back to its first mark bytes (a declined session). */
void fast_decline(struct buf *out, size_t mark);

#endif
