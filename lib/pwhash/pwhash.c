/*
 * pwhash.c: the password policy (a hashing "context"): which schemes are
 * enabled, which one makes new hashes, which are deprecated, and the
 * costs. It identifies a stored string by its prefix, hands it to the
 * family that owns it (bcrypt.c, argon2.c, pbkdf2.c, crypt_schemes.c)
 * and decides whether a verified hash needs an upgrade.
 *
 * Invariants: every cost a stored string may ask for is bounded by the
 * family before work starts; a password holding NUL never verifies on a
 * scheme that reads C strings, and never gets hashed; the policy is only
 * used after lk_pwpolicy_finish() accepted it (dirty == 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pwhash/pwhash_internal.h"

/* One scheme: its policy name, family and whether it makes new hashes. */
struct pw_scheme {
    const char *name;
    enum pw_family fam;
    const struct pw_ops *ops;
    int nul_safe;    /* reads the password by length, not as C string */
    int hashable;
};

static const struct pw_scheme pw_schemes[PW__COUNT] = {
    [PW_BCRYPT] = {"bcrypt", PW_FAM_BCRYPT, &pw_bcrypt_ops, 0, 1},
    [PW_BCRYPT_SHA256] = {"bcrypt_sha256", PW_FAM_BCRYPT, &pw_bcrypt_ops,
                          1, 1},
    [PW_DJANGO_BCRYPT_SHA256] = {"django_bcrypt_sha256", PW_FAM_BCRYPT,
                                 &pw_bcrypt_ops, 1, 0},
    [PW_ARGON2] = {"argon2", PW_FAM_ARGON2, &pw_argon2_ops, 1, 1},
    [PW_DJANGO_ARGON2] = {"django_argon2", PW_FAM_ARGON2, &pw_argon2_ops,
                          1, 0},
    [PW_PBKDF2_SHA1] = {"pbkdf2_sha1", PW_FAM_PBKDF2, &pw_pbkdf2_ops, 1, 1},
    [PW_PBKDF2_SHA256] = {"pbkdf2_sha256", PW_FAM_PBKDF2, &pw_pbkdf2_ops,
                          1, 1},
    [PW_PBKDF2_SHA512] = {"pbkdf2_sha512", PW_FAM_PBKDF2, &pw_pbkdf2_ops,
                          1, 1},
    [PW_DJANGO_PBKDF2_SHA256] = {"django_pbkdf2_sha256", PW_FAM_PBKDF2,
                                 &pw_pbkdf2_ops, 1, 1},
    [PW_DJANGO_PBKDF2_SHA1] = {"django_pbkdf2_sha1", PW_FAM_PBKDF2,
                               &pw_pbkdf2_ops, 1, 1},
    [PW_SHA512_CRYPT] = {"sha512_crypt", PW_FAM_CRYPT, &pw_crypt_ops, 0, 0},
    [PW_SHA256_CRYPT] = {"sha256_crypt", PW_FAM_CRYPT, &pw_crypt_ops, 0, 0},
    [PW_MD5_CRYPT] = {"md5_crypt", PW_FAM_CRYPT, &pw_crypt_ops, 0, 0},
};

/* Prefixes of stored strings; none is a prefix of another's match. */
static const struct {
    const char *prefix;
    enum pw_id id;
} pw_prefixes[] = {
    {"$2a$", PW_BCRYPT}, {"$2b$", PW_BCRYPT}, {"$2y$", PW_BCRYPT},
    {"$bcrypt-sha256$", PW_BCRYPT_SHA256},
    {"bcrypt_sha256$", PW_DJANGO_BCRYPT_SHA256},
    {"$argon2id$", PW_ARGON2}, {"$argon2i$", PW_ARGON2},
    {"argon2$", PW_DJANGO_ARGON2},
    {"$pbkdf2$", PW_PBKDF2_SHA1}, {"$pbkdf2-sha256$", PW_PBKDF2_SHA256},
    {"$pbkdf2-sha512$", PW_PBKDF2_SHA512},
    {"pbkdf2_sha256$", PW_DJANGO_PBKDF2_SHA256},
    {"pbkdf2_sha1$", PW_DJANGO_PBKDF2_SHA1},
    {"$6$", PW_SHA512_CRYPT}, {"$5$", PW_SHA256_CRYPT},
    {"$1$", PW_MD5_CRYPT},
};

static const uint8_t dummy_pw[] = "latchkey-dummy-password";

/* The scheme of a stored string, or -1. */
static int pw_identify(const char *s, size_t n)
{
    size_t i, k;

    for (i = 0; i < sizeof(pw_prefixes) / sizeof(pw_prefixes[0]); i++) {
        k = strlen(pw_prefixes[i].prefix);
        if (n >= k && memcmp(s, pw_prefixes[i].prefix, k) == 0)
            return (int)pw_prefixes[i].id;
    }
    return -1;
}

/* A scheme by its policy name ("argon2id" is an alias of argon2). */
int pw_scheme_by_name(const char *name, size_t n)
{
    int i;

    if (n == 8 && memcmp(name, "argon2id", 8) == 0)
        return PW_ARGON2;
    for (i = 0; i < PW__COUNT; i++)
        if (strlen(pw_schemes[i].name) == n &&
            memcmp(pw_schemes[i].name, name, n) == 0)
            return i;
    return -1;
}

/* Check the password bytes before any hashing. */
static enum lk_err check_password(const uint8_t *pw, size_t pwlen,
                                  char *err, size_t errlen)
{
    if (pwlen > LK_PW_MAX)
        return lk_seterr(err, errlen, LK_ERR_TOO_LARGE,
                         "password longer than %d bytes", LK_PW_MAX);
    if (pwlen > 0 && memchr(pw, '\0', pwlen) != NULL)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "password contains a NUL byte");
    return LK_OK;
}

static int is_deprecated(const struct lk_pwpolicy *p, enum pw_id id)
{
    if (p->deprecated_auto)
        return id != p->def;
    return (p->deprecated >> id) & 1u;
}

/* Whether a verified hash should be replaced under this policy. */
static int needs_upgrade(const struct lk_pwpolicy *p,
                         const struct pw_params *pp)
{
    int dflt = pp->id == p->def;

    if (is_deprecated(p, pp->id))
        return 1;
    switch (pw_schemes[pp->id].fam) {
    case PW_FAM_BCRYPT:
        if (pp->id == PW_BCRYPT_SHA256 && pp->version < 2)
            return 1;
        return pp->cost < (dflt ? p->bcrypt_cost : p->bcrypt_min);
    case PW_FAM_ARGON2:
        if (strcmp(pp->variant, "argon2id") != 0 || pp->version != 0x13)
            return 1;
        if (dflt)
            return pp->m_kib < p->a2_m || pp->t < p->a2_t;
        return pp->m_kib < p->a2_min_m || pp->t < p->a2_min_t;
    case PW_FAM_PBKDF2:
        return pp->rounds < (dflt ? p->pbkdf2_iter : p->pbkdf2_min);
    case PW_FAM_CRYPT:
    default:
        return 0;
    }
}

enum lk_err lk_pwpolicy_new_default(struct lk_pwpolicy **out)
{
    struct lk_pwpolicy *p = calloc(1, sizeof(*p));
    enum lk_err rc = LK_OK;
    size_t i;

    *out = NULL;
    if (p == NULL)
        return LK_ERR_NOMEM;
    pthread_mutex_init(&p->dummy_mu, NULL);
    for (i = 0; lk_pwpolicy_options[i].name != NULL && rc == LK_OK; i++)
        rc = lk_pwpolicy_set(p, lk_pwpolicy_options[i].name,
                             lk_pwpolicy_options[i].def, NULL, 0);
    if (rc == LK_OK)
        rc = lk_pwpolicy_finish(p, NULL, 0);
    if (rc != LK_OK) {
        lk_pwpolicy_free(p);
        return rc;
    }
    *out = p;
    return LK_OK;
}

void lk_pwpolicy_free(struct lk_pwpolicy *p)
{
    if (p == NULL)
        return;
    pthread_mutex_destroy(&p->dummy_mu);
    lk_secure_free(p, sizeof(*p));
}

/* Consistency of the costs of a policy. */
static enum lk_err check_costs(const struct lk_pwpolicy *p, char *err,
                               size_t errlen)
{
    if (p->a2_m < 8 * p->a2_p)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "argon2-memory must be at least 8 KiB per lane");
    if ((uint64_t)p->a2_m * p->a2_t > PW_ARGON2_MAX_WORK)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "argon2-memory * argon2-time above %u",
                         PW_ARGON2_MAX_WORK);
    return LK_OK;
}

enum lk_err lk_pwpolicy_finish(struct lk_pwpolicy *p, char *err,
                               size_t errlen)
{
    enum lk_err rc;

    if (!((p->enabled >> p->def) & 1u))
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "default scheme %s is not enabled",
                         pw_schemes[p->def].name);
    if (!pw_schemes[p->def].hashable)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "scheme %s cannot make new hashes",
                         pw_schemes[p->def].name);
    if (!p->deprecated_auto && ((p->deprecated >> p->def) & 1u))
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "the default scheme cannot be deprecated");
    if ((rc = check_costs(p, err, errlen)) != LK_OK)
        return rc;
    pthread_mutex_lock(&p->dummy_mu);
    p->dummy[0] = '\0';       /* made again, lazily, by dummy_verify */
    pthread_mutex_unlock(&p->dummy_mu);
    p->dirty = 0;
    return LK_OK;
}

void lk_pwpolicy_set_runner(struct lk_pwpolicy *p, lk_pw_runner_fn run,
                            void *ctx)
{
    p->runner = run;
    p->runner_ctx = ctx;
}

/* One hash computation, packed so that the policy's runner can carry
 * it to another thread: verify when stored is set, else hash. */
struct hash_task {
    enum pw_id id;
    const struct lk_pwpolicy *p;
    const uint8_t *pw;
    size_t pwlen;
    const char *stored;
    size_t n;
    struct pw_params *pp;
    char *out, *err;
    size_t cap, errlen;
    enum lk_err rc;
};

static void hash_task_run(void *arg)
{
    struct hash_task *t = arg;
    const struct pw_ops *ops = pw_schemes[t->id].ops;

    t->rc = t->stored != NULL ?
        ops->verify(t->id, t->pw, t->pwlen, t->stored, t->n, t->pp,
                    t->err, t->errlen) :
        ops->hash(t->id, t->p, t->pw, t->pwlen, t->out, t->cap, t->err,
                  t->errlen);
}

static enum lk_err run_task(const struct lk_pwpolicy *p,
                            struct hash_task *t)
{
    if (p->runner != NULL)
        p->runner(p->runner_ctx, hash_task_run, t);
    else
        hash_task_run(t);
    return t->rc;
}

static enum lk_err run_hash(const struct lk_pwpolicy *p, enum pw_id id,
                            const uint8_t *pw, size_t pwlen, char *out,
                            size_t cap, char *err, size_t errlen)
{
    struct hash_task t = {id, p, pw, pwlen, NULL, 0, NULL, out, err,
                          cap, errlen, LK_ERR_CRYPTO};

    return run_task(p, &t);
}

static enum lk_err run_verify(const struct lk_pwpolicy *p, enum pw_id id,
                              const uint8_t *pw, size_t pwlen,
                              const char *stored, size_t n,
                              struct pw_params *pp, char *err,
                              size_t errlen)
{
    struct hash_task t = {id, p, pw, pwlen, stored, n, pp, NULL, err, 0,
                          errlen, LK_ERR_CRYPTO};

    return run_task(p, &t);
}

/* Copy the dummy hash of the default scheme into out, making it on
 * first use: programs that never need it (the CLI) skip its cost. */
static void dummy_hash(const struct lk_pwpolicy *cp, char *out, size_t cap)
{
    struct lk_pwpolicy *p = (struct lk_pwpolicy *)cp;  /* cache only */

    pthread_mutex_lock(&p->dummy_mu);
    if (p->dummy[0] == '\0' &&
        run_hash(p, p->def, dummy_pw, sizeof(dummy_pw) - 1, p->dummy,
                 sizeof(p->dummy), NULL, 0) != LK_OK)
        p->dummy[0] = '\0';
    snprintf(out, cap, "%s", p->dummy);
    pthread_mutex_unlock(&p->dummy_mu);
}

enum lk_err lk_pw_hash(const struct lk_pwpolicy *p,
                       const uint8_t *pw, size_t pwlen,
                       char *out, size_t cap,
                       char *err, size_t errlen)
{
    enum lk_err rc;

    if (p->dirty)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "policy changed: call lk_pwpolicy_finish first");
    if ((rc = check_password(pw, pwlen, err, errlen)) != LK_OK)
        return rc;
    return run_hash(p, p->def, pw, pwlen, out, cap, err, errlen);
}

/* Identify, check enablement and bounds of a stored string. */
static enum lk_err lookup(const struct lk_pwpolicy *p, const char *stored,
                          size_t *n, int *id, char *err, size_t errlen)
{
    if (p->dirty)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "policy changed: call lk_pwpolicy_finish first");
    if (stored == NULL || (*n = strnlen(stored, LK_HASH_MAX + 1)) == 0)
        return lk_seterr(err, errlen, LK_ERR_INVALID, "empty stored hash");
    if (*n > LK_HASH_MAX)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "stored hash longer than %d characters",
                         LK_HASH_MAX);
    if ((*id = pw_identify(stored, *n)) < 0)
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "unknown hash scheme");
    if (!((p->enabled >> *id) & 1u))
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "hash scheme %s is not enabled",
                         pw_schemes[*id].name);
    return LK_OK;
}

enum lk_err lk_pw_verify(const struct lk_pwpolicy *p,
                         const uint8_t *pw, size_t pwlen,
                         const char *stored, int *upgrade,
                         char *err, size_t errlen)
{
    struct pw_params pp;
    enum lk_err rc;
    size_t n = 0;
    int id = 0;

    if (upgrade != NULL)
        *upgrade = 0;
    if ((rc = lookup(p, stored, &n, &id, err, errlen)) != LK_OK)
        return rc;
    rc = check_password(pw, pwlen, err, errlen);
    if (rc == LK_ERR_INVALID && p->allow_nul_verify &&
        pw_schemes[id].nul_safe)
        rc = LK_OK;
    if (rc != LK_OK) {
        /* Same time as a real verify, so refusal does not stand out. */
        lk_pw_dummy_verify(p, pw, pwlen);
        return rc == LK_ERR_INVALID ? LK_ERR_MISMATCH : rc;
    }
    rc = run_verify(p, (enum pw_id)id, pw, pwlen, stored, n, &pp, err,
                    errlen);
    if (rc == LK_OK && upgrade != NULL)
        *upgrade = needs_upgrade(p, &pp);
    return rc;
}

void lk_pw_dummy_verify(const struct lk_pwpolicy *p,
                        const uint8_t *pw, size_t pwlen)
{
    struct pw_params pp;
    char dummy[LK_HASH_MAX + 1];

    if (check_password(pw, pwlen, NULL, 0) != LK_OK) {
        pw = dummy_pw;
        pwlen = sizeof(dummy_pw) - 1;
    }
    dummy_hash(p, dummy, sizeof(dummy));
    (void)run_verify(p, p->def, pw, pwlen, dummy, strlen(dummy), &pp,
                     NULL, 0);
}

/* The parameters of pp as "key=value" words. */
static int format_params(const struct pw_params *pp, char *out, size_t cap)
{
    const char *name = pw_schemes[pp->id].name;

    switch (pw_schemes[pp->id].fam) {
    case PW_FAM_BCRYPT:
        if (pp->id == PW_BCRYPT_SHA256)
            return snprintf(out, cap, "scheme=%s version=%u variant=%s "
                            "cost=%u", name, pp->version, pp->variant,
                            pp->cost);
        return snprintf(out, cap, "scheme=%s variant=%s cost=%u", name,
                        pp->variant, pp->cost);
    case PW_FAM_ARGON2:
        return snprintf(out, cap, "scheme=%s type=%s version=%u "
                        "memory=%u time=%u parallelism=%u", name,
                        pp->variant, pp->version, pp->m_kib, pp->t, pp->p);
    case PW_FAM_PBKDF2:
        return snprintf(out, cap, "scheme=%s iterations=%u", name,
                        pp->rounds);
    case PW_FAM_CRYPT:
    default:
        if (pp->id == PW_MD5_CRYPT)
            return snprintf(out, cap, "scheme=%s", name);
        return snprintf(out, cap, "scheme=%s rounds=%u", name, pp->rounds);
    }
}

enum lk_err lk_pw_info(const struct lk_pwpolicy *p, const char *stored,
                       char *out, size_t cap, int *upgrade,
                       char *err, size_t errlen)
{
    struct pw_params pp;
    enum lk_err rc;
    size_t n = 0;
    int id = 0, w;

    if (upgrade != NULL)
        *upgrade = 0;
    if ((rc = lookup(p, stored, &n, &id, err, errlen)) != LK_OK)
        return rc;
    rc = pw_schemes[id].ops->parse((enum pw_id)id, stored, n, &pp, err,
                                   errlen);
    if (rc != LK_OK)
        return rc;
    w = format_params(&pp, out, cap);
    if (w < 0 || (size_t)w >= cap)
        return lk_seterr(err, errlen, LK_ERR_TOO_LARGE,
                         "output buffer too small");
    if (upgrade != NULL)
        *upgrade = needs_upgrade(p, &pp);
    return LK_OK;
}
