/*
 * form.h: application/x-www-form-urlencoded bodies (WHATWG URL
 * standard, section 5): '+' is a space, %XX a byte; an invalid escape
 * is an error. Only the fields the caller names are kept; a named field
 * that appears twice is an error, never first- or last-wins.
 */
#ifndef LATCHKEY_HTTP_FORM_H
#define LATCHKEY_HTTP_FORM_H

#include <stddef.h>
#include <stdint.h>

#include "latchkey/lk_common.h"

#define LK_FORM_PAIRS_MAX 32

struct lk_form_field {
    const char *name;   /* in: the field name */
    char *buf;          /* in: where the decoded value goes */
    size_t cap;         /* in: size of buf; values must be < cap */
    size_t len;         /* out: decoded length (bytes, may hold NUL) */
    int present;        /* out: 1 if the field was in the body */
};

/* Value of a hexadecimal digit, or -1. */
int lk_hexval(unsigned char c);

/* Parse body into the named fields. Errors: LK_ERR_INVALID (bad
 * escape, repeated field, too many pairs) and LK_ERR_TOO_LARGE (value
 * longer than its buffer); err says which field. */
enum lk_err lk_form_parse(const char *body, size_t len,
                          struct lk_form_field *fields, size_t nfields,
                          char *err, size_t errlen);

/* Check a Content-Type header for a urlencoded form: 1 if it names
 * application/x-www-form-urlencoded (any case) with no charset
 * parameter or a UTF-8 one. */
int lk_form_content_type_ok(const char *ct);

#endif
