/*
 * bcrypt.c: the bcrypt family: plain bcrypt ($2a$, $2b$, $2y$), passlib's
 * bcrypt_sha256 (v1 `$bcrypt-sha256$2b,R$salt$digest` and v2
 * `$bcrypt-sha256$v=2,t=2b,r=R$salt$digest`) and Django's
 * `bcrypt_sha256$` + bcrypt string. bcrypt itself runs in libxcrypt.
 *
 * The pre-hashed variants feed bcrypt a key derived from the whole
 * password: v1 base64(SHA-256(pw)), v2 base64(HMAC-SHA-256(key = the
 * 22-character salt text, msg = pw)), Django hex(SHA-256(pw)). So they
 * take any byte string, NUL included. Plain bcrypt reads 72 bytes: stored
 * hashes verify by that rule, but a new hash of a longer password is
 * refused rather than silently cut.
 */
#include <crypt.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "pwhash/pwhash_internal.h"

#define BC_LEN     60   /* $2b$NN$ + 22 salt + 31 digest */
#define BC_SALT    22
#define BC_DIGEST  31
#define BCS_PREFIX "$bcrypt-sha256$"
#define DJ_PREFIX  "bcrypt_sha256$"

/* Check a two-digit cost field and the verify-side limit. */
static enum lk_err bc_cost(const char *c, unsigned *cost, char *err,
                           size_t errlen)
{
    if (c[0] < '0' || c[0] > '9' || c[1] < '0' || c[1] > '9')
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "bcrypt cost must be two digits");
    *cost = (unsigned)(c[0] - '0') * 10 + (unsigned)(c[1] - '0');
    if (*cost < 4 || *cost > 31)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "bcrypt cost out of range 4..31");
    if (*cost > PW_BCRYPT_MAX_COST)
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "bcrypt cost above the verify limit of %u",
                         PW_BCRYPT_MAX_COST);
    return LK_OK;
}

/* Structural check of a 60-character modular bcrypt string. */
static enum lk_err bc_parse_plain(const char *s, size_t n,
                                  struct pw_params *pp, char *err,
                                  size_t errlen)
{
    enum lk_err rc;

    if (n != BC_LEN || s[0] != '$' || s[1] != '2' ||
        strchr("aby", s[2]) == NULL || s[2] == '\0' || s[3] != '$' ||
        s[6] != '$')
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "not a 60-character $2a$/$2b$/$2y$ string");
    if ((rc = bc_cost(s + 4, &pp->cost, err, errlen)) != LK_OK)
        return rc;
    if (!pw_hash64_ok(s + 7, BC_SALT + BC_DIGEST))
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "bad character in bcrypt salt or digest");
    pp->variant[0] = s[1];
    pp->variant[1] = s[2];
    pp->variant[2] = '\0';
    return LK_OK;
}

/* The cost after "r=" or "2b," in passlib's format: 1-2 digits. */
static enum lk_err bcs_rounds(const char *s, size_t n, size_t *pos,
                              struct pw_params *pp, char *err,
                              size_t errlen)
{
    uint32_t r;
    char two[2];

    if (pw_parse_uint(s, n, pos, 31, &r) != 0 || r < 4)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "bcrypt_sha256 rounds out of range 4..31");
    two[0] = (char)('0' + r / 10);
    two[1] = (char)('0' + r % 10);
    return bc_cost(two, &pp->cost, err, errlen);
}

/* Parse passlib's bcrypt_sha256, v1 or v2; *salt points at the salt. */
static enum lk_err bcs_parse(const char *s, size_t n, struct pw_params *pp,
                             size_t *salt, char *err, size_t errlen)
{
    size_t pos = 0;
    enum lk_err rc;

    if (!pw_eat(s, n, &pos, BCS_PREFIX))
        return lk_seterr(err, errlen, LK_ERR_INVALID, "bad prefix");
    if (pw_eat(s, n, &pos, "v=2,t=2b,r=")) {
        pp->version = 2;
        memcpy(pp->variant, "2b", 3);
    } else if (pw_eat(s, n, &pos, "2a,") || pw_eat(s, n, &pos, "2b,")) {
        pp->version = 1;
        memcpy(pp->variant, s + pos - 3, 2);
        pp->variant[2] = '\0';
    } else {
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "unknown bcrypt_sha256 version or variant");
    }
    if ((rc = bcs_rounds(s, n, &pos, pp, err, errlen)) != LK_OK)
        return rc;
    if (!pw_eat(s, n, &pos, "$") || n - pos != BC_SALT + 1 + BC_DIGEST ||
        s[pos + BC_SALT] != '$' || !pw_hash64_ok(s + pos, BC_SALT) ||
        !pw_hash64_ok(s + pos + BC_SALT + 1, BC_DIGEST))
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "bad bcrypt_sha256 salt or digest");
    if (pp->version == 2 && strchr(".Oeu", s[pos + BC_SALT - 1]) == NULL)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "bcrypt_sha256 salt has padding bits set");
    *salt = pos;
    return LK_OK;
}

/* Parse any member of the family. */
static enum lk_err bc_parse(enum pw_id id, const char *s, size_t n,
                            struct pw_params *pp, char *err, size_t errlen)
{
    size_t salt;
    size_t k = sizeof(DJ_PREFIX) - 1;

    memset(pp, 0, sizeof(*pp));
    pp->id = id;
    if (id == PW_BCRYPT)
        return bc_parse_plain(s, n, pp, err, errlen);
    if (id == PW_BCRYPT_SHA256)
        return bcs_parse(s, n, pp, &salt, err, errlen);
    if (n < k || memcmp(s, DJ_PREFIX, k) != 0)
        return lk_seterr(err, errlen, LK_ERR_INVALID, "bad prefix");
    if (bc_parse_plain(s + k, n - k, pp, err, errlen) != LK_OK ||
        s[k + 2] != 'b')
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "Django bcrypt_sha256 needs a $2b$ string");
    return LK_OK;
}

/* The key bcrypt_sha256 gives bcrypt: base64 of a SHA-256 value. */
static enum lk_err bcs_key(const struct pw_params *pp, const char *salt,
                           const uint8_t *pw, size_t pwlen,
                           char *key, size_t cap)
{
    uint8_t md[SHA256_DIGEST_LENGTH];
    unsigned mdlen = sizeof(md);
    enum lk_err rc = LK_OK;
    size_t klen;

    if (pp->version == 1) {
        SHA256(pw, pwlen, md);
    } else if (HMAC(EVP_sha256(), salt, BC_SALT, pw, pwlen, md,
                    &mdlen) == NULL || mdlen != sizeof(md)) {
        rc = LK_ERR_CRYPTO;
    }
    if (rc == LK_OK)
        rc = lk_b64_encode(LK_B64_STD, LK_B64_PAD, md, sizeof(md), key,
                           cap, &klen);
    lk_secure_zero(md, sizeof(md));
    return rc;
}

/* Django's key: lower-case hex of SHA-256(pw). */
static void dj_key(const uint8_t *pw, size_t pwlen, char key[65])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t md[SHA256_DIGEST_LENGTH];
    size_t i;

    SHA256(pw, pwlen, md);
    for (i = 0; i < sizeof(md); i++) {
        key[2 * i] = hex[md[i] >> 4];
        key[2 * i + 1] = hex[md[i] & 15];
    }
    key[64] = '\0';
    lk_secure_zero(md, sizeof(md));
}

/* bcrypt(key, "$2x$NN$salt") and compare its digest with digest. */
static enum lk_err bc_check(const uint8_t *key, size_t keylen,
                            const char *setting, const char *digest)
{
    char out[LK_HASH_MAX + 1];
    enum lk_err rc;

    rc = pw_crypt_rn(key, keylen, setting, out, sizeof(out));
    if (rc == LK_OK)
        rc = strnlen(out, sizeof(out)) == BC_LEN &&
             lk_ct_memeq(out + BC_LEN - BC_DIGEST, digest, BC_DIGEST)
             ? LK_OK : LK_ERR_MISMATCH;
    lk_secure_zero(out, sizeof(out));
    return rc;
}

/* Verify any member of the family. */
static enum lk_err bc_verify(enum pw_id id, const uint8_t *pw,
                             size_t pwlen, const char *s, size_t n,
                             struct pw_params *pp, char *err,
                             size_t errlen)
{
    char key[80], setting[48];
    size_t salt = 0, k = sizeof(DJ_PREFIX) - 1;
    enum lk_err rc;

    if ((rc = bc_parse(id, s, n, pp, err, errlen)) != LK_OK)
        return rc;
    if (id == PW_BCRYPT) {
        rc = bc_check(pw, pwlen, s, s + BC_LEN - BC_DIGEST);
        goto out;
    }
    if (id == PW_DJANGO_BCRYPT_SHA256) {
        dj_key(pw, pwlen, key);
        rc = bc_check((const uint8_t *)key, 64, s + k, s + n - BC_DIGEST);
        goto out;
    }
    (void)bcs_parse(s, n, pp, &salt, NULL, 0);
    if ((rc = bcs_key(pp, s + salt, pw, pwlen, key, sizeof(key))) != LK_OK)
        goto out;
    snprintf(setting, sizeof(setting), "$%s$%02u$%.*s", pp->variant,
             pp->cost, (int)BC_SALT, s + salt);
    rc = bc_check((const uint8_t *)key, strlen(key), setting,
                  s + salt + BC_SALT + 1);
out:
    lk_secure_zero(key, sizeof(key));
    if (rc == LK_ERR_INVALID)
        lk_seterr(err, errlen, rc, "bcrypt refused the stored string");
    return rc;
}

/* A fresh "$2b$NN$salt" setting from libxcrypt's gensalt. */
static enum lk_err bc_setting(unsigned cost, char *out, size_t cap)
{
    uint8_t rnd[16];
    enum lk_err rc;

    if ((rc = lk_random(rnd, sizeof(rnd))) != LK_OK)
        return rc;
    if (crypt_gensalt_rn("$2b$", cost, (const char *)rnd, sizeof(rnd),
                         out, (int)cap) == NULL)
        rc = LK_ERR_CRYPTO;
    lk_secure_zero(rnd, sizeof(rnd));
    return rc;
}

/* New bcrypt ($2b$) or bcrypt_sha256 (passlib v2) hash. */
static enum lk_err bc_hash(enum pw_id id, const struct lk_pwpolicy *p,
                           const uint8_t *pw, size_t pwlen, char *out,
                           size_t cap, char *err, size_t errlen)
{
    char setting[CRYPT_GENSALT_OUTPUT_SIZE], key[80], res[LK_HASH_MAX + 1];
    struct pw_params pp = {.version = 2, .variant = "2b"};
    enum lk_err rc;
    int w;

    if (id == PW_BCRYPT && pwlen > PW_BCRYPT_MAX_PW)
        return lk_seterr(err, errlen, LK_ERR_TOO_LARGE,
                         "bcrypt uses only the first %u bytes of a "
                         "password; use bcrypt_sha256 or argon2id for "
                         "longer passwords", PW_BCRYPT_MAX_PW);
    if (id != PW_BCRYPT && id != PW_BCRYPT_SHA256)
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "scheme is verify-only");
    if ((rc = bc_setting(p->bcrypt_cost, setting, sizeof(setting))) != LK_OK)
        return lk_seterr(err, errlen, rc, "bcrypt salt generation failed");
    if (id == PW_BCRYPT) {
        rc = pw_crypt_rn(pw, pwlen, setting, res, sizeof(res));
    } else if ((rc = bcs_key(&pp, setting + 7, pw, pwlen, key,
                             sizeof(key))) == LK_OK) {
        rc = pw_crypt_rn((const uint8_t *)key, strlen(key), setting, res,
                         sizeof(res));
    }
    lk_secure_zero(key, sizeof(key));
    if (rc == LK_OK && strnlen(res, sizeof(res)) != BC_LEN)
        rc = LK_ERR_CRYPTO;
    if (rc != LK_OK)
        return lk_seterr(err, errlen, rc, "bcrypt failed");
    if (id == PW_BCRYPT)
        w = snprintf(out, cap, "%s", res);
    else
        w = snprintf(out, cap, BCS_PREFIX "v=2,t=2b,r=%u$%.*s$%s",
                     p->bcrypt_cost, BC_SALT, setting + 7,
                     res + BC_LEN - BC_DIGEST);
    if (w < 0 || (size_t)w >= cap)
        return lk_seterr(err, errlen, LK_ERR_TOO_LARGE,
                         "output buffer too small");
    return LK_OK;
}

const struct pw_ops pw_bcrypt_ops = {
    .parse = bc_parse,
    .verify = bc_verify,
    .hash = bc_hash,
};
