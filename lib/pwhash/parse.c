/*
 * parse.c: cursor helpers shared by the scheme families. Every helper
 * takes the string as (s, n) and a position, and never reads at or past
 * n; none needs the string to be NUL-terminated.
 */
#include <string.h>

#include "pwhash/pwhash_internal.h"

/* Decimal count, 1..max, no leading zero, at most 10 digits. */
int pw_parse_uint(const char *s, size_t n, size_t *pos, uint32_t max,
                  uint32_t *out)
{
    size_t i = *pos, digits = 0;
    uint64_t v = 0;

    while (i < n && s[i] >= '0' && s[i] <= '9' && digits <= 10) {
        v = v * 10 + (uint64_t)(s[i] - '0');
        i++;
        digits++;
    }
    if (digits == 0 || digits > 10 || (s[*pos] == '0') || v > max)
        return -1;
    *out = (uint32_t)v;
    *pos = i;
    return 0;
}

/* Match a literal at the cursor. */
int pw_eat(const char *s, size_t n, size_t *pos, const char *lit)
{
    size_t k = strlen(lit);

    if (*pos > n || n - *pos < k || memcmp(s + *pos, lit, k) != 0)
        return 0;
    *pos += k;
    return 1;
}

/* Length of the field that starts at pos and ends at '$' or n. */
size_t pw_field_len(const char *s, size_t n, size_t pos)
{
    size_t i = pos;

    while (i < n && s[i] != '$')
        i++;
    return i - pos;
}

/* crypt(3)'s base-64 alphabet, also bcrypt's (in another order). */
int pw_hash64_ok(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (!(c == '.' || c == '/' || (c >= '0' && c <= '9') ||
              (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return 0;
    }
    return 1;
}

/* Equal-length strings in constant time; differing lengths mismatch. */
int pw_str_eq(const char *computed, const char *stored, size_t n)
{
    if (strnlen(computed, n + 1) != n)
        return 0;
    return lk_ct_memeq(computed, stored, n);
}
