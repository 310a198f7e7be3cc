/*
 * jwt.c: the verifier object and the JWT claim checks (RFC 7519
 * section 4.1) that follow a good signature.
 *
 * The claims are a JSON object without duplicate names; exp, nbf and
 * iat must be JSON numbers (integer or fraction); iss and aud are
 * compared exactly; sub and the scopes must be strings. A configured
 * verifier is only read, so many threads may share it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jose/jose_internal.h"

struct lk_jwt_verifier {
    const struct lk_keyset *ks;
    char *iss;
    char *aud;
    int64_t leeway;
    unsigned required;
    size_t max_size;
    unsigned generation;      /* bumped by every setter (caches) */
};

enum lk_err lk_jwt_verifier_new(const struct lk_keyset *ks,
                                struct lk_jwt_verifier **out)
{
    struct lk_jwt_verifier *v = calloc(1, sizeof(*v));

    *out = NULL;
    if (v == NULL)
        return LK_ERR_NOMEM;
    v->ks = ks;
    v->required = LK_REQ_EXP | LK_REQ_SUB;
    v->max_size = LK_JWT_MAX_DEFAULT;
    *out = v;
    return LK_OK;
}

void lk_jwt_verifier_free(struct lk_jwt_verifier *v)
{
    if (v == NULL)
        return;
    free(v->iss);
    free(v->aud);
    free(v);
}

static enum lk_err set_string(char **dst, const char *s)
{
    char *copy = NULL;

    if (s != NULL && (copy = strdup(s)) == NULL)
        return LK_ERR_NOMEM;
    free(*dst);
    *dst = copy;
    return LK_OK;
}

enum lk_err lk_jwt_verifier_set_issuer(struct lk_jwt_verifier *v,
                                       const char *iss)
{
    v->generation++;
    return set_string(&v->iss, iss);
}

enum lk_err lk_jwt_verifier_set_audience(struct lk_jwt_verifier *v,
                                         const char *aud)
{
    v->generation++;
    return set_string(&v->aud, aud);
}

void lk_jwt_verifier_set_leeway(struct lk_jwt_verifier *v, int64_t secs)
{
    v->generation++;
    v->leeway = secs < 0 ? 0 : secs;
}

void lk_jwt_verifier_set_required(struct lk_jwt_verifier *v,
                                  unsigned req_flags)
{
    v->generation++;
    v->required = req_flags;
}

void lk_jwt_verifier_set_max_size(struct lk_jwt_verifier *v, size_t max)
{
    v->generation++;
    v->max_size = max;
}

/* Decoded claims: in buf when they fit, else in heap (free() it). */
struct claims_text {
    char buf[1024];
    char *heap;
    const char *text;
    size_t len;
    json_t *json;
};

/* Decode the claims segment and read it into cs: the scanner for plain
 * claims sets, jansson (duplicates refused) for anything else. */
static enum lk_err read_claims(const struct lk_jws_parts *p,
                               struct claims_text *t,
                               struct lk_claim_set *cs)
{
    size_t cap = lk_b64_decoded_max(p->pay_len);
    char *dst = t->buf;
    json_error_t jerr;

    if (cap >= sizeof(t->buf)) {
        if ((t->heap = malloc(cap + 1)) == NULL)
            return LK_ERR_NOMEM;
        dst = t->heap;
    }
    if (lk_b64_decode(LK_B64_URL, 0, p->pay, p->pay_len, (uint8_t *)dst,
                      cap, &t->len) != LK_OK)
        return LK_ERR_INVALID;
    dst[t->len] = '\0';
    t->text = dst;
    if (lk_claims_scan(t->text, t->len, cs) == LK_OK)
        return LK_OK;
    t->json = json_loadb(t->text, t->len, JSON_REJECT_DUPLICATES, &jerr);
    if (t->json == NULL || !json_is_object(t->json))
        return LK_ERR_INVALID;
    lk_claims_from_json(t->json, cs);
    return LK_OK;
}

static void claims_text_free(struct claims_text *t)
{
    json_decref(t->json);
    free(t->heap);
}

/* Read a NumericDate: must be a JSON number. */
static enum lk_err numeric_date(const struct lk_claim_val *v, double *out,
                                int *present)
{
    *present = v->type != LK_CV_ABSENT;
    if (v->type == LK_CV_ABSENT)
        return LK_OK;
    if (v->type != LK_CV_NUMBER)
        return LK_ERR_CLAIM;
    *out = v->num;
    if (!isfinite(*out))
        return LK_ERR_CLAIM;
    return LK_OK;
}

/* A finite NumericDate as whole seconds, rounded down and clamped
 * (without libm, which the library does not link). */
static int64_t to_seconds(double t)
{
    int64_t s;

    if (t >= 9e18)
        return INT64_C(9000000000000000000);
    if (t <= -9e18)
        return -INT64_C(9000000000000000000);
    s = (int64_t)t;
    return (double)s > t ? s - 1 : s;
}

/* Read exp, nbf and iat (JSON numbers) and check that the required
 * ones are there. */
static enum lk_err read_times(const struct lk_jwt_verifier *v,
                              const struct lk_claim_set *c,
                              struct lk_jwt_times *tm,
                              char *err, size_t errlen)
{
    memset(tm, 0, sizeof(*tm));
    if (numeric_date(&c->exp, &tm->exp, &tm->has_exp) != LK_OK ||
        numeric_date(&c->nbf, &tm->nbf, &tm->has_nbf) != LK_OK ||
        numeric_date(&c->iat, &tm->iat, &tm->has_iat) != LK_OK)
        return lk_seterr(err, errlen, LK_ERR_CLAIM,
                         "exp, nbf and iat must be JSON numbers");
    if ((v->required & LK_REQ_EXP) && !tm->has_exp)
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "exp is required");
    if ((v->required & LK_REQ_NBF) && !tm->has_nbf)
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "nbf is required");
    if ((v->required & LK_REQ_IAT) && !tm->has_iat)
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "iat is required");
    return LK_OK;
}

enum lk_err lk_jwt_times_check(const struct lk_jwt_verifier *v,
                               const struct lk_jwt_times *tm, int64_t now,
                               char *err, size_t errlen)
{
    double t = (double)now, lw = (double)v->leeway;

    if (tm->has_exp && !(t < tm->exp + lw))
        return lk_seterr(err, errlen, LK_ERR_EXPIRED, "token expired");
    if (tm->has_nbf && !(t >= tm->nbf - lw))
        return lk_seterr(err, errlen, LK_ERR_NOT_YET_VALID,
                         "token not valid yet (nbf)");
    if (tm->has_iat && tm->iat > t + lw)
        return lk_seterr(err, errlen, LK_ERR_NOT_YET_VALID,
                         "token issued in the future (iat)");
    return LK_OK;
}

/* The time claims of c against now with the leeway; tm gets them. */
static enum lk_err check_times(const struct lk_jwt_verifier *v,
                               const struct lk_claim_set *c,
                               int64_t now, struct lk_jwt_times *tm,
                               struct lk_claims *cl,
                               char *err, size_t errlen)
{
    enum lk_err rc = read_times(v, c, tm, err, errlen);

    if (rc == LK_OK)
        rc = lk_jwt_times_check(v, tm, now, err, errlen);
    if (rc == LK_OK && cl != NULL) {
        cl->has_exp = tm->has_exp;
        cl->has_nbf = tm->has_nbf;
        cl->has_iat = tm->has_iat;
        cl->exp = tm->has_exp ? to_seconds(tm->exp) : 0;
        cl->nbf = tm->has_nbf ? to_seconds(tm->nbf) : 0;
        cl->iat = tm->has_iat ? to_seconds(tm->iat) : 0;
    }
    return rc;
}

/* Whether a string claim equals the NUL-terminated want exactly. */
static int str_is(const struct lk_claim_val *v, const char *want)
{
    return strlen(want) == v->len && memcmp(v->s, want, v->len) == 0;
}

/* aud against the configured audience: a string or array of strings. */
static enum lk_err check_aud(const struct lk_jwt_verifier *v,
                             const struct lk_claim_val *aud,
                             char *err, size_t errlen)
{
    struct lk_claim_val e;
    size_t pos = 0;
    int found = 0;

    if (aud->type == LK_CV_ABSENT) {
        if (v->aud != NULL || (v->required & LK_REQ_AUD))
            return lk_seterr(err, errlen, LK_ERR_AUDIENCE, "aud missing");
        return LK_OK;
    }
    if (v->aud == NULL)
        return lk_seterr(err, errlen, LK_ERR_AUDIENCE,
                         "token has aud but no audience is configured");
    if (aud->type == LK_CV_STRING)
        return str_is(aud, v->aud) ? LK_OK :
               lk_seterr(err, errlen, LK_ERR_AUDIENCE, "wrong audience");
    if (aud->type != LK_CV_ARRAY)
        return lk_seterr(err, errlen, LK_ERR_AUDIENCE, "aud malformed");
    while (lk_claims_array_next(aud, &pos, &e)) {
        if (e.type != LK_CV_STRING)
            return lk_seterr(err, errlen, LK_ERR_AUDIENCE,
                             "aud array holds a non-string");
        found |= str_is(&e, v->aud);
    }
    return found ? LK_OK :
           lk_seterr(err, errlen, LK_ERR_AUDIENCE, "wrong audience");
}

/* iss and aud. */
static enum lk_err check_iss_aud(const struct lk_jwt_verifier *v,
                                 const struct lk_claim_set *c,
                                 char *err, size_t errlen)
{
    const struct lk_claim_val *iss = &c->iss;

    if (iss->type != LK_CV_ABSENT && iss->type != LK_CV_STRING)
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "iss must be a string");
    if (v->iss != NULL || (v->required & LK_REQ_ISS)) {
        if (iss->type == LK_CV_ABSENT)
            return lk_seterr(err, errlen, LK_ERR_ISSUER, "iss missing");
        if (v->iss != NULL && (memchr(iss->s, '\0', iss->len) != NULL ||
                               !str_is(iss, v->iss)))
            return lk_seterr(err, errlen, LK_ERR_ISSUER, "wrong issuer");
    }
    return check_aud(v, &c->aud, err, errlen);
}

/* Append one scope token to a space-joined buffer. */
static enum lk_err scope_append(char *buf, size_t cap, const char *s,
                                size_t n)
{
    size_t used = strlen(buf);

    if (n == 0 || memchr(s, ' ', n) != NULL || memchr(s, '\0', n) != NULL)
        return LK_ERR_CLAIM;
    if (used + (used ? 1 : 0) + n + 1 > cap)
        return LK_ERR_TOO_LARGE;
    if (used)
        buf[used++] = ' ';
    memcpy(buf + used, s, n);
    buf[used + n] = '\0';
    return LK_OK;
}

/* The scopes of "scopes" (array) or else "scope" (RFC 9068 string). */
static enum lk_err join_scopes(const struct lk_claim_set *c, char *buf,
                               size_t cap)
{
    struct lk_claim_val e;
    size_t pos = 0;
    const char *s = c->scope.s, *tok = s;

    if (c->scopes.type == LK_CV_ARRAY) {
        while (lk_claims_array_next(&c->scopes, &pos, &e))
            if (e.type != LK_CV_STRING ||
                scope_append(buf, cap, e.s, e.len) != LK_OK)
                return LK_ERR_CLAIM;
        return LK_OK;
    }
    if (c->scope.type != LK_CV_STRING)
        return LK_OK;
    for (pos = 0; pos <= c->scope.len; pos++) {
        if (pos < c->scope.len && s[pos] != ' ')
            continue;
        if (s + pos > tok && scope_append(buf, cap, tok,
                                          (size_t)(s + pos - tok)))
            return LK_ERR_INVALID;
        tok = s + pos + 1;
    }
    return LK_OK;
}

/* sub, and scopes from "scope" (RFC 9068 string) or "scopes" (array). */
static enum lk_err read_subject_scopes(const struct lk_jwt_verifier *v,
                                       const struct lk_claim_set *c,
                                       struct lk_claims *cl,
                                       char *err, size_t errlen)
{
    const struct lk_claim_val *sub = &c->sub;
    char buf[LK_SCOPE_MAX + 1] = "";
    enum lk_err rc;

    if (sub->type != LK_CV_ABSENT &&
        (sub->type != LK_CV_STRING || sub->len > LK_SUB_MAX ||
         memchr(sub->s, '\0', sub->len) != NULL))
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "sub is not a string");
    if (sub->type == LK_CV_ABSENT && (v->required & LK_REQ_SUB))
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "sub is required");
    if (c->scope.type != LK_CV_ABSENT && c->scope.type != LK_CV_STRING)
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "scope not a string");
    if (c->scopes.type != LK_CV_ABSENT && c->scopes.type != LK_CV_ARRAY)
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "scopes not a list");
    if ((rc = join_scopes(c, buf, sizeof(buf))) != LK_OK)
        return lk_seterr(err, errlen, LK_ERR_CLAIM, rc == LK_ERR_CLAIM ?
                         "scopes must be a list of scope names" :
                         "bad scope");
    if (cl != NULL) {
        cl->sub[0] = '\0';
        if (sub->type == LK_CV_STRING) {
            memcpy(cl->sub, sub->s, sub->len);
            cl->sub[sub->len] = '\0';
        }
        memcpy(cl->scope, buf, strlen(buf) + 1);
        cl->has_scope = c->scope.type != LK_CV_ABSENT ||
                        c->scopes.type != LK_CV_ABSENT;
    }
    return LK_OK;
}

/* The claim checks of a token whose signature has been verified. */
static enum lk_err check_claims(const struct lk_jwt_verifier *v,
                                const struct lk_claim_set *c,
                                int64_t now, struct lk_jwt_times *tm,
                                struct lk_claims *claims,
                                char *err, size_t errlen)
{
    enum lk_err rc = LK_OK;

    if (c->jti.type == LK_CV_ABSENT && (v->required & LK_REQ_JTI))
        rc = lk_seterr(err, errlen, LK_ERR_CLAIM, "jti is required");
    if (rc == LK_OK)
        rc = check_times(v, c, now, tm, claims, err, errlen);
    if (rc == LK_OK)
        rc = check_iss_aud(v, c, err, errlen);
    if (rc == LK_OK)
        rc = read_subject_scopes(v, c, claims, err, errlen);
    return rc;
}

/* lk_jwt_verify_payload that also gives the time claims in tm. */
static enum lk_err verify(const struct lk_jwt_verifier *v,
                          const char *token, size_t len, int64_t now,
                          struct lk_claims *claims, struct lk_jwt_times *tm,
                          char **payload, size_t *plen,
                          char *err, size_t errlen)
{
    struct lk_jws_parts p;
    struct claims_text t;
    struct lk_claim_set cs;
    enum lk_err rc;

    t.heap = NULL;
    t.json = NULL;
    if (payload != NULL)
        *payload = NULL;
    rc = lk_jws_check(v->ks, token, len, v->max_size, &p, err, errlen);
    if (rc != LK_OK)
        return rc;
    if ((rc = read_claims(&p, &t, &cs)) != LK_OK) {
        claims_text_free(&t);
        return lk_seterr(err, errlen, rc, "claims are not a JSON object");
    }
    rc = check_claims(v, &cs, now, tm, claims, err, errlen);
    if (rc == LK_OK && payload != NULL) {
        uint8_t *buf = NULL;
        rc = lk_jws_decode_segment(p.pay, p.pay_len, &buf, plen);
        *payload = (char *)buf;
    }
    claims_text_free(&t);
    return rc;
}

enum lk_err lk_jwt_verify_payload(const struct lk_jwt_verifier *v,
                                  const char *token, size_t len,
                                  int64_t now, struct lk_claims *claims,
                                  char **payload, size_t *plen,
                                  char *err, size_t errlen)
{
    struct lk_jwt_times tm;

    return verify(v, token, len, now, claims, &tm, payload, plen,
                  err, errlen);
}

enum lk_err lk_jwt_verify(const struct lk_jwt_verifier *v,
                          const char *token, size_t len, int64_t now,
                          struct lk_claims *claims,
                          char *err, size_t errlen)
{
    struct lk_jwt_times tm;

    return verify(v, token, len, now, claims, &tm, NULL, NULL, err, errlen);
}

enum lk_err lk_jwt_verify_times(const struct lk_jwt_verifier *v,
                                const char *token, size_t len, int64_t now,
                                struct lk_claims *claims,
                                struct lk_jwt_times *tm,
                                char *err, size_t errlen)
{
    return verify(v, token, len, now, claims, tm, NULL, NULL, err, errlen);
}

unsigned lk_jwt_verifier_generation(const struct lk_jwt_verifier *v)
{
    return v->generation;
}

/* Whether the space-separated scope list has the whole token s[0..n). */
static int has_scope(const char *list, const char *s, size_t n)
{
    const char *p = list;

    while (*p != '\0') {
        size_t l = strcspn(p, " ");
        if (l == n && memcmp(p, s, n) == 0)
            return 1;
        p += l;
        while (*p == ' ')
            p++;
    }
    return 0;
}

enum lk_err lk_claims_check_scopes(const struct lk_claims *c,
                                   const char *required)
{
    const char *p = required;

    while (*p != '\0') {
        size_t l;
        while (*p == ' ')
            p++;
        if ((l = strcspn(p, " ")) == 0)
            break;
        if (!has_scope(c->scope, p, l))
            return LK_ERR_SCOPE;
        p += l;
    }
    return LK_OK;
}
