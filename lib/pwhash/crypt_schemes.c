/*
 * crypt_schemes.c: the legacy crypt(3) schemes, verified only: sha512-crypt
 * ($6$), sha256-crypt ($5$) and md5-crypt ($1$), through libxcrypt's
 * crypt_rn(). Also the crypt_rn() wrapper the bcrypt family uses.
 *
 * A stored string is checked field by field before libxcrypt sees it:
 * rounds= must be 1000..PW_CRYPT_MAX_ROUNDS (libxcrypt would run up to
 * 999,999,999), the salt and digest must have their exact lengths.
 * These schemes read the password as a C string, so the policy never
 * hands them a password holding NUL.
 */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "pwhash/pwhash_internal.h"

/* Run crypt_rn on a NUL-terminated copy of the key. */
enum lk_err pw_crypt_rn(const uint8_t *key, size_t keylen,
                        const char *setting, char *out, size_t cap)
{
    struct crypt_data *cd = NULL;
    char *k = NULL;
    enum lk_err rc = LK_ERR_NOMEM;
    const char *r;
    size_t rlen;

    if ((k = malloc(keylen + 1)) == NULL ||
        (cd = calloc(1, sizeof(*cd))) == NULL)
        goto out;
    memcpy(k, key, keylen);
    k[keylen] = '\0';
    r = crypt_rn(k, setting, cd, (int)sizeof(*cd));
    rc = LK_ERR_INVALID;
    if (r == NULL || r[0] != '$')
        goto out;
    rlen = strnlen(r, cap);
    if (rlen >= cap)
        goto out;
    memcpy(out, r, rlen + 1);
    rc = LK_OK;
out:
    lk_secure_free(k, k != NULL ? keylen + 1 : 0);
    lk_secure_free(cd, cd != NULL ? sizeof(*cd) : 0);
    return rc;
}

/* Shape of each member: prefix, longest salt, digest length. */
static void crypt_shape(enum pw_id id, const char **prefix,
                        size_t *max_salt, size_t *digest)
{
    if (id == PW_SHA512_CRYPT) {
        *prefix = "$6$";
        *max_salt = 16;
        *digest = 86;
    } else if (id == PW_SHA256_CRYPT) {
        *prefix = "$5$";
        *max_salt = 16;
        *digest = 43;
    } else {
        *prefix = "$1$";
        *max_salt = 8;
        *digest = 22;
    }
}

/* Parse $6$[rounds=N$]salt$digest (and $5$, $1$ without rounds). */
static enum lk_err crypt_parse(enum pw_id id, const char *s, size_t n,
                               struct pw_params *pp, char *err,
                               size_t errlen)
{
    const char *prefix;
    size_t max_salt, digest, pos = 0, k;
    uint32_t rounds = id == PW_MD5_CRYPT ? 1000 : 5000;

    crypt_shape(id, &prefix, &max_salt, &digest);
    if (!pw_eat(s, n, &pos, prefix))
        return lk_seterr(err, errlen, LK_ERR_INVALID, "bad crypt prefix");
    if (id != PW_MD5_CRYPT && pw_eat(s, n, &pos, "rounds=")) {
        if (pw_parse_uint(s, n, &pos, UINT32_MAX, &rounds) != 0 ||
            rounds < 1000 || !pw_eat(s, n, &pos, "$"))
            return lk_seterr(err, errlen, LK_ERR_INVALID,
                             "sha-crypt rounds must be a number >= 1000");
        if (rounds > PW_CRYPT_MAX_ROUNDS)
            return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                             "sha-crypt rounds above the limit of %u",
                             PW_CRYPT_MAX_ROUNDS);
    }
    k = pw_field_len(s, n, pos);
    if (k > max_salt || !pw_hash64_ok(s + pos, k))
        return lk_seterr(err, errlen, LK_ERR_INVALID, "bad crypt salt");
    pos += k;
    if (!pw_eat(s, n, &pos, "$") || n - pos != digest ||
        !pw_hash64_ok(s + pos, digest))
        return lk_seterr(err, errlen, LK_ERR_INVALID, "bad crypt digest");
    memset(pp, 0, sizeof(*pp));
    pp->id = id;
    pp->rounds = rounds;
    return LK_OK;
}

/* Recompute with the stored string as setting and compare it whole. */
static enum lk_err crypt_verify(enum pw_id id, const uint8_t *pw,
                                size_t pwlen, const char *s, size_t n,
                                struct pw_params *pp, char *err,
                                size_t errlen)
{
    char out[LK_HASH_MAX + 1];
    enum lk_err rc;

    if ((rc = crypt_parse(id, s, n, pp, err, errlen)) != LK_OK)
        return rc;
    rc = pw_crypt_rn(pw, pwlen, s, out, sizeof(out));
    if (rc == LK_ERR_INVALID)
        return lk_seterr(err, errlen, rc, "crypt(3) refused the hash");
    if (rc == LK_OK && !pw_str_eq(out, s, n))
        rc = LK_ERR_MISMATCH;
    lk_secure_zero(out, sizeof(out));
    return rc;
}

const struct pw_ops pw_crypt_ops = {
    .parse = crypt_parse,
    .verify = crypt_verify,
    .hash = NULL,
};
