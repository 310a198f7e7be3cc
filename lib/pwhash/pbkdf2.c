/*
 * pbkdf2.c: PBKDF2 hashes in passlib's format ($pbkdf2$ for SHA-1,
 * $pbkdf2-sha256$, $pbkdf2-sha512$: rounds, adapted-base64 salt and
 * checksum) and Django's (pbkdf2_sha256$ and pbkdf2_sha1$: iterations,
 * the salt as literal text, standard padded base64 of the key), plus the
 * raw PBKDF2 the tests check against RFC vectors. OpenSSL does the work.
 *
 * Iteration counts come from the string and must be 1..PW_PBKDF2_MAX_ITER;
 * the stored key must be exactly one digest long. PBKDF2 takes the
 * password by length, so NUL bytes are no problem here.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "pwhash/pwhash_internal.h"

#define PB_SALT_NEW    16   /* passlib: random bytes */
#define DJ_SALT_NEW    22   /* Django: alphanumeric characters */
#define PB_MAX_DIGEST  64

/* Raw PBKDF2 through OpenSSL. */
enum lk_err pw_pbkdf2(enum pw_prf prf, const uint8_t *pw, size_t pwlen,
                      const uint8_t *salt, size_t saltlen, uint32_t iter,
                      uint8_t *out, size_t outlen)
{
    const EVP_MD *md = prf == PW_PRF_SHA1 ? EVP_sha1()
                       : prf == PW_PRF_SHA256 ? EVP_sha256() : EVP_sha512();
    static const char empty[1] = "";

    if (iter < 1 || iter > INT32_MAX || pwlen > INT32_MAX ||
        saltlen > INT32_MAX || outlen > INT32_MAX)
        return LK_ERR_INVALID;
    if (PKCS5_PBKDF2_HMAC(pwlen ? (const char *)pw : empty, (int)pwlen,
                          saltlen ? salt : (const uint8_t *)empty,
                          (int)saltlen, (int)iter, md, (int)outlen,
                          out) != 1)
        return LK_ERR_CRYPTO;
    return LK_OK;
}

/* Which PRF, which digest size and whether it is Django's layout. */
static void pb_shape(enum pw_id id, enum pw_prf *prf, size_t *dlen,
                     int *django, const char **prefix)
{
    *django = id == PW_DJANGO_PBKDF2_SHA256 || id == PW_DJANGO_PBKDF2_SHA1;
    if (id == PW_PBKDF2_SHA1 || id == PW_DJANGO_PBKDF2_SHA1) {
        *prf = PW_PRF_SHA1;
        *dlen = 20;
    } else if (id == PW_PBKDF2_SHA512) {
        *prf = PW_PRF_SHA512;
        *dlen = 64;
    } else {
        *prf = PW_PRF_SHA256;
        *dlen = 32;
    }
    *prefix = id == PW_PBKDF2_SHA1 ? "$pbkdf2$"
              : id == PW_PBKDF2_SHA256 ? "$pbkdf2-sha256$"
              : id == PW_PBKDF2_SHA512 ? "$pbkdf2-sha512$"
              : id == PW_DJANGO_PBKDF2_SHA1 ? "pbkdf2_sha1$"
              : "pbkdf2_sha256$";
}

/* A parsed PBKDF2 string: decoded salt and stored key. */
struct pb_parsed {
    enum pw_prf prf;
    uint8_t salt[PW_PBKDF2_MAX_SALT];
    uint8_t key[PB_MAX_DIGEST];
    size_t saltlen, keylen;
};

/* The salt field: ab64 bytes for passlib, literal text for Django. */
static int pb_salt(int django, const char *s, size_t k,
                   struct pb_parsed *pb)
{
    if (!django)
        return lk_b64_decode(LK_B64_AB64, 0, s, k, pb->salt,
                             sizeof(pb->salt), &pb->saltlen) == LK_OK &&
               pb->saltlen > 0;
    if (k == 0 || k > sizeof(pb->salt))
        return 0;
    memcpy(pb->salt, s, k);
    pb->saltlen = k;
    return 1;
}

/* Parse prefix$iterations$salt$key for either layout. */
static enum lk_err pb_parse_full(enum pw_id id, const char *s, size_t n,
                                 struct pw_params *pp, struct pb_parsed *pb,
                                 char *err, size_t errlen)
{
    const char *prefix;
    size_t dlen, pos = 0, k;
    int django;

    memset(pp, 0, sizeof(*pp));
    pp->id = id;
    pb_shape(id, &pb->prf, &dlen, &django, &prefix);
    if (!pw_eat(s, n, &pos, prefix))
        return lk_seterr(err, errlen, LK_ERR_INVALID, "bad prefix");
    if (pw_parse_uint(s, n, &pos, UINT32_MAX, &pp->rounds) != 0 ||
        !pw_eat(s, n, &pos, "$"))
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "PBKDF2 iterations must be a positive number");
    if (pp->rounds > PW_PBKDF2_MAX_ITER)
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "PBKDF2 iterations above the limit of %u",
                         PW_PBKDF2_MAX_ITER);
    k = pw_field_len(s, n, pos);
    if (!pb_salt(django, s + pos, k, pb))
        return lk_seterr(err, errlen, LK_ERR_INVALID, "bad PBKDF2 salt");
    pos += k;
    if (!pw_eat(s, n, &pos, "$") ||
        lk_b64_decode(django ? LK_B64_STD : LK_B64_AB64,
                      django ? LK_B64_PAD : 0, s + pos, n - pos, pb->key,
                      sizeof(pb->key), &pb->keylen) != LK_OK ||
        pb->keylen != dlen)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "PBKDF2 key must be %zu bytes of base64", dlen);
    return LK_OK;
}

/* Parse for the policy. */
static enum lk_err pb_parse(enum pw_id id, const char *s, size_t n,
                            struct pw_params *pp, char *err, size_t errlen)
{
    struct pb_parsed pb;

    return pb_parse_full(id, s, n, pp, &pb, err, errlen);
}

/* Derive with the stored parameters and compare the keys. */
static enum lk_err pb_verify(enum pw_id id, const uint8_t *pw,
                             size_t pwlen, const char *s, size_t n,
                             struct pw_params *pp, char *err,
                             size_t errlen)
{
    struct pb_parsed pb;
    uint8_t dk[PB_MAX_DIGEST];
    enum lk_err rc;

    if ((rc = pb_parse_full(id, s, n, pp, &pb, err, errlen)) != LK_OK)
        return rc;
    rc = pw_pbkdf2(pb.prf, pw, pwlen, pb.salt, pb.saltlen, pp->rounds, dk,
                   pb.keylen);
    if (rc != LK_OK)
        rc = lk_seterr(err, errlen, rc, "PBKDF2 failed");
    else if (!lk_ct_memeq(dk, pb.key, pb.keylen))
        rc = LK_ERR_MISMATCH;
    lk_secure_zero(dk, sizeof(dk));
    return rc;
}

/* Django-style salt: alphanumerics by rejection sampling. */
static enum lk_err dj_salt(char *out, size_t k)
{
    static const char al[] = "abcdefghijklmnopqrstuvwxyz"
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    uint8_t b;
    size_t i = 0;
    enum lk_err rc;

    while (i < k) {
        if ((rc = lk_random(&b, 1)) != LK_OK)
            return rc;
        if (b < 248)   /* 248 = 4 * 62: keep the choice uniform */
            out[i++] = al[b % 62];
    }
    out[k] = '\0';
    return LK_OK;
}

/* Encode the salt for the layout; raw holds the bytes PBKDF2 uses. */
static enum lk_err pb_new_salt(int django, uint8_t *raw, size_t *rawlen,
                               char *text, size_t cap)
{
    enum lk_err rc;
    size_t k;

    if (django) {
        if ((rc = dj_salt(text, DJ_SALT_NEW)) != LK_OK)
            return rc;
        memcpy(raw, text, DJ_SALT_NEW);
        *rawlen = DJ_SALT_NEW;
        return LK_OK;
    }
    if ((rc = lk_random(raw, PB_SALT_NEW)) != LK_OK)
        return rc;
    *rawlen = PB_SALT_NEW;
    return lk_b64_encode(LK_B64_AB64, 0, raw, PB_SALT_NEW, text, cap, &k);
}

/* New PBKDF2 hash in the layout of id, with the policy's iterations. */
static enum lk_err pb_hash(enum pw_id id, const struct lk_pwpolicy *p,
                           const uint8_t *pw, size_t pwlen, char *out,
                           size_t cap, char *err, size_t errlen)
{
    uint8_t raw[DJ_SALT_NEW], dk[PB_MAX_DIGEST];
    char salt[40], key[100];
    const char *prefix;
    enum pw_prf prf;
    size_t dlen, rawlen, k;
    int django, w;
    enum lk_err rc;

    pb_shape(id, &prf, &dlen, &django, &prefix);
    if ((rc = pb_new_salt(django, raw, &rawlen, salt, sizeof(salt)))
        != LK_OK)
        return lk_seterr(err, errlen, rc, "salt generation failed");
    if ((rc = pw_pbkdf2(prf, pw, pwlen, raw, rawlen, p->pbkdf2_iter, dk,
                        dlen)) != LK_OK) {
        rc = lk_seterr(err, errlen, rc, "PBKDF2 failed");
        goto out;
    }
    lk_b64_encode(django ? LK_B64_STD : LK_B64_AB64,
                  django ? LK_B64_PAD : 0, dk, dlen, key, sizeof(key), &k);
    w = snprintf(out, cap, "%s%u$%s$%s", prefix, p->pbkdf2_iter, salt, key);
    if (w < 0 || (size_t)w >= cap)
        rc = lk_seterr(err, errlen, LK_ERR_TOO_LARGE,
                       "output buffer too small");
out:
    lk_secure_zero(dk, sizeof(dk));
    lk_secure_zero(key, sizeof(key));
    return rc;
}

const struct pw_ops pw_pbkdf2_ops = {
    .parse = pb_parse,
    .verify = pb_verify,
    .hash = pb_hash,
};
