/*
 * jwt_sign.c: producing compact JWS and JWT: signing a given header
 * and payload, signing a claims object with the key's own header, and
 * issuing the claims an access token needs (iat, exp, sub, jti, scope).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jose/jose_internal.h"

#define LK_PAYLOAD_MAX (1u << 20)   /* largest payload we sign */

/* Append the base64url of in[0..n) to out at *pos. */
static enum lk_err put_b64(char *out, size_t cap, size_t *pos,
                           const void *in, size_t n)
{
    size_t w = 0;
    enum lk_err rc = lk_b64_encode(LK_B64_URL, 0, in, n, out + *pos,
                                   cap - *pos, &w);
    *pos += w;
    return rc;
}

/* hdr_b64 '.' b64(payload) '.' b64(signature) into a new string. */
static enum lk_err sign_compact(const struct lk_jwk *key,
                                const char *hdr_b64, size_t hlen,
                                const uint8_t *payload, size_t plen,
                                char **out, size_t *outlen)
{
    uint8_t sig[LK_SIG_MAX];
    size_t siglen = 0, cap, pos = hlen;
    char *buf;
    enum lk_err rc;

    if (plen > LK_PAYLOAD_MAX)
        return LK_ERR_TOO_LARGE;
    cap = hlen + lk_b64_encoded_len(plen, 0) +
          lk_b64_encoded_len(sizeof(sig), 0) + 4;
    if ((buf = malloc(cap)) == NULL)
        return LK_ERR_NOMEM;
    memcpy(buf, hdr_b64, hlen);
    buf[pos++] = '.';
    rc = put_b64(buf, cap, &pos, payload, plen);
    if (rc == LK_OK)
        rc = lk_jws_sign_raw(key, (const uint8_t *)buf, pos, sig,
                             sizeof(sig), &siglen);
    buf[pos++] = '.';
    if (rc == LK_OK)
        rc = put_b64(buf, cap, &pos, sig, siglen);
    if (rc != LK_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    if (outlen != NULL)
        *outlen = pos;
    return LK_OK;
}

enum lk_err lk_jwt_sign(const struct lk_jwk *key,
                        const char *claims_json, size_t len,
                        char **out, size_t *outlen,
                        char *err, size_t errlen)
{
    int j = key->kid[0] != '\0';
    enum lk_err rc;

    *out = NULL;
    if (!lk_jwk_is_private(key))
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "a public key cannot sign");
    rc = sign_compact(key, key->hdr_b64[j], key->hdr_b64_len[j],
                      (const uint8_t *)claims_json, len, out, outlen);
    if (rc != LK_OK)
        return lk_seterr(err, errlen, rc, "signing failed: %s",
                         lk_strerror(rc));
    return LK_OK;
}

/* The header must be a JSON object naming the key's algorithm. */
static enum lk_err check_own_header(const struct lk_jwk *key,
                                    const char *header, size_t hlen,
                                    char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *h = json_loadb(header, hlen, JSON_REJECT_DUPLICATES, &jerr);
    json_t *alg = json_object_get(h, "alg");
    enum lk_err rc = LK_OK;

    if (!json_is_object(h) || !json_is_string(alg))
        rc = lk_seterr(err, errlen, LK_ERR_INVALID,
                       "header must be a JSON object with alg");
    else if (lk_jws_alg_parse(json_string_value(alg),
                              json_string_length(alg)) != key->alg)
        rc = lk_seterr(err, errlen, LK_ERR_INVALID,
                       "header alg is not the key's %s",
                       lk_jws_alg_name(key->alg));
    json_decref(h);
    return rc;
}

enum lk_err lk_jws_sign(const struct lk_jwk *key,
                        const char *header, size_t hlen,
                        const uint8_t *payload, size_t plen,
                        char **out, size_t *outlen,
                        char *err, size_t errlen)
{
    char *hb = NULL;
    size_t cap = lk_b64_encoded_len(hlen, 0) + 1, n = 0;
    enum lk_err rc;

    *out = NULL;
    if (!lk_jwk_is_private(key))
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "a public key cannot sign");
    if (hlen > LK_PAYLOAD_MAX)
        return lk_seterr(err, errlen, LK_ERR_TOO_LARGE, "header too big");
    if ((rc = check_own_header(key, header, hlen, err, errlen)) != LK_OK)
        return rc;
    if ((hb = malloc(cap)) == NULL)
        return LK_ERR_NOMEM;
    rc = lk_b64_encode(LK_B64_URL, 0, (const uint8_t *)header, hlen, hb,
                       cap, &n);
    if (rc == LK_OK)
        rc = sign_compact(key, hb, n, payload, plen, out, outlen);
    free(hb);
    if (rc != LK_OK)
        return lk_seterr(err, errlen, rc, "signing failed: %s",
                         lk_strerror(rc));
    return LK_OK;
}

/* Add "scope" (normalised string) and "scopes" (array) to claims. */
static enum lk_err add_scopes(json_t *claims, const char *scope)
{
    json_t *arr = json_array();
    char joined[LK_SCOPE_MAX + 1];
    size_t used = 0, l;
    const char *p = scope;

    if (arr == NULL)
        return LK_ERR_NOMEM;
    while (*p != '\0') {
        while (*p == ' ')
            p++;
        if ((l = strcspn(p, " ")) == 0)
            break;
        if (used + l + 1 > sizeof(joined) ||
            json_array_append_new(arr, json_stringn(p, l)) != 0) {
            json_decref(arr);
            return LK_ERR_TOO_LARGE;
        }
        if (used > 0)
            joined[used++] = ' ';
        memcpy(joined + used, p, l);
        used += l;
        p += l;
    }
    if (used == 0) {
        json_decref(arr);
        return LK_OK;
    }
    json_object_set_new(claims, "scope", json_stringn(joined, used));
    json_object_set_new(claims, "scopes", arr);
    return LK_OK;
}

/* A random 128-bit jti in base64url. */
static enum lk_err new_jti(char *out, size_t cap)
{
    uint8_t raw[16];
    size_t n = 0;
    enum lk_err rc = lk_random(raw, sizeof(raw));

    if (rc == LK_OK)
        rc = lk_b64_encode(LK_B64_URL, 0, raw, sizeof(raw), out, cap, &n);
    return rc;
}

/* The claims object of an access token. */
static enum lk_err issue_claims(const struct lk_jwt_issue_opts *o,
                                int64_t now, json_t *c)
{
    char jti[32];
    enum lk_err rc;

    if (o->sub == NULL || o->sub[0] == '\0' ||
        strlen(o->sub) > LK_SUB_MAX || o->ttl <= 0 ||
        now > INT64_MAX - o->ttl || now < 0)
        return LK_ERR_INVALID;
    if ((rc = new_jti(jti, sizeof(jti))) != LK_OK)
        return rc;
    if (o->iss != NULL)
        json_object_set_new(c, "iss", json_string(o->iss));
    json_object_set_new(c, "sub", json_string(o->sub));
    if (o->aud != NULL)
        json_object_set_new(c, "aud", json_string(o->aud));
    json_object_set_new(c, "iat", json_integer(now));
    json_object_set_new(c, "exp", json_integer(now + o->ttl));
    json_object_set_new(c, "jti", json_string(jti));
    if (json_object_size(c) != 4u + (o->iss != NULL) + (o->aud != NULL))
        return LK_ERR_INVALID;   /* a string was not valid UTF-8 */
    return o->scope != NULL ? add_scopes(c, o->scope) : LK_OK;
}

enum lk_err lk_jwt_issue(const struct lk_jwk *key,
                         const struct lk_jwt_issue_opts *o, int64_t now,
                         char **out, size_t *outlen,
                         char *err, size_t errlen)
{
    json_t *c = json_object();
    char *text = NULL;
    enum lk_err rc;

    *out = NULL;
    if (c == NULL)
        return LK_ERR_NOMEM;
    rc = issue_claims(o, now, c);
    if (rc != LK_OK) {
        lk_seterr(err, errlen, rc, "cannot issue: need a sub of 1-%d "
                  "UTF-8 bytes, ttl > 0, short scope list", LK_SUB_MAX);
        goto out;
    }
    if ((text = json_dumps(c, JSON_COMPACT)) == NULL) {
        rc = LK_ERR_NOMEM;
        goto out;
    }
    rc = lk_jwt_sign(key, text, strlen(text), out, outlen, err, errlen);
out:
    free(text);
    json_decref(c);
    return rc;
}
