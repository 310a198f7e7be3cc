/*
 * authz.h: the Authorization request header (RFC 6750 section 2.1).
 */
#ifndef LATCHKEY_HTTP_AUTHZ_H
#define LATCHKEY_HTTP_AUTHZ_H

#include <stddef.h>

#include "latchkey/lk_common.h"

/* Find the bearer token in an Authorization header value. The scheme
 * name is case-insensitive. Returns LK_OK with (*tok, *len) pointing
 * into hdr; LK_ERR_NOT_FOUND when hdr is NULL, not the Bearer scheme,
 * or has no credentials ("Not authenticated"); LK_ERR_INVALID when
 * the credentials are not a token68 ("Could not validate"). On any
 * error *tok is NULL and *len is 0. */
enum lk_err lk_bearer_parse(const char *hdr, const char **tok,
                            size_t *len);

#endif
