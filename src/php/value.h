/* value.h: a decoded PHP value tree, as unserialize() or igbinary would build it. */
#ifndef MEMCSESS_PHP_VALUE_H
#define MEMCSESS_PHP_VALUE_H

#include <stddef.h>
#include <stdint.h>

enum pv_type {
	PV_NULL,
	PV_BOOL,
	PV_INT,
	PV_FLOAT,
	PV_STRING,
	PV_ARRAY,	/* items: keys are PV_INT or PV_STRING; u.str: see below */
	PV_OBJECT,	/* class_name + items: keys are PV_STRING property names; u.i: igbinary
			 * null-key entries written after the last item */
	PV_CUSTOM,	/* C:Class:len:{payload} (Serializable): class_name + str */
	PV_ENUM,	/* E:len:"Class:Case": class_name + str (case name) */
	PV_REF,		/* R: (hard reference) or r: (object reference) to an earlier value */
};

enum pv_vis { PV_PUBLIC, PV_PROTECTED, PV_PRIVATE };

struct pv;

struct pv_entry {
	struct pv *key;		/* owned */
	struct pv *value;	/* owned */
	enum pv_vis vis;	/* objects: from the mangled name (\0*\0x, \0Class\0x) */
	unsigned short igb_skipped;	/* igbinary: null-key entries written before this one */
	unsigned char int_key;	/* objects: the name was written as an integer (__serialize) */
	char *decl_class;	/* private properties: the declaring class; else NULL; owned */
};

struct pv {
	enum pv_type type;
	unsigned shared;	/* number of PV_REF nodes pointing here */
	unsigned slot;		/* unserialize()'s 1-based variable number (0: none) */
	unsigned char decrypted;	/* the crypto layer's scheme when it decrypted this value */
	unsigned char encrypted;	/* its scheme when this string is an envelope left closed */
	unsigned char php_ref;		/* igbinary: written as a PHP reference (&, type 0x25) */
	union {
		int b;
		int64_t i;
		double d;
		struct {
			char *ptr;	/* owned, NUL-terminated after len bytes */
			size_t len;
		} str;		/* PV_ARRAY: the bytes after a php_serialize session's
				 * array, which PHP ignores (kept to write them back), or
				 * NULL */
	} u;
	char *class_name;		/* PV_OBJECT, PV_CUSTOM, PV_ENUM; owned */
	struct pv_entry *items;		/* PV_ARRAY, PV_OBJECT; owned */
	size_t n_items;
	size_t cap_items;
	struct pv *target;		/* PV_REF: not owned */
	int hard;			/* PV_REF: 1 for R: (&), 0 for r: */
};

/* Constructors: each returns new. */
struct pv *pv_new(enum pv_type type);
struct pv *pv_new_int(int64_t i);
struct pv *pv_new_string(const char *s, size_t len);
/* Appends an entry to an array or object; takes ownership of key and value. Returns the entry. */
struct pv_entry *pv_append(struct pv *container, struct pv *key, struct pv *value);
/* Frees v and everything it owns (reference targets are not owned). */
void pv_free(struct pv *v);
/* Follows PV_REF nodes to the value they name (NULL stays NULL). */
const struct pv *pv_deref(const struct pv *v);
/* Looks up a dotted path such as "user.id" or "cart.0.sku" in arrays and objects. */
const struct pv *pv_lookup(const struct pv *root, const char *path);
/* Type name as PHP's gettype() would say it ("integer", "string", "array", ...). */
const char *pv_type_name(enum pv_type type);

/* Deepest nesting any decoder accepts; deeper input is a decode error, not a crash. */
#define PV_MAX_DEPTH 1024

/* Why a decoder failed, and where. */
struct decode_error {
	size_t offset;		/* byte offset in the input where decoding failed */
	char msg[160];		/* lowercase, no trailing period, e.g. "string length past end of data" */
};

/* Makes the nodes of a decoder: new ones, or in check mode (a decoder that only checks its
 * input) one stand-in per type, owned by the pv_build and never freed, so nothing is
 * allocated. Writes to a stand-in are lost except its type. */
struct pv_build {
	int check;
	struct pv stand_in[PV_REF + 1];
};
void pv_build_init(struct pv_build *b, int check);
/* Each returns new (check mode: a stand-in). */
struct pv *pv_build_node(struct pv_build *b, enum pv_type type);
struct pv *pv_build_int(struct pv_build *b, int64_t i);
struct pv *pv_build_string(struct pv_build *b, const char *s, size_t len);
/* A new NUL-terminated copy of the bytes; NULL in check mode. */
char *pv_build_text(const struct pv_build *b, const char *s, size_t len);
/* pv_append, or nothing (NULL) in check mode. */
struct pv_entry *pv_build_append(const struct pv_build *b, struct pv *container, struct pv *key,
				 struct pv *value);
/* pv_free, or nothing in check mode. */
void pv_build_drop(const struct pv_build *b, struct pv *v);

/* Does scalar v equal the text as a person would write it ("12345", "alice", "true", "null")? */
int pv_equals_text(const struct pv *v, const char *text);

#endif
