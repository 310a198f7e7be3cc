/*
 * jsonw.c: JSON writing. Strings are escaped per RFC 8259; bytes that
 * are not valid UTF-8 are replaced by U+FFFD so the output is always
 * valid JSON whatever the store holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/jsonw.h"

void jsonw_init(struct jsonw *w, size_t max)
{
    memset(w, 0, sizeof(*w));
    w->max = max;
}

/* Make room for n more bytes plus a NUL. */
static int reserve(struct jsonw *w, size_t n)
{
    size_t need, cap;
    char *nb;

    if (w->failed)
        return 0;
    need = w->len + n + 1;
    if (need <= w->cap)
        return 1;
    if (need > w->max) {
        w->failed = 1;
        return 0;
    }
    cap = w->cap ? w->cap : 256;
    while (cap < need)
        cap *= 2;
    if (cap > w->max)
        cap = w->max;
    if ((nb = realloc(w->buf, cap)) == NULL) {
        w->failed = 1;
        return 0;
    }
    w->buf = nb;
    w->cap = cap;
    return 1;
}

void jsonw_raw(struct jsonw *w, const char *s, size_t n)
{
    if (!reserve(w, n))
        return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

void jsonw_lit(struct jsonw *w, const char *s)
{
    jsonw_raw(w, s, strlen(s));
}

/* Length of a valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len, i;
    unsigned long cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

void jsonw_str(struct jsonw *w, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run;
    char esc[8];

    jsonw_raw(w, "\"", 1);
    while (i < n) {
        for (run = 0; i + run < n && p[i + run] >= 0x20 &&
             p[i + run] != '"' && p[i + run] != '\\' && p[i + run] < 0x80;
             run++)
            ;
        jsonw_raw(w, s + i, run);
        i += run;
        if (i >= n)
            break;
        if (p[i] >= 0x80) {
            size_t l = utf8_len(p + i, n - i);
            if (l == 0) {
                jsonw_raw(w, "\xef\xbf\xbd", 3);
                l = 1;
            } else {
                jsonw_raw(w, s + i, l);
            }
            i += l;
            continue;
        }
        if (p[i] == '"' || p[i] == '\\') {
            esc[0] = '\\';
            esc[1] = (char)p[i];
            jsonw_raw(w, esc, 2);
        } else {
            snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
            jsonw_raw(w, esc, 6);
        }
        i++;
    }
    jsonw_raw(w, "\"", 1);
}

void jsonw_cstr(struct jsonw *w, const char *s)
{
    if (s == NULL)
        jsonw_raw(w, "null", 4);
    else
        jsonw_str(w, s, strlen(s));
}

void jsonw_int(struct jsonw *w, long long v)
{
    char num[32];
    int n = snprintf(num, sizeof(num), "%lld", v);

    jsonw_raw(w, num, (size_t)n);
}

char *jsonw_take(struct jsonw *w, size_t *len)
{
    char *b = w->buf;

    if (w->failed || b == NULL) {
        free(w->buf);
        b = NULL;
    }
    if (len != NULL)
        *len = b ? w->len : 0;
    memset(w, 0, sizeof(*w));
    return b;
}
