/*
 * test_form.c: the urlencoded form parser, the Content-Type check and
 * the bearer header parser.
 */
#include <stdio.h>
#include <string.h>

#include "http/authz.h"
#include "http/form.h"
#include "tap.h"

struct two {
    char a[16], b[8];
    struct lk_form_field f[2];
};

static enum lk_err parse(struct two *t, const char *body)
{
    t->f[0] = (struct lk_form_field){"user", t->a, sizeof(t->a), 0, 0};
    t->f[1] = (struct lk_form_field){"pw", t->b, sizeof(t->b), 0, 0};
    return lk_form_parse(body, strlen(body), t->f, 2, NULL, 0);
}

static void decoding(void)
{
    struct two t;

    ok(parse(&t, "user=a+b%2Bc&pw=%C3%BC") == LK_OK &&
       strcmp(t.a, "a b+c") == 0 && t.f[1].len == 2 &&
       memcmp(t.b, "\xc3\xbc", 2) == 0, "+ is space, %%2B plus, UTF-8");
    ok(parse(&t, "pw=x&other=%41&&user=") == LK_OK && t.f[0].present &&
       t.f[0].len == 0 && strcmp(t.b, "x") == 0,
       "unknown fields and empty pairs ignored, empty value present");
    ok(parse(&t, "pw=a%00b") == LK_OK && t.f[1].len == 3 &&
       t.b[1] == '\0', "NUL decoded as a byte with its length");
    ok(parse(&t, "us%65r=x") == LK_OK && strcmp(t.a, "x") == 0,
       "escaped field name");
    ok(parse(&t, "user") == LK_OK && t.f[0].present && t.f[0].len == 0,
       "name without '=' is an empty value");
}

static void refusals(void)
{
    struct two t;

    ok(parse(&t, "user=a&user=b") == LK_ERR_INVALID, "repeated field");
    ok(parse(&t, "pw=%zz") == LK_ERR_INVALID, "bad escape");
    ok(parse(&t, "pw=%4") == LK_ERR_INVALID, "short escape");
    ok(parse(&t, "pw=abc%") == LK_ERR_INVALID, "dangling %%");
    ok(parse(&t, "other=%g1") == LK_ERR_INVALID, "bad escape, unknown");
    ok(parse(&t, "pw=12345678") == LK_ERR_TOO_LARGE && t.f[1].len == 0 &&
       t.b[0] == '\0', "too long for its buffer, wiped");
    ok(parse(&t, "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=1&k=1&l=1&m=1"
                 "&n=1&o=1&p=1&q=1&r=1&s=1&t=1&u=1&v=1&w=1&x=1&y=1&z=1"
                 "&A=1&B=1&C=1&D=1&E=1&F=1&G=1") == LK_ERR_INVALID,
       "more than LK_FORM_PAIRS_MAX pairs");
}

static void content_types(void)
{
    ok(lk_form_content_type_ok("application/x-www-form-urlencoded"),
       "plain");
    ok(lk_form_content_type_ok("Application/X-WWW-Form-Urlencoded; "
                               "charset=\"UTF-8\""), "case, quoted utf-8");
    ok(!lk_form_content_type_ok("application/x-www-form-urlencoded; "
                                "charset=iso-8859-1"), "latin-1 refused");
    ok(!lk_form_content_type_ok("application/json"), "json refused");
    ok(!lk_form_content_type_ok("application/x-www-form-urlencodedx"),
       "longer type refused");
    ok(!lk_form_content_type_ok(NULL), "missing refused");
}

/* Every byte value as a one-character token: accepted exactly when
 * RFC 7235's token68 allows it before the padding. */
static void token68_bytes(void)
{
    static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
                                  "nopqrstuvwxyz0123456789-._~+/";
    char hdr[16];
    const char *tok;
    size_t n;
    int c, wrong = 0;

    for (c = 1; c < 256; c++) {
        int want = strchr(allowed, c) != NULL;
        snprintf(hdr, sizeof(hdr), "Bearer a%cb", c);
        wrong += (lk_bearer_parse(hdr, &tok, &n) == LK_OK) != want &&
                 c != ' ' && c != '\t';
    }
    ok(wrong == 0, "token68 characters, byte by byte (%d wrong)", wrong);
}

static void bearer(void)
{
    const char *tok;
    size_t n;

    ok(lk_bearer_parse("Bearer abc.def-_~+/=", &tok, &n) == LK_OK &&
       n == 13 && strncmp(tok, "abc.def-_~+/=", n) == 0, "token68");
    ok(lk_bearer_parse("bEaReR   x", &tok, &n) == LK_OK && n == 1,
       "scheme case-insensitive, several spaces");
    ok(lk_bearer_parse(NULL, &tok, &n) == LK_ERR_NOT_FOUND, "absent");
    ok(lk_bearer_parse("Basic eA==", &tok, &n) == LK_ERR_NOT_FOUND,
       "other scheme");
    ok(lk_bearer_parse("Bearer", &tok, &n) == LK_ERR_NOT_FOUND &&
       lk_bearer_parse("Bearer ", &tok, &n) == LK_ERR_NOT_FOUND,
       "no credentials");
    ok(lk_bearer_parse("Bearerx y", &tok, &n) == LK_ERR_NOT_FOUND,
       "scheme must end at a space");
    ok(lk_bearer_parse("Bearer a b", &tok, &n) == LK_ERR_INVALID &&
       tok == NULL && n == 0, "junk after the token");
    ok(lk_bearer_parse("Bearer a=b", &tok, &n) == LK_ERR_INVALID,
       "'=' only at the end");
    token68_bytes();
}

int main(void)
{
    decoding();
    refusals();
    content_types();
    bearer();
    return tap_done();
}
