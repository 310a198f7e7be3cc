/*
 * jws.c: the raw signature primitives behind JWS, on OpenSSL. Every
 * algorithm maps to exactly one key type; a key is never used with an
 * algorithm other than its own.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "jose/jose_internal.h"

static const EVP_MD *hmac_md(enum lk_jws_alg alg)
{
    switch (alg) {
    case LK_ALG_HS256:
        return EVP_sha256();
    case LK_ALG_HS384:
        return EVP_sha384();
    case LK_ALG_HS512:
        return EVP_sha512();
    default:
        return NULL;
    }
}

enum lk_err lk_jws_sign_raw(const struct lk_jwk *key,
                            const uint8_t *input, size_t len,
                            uint8_t *sig, size_t cap, size_t *siglen)
{
    const EVP_MD *md = hmac_md(key->alg);
    unsigned int n = 0;

    if (md == NULL || key->secret == NULL)
        return LK_ERR_UNSUPPORTED;
    if (cap < EVP_MAX_MD_SIZE)
        return LK_ERR_TOO_LARGE;
    if (HMAC(md, key->secret, (int)key->secret_len, input, len,
             sig, &n) == NULL)
        return LK_ERR_CRYPTO;
    *siglen = n;
    return LK_OK;
}

enum lk_err lk_jws_verify_raw(const struct lk_jwk *key,
                              const uint8_t *input, size_t len,
                              const uint8_t *sig, size_t siglen)
{
    uint8_t mac[EVP_MAX_MD_SIZE];
    size_t maclen = 0;
    enum lk_err rc;
    int same;

    rc = lk_jws_sign_raw(key, input, len, mac, sizeof(mac), &maclen);
    if (rc != LK_OK)
        return rc;
    /* Lengths are public (fixed by the algorithm); compare in
     * constant time only once they agree. */
    same = maclen == siglen && lk_ct_memeq(mac, sig, maclen);
    lk_secure_zero(mac, sizeof(mac));
    return same ? LK_OK : LK_ERR_MISMATCH;
}
