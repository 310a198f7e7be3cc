/*
 * form.c: the urlencoded form parser. A cursor walks the body once;
 * every write is bounded by the destination's capacity.
 */
#include <string.h>
#include <strings.h>

#include "http/form.h"

int lk_hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The decoding loop of decode(); may leave out partly written. */
static enum lk_err decode_raw(const char *s, size_t n, char *out,
                              size_t cap, size_t *outlen)
{
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi, lo;
            if (i + 2 >= n)
                return LK_ERR_INVALID;
            hi = lk_hexval((unsigned char)s[i + 1]);
            lo = lk_hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0)
                return LK_ERR_INVALID;
            c = hi << 4 | lo;
            i += 2;
        }
        if (out != NULL) {
            if (o + 1 >= cap)
                return LK_ERR_TOO_LARGE;
            out[o] = (char)c;
        }
        o++;
    }
    if (out != NULL) {
        if (o >= cap)
            return LK_ERR_TOO_LARGE;
        out[o] = '\0';
    }
    *outlen = o;
    return LK_OK;
}

/* Decode s[0..n) into out (cap bytes); *outlen gets the length. A
 * NULL out only validates and measures. On error out holds "". */
static enum lk_err decode(const char *s, size_t n, char *out, size_t cap,
                          size_t *outlen)
{
    enum lk_err rc = decode_raw(s, n, out, cap, outlen);

    if (rc != LK_OK) {
        if (out != NULL && cap > 0)
            lk_secure_zero(out, cap);   /* may hold part of a password */
        *outlen = 0;
    }
    return rc;
}

/* Find the field whose name equals the decoded key k. */
static struct lk_form_field *find(struct lk_form_field *f, size_t nf,
                                  const char *k, size_t klen)
{
    char name[64];
    size_t n = 0, i;

    if (klen >= sizeof(name) * 3 ||
        decode(k, klen, name, sizeof(name), &n) != LK_OK)
        return NULL;
    for (i = 0; i < nf; i++)
        if (strlen(f[i].name) == n && memcmp(f[i].name, name, n) == 0)
            return &f[i];
    return NULL;
}

/* Handle one "key=value" pair. */
static enum lk_err one_pair(const char *p, size_t n,
                            struct lk_form_field *fields, size_t nf,
                            char *err, size_t errlen)
{
    const char *eq = memchr(p, '=', n);
    size_t klen = eq ? (size_t)(eq - p) : n, vlen = 0;
    const char *v = eq ? eq + 1 : p + n;
    struct lk_form_field *f = find(fields, nf, p, klen);
    enum lk_err rc;

    if (f == NULL) {   /* unknown field: validate escapes, drop */
        if (decode(p, n, NULL, 0, &vlen) != LK_OK)
            return lk_seterr(err, errlen, LK_ERR_INVALID,
                             "invalid percent-escape in form body");
        return LK_OK;
    }
    if (f->present)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "form field '%s' is repeated", f->name);
    f->present = 1;
    rc = decode(v, (size_t)(p + n - v), f->buf, f->cap, &f->len);
    if (rc == LK_ERR_TOO_LARGE)
        return lk_seterr(err, errlen, rc, "form field '%s' is too long",
                         f->name);
    if (rc != LK_OK)
        return lk_seterr(err, errlen, rc,
                         "invalid percent-escape in form field '%s'",
                         f->name);
    return LK_OK;
}

enum lk_err lk_form_parse(const char *body, size_t len,
                          struct lk_form_field *fields, size_t nfields,
                          char *err, size_t errlen)
{
    size_t pos = 0, pairs = 0, i;
    enum lk_err rc;

    for (i = 0; i < nfields; i++) {
        fields[i].present = 0;
        fields[i].len = 0;
        if (fields[i].cap > 0)
            fields[i].buf[0] = '\0';
    }
    while (pos < len) {
        const char *amp = memchr(body + pos, '&', len - pos);
        size_t end = amp ? (size_t)(amp - body) : len;
        if (end > pos) {
            if (++pairs > LK_FORM_PAIRS_MAX)
                return lk_seterr(err, errlen, LK_ERR_INVALID,
                                 "too many form fields");
            rc = one_pair(body + pos, end - pos, fields, nfields,
                          err, errlen);
            if (rc != LK_OK)
                return rc;
        }
        pos = end + 1;
    }
    return LK_OK;
}

/* Skip optional whitespace. */
static const char *skip_ows(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

int lk_form_content_type_ok(const char *ct)
{
    static const char type[] = "application/x-www-form-urlencoded";
    const char *p;

    if (ct == NULL)
        return 0;
    ct = skip_ows(ct);
    if (strncasecmp(ct, type, sizeof(type) - 1) != 0)
        return 0;
    p = skip_ows(ct + sizeof(type) - 1);
    while (*p == ';') {
        const char *q = skip_ows(p + 1);
        if (strncasecmp(q, "charset=", 8) == 0) {
            const char *v = q + 8;
            size_t vl = strcspn(v, "; \t");
            if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
                v++;
                vl -= 2;
            }
            if (!((vl == 5 && strncasecmp(v, "utf-8", 5) == 0) ||
                  (vl == 4 && strncasecmp(v, "utf8", 4) == 0)))
                return 0;
        }
        p = strchr(q, ';');
        if (p == NULL)
            return 1;
    }
    return *p == '\0';
}
