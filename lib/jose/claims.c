/*
 * claims.c: reading the claims set of a verified JWT into the few typed
 * values the claim checks need.
 *
 * Two readers fill the same view. The scanner takes only a plain
 * subset of JSON: one object of at most CLAIMS_MEMBERS_MAX members
 * whose names and string values are printable ASCII without escapes,
 * whose numbers are integers of at most 15 digits, and whose other
 * values are true, false, null or arrays of such strings. That is the
 * shape latchkey and the common libraries issue, and the scanner reads
 * it without allocating. Anything outside that subset, duplicate names
 * included, is handed to jansson (with duplicate refusal), so the
 * strictness of the full parser decides every unusual token.
 */
#include <stddef.h>
#include <string.h>

#include <jansson.h>

#include "jose/jose_internal.h"

#define CLAIMS_MEMBERS_MAX 16
#define CLAIMS_DIGITS_MAX  15   /* exact as a double */

/* A cursor over the claims text. */
struct cur {
    const char *p, *end;
};

static void skip_ws(struct cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
                             *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* A string of printable ASCII without escapes; the cursor is on '"'. */
static int scan_string(struct cur *c, const char **s, size_t *len)
{
    const char *q = c->p + 1;

    while (q < c->end && *q != '"') {
        if ((unsigned char)*q < 0x20 || (unsigned char)*q > 0x7e ||
            *q == '\\')
            return 0;
        q++;
    }
    if (q >= c->end)
        return 0;
    *s = c->p + 1;
    *len = (size_t)(q - *s);
    c->p = q + 1;
    return 1;
}

/* An integer without fraction or exponent, exact in a double. */
static int scan_integer(struct cur *c, double *out)
{
    const char *q = c->p;
    int neg = 0, digits = 0;
    double v = 0;

    if (q < c->end && *q == '-') {
        neg = 1;
        q++;
    }
    if (q < c->end && *q == '0' && q + 1 < c->end &&
        q[1] >= '0' && q[1] <= '9')
        return 0;
    while (q < c->end && *q >= '0' && *q <= '9') {
        if (++digits > CLAIMS_DIGITS_MAX)
            return 0;
        v = v * 10 + (*q++ - '0');
    }
    if (digits == 0 || (q < c->end && (*q == '.' || *q == 'e' ||
                                       *q == 'E')))
        return 0;
    c->p = q;
    *out = neg ? -v : v;
    return 1;
}

/* An array of plain strings; the cursor is on '['. */
static int scan_array(struct cur *c, struct lk_claim_val *v)
{
    const char *start = c->p, *s;
    size_t len;

    c->p++;
    skip_ws(c);
    if (c->p < c->end && *c->p == ']') {
        c->p++;
    } else {
        for (;;) {
            if (c->p >= c->end || *c->p != '"' || !scan_string(c, &s, &len))
                return 0;
            skip_ws(c);
            if (c->p < c->end && *c->p == ',') {
                c->p++;
                skip_ws(c);
                continue;
            }
            if (c->p >= c->end || *c->p != ']')
                return 0;
            c->p++;
            break;
        }
    }
    v->type = LK_CV_ARRAY;
    v->s = start;
    v->len = (size_t)(c->p - start);
    return 1;
}

/* Whether the text at the cursor starts with the literal lit. */
static int scan_literal(struct cur *c, const char *lit)
{
    size_t n = strlen(lit);

    if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
        return 0;
    c->p += n;
    return 1;
}

/* One value of the plain subset into v. */
static int scan_value(struct cur *c, struct lk_claim_val *v)
{
    if (c->p >= c->end)
        return 0;
    if (*c->p == '"') {
        v->type = LK_CV_STRING;
        return scan_string(c, &v->s, &v->len);
    }
    if (*c->p == '[')
        return scan_array(c, v);
    if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9')) {
        v->type = LK_CV_NUMBER;
        return scan_integer(c, &v->num);
    }
    v->type = LK_CV_OTHER;
    return scan_literal(c, "true") || scan_literal(c, "false") ||
           scan_literal(c, "null");
}

/* The slot of the view for a member name, or NULL if we ignore it. */
static struct lk_claim_val *slot_for(struct lk_claim_set *cs,
                                     const char *n, size_t len)
{
    static const struct {
        const char *name;
        size_t off;
    } known[] = {
        {"exp", offsetof(struct lk_claim_set, exp)},
        {"nbf", offsetof(struct lk_claim_set, nbf)},
        {"iat", offsetof(struct lk_claim_set, iat)},
        {"iss", offsetof(struct lk_claim_set, iss)},
        {"aud", offsetof(struct lk_claim_set, aud)},
        {"sub", offsetof(struct lk_claim_set, sub)},
        {"jti", offsetof(struct lk_claim_set, jti)},
        {"scope", offsetof(struct lk_claim_set, scope)},
        {"scopes", offsetof(struct lk_claim_set, scopes)},
    };
    size_t i;

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strlen(known[i].name) == len &&
            memcmp(known[i].name, n, len) == 0)
            return (struct lk_claim_val *)((char *)cs + known[i].off);
    return NULL;
}

/* Whether name n[0..len) is among the first count names seen. */
static int seen_before(const char *const *names, const size_t *lens,
                       size_t count, const char *n, size_t len)
{
    size_t i;

    for (i = 0; i < count; i++)
        if (lens[i] == len && memcmp(names[i], n, len) == 0)
            return 1;
    return 0;
}

/* The members of the object; the cursor is just past '{'. */
static int scan_members(struct cur *c, struct lk_claim_set *cs)
{
    const char *names[CLAIMS_MEMBERS_MAX], *n;
    size_t lens[CLAIMS_MEMBERS_MAX], len, count = 0;
    struct lk_claim_val scratch, *v;

    skip_ws(c);
    if (c->p < c->end && *c->p == '}')
        return 1;
    for (;;) {
        if (count == CLAIMS_MEMBERS_MAX || c->p >= c->end ||
            *c->p != '"' || !scan_string(c, &n, &len) ||
            seen_before(names, lens, count, n, len))
            return 0;
        names[count] = n;
        lens[count++] = len;
        skip_ws(c);
        if (c->p >= c->end || *c->p++ != ':')
            return 0;
        skip_ws(c);
        v = slot_for(cs, n, len);
        if (!scan_value(c, v != NULL ? v : &scratch))
            return 0;
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            skip_ws(c);
            continue;
        }
        return c->p < c->end && *c->p == '}';
    }
}

enum lk_err lk_claims_scan(const char *text, size_t len,
                           struct lk_claim_set *cs)
{
    struct cur c = {text, text + len};

    memset(cs, 0, sizeof(*cs));
    skip_ws(&c);
    if (c.p >= c.end || *c.p++ != '{' || !scan_members(&c, cs))
        return LK_ERR_UNSUPPORTED;
    c.p++;
    skip_ws(&c);
    return c.p == c.end ? LK_OK : LK_ERR_UNSUPPORTED;
}

/* One member of a jansson object into the view. */
static void from_json(json_t *obj, const char *name, struct lk_claim_val *v)
{
    json_t *j = json_object_get(obj, name);

    if (j == NULL) {
        v->type = LK_CV_ABSENT;
    } else if (json_is_string(j)) {
        v->type = LK_CV_STRING;
        v->s = json_string_value(j);
        v->len = json_string_length(j);
    } else if (json_is_number(j)) {
        v->type = LK_CV_NUMBER;
        v->num = json_number_value(j);
    } else if (json_is_array(j)) {
        v->type = LK_CV_ARRAY;
        v->json = j;
    } else {
        v->type = LK_CV_OTHER;
    }
}

void lk_claims_from_json(const void *obj, struct lk_claim_set *cs)
{
    json_t *o = (json_t *)obj;

    memset(cs, 0, sizeof(*cs));
    from_json(o, "exp", &cs->exp);
    from_json(o, "nbf", &cs->nbf);
    from_json(o, "iat", &cs->iat);
    from_json(o, "iss", &cs->iss);
    from_json(o, "aud", &cs->aud);
    from_json(o, "sub", &cs->sub);
    from_json(o, "jti", &cs->jti);
    from_json(o, "scope", &cs->scope);
    from_json(o, "scopes", &cs->scopes);
}

/* Next element of a scanned array (plain strings only). */
static int raw_next(const struct lk_claim_val *v, size_t *pos,
                    struct lk_claim_val *out)
{
    struct cur c = {v->s + *pos, v->s + v->len};

    if (*pos == 0)
        c.p++;
    while (c.p < c.end && *c.p != '"' && *c.p != ']')
        c.p++;
    if (c.p >= c.end || *c.p == ']')
        return 0;
    out->type = LK_CV_STRING;
    if (!scan_string(&c, &out->s, &out->len))
        return 0;
    *pos = (size_t)(c.p - v->s);
    return 1;
}

int lk_claims_array_next(const struct lk_claim_val *v, size_t *pos,
                         struct lk_claim_val *out)
{
    json_t *e;

    memset(out, 0, sizeof(*out));
    if (v->json == NULL)
        return raw_next(v, pos, out);
    if (*pos >= json_array_size(v->json))
        return 0;
    e = json_array_get(v->json, (*pos)++);
    if (json_is_string(e)) {
        out->type = LK_CV_STRING;
        out->s = json_string_value(e);
        out->len = json_string_length(e);
    } else {
        out->type = LK_CV_OTHER;
    }
    return 1;
}
