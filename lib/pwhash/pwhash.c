/*
 * pwhash.c: the password policy. This first version knows bcrypt only,
 * through libxcrypt's crypt_rn(); other schemes plug in behind the same
 * interface.
 */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "latchkey/lk_pwhash.h"

struct lk_pwpolicy {
    unsigned bcrypt_cost;
    char dummy[128];     /* a hash of the default scheme, for timing */
};

/* bcrypt reads at most this many password bytes. */
#define BCRYPT_MAX_PW 72

static int is_bcrypt(const char *s)
{
    return strncmp(s, "$2a$", 4) == 0 || strncmp(s, "$2b$", 4) == 0 ||
           strncmp(s, "$2y$", 4) == 0;
}

/* Structural check of a bcrypt string: $2x$NN$ + 53 chars of bcrypt's
 * base64, cost 4..31. */
static enum lk_err bcrypt_parse(const char *s, unsigned *cost)
{
    static const char al[] =
        "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    size_t i;

    if (!is_bcrypt(s) || strlen(s) != 60 || s[6] != '$')
        return LK_ERR_INVALID;
    if (s[4] < '0' || s[4] > '3' || s[5] < '0' || s[5] > '9')
        return LK_ERR_INVALID;
    *cost = (unsigned)(s[4] - '0') * 10 + (unsigned)(s[5] - '0');
    if (*cost < 4 || *cost > 31)
        return LK_ERR_INVALID;
    for (i = 7; i < 60; i++)
        if (strchr(al, s[i]) == NULL || s[i] == '\0')
            return LK_ERR_INVALID;
    return LK_OK;
}

/* Run crypt_rn on a NUL-terminated copy of pw with the given setting. */
static enum lk_err run_crypt(const uint8_t *pw, size_t pwlen,
                             const char *setting, struct crypt_data *cd)
{
    char *p = malloc(pwlen + 1);
    char *r;

    if (p == NULL)
        return LK_ERR_NOMEM;
    memcpy(p, pw, pwlen);
    p[pwlen] = '\0';
    r = crypt_rn(p, setting, cd, (int)sizeof(*cd));
    lk_secure_free(p, pwlen + 1);
    if (r == NULL || r[0] == '*')
        return LK_ERR_INVALID;
    return LK_OK;
}

static enum lk_err check_password(const uint8_t *pw, size_t pwlen,
                                  char *err, size_t errlen)
{
    if (pwlen > LK_PW_MAX)
        return lk_seterr(err, errlen, LK_ERR_TOO_LARGE,
                         "password longer than %d bytes", LK_PW_MAX);
    if (memchr(pw, '\0', pwlen) != NULL)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "password contains a NUL byte");
    return LK_OK;
}

enum lk_err lk_pwpolicy_new_default(struct lk_pwpolicy **out)
{
    struct lk_pwpolicy *p = calloc(1, sizeof(*p));
    static const uint8_t dummy_pw[] = "latchkey-dummy-password";
    enum lk_err rc;

    *out = NULL;
    if (p == NULL)
        return LK_ERR_NOMEM;
    p->bcrypt_cost = 12;
    rc = lk_pw_hash(p, dummy_pw, sizeof(dummy_pw) - 1, p->dummy,
                    sizeof(p->dummy), NULL, 0);
    if (rc != LK_OK) {
        free(p);
        return rc;
    }
    *out = p;
    return LK_OK;
}

void lk_pwpolicy_free(struct lk_pwpolicy *p)
{
    free(p);
}

enum lk_err lk_pw_hash(const struct lk_pwpolicy *p,
                       const uint8_t *pw, size_t pwlen,
                       char *out, size_t cap,
                       char *err, size_t errlen)
{
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data *cd;
    enum lk_err rc;

    if ((rc = check_password(pw, pwlen, err, errlen)) != LK_OK)
        return rc;
    if (pwlen > BCRYPT_MAX_PW)
        return lk_seterr(err, errlen, LK_ERR_TOO_LARGE,
                         "bcrypt reads only %d bytes of a password; "
                         "choose a shorter one", BCRYPT_MAX_PW);
    if (crypt_gensalt_rn("$2b$", p->bcrypt_cost, NULL, 0, salt,
                         (int)sizeof(salt)) == NULL)
        return lk_seterr(err, errlen, LK_ERR_CRYPTO, "gensalt failed");
    if ((cd = calloc(1, sizeof(*cd))) == NULL)
        return LK_ERR_NOMEM;
    rc = run_crypt(pw, pwlen, salt, cd);
    if (rc == LK_OK && strlen(cd->output) + 1 > cap)
        rc = LK_ERR_TOO_LARGE;
    if (rc == LK_OK)
        memcpy(out, cd->output, strlen(cd->output) + 1);
    lk_secure_free(cd, sizeof(*cd));
    return rc;
}

enum lk_err lk_pw_verify(const struct lk_pwpolicy *p,
                         const uint8_t *pw, size_t pwlen,
                         const char *stored, int *needs_upgrade,
                         char *err, size_t errlen)
{
    struct crypt_data *cd;
    unsigned cost = 0;
    enum lk_err rc;
    size_t n;

    if (needs_upgrade != NULL)
        *needs_upgrade = 0;
    if ((rc = check_password(pw, pwlen, err, errlen)) != LK_OK)
        return rc == LK_ERR_INVALID ? LK_ERR_MISMATCH : rc;
    if (stored == NULL || strnlen(stored, LK_HASH_MAX + 1) > LK_HASH_MAX)
        return lk_seterr(err, errlen, LK_ERR_INVALID, "hash too long");
    if (bcrypt_parse(stored, &cost) != LK_OK)
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "stored hash is not a usable bcrypt string");
    if ((cd = calloc(1, sizeof(*cd))) == NULL)
        return LK_ERR_NOMEM;
    rc = run_crypt(pw, pwlen, stored, cd);
    n = strlen(stored);
    if (rc == LK_OK)
        rc = strlen(cd->output) == n && lk_ct_memeq(cd->output, stored, n)
             ? LK_OK : LK_ERR_MISMATCH;
    lk_secure_free(cd, sizeof(*cd));
    if (rc == LK_OK && needs_upgrade != NULL)
        *needs_upgrade = cost < p->bcrypt_cost;
    return rc;
}

void lk_pw_dummy_verify(const struct lk_pwpolicy *p,
                        const uint8_t *pw, size_t pwlen)
{
    (void)lk_pw_verify(p, pw, pwlen > BCRYPT_MAX_PW ? BCRYPT_MAX_PW : pwlen,
                       p->dummy, NULL, NULL, 0);
}
