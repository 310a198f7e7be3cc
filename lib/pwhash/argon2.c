/*
 * argon2.c: argon2 PHC strings ($argon2id$, $argon2i$) and Django's
 * "argon2" + PHC form, through libargon2's raw argon2_hash().
 *
 * The string is parsed here, not by libargon2, so every parameter is
 * bounded before memory is allocated: m <= PW_ARGON2_MAX_M KiB,
 * t <= PW_ARGON2_MAX_T, p <= PW_ARGON2_MAX_P and m * t <=
 * PW_ARGON2_MAX_WORK. A missing v= field means version 16 (0x10).
 * Salt and digest are unpadded standard base64.
 */
#include <argon2.h>
#include <stdio.h>
#include <string.h>

#include "pwhash/pwhash_internal.h"

#define A2_SALT_NEW 16
#define A2_HASH_NEW 32

/* A parsed PHC string with its decoded salt and digest. */
struct a2_phc {
    argon2_type type;
    uint8_t salt[PW_ARGON2_MAX_SALT];
    uint8_t hash[PW_ARGON2_MAX_HASH];
    size_t saltlen, hashlen;
};

/* Read "m=..,t=..,p=.." with the verify-side bounds. */
static enum lk_err a2_costs(const char *s, size_t n, size_t *pos,
                            struct pw_params *pp, char *err, size_t errlen)
{
    if (!pw_eat(s, n, pos, "m=") ||
        pw_parse_uint(s, n, pos, UINT32_MAX, &pp->m_kib) != 0 ||
        !pw_eat(s, n, pos, ",t=") ||
        pw_parse_uint(s, n, pos, UINT32_MAX, &pp->t) != 0 ||
        !pw_eat(s, n, pos, ",p=") ||
        pw_parse_uint(s, n, pos, UINT32_MAX, &pp->p) != 0 ||
        !pw_eat(s, n, pos, "$"))
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "argon2 needs m=,t=,p= with positive numbers");
    if (pp->m_kib > PW_ARGON2_MAX_M || pp->t > PW_ARGON2_MAX_T ||
        pp->p > PW_ARGON2_MAX_P ||
        (uint64_t)pp->m_kib * pp->t > PW_ARGON2_MAX_WORK)
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "argon2 parameters above the verify limits "
                         "(m <= %u KiB, t <= %u, p <= %u, m*t <= %u)",
                         PW_ARGON2_MAX_M, PW_ARGON2_MAX_T,
                         PW_ARGON2_MAX_P, PW_ARGON2_MAX_WORK);
    if (pp->m_kib < 8 * pp->p)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "argon2 memory below 8 KiB per lane");
    return LK_OK;
}

/* Type and optional version at the cursor. */
static enum lk_err a2_head(const char *s, size_t n, size_t *pos,
                           struct pw_params *pp, struct a2_phc *phc,
                           char *err, size_t errlen)
{
    uint32_t v = 0x10;

    if (pw_eat(s, n, pos, "$argon2id$"))
        phc->type = Argon2_id;
    else if (pw_eat(s, n, pos, "$argon2i$"))
        phc->type = Argon2_i;
    else
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "argon2 type must be argon2id or argon2i");
    memcpy(pp->variant, phc->type == Argon2_id ? "argon2id" : "argon2i",
           phc->type == Argon2_id ? 9 : 8);
    if (pw_eat(s, n, pos, "v=") &&
        (pw_parse_uint(s, n, pos, 99, &v) != 0 || !pw_eat(s, n, pos, "$")))
        return lk_seterr(err, errlen, LK_ERR_INVALID, "bad argon2 v=");
    if (v != 0x10 && v != 0x13)
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "argon2 version must be 16 or 19");
    pp->version = v;
    return LK_OK;
}

/* Parse a whole PHC string (after Django's "argon2" if present). */
static enum lk_err a2_parse_phc(enum pw_id id, const char *s, size_t n,
                                struct pw_params *pp, struct a2_phc *phc,
                                char *err, size_t errlen)
{
    size_t pos = 0, k;
    enum lk_err rc;

    memset(pp, 0, sizeof(*pp));
    pp->id = id;
    if (id == PW_DJANGO_ARGON2 && !pw_eat(s, n, &pos, "argon2"))
        return lk_seterr(err, errlen, LK_ERR_INVALID, "bad prefix");
    if ((rc = a2_head(s, n, &pos, pp, phc, err, errlen)) != LK_OK ||
        (rc = a2_costs(s, n, &pos, pp, err, errlen)) != LK_OK)
        return rc;
    k = pw_field_len(s, n, pos);
    if (lk_b64_decode(LK_B64_STD, 0, s + pos, k, phc->salt,
                      sizeof(phc->salt), &phc->saltlen) != LK_OK ||
        phc->saltlen < ARGON2_MIN_SALT_LENGTH)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "argon2 salt must be 8..%u bytes of base64",
                         PW_ARGON2_MAX_SALT);
    pos += k;
    if (!pw_eat(s, n, &pos, "$") ||
        lk_b64_decode(LK_B64_STD, 0, s + pos, n - pos, phc->hash,
                      sizeof(phc->hash), &phc->hashlen) != LK_OK ||
        phc->hashlen < PW_ARGON2_MIN_HASH)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "argon2 digest must be %u..%u bytes of base64",
                         PW_ARGON2_MIN_HASH, PW_ARGON2_MAX_HASH);
    return LK_OK;
}

/* Parse for the policy (info, upgrade checks). */
static enum lk_err a2_parse(enum pw_id id, const char *s, size_t n,
                            struct pw_params *pp, char *err, size_t errlen)
{
    struct a2_phc phc;

    return a2_parse_phc(id, s, n, pp, &phc, err, errlen);
}

/* Recompute the digest with the stored parameters and compare. */
static enum lk_err a2_verify(enum pw_id id, const uint8_t *pw,
                             size_t pwlen, const char *s, size_t n,
                             struct pw_params *pp, char *err,
                             size_t errlen)
{
    struct a2_phc phc;
    uint8_t out[PW_ARGON2_MAX_HASH];
    enum lk_err rc;
    int r;

    if ((rc = a2_parse_phc(id, s, n, pp, &phc, err, errlen)) != LK_OK)
        return rc;
    r = argon2_hash(pp->t, pp->m_kib, pp->p, pw, pwlen, phc.salt,
                    phc.saltlen, out, phc.hashlen, NULL, 0, phc.type,
                    pp->version);
    if (r == ARGON2_MEMORY_ALLOCATION_ERROR)
        rc = lk_seterr(err, errlen, LK_ERR_NOMEM, "argon2: %s",
                       argon2_error_message(r));
    else if (r != ARGON2_OK)
        rc = lk_seterr(err, errlen, LK_ERR_INVALID, "argon2: %s",
                       argon2_error_message(r));
    else
        rc = lk_ct_memeq(out, phc.hash, phc.hashlen) ? LK_OK
                                                      : LK_ERR_MISMATCH;
    lk_secure_zero(out, sizeof(out));
    return rc;
}

/* New $argon2id$v=19$ hash with the policy's m, t, p. */
static enum lk_err a2_hash(enum pw_id id, const struct lk_pwpolicy *p,
                           const uint8_t *pw, size_t pwlen, char *out,
                           size_t cap, char *err, size_t errlen)
{
    uint8_t salt[A2_SALT_NEW], dk[A2_HASH_NEW];
    char s64[32], h64[48];
    enum lk_err rc;
    size_t k;
    int r, w;

    if (id != PW_ARGON2)
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "scheme is verify-only");
    if ((rc = lk_random(salt, sizeof(salt))) != LK_OK)
        return lk_seterr(err, errlen, rc, "no random bytes");
    r = argon2_hash(p->a2_t, p->a2_m, p->a2_p, pw, pwlen, salt,
                    sizeof(salt), dk, sizeof(dk), NULL, 0, Argon2_id,
                    ARGON2_VERSION_13);
    if (r != ARGON2_OK) {
        rc = lk_seterr(err, errlen, LK_ERR_CRYPTO, "argon2: %s",
                       argon2_error_message(r));
        goto out;
    }
    lk_b64_encode(LK_B64_STD, 0, salt, sizeof(salt), s64, sizeof(s64), &k);
    lk_b64_encode(LK_B64_STD, 0, dk, sizeof(dk), h64, sizeof(h64), &k);
    w = snprintf(out, cap, "$argon2id$v=19$m=%u,t=%u,p=%u$%s$%s",
                 p->a2_m, p->a2_t, p->a2_p, s64, h64);
    rc = LK_OK;
    if (w < 0 || (size_t)w >= cap)
        rc = lk_seterr(err, errlen, LK_ERR_TOO_LARGE,
                       "output buffer too small");
out:
    lk_secure_zero(dk, sizeof(dk));
    lk_secure_zero(h64, sizeof(h64));
    return rc;
}

const struct pw_ops pw_argon2_ops = {
    .parse = a2_parse,
    .verify = a2_verify,
    .hash = a2_hash,
};
