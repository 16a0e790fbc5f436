/* value_text.h: a pv tree as indented text for people. */
#ifndef MEMCSESS_PHP_VALUE_TEXT_H
#define MEMCSESS_PHP_VALUE_TEXT_H

#include "php/value.h"
#include "util.h"

/* The readable indented tree for people, appended to out. The root (a session's variable
 * array) is shown as one line per variable. */
void pv_format_tree(const struct pv *root, struct buf *out);
/* Appends what the crypto layer did to v: " (decrypted: openssl)", " (encrypted: laravel)" for
 * an envelope it could not open (no key, or none fits), or nothing. */
void pv_add_crypt_mark(struct buf *out, const struct pv *v);

#endif
