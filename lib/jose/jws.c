/*
 * jws.c: the raw signature primitives behind JWS, on OpenSSL 3 EVP.
 * Every algorithm maps to exactly one key type; a key is never used
 * with an algorithm other than its own.
 *
 * HMAC starts from the key's pads, hashed when the key was created
 * (jose/hmac.c). Asymmetric algorithms create their EVP_MD_CTX
 * per call from the key's pre-fetched digest. ECDSA signatures are the
 * JOSE fixed-length R||S form and are converted to and from DER here.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include "jose/jose_internal.h"

/* One HMAC over input with the key's precomputed pads. */
static enum lk_err hmac_compute(const struct lk_jwk *key,
                                const uint8_t *input, size_t len,
                                uint8_t *mac, size_t cap, size_t *maclen)
{
    if (key->hmac == NULL)
        return LK_ERR_UNSUPPORTED;
    return lk_hmac_compute(key->hmac, input, len, mac, cap, maclen);
}

/* Apply the PSS parameters (salt length = digest length) if needed. */
static int set_padding(const struct lk_jwk *key, EVP_PKEY_CTX *pctx)
{
    switch (key->alg) {
    case LK_ALG_PS256:
    case LK_ALG_PS384:
    case LK_ALG_PS512:
        return EVP_PKEY_CTX_set_rsa_padding(pctx,
                                            RSA_PKCS1_PSS_PADDING) > 0 &&
               EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
                                                RSA_PSS_SALTLEN_DIGEST) > 0;
    case LK_ALG_RS256:
    case LK_ALG_RS384:
    case LK_ALG_RS512:
        return EVP_PKEY_CTX_set_rsa_padding(pctx,
                                            RSA_PKCS1_PADDING) > 0;
    default:
        return 1;
    }
}

/* A digest-sign or digest-verify context for key, set up per call. */
static EVP_MD_CTX *sigctx_new(const struct lk_jwk *key, int sign)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok;

    if (mctx == NULL)
        return NULL;
    if (sign)
        ok = EVP_DigestSignInit(mctx, &pctx, key->md, NULL, key->pkey);
    else
        ok = EVP_DigestVerifyInit(mctx, &pctx, key->md, NULL, key->pkey);
    if (ok != 1 || !set_padding(key, pctx)) {
        EVP_MD_CTX_free(mctx);
        return NULL;
    }
    return mctx;
}

/* JOSE R||S to a DER ECDSA-Sig-Value, refusing out-of-range values. */
static enum lk_err ec_raw_to_der(const struct lk_jwk *key,
                                 const uint8_t *sig, size_t siglen,
                                 uint8_t **der, size_t *derlen)
{
    BIGNUM *r = NULL, *s = NULL;
    ECDSA_SIG *es = NULL;
    unsigned char *p = NULL;
    enum lk_err rc = LK_ERR_MISMATCH;
    int n;

    *der = NULL;
    if (siglen != 2 * key->ec_size)
        return LK_ERR_MISMATCH;
    r = BN_bin2bn(sig, (int)key->ec_size, NULL);
    s = BN_bin2bn(sig + key->ec_size, (int)key->ec_size, NULL);
    if (r == NULL || s == NULL) {
        rc = LK_ERR_NOMEM;
        goto out;
    }
    if (BN_is_zero(r) || BN_is_zero(s) || BN_cmp(r, key->order) >= 0 ||
        BN_cmp(s, key->order) >= 0)
        goto out;
    if ((es = ECDSA_SIG_new()) == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
        rc = LK_ERR_NOMEM;
        goto out;
    }
    r = s = NULL;
    if ((n = i2d_ECDSA_SIG(es, &p)) <= 0) {
        rc = LK_ERR_CRYPTO;
        goto out;
    }
    *der = p;
    *derlen = (size_t)n;
    rc = LK_OK;
out:
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    return rc;
}

/* A DER ECDSA-Sig-Value to JOSE R||S of the key's fixed length. */
static enum lk_err ec_der_to_raw(const struct lk_jwk *key,
                                 const uint8_t *der, size_t derlen,
                                 uint8_t *sig, size_t cap, size_t *siglen)
{
    const unsigned char *p = der;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
    const BIGNUM *r, *s;
    enum lk_err rc = LK_ERR_CRYPTO;

    if (es == NULL)
        return LK_ERR_CRYPTO;
    ECDSA_SIG_get0(es, &r, &s);
    if (cap >= 2 * key->ec_size &&
        BN_bn2binpad(r, sig, (int)key->ec_size) == (int)key->ec_size &&
        BN_bn2binpad(s, sig + key->ec_size, (int)key->ec_size) ==
        (int)key->ec_size) {
        *siglen = 2 * key->ec_size;
        rc = LK_OK;
    }
    ECDSA_SIG_free(es);
    return rc;
}

/* Asymmetric signature of input into sig (JOSE form). */
static enum lk_err pkey_sign(const struct lk_jwk *key,
                             const uint8_t *input, size_t len,
                             uint8_t *sig, size_t cap, size_t *siglen)
{
    uint8_t buf[LK_SIG_MAX];
    size_t n = sizeof(buf);
    EVP_MD_CTX *mctx;
    enum lk_err rc = LK_ERR_CRYPTO;

    if (key->pkey == NULL || !key->is_private)
        return LK_ERR_UNSUPPORTED;
    if ((mctx = sigctx_new(key, 1)) == NULL)
        return LK_ERR_CRYPTO;
    if (EVP_DigestSign(mctx, buf, &n, input, len) != 1)
        goto out;
    if (lk_jws_alg_is_ec(key->alg)) {
        rc = ec_der_to_raw(key, buf, n, sig, cap, siglen);
    } else if (n <= cap) {
        memcpy(sig, buf, n);
        *siglen = n;
        rc = LK_OK;
    } else {
        rc = LK_ERR_TOO_LARGE;
    }
out:
    EVP_MD_CTX_free(mctx);
    return rc;
}

/* Asymmetric verification of a JOSE-form signature. */
static enum lk_err pkey_verify(const struct lk_jwk *key,
                               const uint8_t *input, size_t len,
                               const uint8_t *sig, size_t siglen)
{
    uint8_t *der = NULL;
    size_t derlen = 0;
    EVP_MD_CTX *mctx = NULL;
    enum lk_err rc;

    if (key->pkey == NULL)
        return LK_ERR_UNSUPPORTED;
    if (lk_jws_alg_is_ec(key->alg)) {
        if ((rc = ec_raw_to_der(key, sig, siglen, &der, &derlen)) != LK_OK)
            return rc;
        sig = der;
        siglen = derlen;
    } else if (key->alg == LK_ALG_EDDSA && siglen != 64) {
        return LK_ERR_MISMATCH;
    }
    rc = LK_ERR_CRYPTO;
    if ((mctx = sigctx_new(key, 0)) == NULL)
        goto out;
    rc = EVP_DigestVerify(mctx, sig, siglen, input, len) == 1 ? LK_OK :
         LK_ERR_MISMATCH;
out:
    EVP_MD_CTX_free(mctx);
    OPENSSL_free(der);
    return rc;
}

enum lk_err lk_jws_sign_raw(const struct lk_jwk *key,
                            const uint8_t *input, size_t len,
                            uint8_t *sig, size_t cap, size_t *siglen)
{
    if (lk_jws_alg_is_hmac(key->alg))
        return hmac_compute(key, input, len, sig, cap, siglen);
    return pkey_sign(key, input, len, sig, cap, siglen);
}

enum lk_err lk_jws_verify_raw(const struct lk_jwk *key,
                              const uint8_t *input, size_t len,
                              const uint8_t *sig, size_t siglen)
{
    uint8_t mac[EVP_MAX_MD_SIZE];
    size_t maclen = 0;
    enum lk_err rc;
    int same;

    if (!lk_jws_alg_is_hmac(key->alg))
        return pkey_verify(key, input, len, sig, siglen);
    rc = hmac_compute(key, input, len, mac, sizeof(mac), &maclen);
    if (rc != LK_OK)
        return rc;
    /* Lengths are public (fixed by the algorithm); compare in
     * constant time only once they agree. */
    same = maclen == siglen && lk_ct_memeq(mac, sig, maclen);
    lk_secure_zero(mac, sizeof(mac));
    return same ? LK_OK : LK_ERR_MISMATCH;
}
