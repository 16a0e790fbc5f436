/* value_from_json.h: a PHP value from its JSON FORM (memcsess(1)), for set: JSON numbers with
 * a fraction or exponent are floats, others ints; {"__float": 5} / {"__float": "INF"} a float,
 * {"__base64": "..."} a binary string, {"__class": C, ...} an object with public properties,
 * {"__class": C, "__case": K} an enum case, {"__class": C, "__serialized": S} a C: object.
 * Object keys that are PHP integers ("5") become integer array keys, as in PHP. */
#ifndef MEMCSESS_VALUE_FROM_JSON_H
#define MEMCSESS_VALUE_FROM_JSON_H

#include <jansson.h>
#include <stddef.h>
#include "php/value.h"

/* Parses the JSON text. Returns new, or NULL with *cause (new) naming the line and column. */
struct pv *pv_from_json_text(const char *text, size_t len, char **cause);
/* The value of a JSON null, boolean, number or string (returns new); NULL for an array or
 * object. Shared with the edit text reader (value_edit_text.c). */
struct pv *pv_from_json_scalar(const json_t *j);

#endif
