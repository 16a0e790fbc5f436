/* session_encode.h: a session's variables written back as each serialize handler writes
 * them (ext/session/session.c, php-igbinary), byte for byte. */
#ifndef MEMCSESS_SESSION_ENCODE_H
#define MEMCSESS_SESSION_ENCODE_H

#include "php/handlers.h"
#include "php/value.h"
#include "util.h"

/* Appends root (a PV_ARRAY of name => value, as sess_decode gives it) encoded with handler h
 * (php, php_binary, php_serialize or igbinary). A php_serialize root's kept trailing bytes
 * (u.str) are written after the array. Returns 0, or -1 with *cause (new) when the handler
 * cannot hold a name (php: '|', a leading '!'; php_binary: over 127 bytes; both: integer
 * names); out is then as it was. Renumbers the tree's slots (serialize.h). */
int sess_encode(struct pv *root, enum sess_handler h, struct buf *out, char **cause);

#endif
