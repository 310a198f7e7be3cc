/*
 * authz.c: finding a bearer token. The token68 grammar is
 * 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
 */
#include <string.h>
#include <strings.h>

#include "http/authz.h"

/* The characters of a token68 before its padding. */
static const char token68_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    "-._~+/";

/* Find the token; see authz.h for the answers. */
enum lk_err lk_bearer_parse(const char *hdr, const char **tok,
                            size_t *len)
{
    const char *p, *start, *end;

    *tok = NULL;
    *len = 0;
    if (hdr == NULL)
        return LK_ERR_NOT_FOUND;
    while (*hdr == ' ' || *hdr == '\t')
        hdr++;
    if (strncasecmp(hdr, "bearer", 6) != 0 ||
        (hdr[6] != ' ' && hdr[6] != '\t'))
        return LK_ERR_NOT_FOUND;
    p = hdr + 6;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0')
        return LK_ERR_NOT_FOUND;
    start = p;
    p += strspn(p, token68_chars);     /* a table scan, no branch per class */
    while (*p == '=')
        p++;
    end = p;
    while (*p == ' ' || *p == '\t')
        p++;
    if (end == start || *p != '\0')
        return LK_ERR_INVALID;   /* outputs stay NULL on every error */
    *tok = start;
    *len = (size_t)(end - start);
    return LK_OK;
}
