/*
 * jws_compact.c: the JWS Compact Serialization (RFC 7515 section 7.1)
 * on the verify side: splitting, the protected header, key selection
 * and the signature check.
 *
 * Strict: exactly three non-empty unpadded base64url segments, a header
 * that is a JSON object without duplicate names, with a string alg
 * equal to a configured key's own algorithm, no crit. A kid only
 * narrows the choice among configured keys. A header byte-identical to
 * one we produce for a configured key is recognised without parsing.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jose/jose_internal.h"

/* What the protected header tells us. */
struct jws_header {
    enum lk_jws_alg alg;
    int has_kid;
    char kid[LK_KID_MAX + 1];
};

/* Split at exactly two dots; no segment may be empty. */
static enum lk_err split_token(const char *t, size_t len,
                               struct lk_jws_parts *p)
{
    const char *d1 = len > 0 ? memchr(t, '.', len) : NULL, *d2;

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
    if (p->hdr_len == 0 || p->sig_len == 0)
        return LK_ERR_INVALID;
    return LK_OK;
}

enum lk_err lk_jws_decode_segment(const char *seg, size_t len,
                                  uint8_t **out, size_t *outlen)
{
    size_t cap = lk_b64_decoded_max(len);
    uint8_t *buf = malloc(cap + 1);
    enum lk_err rc;

    *out = NULL;
    if (buf == NULL)
        return LK_ERR_NOMEM;
    rc = lk_b64_decode(LK_B64_URL, 0, seg, len, buf, cap, outlen);
    if (rc != LK_OK) {
        free(buf);
        return rc;
    }
    buf[*outlen] = '\0';
    *out = buf;
    return LK_OK;
}

/* A header one of our keys produces, matched byte for byte. */
static int known_header(const struct lk_keyset *ks,
                        const struct lk_jws_parts *p, struct jws_header *h)
{
    size_t i;
    int j;

    for (i = 0; i < ks->count; i++) {
        const struct lk_jwk *k = ks->keys[i];
        for (j = 0; j < 2; j++) {
            if (k->hdr_b64_len[j] == 0 || k->hdr_b64_len[j] != p->hdr_len
                || memcmp(k->hdr_b64[j], p->hdr, p->hdr_len) != 0)
                continue;
            h->alg = k->alg;
            h->has_kid = j == 1;
            if (j == 1)
                memcpy(h->kid, k->kid, sizeof(h->kid));
            return 1;
        }
    }
    return 0;
}

/* Fill h from the decoded header object. */
static enum lk_err read_header(json_t *hdr, struct jws_header *h,
                               char *err, size_t errlen)
{
    json_t *alg = json_object_get(hdr, "alg");
    json_t *kid = json_object_get(hdr, "kid");

    if (!json_is_string(alg))
        return lk_seterr(err, errlen, LK_ERR_INVALID, "header has no alg");
    if (json_object_get(hdr, "crit") != NULL)
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "unsupported crit extension");
    if (kid != NULL && (!json_is_string(kid) ||
                        json_string_length(kid) > LK_KID_MAX ||
                        strlen(json_string_value(kid)) !=
                        json_string_length(kid)))
        return lk_seterr(err, errlen, LK_ERR_INVALID, "kid not usable");
    h->alg = lk_jws_alg_parse(json_string_value(alg),
                              json_string_length(alg));
    h->has_kid = kid != NULL;
    if (kid != NULL)
        memcpy(h->kid, json_string_value(kid), json_string_length(kid) + 1);
    return LK_OK;
}

/* Decode and parse the header, unless we know it already. */
static enum lk_err parse_header(const struct lk_keyset *ks,
                                const struct lk_jws_parts *p,
                                struct jws_header *h,
                                char *err, size_t errlen)
{
    uint8_t *buf = NULL;
    size_t n = 0;
    json_error_t jerr;
    json_t *hdr = NULL;
    enum lk_err rc;

    if (known_header(ks, p, h))
        return LK_OK;
    if (lk_jws_decode_segment(p->hdr, p->hdr_len, &buf, &n) != LK_OK)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "header is not canonical base64url");
    hdr = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(hdr))
        rc = lk_seterr(err, errlen, LK_ERR_INVALID,
                       "header is not a JSON object");
    else
        rc = read_header(hdr, h, err, errlen);
    json_decref(hdr);
    free(buf);
    return rc;
}

/* Whether key k may check a token with header h: its own algorithm,
 * and the same kid when both carry one. */
static int key_fits(const struct lk_jwk *k, const struct jws_header *h)
{
    if (k->alg != h->alg || h->alg == LK_ALG_INVALID)
        return 0;
    return !h->has_kid || k->kid[0] == '\0' || strcmp(k->kid, h->kid) == 0;
}

enum lk_err lk_jws_check(const struct lk_keyset *ks, const char *token,
                         size_t len, size_t max, struct lk_jws_parts *p,
                         char *err, size_t errlen)
{
    uint8_t sig[LK_SIG_MAX];
    size_t siglen = 0, i, tried = 0;
    struct jws_header h;
    enum lk_err rc;

    if (len > max)
        return lk_seterr(err, errlen, LK_ERR_TOO_LARGE,
                         "token longer than %zu bytes", max);
    if (split_token(token, len, p) != LK_OK)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "token is not three base64url segments");
    if (lk_b64_decode(LK_B64_URL, 0, p->sig, p->sig_len, sig,
                      sizeof(sig), &siglen) != LK_OK)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "signature is not canonical base64url");
    if ((rc = parse_header(ks, p, &h, err, errlen)) != LK_OK)
        return rc;
    rc = LK_ERR_MISMATCH;
    for (i = 0; i < ks->count && rc == LK_ERR_MISMATCH; i++) {
        if (!key_fits(ks->keys[i], &h))
            continue;
        tried++;
        rc = lk_jws_verify_raw(ks->keys[i], (const uint8_t *)p->hdr,
                               p->input_len, sig, siglen);
    }
    if (rc != LK_OK)
        lk_seterr(err, errlen, rc, tried == 0 ?
                  "no configured key for this alg and kid" :
                  "signature does not verify");
    return rc;
}

enum lk_err lk_jws_verify(const struct lk_keyset *ks, const char *token,
                          size_t len, size_t max, uint8_t **payload,
                          size_t *plen, char *err, size_t errlen)
{
    struct lk_jws_parts p;
    enum lk_err rc;

    if (payload != NULL)
        *payload = NULL;
    rc = lk_jws_check(ks, token, len, max, &p, err, errlen);
    if (rc != LK_OK || payload == NULL)
        return rc;
    rc = lk_jws_decode_segment(p.pay, p.pay_len, payload, plen);
    if (rc != LK_OK)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "payload is not canonical base64url");
    return LK_OK;
}
