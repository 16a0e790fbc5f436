/* member_names.h: the member names of a PHP array or object as JSON shows them, the way
 * json_encode() and jansson's objects would: keys as text, a repeated name found (the last
 * value wins, at the first's place), a private property of another class named
 * "Other::name" where its plain name repeats, and an object's "__class" member left out. */
#ifndef MEMCSESS_PHP_MEMBER_NAMES_H
#define MEMCSESS_PHP_MEMBER_NAMES_H

#include <stddef.h>
#include "php/value.h"
#include "util.h"

/* A member name of an open container: bytes at off in keys, for items[item]; first is the span
 * of the first member with the same name (itself when the name is new). */
struct member_span {
	size_t off, len, item, first;
};

/* The member names of the containers open around a writer, one after another. */
struct member_names {
	struct buf keys;
	struct member_span *spans;
	size_t n_spans, cap_spans;
};

/* 1 when k is the key "__class" (the member an object's class takes). */
int member_names_class_key(const struct pv *k);
/* 1 when e, a property of the object v, is private to another class (\0Other\0name). */
int member_names_foreign_private(const struct pv *v, const struct pv_entry *e);
/* Notes the member names of v as spans after those there; returns how many. Of an object,
 * private properties of another class whose plain names repeat are named "Other::name", and
 * then members named "__class" are left out. */
size_t member_names_collect(struct member_names *nm, const struct pv *v);
/* Points every span of [base, base + m) whose name repeats at the first with that name;
 * returns 1 when some name repeats. */
int member_names_repeats(struct member_names *nm, size_t base, size_t m);
/* Frees the names and spans. */
void member_names_release(struct member_names *nm);

#endif
