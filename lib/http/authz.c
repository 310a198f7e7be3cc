/*
 * authz.c: finding a bearer token. The token68 grammar is
 * 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
 */
#include <string.h>
#include <strings.h>

#include "http/authz.h"

static int token68_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
           c == '~' || c == '+' || c == '/';
}

enum lk_err lk_bearer_parse(const char *hdr, const char **tok,
                            size_t *len)
{
    const char *p, *start;

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
    while (token68_char((unsigned char)*p))
        p++;
    while (*p == '=')
        p++;
    if (p == start)
        return LK_ERR_INVALID;
    *tok = start;
    *len = (size_t)(p - start);
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == '\0' ? LK_OK : LK_ERR_INVALID;
}
