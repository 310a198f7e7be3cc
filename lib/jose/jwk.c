/*
 * jwk.c: keys. A key owns its material and knows the one algorithm it
 * may be used with; lk_jwk_prepare checks that the material fits that
 * algorithm (key type, curve, RSA size, HMAC length) and fetches what
 * signing and verification need, so both paths stay read-only.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>

#include "jose/jose_internal.h"

#define LK_RSA_MIN_BITS 2048

static const char *const alg_names[LK_ALG__COUNT] = {
    [LK_ALG_HS256] = "HS256", [LK_ALG_HS384] = "HS384",
    [LK_ALG_HS512] = "HS512", [LK_ALG_RS256] = "RS256",
    [LK_ALG_RS384] = "RS384", [LK_ALG_RS512] = "RS512",
    [LK_ALG_PS256] = "PS256", [LK_ALG_PS384] = "PS384",
    [LK_ALG_PS512] = "PS512", [LK_ALG_ES256] = "ES256",
    [LK_ALG_ES384] = "ES384", [LK_ALG_ES512] = "ES512",
    [LK_ALG_EDDSA] = "EdDSA",
};

/* Digest names by algorithm; NULL for EdDSA (no pre-hash). */
static const char *const alg_digests[LK_ALG__COUNT] = {
    [LK_ALG_HS256] = "SHA256", [LK_ALG_HS384] = "SHA384",
    [LK_ALG_HS512] = "SHA512", [LK_ALG_RS256] = "SHA256",
    [LK_ALG_RS384] = "SHA384", [LK_ALG_RS512] = "SHA512",
    [LK_ALG_PS256] = "SHA256", [LK_ALG_PS384] = "SHA384",
    [LK_ALG_PS512] = "SHA512", [LK_ALG_ES256] = "SHA256",
    [LK_ALG_ES384] = "SHA384", [LK_ALG_ES512] = "SHA512",
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

int lk_jws_alg_is_rsa(enum lk_jws_alg alg)
{
    return alg >= LK_ALG_RS256 && alg <= LK_ALG_PS512;
}

int lk_jws_alg_is_ec(enum lk_jws_alg alg)
{
    return alg == LK_ALG_ES256 || alg == LK_ALG_ES384 ||
           alg == LK_ALG_ES512;
}

/* A kid we configure must be printable ASCII without quote or
 * backslash, so that it can be placed in a header unescaped. */
static int kid_ok(const char *kid)
{
    size_t i, n = strlen(kid);

    if (n > LK_KID_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)kid[i];
        if (c < 0x21 || c > 0x7e || c == '"' || c == '\\')
            return 0;
    }
    return 1;
}

enum lk_err lk_jwk_alloc(enum lk_jws_alg alg, const char *kid,
                         struct lk_jwk **out, char *err, size_t errlen)
{
    struct lk_jwk *k;

    *out = NULL;
    if (lk_jws_alg_name(alg) == NULL || alg == LK_ALG_INVALID)
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "unknown algorithm");
    if (kid != NULL && !kid_ok(kid))
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "kid must be 1-%d printable characters without"
                         " quotes or backslashes", LK_KID_MAX);
    if ((k = calloc(1, sizeof(*k))) == NULL)
        return LK_ERR_NOMEM;
    k->alg = alg;
    if (kid != NULL)
        memcpy(k->kid, kid, strlen(kid) + 1);
    *out = k;
    return LK_OK;
}

/* The HMAC's pads, hashed once; every MAC starts from them. */
static enum lk_err prepare_hmac(struct lk_jwk *k, char *err, size_t errlen)
{
    static const unsigned bits[] = {
        [LK_ALG_HS256] = 256, [LK_ALG_HS384] = 384, [LK_ALG_HS512] = 512,
    };
    enum lk_err rc;

    if (k->secret == NULL || k->secret_len < LK_HMAC_MIN_KEY)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "HMAC secret is %zu bytes; at least %d are "
                         "required", k->secret_len, LK_HMAC_MIN_KEY);
    rc = lk_hmac_new(bits[k->alg], k->secret, k->secret_len, &k->hmac);
    if (rc != LK_OK)
        return lk_seterr(err, errlen, rc, "HMAC init failed");
    return LK_OK;
}

/* The curve name and coordinate size an ES* algorithm requires. */
static const char *ec_curve(enum lk_jws_alg alg, int *nid, size_t *size)
{
    switch (alg) {
    case LK_ALG_ES256:
        *nid = NID_X9_62_prime256v1;
        *size = 32;
        return "prime256v1";
    case LK_ALG_ES384:
        *nid = NID_secp384r1;
        *size = 48;
        return "secp384r1";
    case LK_ALG_ES512:
        *nid = NID_secp521r1;
        *size = 66;
        return "secp521r1";
    default:
        return NULL;
    }
}

/* Check that an EC key is on the curve alg names; keep its order. */
static enum lk_err prepare_ec(struct lk_jwk *k, char *err, size_t errlen)
{
    char name[64];
    size_t nlen = 0;
    int nid = 0;
    const char *want = ec_curve(k->alg, &nid, &k->ec_size);
    EC_GROUP *g;

    if (!EVP_PKEY_is_a(k->pkey, "EC") ||
        EVP_PKEY_get_utf8_string_param(k->pkey,
                                       OSSL_PKEY_PARAM_GROUP_NAME, name,
                                       sizeof(name), &nlen) != 1 ||
        want == NULL || strcmp(name, want) != 0)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "%s needs an EC key on curve %s",
                         alg_names[k->alg], want ? want : "?");
    if ((g = EC_GROUP_new_by_curve_name(nid)) == NULL)
        return LK_ERR_CRYPTO;
    k->order = BN_dup(EC_GROUP_get0_order(g));
    EC_GROUP_free(g);
    return k->order == NULL ? LK_ERR_NOMEM : LK_OK;
}

/* Check that the asymmetric key type fits the algorithm. */
static enum lk_err prepare_pkey(struct lk_jwk *k, char *err, size_t errlen)
{
    if (k->pkey == NULL)
        return lk_seterr(err, errlen, LK_ERR_INVALID, "no key material");
    if (lk_jws_alg_is_rsa(k->alg)) {
        if (!EVP_PKEY_is_a(k->pkey, "RSA"))
            return lk_seterr(err, errlen, LK_ERR_INVALID,
                             "%s needs an RSA key", alg_names[k->alg]);
        if (EVP_PKEY_get_bits(k->pkey) < LK_RSA_MIN_BITS)
            return lk_seterr(err, errlen, LK_ERR_INVALID,
                             "RSA key has %d bits; at least %d are "
                             "required", EVP_PKEY_get_bits(k->pkey),
                             LK_RSA_MIN_BITS);
        return LK_OK;
    }
    if (lk_jws_alg_is_ec(k->alg))
        return prepare_ec(k, err, errlen);
    if (k->alg == LK_ALG_EDDSA && EVP_PKEY_is_a(k->pkey, "ED25519"))
        return LK_OK;
    return lk_seterr(err, errlen, LK_ERR_INVALID,
                     "EdDSA needs an Ed25519 key");
}

/* base64url of our own header for this key, with or without kid. */
static enum lk_err prepare_headers(struct lk_jwk *k)
{
    char hdr[LK_HDR_MAX];
    int i, n;
    enum lk_err rc = LK_OK;

    for (i = 0; i < 2 && rc == LK_OK; i++) {
        if (i == 1 && k->kid[0] == '\0')
            break;
        if (i == 0)
            n = snprintf(hdr, sizeof(hdr),
                         "{\"alg\":\"%s\",\"typ\":\"JWT\"}",
                         alg_names[k->alg]);
        else
            n = snprintf(hdr, sizeof(hdr),
                         "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}",
                         alg_names[k->alg], k->kid);
        if (n < 0 || (size_t)n >= sizeof(hdr))
            return LK_ERR_TOO_LARGE;
        rc = lk_b64_encode(LK_B64_URL, 0, (const uint8_t *)hdr, (size_t)n,
                           k->hdr_b64[i], sizeof(k->hdr_b64[i]),
                           &k->hdr_b64_len[i]);
    }
    return rc;
}

enum lk_err lk_jwk_prepare(struct lk_jwk *k, char *err, size_t errlen)
{
    enum lk_err rc;

    if (lk_jws_alg_is_hmac(k->alg))
        rc = prepare_hmac(k, err, errlen);
    else
        rc = prepare_pkey(k, err, errlen);
    if (rc != LK_OK)
        return rc;
    if (alg_digests[k->alg] != NULL &&
        (k->md = EVP_MD_fetch(NULL, alg_digests[k->alg], NULL)) == NULL)
        return lk_seterr(err, errlen, LK_ERR_CRYPTO, "digest missing");
    if ((rc = prepare_headers(k)) != LK_OK)
        return lk_seterr(err, errlen, rc, "header too long");
    return LK_OK;
}

/* Public key text (PEM, OpenSSH) must never become an HMAC secret. */
static int looks_like_public_key(const uint8_t *s, size_t len)
{
    static const char *const prefixes[] = {
        "ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-", "ssh-dss ",
    };
    size_t i;

    for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t n = strlen(prefixes[i]);
        if (len >= n && memcmp(s, prefixes[i], n) == 0)
            return 1;
    }
    for (i = 0; i + 10 <= len; i++) {
        if (memcmp(s + i, "-----BEGIN", 10) == 0)
            return 1;
    }
    return 0;
}

enum lk_err lk_jwk_from_secret(const uint8_t *secret, size_t len,
                               enum lk_jws_alg alg, const char *kid,
                               struct lk_jwk **out,
                               char *err, size_t errlen)
{
    struct lk_jwk *k = NULL;
    enum lk_err rc;

    *out = NULL;
    if (!lk_jws_alg_is_hmac(alg))
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "a secret can only key an HS* algorithm");
    if (looks_like_public_key(secret, len))
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "refusing public key text as an HMAC secret");
    if ((rc = lk_jwk_alloc(alg, kid, &k, err, errlen)) != LK_OK)
        return rc;
    if ((k->secret = malloc(len > 0 ? len : 1)) == NULL) {
        rc = LK_ERR_NOMEM;
        goto out;
    }
    memcpy(k->secret, secret, len);
    k->secret_len = len;
    rc = lk_jwk_prepare(k, err, errlen);
out:
    if (rc != LK_OK)
        lk_jwk_free(k);
    else
        *out = k;
    return rc;
}

void lk_jwk_free(struct lk_jwk *key)
{
    if (key == NULL)
        return;
    lk_secure_free(key->secret, key->secret_len);
    lk_hmac_free(key->hmac);
    EVP_PKEY_free(key->pkey);
    EVP_MD_free(key->md);
    BN_free(key->order);
    lk_secure_zero(key, sizeof(*key));
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

int lk_jwk_is_private(const struct lk_jwk *key)
{
    return key->secret != NULL || key->is_private;
}

/* The default algorithm for an asymmetric key, from its type. */
static enum lk_jws_alg default_alg(EVP_PKEY *pkey)
{
    char name[64];
    size_t n = 0;

    if (EVP_PKEY_is_a(pkey, "RSA"))
        return LK_ALG_RS256;
    if (EVP_PKEY_is_a(pkey, "ED25519"))
        return LK_ALG_EDDSA;
    if (!EVP_PKEY_is_a(pkey, "EC") ||
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
                                       name, sizeof(name), &n) != 1)
        return LK_ALG_INVALID;
    if (strcmp(name, "prime256v1") == 0)
        return LK_ALG_ES256;
    if (strcmp(name, "secp384r1") == 0)
        return LK_ALG_ES384;
    if (strcmp(name, "secp521r1") == 0)
        return LK_ALG_ES512;
    return LK_ALG_INVALID;
}

enum lk_err lk_jwk_from_pkey(EVP_PKEY *pkey, int is_private,
                             enum lk_jws_alg alg, const char *kid,
                             struct lk_jwk **out, char *err, size_t errlen)
{
    struct lk_jwk *k = NULL;
    enum lk_err rc;

    *out = NULL;
    if (alg == LK_ALG_INVALID)
        alg = default_alg(pkey);
    if (lk_jws_alg_is_hmac(alg)) {
        EVP_PKEY_free(pkey);
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "an asymmetric key cannot be used with %s",
                         alg_names[alg]);
    }
    if ((rc = lk_jwk_alloc(alg, kid, &k, err, errlen)) != LK_OK) {
        EVP_PKEY_free(pkey);
        return rc;
    }
    k->pkey = pkey;
    k->is_private = is_private;
    if ((rc = lk_jwk_prepare(k, err, errlen)) != LK_OK)
        lk_jwk_free(k);
    else
        *out = k;
    return rc;
}

/* Never prompt for a passphrase: encrypted PEM is refused. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

enum lk_err lk_jwk_from_pem(const char *pem, size_t len,
                            enum lk_jws_alg alg, const char *kid,
                            struct lk_jwk **out, char *err, size_t errlen)
{
    BIO *bio;
    EVP_PKEY *pkey;
    int priv = 1;

    *out = NULL;
    if (len > INT32_MAX ||
        (bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
        return LK_ERR_NOMEM;
    pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    if (pkey == NULL) {
        priv = 0;
        ERR_clear_error();
        (void)BIO_reset(bio);
        pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
    }
    BIO_free(bio);
    ERR_clear_error();
    if (pkey == NULL)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "no usable private or public key in PEM "
                         "(encrypted keys are not supported)");
    return lk_jwk_from_pkey(pkey, priv, alg, kid, out, err, errlen);
}

/* The random bytes behind a generated secret: the hash length. */
static size_t secret_bytes(enum lk_jws_alg alg)
{
    return alg == LK_ALG_HS512 ? 64 : alg == LK_ALG_HS384 ? 48 : 32;
}

/* A new HMAC key: random bytes written as base64url text, so the file
 * is printable and a trailing newline can never be part of it. */
static enum lk_err generate_secret(enum lk_jws_alg alg, const char *kid,
                                   struct lk_jwk **out,
                                   char *err, size_t errlen)
{
    uint8_t raw[64];
    char text[100];
    size_t n = secret_bytes(alg), tlen = 0;
    enum lk_err rc;

    rc = lk_random(raw, n);
    if (rc == LK_OK)
        rc = lk_b64_encode(LK_B64_URL, 0, raw, n, text, sizeof(text),
                           &tlen);
    if (rc == LK_OK)
        rc = lk_jwk_from_secret((const uint8_t *)text, tlen, alg, kid,
                                out, err, errlen);
    lk_secure_zero(raw, sizeof(raw));
    lk_secure_zero(text, sizeof(text));
    return rc;
}

enum lk_err lk_jwk_generate(enum lk_jws_alg alg, const char *kid,
                            struct lk_jwk **out, char *err, size_t errlen)
{
    EVP_PKEY *pkey = NULL;
    int nid;
    size_t sz;

    *out = NULL;
    if (lk_jws_alg_is_hmac(alg))
        return generate_secret(alg, kid, out, err, errlen);
    if (lk_jws_alg_is_rsa(alg))
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
                                 (size_t)(alg == LK_ALG_RS256 ||
                                          alg == LK_ALG_PS256 ?
                                          2048 : 3072));
    else if (lk_jws_alg_is_ec(alg))
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
                                 ec_curve(alg, &nid, &sz));
    else if (alg == LK_ALG_EDDSA)
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    else
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "unknown algorithm");
    if (pkey == NULL)
        return lk_seterr(err, errlen, LK_ERR_CRYPTO,
                         "key generation failed");
    return lk_jwk_from_pkey(pkey, 1, alg, kid, out, err, errlen);
}

/* Write all of buf to fd. */
static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;

    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The private key as file content: PKCS#8 PEM, or the secret plus a
 * newline. *len bytes at *out; free with lk_secure_free(*out, *len). */
static enum lk_err private_text(const struct lk_jwk *key, char **out,
                                size_t *len)
{
    BIO *bio;
    char *data;
    long n;

    *out = NULL;
    if (key->secret != NULL) {
        if ((*out = malloc(key->secret_len + 1)) == NULL)
            return LK_ERR_NOMEM;
        memcpy(*out, key->secret, key->secret_len);
        (*out)[key->secret_len] = '\n';
        *len = key->secret_len + 1;
        return LK_OK;
    }
    if (!key->is_private || (bio = BIO_new(BIO_s_secmem())) == NULL)
        return LK_ERR_INVALID;
    if (PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL,
                                 NULL) == 1 &&
        (n = BIO_get_mem_data(bio, &data)) > 0 &&
        (*out = malloc((size_t)n)) != NULL) {
        memcpy(*out, data, (size_t)n);
        *len = (size_t)n;
    }
    BIO_free(bio);
    return *out != NULL ? LK_OK : LK_ERR_CRYPTO;
}

enum lk_err lk_jwk_write_private(const struct lk_jwk *key,
                                 const char *path,
                                 char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    int fd = -1;
    enum lk_err rc;

    if ((rc = private_text(key, &text, &len)) != LK_OK) {
        lk_seterr(err, errlen, rc, "key has no private part to write");
        goto out;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              0600);
    if (fd < 0) {
        rc = lk_seterr(err, errlen, LK_ERR_IO,
                       "cannot create %s (it must not exist yet)", path);
        goto out;
    }
    if (write_all(fd, text, len) != 0 || fsync(fd) != 0)
        rc = lk_seterr(err, errlen, LK_ERR_IO, "cannot write %s", path);
out:
    if (fd >= 0 && close(fd) != 0 && rc == LK_OK)
        rc = lk_seterr(err, errlen, LK_ERR_IO, "cannot write %s", path);
    lk_secure_free(text, len);
    return rc;
}
