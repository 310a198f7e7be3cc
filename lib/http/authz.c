/*
 * authz.c: finding a bearer token. The token68 grammar is
 * 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
 */
#include <string.h>
#include <strings.h>

#include "http/authz.h"

/* '1' for the characters of a token68 before its padding: letters,
 * digits and "-._~+/", by byte value (a table: one load a character,
 * where strspn first builds its own table on every call). */
static const char token68_map[256] =
    "0000000000000000" "0000000000000000"   /* 0x00 - 0x1f */
    "0000000000010111" "1111111111000000"   /* 0x20: +-./  0x30: 0-9 */
    "0111111111111111" "1111111111100001"   /* 0x40: A-O   0x50: P-Z _ */
    "0111111111111111" "1111111111100010"   /* 0x60: a-o   0x70: p-z ~ */
    "0000000000000000" "0000000000000000"   /* 0x80 - 0xff: none */
    "0000000000000000" "0000000000000000"
    "0000000000000000" "0000000000000000"
    "0000000000000000" "0000000000000000";

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
    while (token68_map[(unsigned char)*p] == '1')
        p++;
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
