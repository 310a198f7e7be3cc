/*
 * jwk.c: keys and key sets. A key owns its material and knows the one
 * algorithm it may be used with; key sets own their keys.
 */
#include <stdlib.h>
#include <string.h>

#include "jose/jose_internal.h"

static const char *const alg_names[LK_ALG__COUNT] = {
    [LK_ALG_HS256] = "HS256", [LK_ALG_HS384] = "HS384",
    [LK_ALG_HS512] = "HS512", [LK_ALG_RS256] = "RS256",
    [LK_ALG_RS384] = "RS384", [LK_ALG_RS512] = "RS512",
    [LK_ALG_PS256] = "PS256", [LK_ALG_PS384] = "PS384",
    [LK_ALG_PS512] = "PS512", [LK_ALG_ES256] = "ES256",
    [LK_ALG_ES384] = "ES384", [LK_ALG_ES512] = "ES512",
    [LK_ALG_EDDSA] = "EdDSA",
};

const char *lk_jws_alg_name(enum lk_jws_alg alg)
{
    if ((unsigned)alg >= LK_ALG__COUNT)
        return NULL;
    return alg_names[alg];
}

enum lk_jws_alg lk_jws_alg_parse(const char *name, size_t len)
{
    int i;

    for (i = 1; i < LK_ALG__COUNT; i++) {
        const char *n = alg_names[i];
        if (n != NULL && strlen(n) == len && memcmp(n, name, len) == 0)
            return (enum lk_jws_alg)i;
    }
    return LK_ALG_INVALID;
}

int lk_jws_alg_is_hmac(enum lk_jws_alg alg)
{
    return alg == LK_ALG_HS256 || alg == LK_ALG_HS384 ||
           alg == LK_ALG_HS512;
}

enum lk_err lk_jwk_from_secret(const uint8_t *secret, size_t len,
                               enum lk_jws_alg alg, const char *kid,
                               struct lk_jwk **out,
                               char *err, size_t errlen)
{
    struct lk_jwk *k;

    *out = NULL;
    if (!lk_jws_alg_is_hmac(alg))
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "a secret can only key an HS* algorithm");
    if (len < LK_HMAC_MIN_KEY)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "HMAC secret is %zu bytes; at least %d are "
                         "required", len, LK_HMAC_MIN_KEY);
    if (kid != NULL && strlen(kid) > LK_KID_MAX)
        return lk_seterr(err, errlen, LK_ERR_INVALID, "kid too long");
    k = calloc(1, sizeof(*k));
    if (k == NULL || (k->secret = malloc(len)) == NULL) {
        free(k);
        return LK_ERR_NOMEM;
    }
    memcpy(k->secret, secret, len);
    k->secret_len = len;
    k->alg = alg;
    if (kid != NULL)
        snprintf(k->kid, sizeof(k->kid), "%s", kid);
    *out = k;
    return LK_OK;
}

void lk_jwk_free(struct lk_jwk *key)
{
    if (key == NULL)
        return;
    lk_secure_free(key->secret, key->secret_len);
    if (key->pkey != NULL)
        EVP_PKEY_free(key->pkey);
    free(key);
}

enum lk_jws_alg lk_jwk_alg(const struct lk_jwk *key)
{
    return key->alg;
}

const char *lk_jwk_kid(const struct lk_jwk *key)
{
    return key->kid[0] != '\0' ? key->kid : NULL;
}

enum lk_err lk_keyset_new(struct lk_keyset **out)
{
    *out = calloc(1, sizeof(**out));
    return *out == NULL ? LK_ERR_NOMEM : LK_OK;
}

enum lk_err lk_keyset_add(struct lk_keyset *ks, struct lk_jwk *key,
                          int signing)
{
    if (ks->count == LK_KEYSET_MAX)
        return LK_ERR_TOO_LARGE;
    ks->keys[ks->count] = key;
    if (signing && ks->signing == NULL)
        ks->signing = key;
    ks->count++;
    return LK_OK;
}

const struct lk_jwk *lk_keyset_signing_key(const struct lk_keyset *ks)
{
    return ks->signing;
}

void lk_keyset_free(struct lk_keyset *ks)
{
    size_t i;

    if (ks == NULL)
        return;
    for (i = 0; i < ks->count; i++)
        lk_jwk_free(ks->keys[i]);
    free(ks);
}
