/*
 * jwk_json.c: keys to and from JSON Web Key form (RFC 7517, RFC 7518
 * section 6, RFC 8037). Import accepts oct, RSA, EC (P-256, P-384,
 * P-521) and OKP Ed25519 keys; every member is strict base64url with a
 * length bound. Export writes public members only: a JWKS never
 * carries a private or HMAC key.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "jose/jose_internal.h"

#define LK_JWK_MEMBER_MAX 1024   /* decoded bytes: RSA 8192 bits */

/* Decode base64url member name of o into a new buffer (wiped on free
 * by the caller). Absent: LK_ERR_NOT_FOUND. */
static enum lk_err b64_member(json_t *o, const char *name, uint8_t **buf,
                              size_t *len)
{
    json_t *m = json_object_get(o, name);
    size_t slen, cap;
    enum lk_err rc;

    *buf = NULL;
    *len = 0;
    if (m == NULL)
        return LK_ERR_NOT_FOUND;
    if (!json_is_string(m))
        return LK_ERR_INVALID;
    slen = json_string_length(m);
    cap = lk_b64_decoded_max(slen);
    if (cap > LK_JWK_MEMBER_MAX || slen == 0)
        return LK_ERR_INVALID;
    if ((*buf = malloc(cap)) == NULL)
        return LK_ERR_NOMEM;
    rc = lk_b64_decode(LK_B64_URL, 0, json_string_value(m), slen, *buf,
                       cap, len);
    if (rc != LK_OK) {
        lk_secure_free(*buf, cap);
        *buf = NULL;
    }
    return rc;
}

/* Push a base64url member as a BIGNUM parameter; absent is an error
 * only when required. *found reports presence. */
static enum lk_err push_bn(OSSL_PARAM_BLD *bld, json_t *o,
                           const char *member, const char *param,
                           BIGNUM **keep, int *found)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    enum lk_err rc = b64_member(o, member, &buf, &len);

    *found = rc == LK_OK;
    if (rc == LK_ERR_NOT_FOUND)
        return LK_OK;
    if (rc != LK_OK)
        return rc;
    *keep = BN_secure_new();
    if (*keep == NULL || BN_bin2bn(buf, (int)len, *keep) == NULL ||
        OSSL_PARAM_BLD_push_BN(bld, param, *keep) != 1)
        rc = LK_ERR_CRYPTO;
    lk_secure_free(buf, len);
    return rc;
}

/* Make an EVP_PKEY of type name from built parameters. */
static EVP_PKEY *pkey_from_params(const char *name, OSSL_PARAM_BLD *bld,
                                  int priv)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
    EVP_PKEY *pkey = NULL;

    if (params != NULL && ctx != NULL &&
        EVP_PKEY_fromdata_init(ctx) == 1)
        (void)EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR :
                                EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

/* An RSA key from n, e and optionally d with its CRT members. */
static enum lk_err rsa_from_jwk(json_t *o, EVP_PKEY **out, int *priv)
{
    static const char *const mem[] = {"n", "e", "d", "p", "q", "dp",
                                      "dq", "qi"};
    static const char *const par[] = {
        OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    BIGNUM *bn[8] = {NULL};
    int found[8] = {0}, i, ncrt = 0;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    enum lk_err rc = bld == NULL ? LK_ERR_NOMEM : LK_OK;

    for (i = 0; i < 8 && rc == LK_OK; i++)
        rc = push_bn(bld, o, mem[i], par[i], &bn[i], &found[i]);
    for (i = 3; i < 8; i++)
        ncrt += found[i];
    if (rc == LK_OK && (!found[0] || !found[1] ||
                        (ncrt != 0 && (ncrt != 5 || !found[2]))))
        rc = LK_ERR_INVALID;
    *priv = found[2];
    if (rc == LK_OK && (*out = pkey_from_params("RSA", bld, *priv)) == NULL)
        rc = LK_ERR_INVALID;
    for (i = 0; i < 8; i++)
        BN_clear_free(bn[i]);
    OSSL_PARAM_BLD_free(bld);
    return rc;
}

/* Group name and coordinate size for a JWK crv. */
static const char *ec_group(const char *crv, size_t *size)
{
    if (strcmp(crv, "P-256") == 0)
        return *size = 32, "prime256v1";
    if (strcmp(crv, "P-384") == 0)
        return *size = 48, "secp384r1";
    if (strcmp(crv, "P-521") == 0)
        return *size = 66, "secp521r1";
    return NULL;
}

/* An EC key from crv, x, y and optionally d. */
static enum lk_err ec_from_jwk(json_t *o, const char *crv, EVP_PKEY **out,
                               int *priv)
{
    uint8_t *x = NULL, *y = NULL, pub[1 + 2 * 66];
    size_t xl = 0, yl = 0, size = 0;
    const char *group = ec_group(crv, &size);
    OSSL_PARAM_BLD *bld = NULL;
    BIGNUM *d = NULL;
    enum lk_err rc = LK_ERR_INVALID;

    if (group == NULL || b64_member(o, "x", &x, &xl) != LK_OK ||
        b64_member(o, "y", &y, &yl) != LK_OK || xl != size || yl != size)
        goto out;
    pub[0] = 0x04;
    memcpy(pub + 1, x, size);
    memcpy(pub + 1 + size, y, size);
    if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                        group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                         pub, 1 + 2 * size) != 1) {
        rc = LK_ERR_NOMEM;
        goto out;
    }
    if ((rc = push_bn(bld, o, "d", OSSL_PKEY_PARAM_PRIV_KEY, &d,
                      priv)) != LK_OK)
        goto out;
    if ((*out = pkey_from_params("EC", bld, *priv)) == NULL)
        rc = LK_ERR_INVALID;
out:
    free(x);
    free(y);
    BN_clear_free(d);
    OSSL_PARAM_BLD_free(bld);
    return rc;
}

/* An Ed25519 key from x and optionally d (which must match x). */
static enum lk_err okp_from_jwk(json_t *o, const char *crv,
                                EVP_PKEY **out, int *priv)
{
    uint8_t *x = NULL, *d = NULL, derived[32];
    size_t xl = 0, dl = 0, dlen = sizeof(derived);
    enum lk_err rc = LK_ERR_INVALID;

    *priv = 0;
    if (strcmp(crv, "Ed25519") != 0 ||
        b64_member(o, "x", &x, &xl) != LK_OK || xl != 32)
        goto out;
    rc = b64_member(o, "d", &d, &dl);
    if (rc == LK_ERR_NOT_FOUND) {
        *out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, 32);
        rc = *out != NULL ? LK_OK : LK_ERR_INVALID;
        goto out;
    }
    if (rc != LK_OK || dl != 32) {
        rc = LK_ERR_INVALID;
        goto out;
    }
    *priv = 1;
    *out = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, d, 32);
    rc = LK_ERR_INVALID;
    if (*out != NULL &&
        EVP_PKEY_get_raw_public_key(*out, derived, &dlen) == 1 &&
        dlen == 32 && memcmp(derived, x, 32) == 0)
        rc = LK_OK;
out:
    free(x);
    lk_secure_free(d, dl);
    return rc;
}

/* A string member, or NULL when absent; *bad set when not a string. */
static const char *str_member(json_t *o, const char *name, int *bad)
{
    json_t *m = json_object_get(o, name);

    if (m != NULL && !json_is_string(m))
        *bad = 1;
    return json_is_string(m) ? json_string_value(m) : NULL;
}

/* The algorithm for a JWK: the caller's, the JWK's "alg", which must
 * agree when both are given. */
static enum lk_err jwk_alg(json_t *o, enum lk_jws_alg *alg,
                           char *err, size_t errlen)
{
    int bad = 0;
    const char *a = str_member(o, "alg", &bad);
    enum lk_jws_alg ja;

    if (bad)
        return lk_seterr(err, errlen, LK_ERR_INVALID, "JWK alg invalid");
    if (a == NULL)
        return LK_OK;
    ja = lk_jws_alg_parse(a, strlen(a));
    if (ja == LK_ALG_INVALID)
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "JWK alg is not a supported JWS algorithm");
    if (*alg != LK_ALG_INVALID && *alg != ja)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "JWK alg %s differs from the configured %s", a,
                         lk_jws_alg_name(*alg));
    *alg = ja;
    return LK_OK;
}

/* An oct (HMAC) JWK. */
static enum lk_err oct_from_jwk(json_t *o, enum lk_jws_alg alg,
                                const char *kid, struct lk_jwk **out,
                                char *err, size_t errlen)
{
    uint8_t *k = NULL;
    size_t kl = 0;
    enum lk_err rc;

    if (b64_member(o, "k", &k, &kl) != LK_OK)
        return lk_seterr(err, errlen, LK_ERR_INVALID, "oct JWK needs k");
    rc = lk_jwk_from_secret(k, kl, alg == LK_ALG_INVALID ? LK_ALG_HS256 :
                            alg, kid, out, err, errlen);
    lk_secure_free(k, kl);
    return rc;
}

enum lk_err lk_jwk_from_jwk_obj(const void *obj, enum lk_jws_alg alg,
                                struct lk_jwk **out,
                                char *err, size_t errlen)
{
    json_t *o = (json_t *)obj;
    int bad = 0, priv = 0;
    const char *kty = str_member(o, "kty", &bad);
    const char *kid = str_member(o, "kid", &bad);
    const char *crv = str_member(o, "crv", &bad);
    EVP_PKEY *pkey = NULL;
    enum lk_err rc;

    *out = NULL;
    if (!json_is_object(o) || kty == NULL || bad)
        return lk_seterr(err, errlen, LK_ERR_INVALID, "not a JWK");
    if ((rc = jwk_alg(o, &alg, err, errlen)) != LK_OK)
        return rc;
    if (strcmp(kty, "oct") == 0)
        return oct_from_jwk(o, alg, kid, out, err, errlen);
    if (strcmp(kty, "RSA") == 0)
        rc = rsa_from_jwk(o, &pkey, &priv);
    else if (strcmp(kty, "EC") == 0 && crv != NULL)
        rc = ec_from_jwk(o, crv, &pkey, &priv);
    else if (strcmp(kty, "OKP") == 0 && crv != NULL)
        rc = okp_from_jwk(o, crv, &pkey, &priv);
    else
        rc = LK_ERR_UNSUPPORTED;
    if (rc != LK_OK) {
        EVP_PKEY_free(pkey);
        return lk_seterr(err, errlen, rc, "unusable %s JWK", kty);
    }
    return lk_jwk_from_pkey(pkey, priv, alg, kid, out, err, errlen);
}

enum lk_err lk_jwk_from_json(const char *json, size_t len,
                             enum lk_jws_alg alg, struct lk_jwk **out,
                             char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    enum lk_err rc;

    *out = NULL;
    if (o == NULL)
        return lk_seterr(err, errlen, LK_ERR_INVALID, "JWK is not JSON");
    rc = lk_jwk_from_jwk_obj(o, alg, out, err, errlen);
    json_decref(o);
    return rc;
}

/* Set member name of o to the base64url of buf. */
static enum lk_err set_b64(json_t *o, const char *name,
                           const uint8_t *buf, size_t n)
{
    char enc[LK_SIG_MAX * 2];
    size_t elen = 0;

    if (lk_b64_encode(LK_B64_URL, 0, buf, n, enc, sizeof(enc), &elen)
        != LK_OK)
        return LK_ERR_TOO_LARGE;
    return json_object_set_new(o, name, json_stringn(enc, elen)) == 0 ?
           LK_OK : LK_ERR_NOMEM;
}

/* Set member name to a big-endian BIGNUM parameter of pkey, padded to
 * pad bytes (0: minimal). */
static enum lk_err set_bn(json_t *o, const char *name, EVP_PKEY *pkey,
                          const char *param, int pad)
{
    uint8_t buf[LK_SIG_MAX];
    BIGNUM *bn = NULL;
    int n;
    enum lk_err rc = LK_ERR_CRYPTO;

    if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1)
        return LK_ERR_CRYPTO;
    if (pad == 0)
        pad = BN_num_bytes(bn);
    if (pad > 0 && pad <= (int)sizeof(buf) &&
        (n = BN_bn2binpad(bn, buf, pad)) == pad)
        rc = set_b64(o, name, buf, (size_t)n);
    BN_free(bn);
    return rc;
}

/* The public members of an asymmetric key. */
static enum lk_err public_members(const struct lk_jwk *k, json_t *o)
{
    uint8_t raw[32];
    size_t n = sizeof(raw);
    size_t sz = k->ec_size;
    const char *crv = sz == 32 ? "P-256" : sz == 48 ? "P-384" : "P-521";

    if (lk_jws_alg_is_rsa(k->alg)) {
        json_object_set_new(o, "kty", json_string("RSA"));
        if (set_bn(o, "n", k->pkey, OSSL_PKEY_PARAM_RSA_N, 0) != LK_OK)
            return LK_ERR_CRYPTO;
        return set_bn(o, "e", k->pkey, OSSL_PKEY_PARAM_RSA_E, 0);
    }
    if (lk_jws_alg_is_ec(k->alg)) {
        json_object_set_new(o, "kty", json_string("EC"));
        json_object_set_new(o, "crv", json_string(crv));
        if (set_bn(o, "x", k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, (int)sz)
            != LK_OK)
            return LK_ERR_CRYPTO;
        return set_bn(o, "y", k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, (int)sz);
    }
    json_object_set_new(o, "kty", json_string("OKP"));
    json_object_set_new(o, "crv", json_string("Ed25519"));
    if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &n) != 1)
        return LK_ERR_CRYPTO;
    return set_b64(o, "x", raw, n);
}

enum lk_err lk_keyset_jwks_json(const struct lk_keyset *ks, char **out)
{
    json_t *root = json_object(), *arr = json_array(), *o;
    enum lk_err rc = LK_OK;
    size_t i;

    *out = NULL;
    if (root == NULL || arr == NULL || json_object_set(root, "keys", arr))
        rc = LK_ERR_NOMEM;
    for (i = 0; rc == LK_OK && i < ks->count; i++) {
        const struct lk_jwk *k = ks->keys[i];
        if (k->pkey == NULL)
            continue;   /* HMAC secrets are never published */
        if ((o = json_object()) == NULL || json_array_append_new(arr, o)) {
            rc = LK_ERR_NOMEM;
            break;
        }
        rc = public_members(k, o);
        json_object_set_new(o, "use", json_string("sig"));
        json_object_set_new(o, "alg", json_string(lk_jws_alg_name(k->alg)));
        if (k->kid[0] != '\0')
            json_object_set_new(o, "kid", json_string(k->kid));
    }
    if (rc == LK_OK && (*out = json_dumps(root, JSON_COMPACT)) == NULL)
        rc = LK_ERR_NOMEM;
    json_decref(arr);
    json_decref(root);
    return rc;
}
