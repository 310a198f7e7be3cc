/*
 * jwt.c: compact JWS parsing, JWT claim checks and signing.
 *
 * Parsing is strict: exactly three unpadded base64url segments, header
 * and claims are JSON objects without duplicate names, the header's alg
 * must be the key's own, "crit" is refused (no extensions are
 * understood), and NumericDate claims must be JSON numbers.
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
    return set_string(&v->iss, iss);
}

enum lk_err lk_jwt_verifier_set_audience(struct lk_jwt_verifier *v,
                                         const char *aud)
{
    return set_string(&v->aud, aud);
}

void lk_jwt_verifier_set_leeway(struct lk_jwt_verifier *v, int64_t secs)
{
    v->leeway = secs < 0 ? 0 : secs;
}

void lk_jwt_verifier_set_required(struct lk_jwt_verifier *v,
                                  unsigned req_flags)
{
    v->required = req_flags;
}

void lk_jwt_verifier_set_max_size(struct lk_jwt_verifier *v, size_t max)
{
    v->max_size = max;
}

/* The three segments of a compact JWS, as offsets into the token. */
struct jws_parts {
    const char *hdr, *pay, *sig;
    size_t hdr_len, pay_len, sig_len, input_len;
};

/* Split at exactly two dots; no segment may be empty. */
static enum lk_err split_token(const char *t, size_t len,
                               struct jws_parts *p)
{
    const char *d1 = memchr(t, '.', len), *d2;

    if (d1 == NULL)
        return LK_ERR_INVALID;
    d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - t));
    if (d2 == NULL || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - t)))
        return LK_ERR_INVALID;
    p->hdr = t;
    p->hdr_len = (size_t)(d1 - t);
    p->pay = d1 + 1;
    p->pay_len = (size_t)(d2 - p->pay);
    p->sig = d2 + 1;
    p->sig_len = len - (size_t)(p->sig - t);
    p->input_len = (size_t)(d2 - t);
    if (p->hdr_len == 0 || p->pay_len == 0 || p->sig_len == 0)
        return LK_ERR_INVALID;
    return LK_OK;
}

/* Decode a base64url segment and parse it as a JSON object. */
static enum lk_err decode_object(const char *seg, size_t len,
                                 json_t **out)
{
    size_t cap = lk_b64_decoded_max(len), n = 0;
    uint8_t *buf = malloc(cap + 1);
    json_error_t jerr;
    enum lk_err rc;

    *out = NULL;
    if (buf == NULL)
        return LK_ERR_NOMEM;
    rc = lk_b64_decode(LK_B64_URL, 0, seg, len, buf, cap, &n);
    if (rc == LK_OK) {
        *out = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES,
                          &jerr);
        if (*out == NULL || !json_is_object(*out)) {
            json_decref(*out);
            *out = NULL;
            rc = LK_ERR_INVALID;
        }
    }
    free(buf);
    return rc;
}

/* Pick the key for alg and kid; NULL if none matches. */
static const struct lk_jwk *pick_key(const struct lk_keyset *ks,
                                     enum lk_jws_alg alg, const char *kid,
                                     size_t start, size_t *next)
{
    size_t i;

    for (i = start; i < ks->count; i++) {
        const struct lk_jwk *k = ks->keys[i];
        if (k->alg != alg)
            continue;
        if (kid != NULL && strcmp(k->kid, kid) != 0)
            continue;
        *next = i + 1;
        return k;
    }
    return NULL;
}

/* Check the header and the signature. */
static enum lk_err check_signature(const struct lk_keyset *ks,
                                   const struct jws_parts *p,
                                   char *err, size_t errlen)
{
    uint8_t sig[1024];
    size_t siglen = 0, next = 0;
    json_t *hdr = NULL, *alg_j, *kid_j;
    const struct lk_jwk *key;
    const char *kid = NULL;
    enum lk_jws_alg alg;
    enum lk_err rc;

    rc = lk_b64_decode(LK_B64_URL, 0, p->sig, p->sig_len, sig,
                       sizeof(sig), &siglen);
    if (rc != LK_OK)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "signature is not canonical base64url");
    if ((rc = decode_object(p->hdr, p->hdr_len, &hdr)) != LK_OK)
        return lk_seterr(err, errlen, rc, "header is not a JSON object");
    alg_j = json_object_get(hdr, "alg");
    kid_j = json_object_get(hdr, "kid");
    rc = LK_ERR_INVALID;
    if (!json_is_string(alg_j)) {
        lk_seterr(err, errlen, rc, "header has no alg");
        goto out;
    }
    if (json_object_get(hdr, "crit") != NULL) {
        lk_seterr(err, errlen, rc, "unsupported crit extension");
        goto out;
    }
    if (kid_j != NULL && !json_is_string(kid_j)) {
        lk_seterr(err, errlen, rc, "kid is not a string");
        goto out;
    }
    kid = kid_j != NULL ? json_string_value(kid_j) : NULL;
    alg = lk_jws_alg_parse(json_string_value(alg_j),
                           json_string_length(alg_j));
    rc = LK_ERR_MISMATCH;
    while ((key = pick_key(ks, alg, kid, next, &next)) != NULL) {
        rc = lk_jws_verify_raw(key, (const uint8_t *)p->hdr,
                               p->input_len, sig, siglen);
        if (rc != LK_ERR_MISMATCH)
            break;
    }
    if (rc != LK_OK)
        lk_seterr(err, errlen, rc, next == 0 ?
                  "no configured key for this alg and kid" :
                  "signature does not verify");
out:
    json_decref(hdr);
    return rc;
}

/* Read a NumericDate: must be a JSON number. */
static enum lk_err numeric_date(json_t *c, const char *name, double *out,
                                int *present)
{
    json_t *v = json_object_get(c, name);

    *present = v != NULL;
    if (v == NULL)
        return LK_OK;
    if (!json_is_number(v))
        return LK_ERR_CLAIM;
    *out = json_number_value(v);
    if (!isfinite(*out))
        return LK_ERR_CLAIM;
    return LK_OK;
}

/* Check the time claims against now with the leeway. */
static enum lk_err check_times(const struct lk_jwt_verifier *v, json_t *c,
                               int64_t now, struct lk_claims *cl,
                               char *err, size_t errlen)
{
    double exp = 0, nbf = 0, iat = 0, t = (double)now;
    double lw = (double)v->leeway;
    int has_exp, has_nbf, has_iat;

    if (numeric_date(c, "exp", &exp, &has_exp) != LK_OK ||
        numeric_date(c, "nbf", &nbf, &has_nbf) != LK_OK ||
        numeric_date(c, "iat", &iat, &has_iat) != LK_OK)
        return lk_seterr(err, errlen, LK_ERR_CLAIM,
                         "exp, nbf and iat must be JSON numbers");
    if ((v->required & LK_REQ_EXP) && !has_exp)
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "exp is required");
    if ((v->required & LK_REQ_NBF) && !has_nbf)
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "nbf is required");
    if ((v->required & LK_REQ_IAT) && !has_iat)
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "iat is required");
    if (has_exp && !(t < exp + lw))
        return lk_seterr(err, errlen, LK_ERR_EXPIRED, "token expired");
    if (has_nbf && !(t >= nbf - lw))
        return lk_seterr(err, errlen, LK_ERR_NOT_YET_VALID,
                         "token not valid yet (nbf)");
    if (has_iat && iat > t + lw)
        return lk_seterr(err, errlen, LK_ERR_NOT_YET_VALID,
                         "token issued in the future (iat)");
    if (cl != NULL) {
        cl->has_exp = has_exp;
        cl->has_nbf = has_nbf;
        cl->has_iat = has_iat;
        cl->exp = has_exp ? (int64_t)floor(fmin(exp, 9e18)) : 0;
        cl->nbf = has_nbf ? (int64_t)floor(fmax(nbf, -9e18)) : 0;
        cl->iat = has_iat ? (int64_t)floor(fmax(iat, -9e18)) : 0;
    }
    return LK_OK;
}

/* iss and aud. */
static enum lk_err check_iss_aud(const struct lk_jwt_verifier *v,
                                 json_t *c, char *err, size_t errlen)
{
    json_t *iss = json_object_get(c, "iss");
    json_t *aud = json_object_get(c, "aud"), *e;
    size_t i;

    if (iss != NULL && !json_is_string(iss))
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "iss must be a string");
    if (v->iss != NULL || (v->required & LK_REQ_ISS)) {
        if (iss == NULL)
            return lk_seterr(err, errlen, LK_ERR_ISSUER, "iss missing");
        if (v->iss != NULL && strcmp(json_string_value(iss), v->iss) != 0)
            return lk_seterr(err, errlen, LK_ERR_ISSUER, "wrong issuer");
    }
    if (aud == NULL) {
        if (v->aud != NULL || (v->required & LK_REQ_AUD))
            return lk_seterr(err, errlen, LK_ERR_AUDIENCE, "aud missing");
        return LK_OK;
    }
    if (v->aud == NULL)
        return lk_seterr(err, errlen, LK_ERR_AUDIENCE,
                         "token has aud but no audience is configured");
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), v->aud) == 0 ? LK_OK :
               lk_seterr(err, errlen, LK_ERR_AUDIENCE, "wrong audience");
    if (!json_is_array(aud))
        return lk_seterr(err, errlen, LK_ERR_AUDIENCE, "aud malformed");
    json_array_foreach(aud, i, e) {
        if (!json_is_string(e))
            return lk_seterr(err, errlen, LK_ERR_AUDIENCE,
                             "aud array holds a non-string");
    }
    json_array_foreach(aud, i, e) {
        if (strcmp(json_string_value(e), v->aud) == 0)
            return LK_OK;
    }
    return lk_seterr(err, errlen, LK_ERR_AUDIENCE, "wrong audience");
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

/* sub, and scopes from "scope" (RFC 9068 string) or "scopes" (array). */
static enum lk_err read_subject_scopes(const struct lk_jwt_verifier *v,
                                       json_t *c, struct lk_claims *cl,
                                       char *err, size_t errlen)
{
    json_t *sub = json_object_get(c, "sub");
    json_t *scope = json_object_get(c, "scope");
    json_t *scopes = json_object_get(c, "scopes"), *e;
    char buf[LK_SCOPE_MAX + 1] = "";
    size_t i;

    if (sub != NULL && (!json_is_string(sub) ||
                        json_string_length(sub) > LK_SUB_MAX ||
                        strlen(json_string_value(sub)) !=
                        json_string_length(sub)))
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "sub is not a string");
    if (sub == NULL && (v->required & LK_REQ_SUB))
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "sub is required");
    if (scope != NULL && !json_is_string(scope))
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "scope not a string");
    if (scopes != NULL && !json_is_array(scopes))
        return lk_seterr(err, errlen, LK_ERR_CLAIM, "scopes not a list");
    if (scopes != NULL) {
        json_array_foreach(scopes, i, e) {
            if (!json_is_string(e) ||
                scope_append(buf, sizeof(buf), json_string_value(e),
                             json_string_length(e)) != LK_OK)
                return lk_seterr(err, errlen, LK_ERR_CLAIM,
                                 "scopes must be a list of scope names");
        }
    } else if (scope != NULL) {
        const char *s = json_string_value(scope), *tok = s;
        size_t len = json_string_length(scope), pos;
        for (pos = 0; pos <= len; pos++) {
            if (pos < len && s[pos] != ' ')
                continue;
            if (s + pos > tok && scope_append(buf, sizeof(buf), tok,
                                              (size_t)(s + pos - tok)))
                return lk_seterr(err, errlen, LK_ERR_CLAIM, "bad scope");
            tok = s + pos + 1;
        }
    }
    if (cl != NULL) {
        cl->sub[0] = '\0';
        if (sub != NULL)
            memcpy(cl->sub, json_string_value(sub),
                   json_string_length(sub) + 1);
        memcpy(cl->scope, buf, strlen(buf) + 1);
        cl->has_scope = scope != NULL || scopes != NULL;
    }
    return LK_OK;
}

enum lk_err lk_jwt_verify(const struct lk_jwt_verifier *v,
                          const char *token, size_t len, int64_t now,
                          struct lk_claims *claims,
                          char *err, size_t errlen)
{
    struct jws_parts p;
    json_t *c = NULL;
    enum lk_err rc;

    if (len > v->max_size)
        return lk_seterr(err, errlen, LK_ERR_TOO_LARGE,
                         "token longer than %zu bytes", v->max_size);
    if (split_token(token, len, &p) != LK_OK)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "token is not three base64url segments");
    if ((rc = check_signature(v->ks, &p, err, errlen)) != LK_OK)
        return rc;
    if ((rc = decode_object(p.pay, p.pay_len, &c)) != LK_OK)
        return lk_seterr(err, errlen, rc, "claims are not a JSON object");
    if (json_object_get(c, "jti") == NULL && (v->required & LK_REQ_JTI))
        rc = lk_seterr(err, errlen, LK_ERR_CLAIM, "jti is required");
    if (rc == LK_OK)
        rc = check_times(v, c, now, claims, err, errlen);
    if (rc == LK_OK)
        rc = check_iss_aud(v, c, err, errlen);
    if (rc == LK_OK)
        rc = read_subject_scopes(v, c, claims, err, errlen);
    json_decref(c);
    return rc;
}

/* base64url of a buffer appended to out at *pos. */
static enum lk_err put_b64(char *out, size_t cap, size_t *pos,
                           const void *in, size_t n)
{
    size_t w = 0;
    enum lk_err rc = lk_b64_encode(LK_B64_URL, 0, in, n, out + *pos,
                                   cap - *pos, &w);
    *pos += w;
    return rc;
}

enum lk_err lk_jwt_sign(const struct lk_jwk *key,
                        const char *claims_json, size_t len,
                        char **out, size_t *outlen,
                        char *err, size_t errlen)
{
    char hdr[256];
    uint8_t sig[1024];
    size_t siglen = 0, cap, pos = 0;
    int hlen;
    char *buf;
    enum lk_err rc;

    *out = NULL;
    if (key->kid[0] != '\0')
        hlen = snprintf(hdr, sizeof(hdr),
                        "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}",
                        lk_jws_alg_name(key->alg), key->kid);
    else
        hlen = snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\",\"typ\":\"JWT\"}",
                        lk_jws_alg_name(key->alg));
    if (hlen < 0 || (size_t)hlen >= sizeof(hdr) || len > (1u << 20))
        return lk_seterr(err, errlen, LK_ERR_TOO_LARGE, "claims too big");
    cap = lk_b64_encoded_len((size_t)hlen, 0) +
          lk_b64_encoded_len(len, 0) + lk_b64_encoded_len(sizeof(sig), 0)
          + 4;
    if ((buf = malloc(cap)) == NULL)
        return LK_ERR_NOMEM;
    rc = put_b64(buf, cap, &pos, hdr, (size_t)hlen);
    buf[pos++] = '.';
    if (rc == LK_OK)
        rc = put_b64(buf, cap, &pos, claims_json, len);
    if (rc == LK_OK)
        rc = lk_jws_sign_raw(key, (uint8_t *)buf, pos, sig, sizeof(sig),
                             &siglen);
    buf[pos++] = '.';
    if (rc == LK_OK)
        rc = put_b64(buf, cap, &pos, sig, siglen);
    if (rc != LK_OK) {
        free(buf);
        return lk_seterr(err, errlen, rc, "signing failed: %s",
                         lk_strerror(rc));
    }
    *out = buf;
    if (outlen != NULL)
        *outlen = pos;
    return LK_OK;
}
