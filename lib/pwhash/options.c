/*
 * options.c: the policy's generic key/value configuration. Each option
 * has a name, a help line and a default (lk_pwpolicy_options[], public,
 * so a program can map them to flags and environment variables without
 * knowing what they mean) and, in the same order here, how its value is
 * parsed and where it goes. Every value is checked against its bounds;
 * cross-option rules wait for lk_pwpolicy_finish().
 */
#include <stddef.h>
#include <string.h>

#include "pwhash/pwhash_internal.h"

const struct lk_pwpolicy_option lk_pwpolicy_options[] = {
    {"schemes", "comma list of schemes accepted for verify, or all",
     "all"},
    {"default", "scheme for new hashes: bcrypt, bcrypt_sha256, argon2id, "
     "pbkdf2_sha1, pbkdf2_sha256, pbkdf2_sha512, django_pbkdf2_sha256, "
     "django_pbkdf2_sha1", "bcrypt"},
    {"deprecated", "comma list of schemes upgraded on login, auto (all "
     "but the default) or none", "auto"},
    {"bcrypt-cost", "bcrypt log2 cost for new hashes, 4..14", "12"},
    {"bcrypt-min-cost", "bcrypt cost below which a non-default bcrypt "
     "hash is upgraded, 4..14", "10"},
    {"argon2-memory", "argon2 memory for new hashes, KiB, 8..262144",
     "65536"},
    {"argon2-time", "argon2 passes for new hashes, 1..64", "3"},
    {"argon2-parallelism", "argon2 lanes for new hashes, 1..64", "4"},
    {"argon2-min-memory", "argon2 memory (KiB) below which a non-default "
     "argon2 hash is upgraded", "19456"},
    {"argon2-min-time", "argon2 passes below which a non-default argon2 "
     "hash is upgraded", "2"},
    {"pbkdf2-iterations", "PBKDF2 iterations for new hashes, "
     "1000..10000000", "600000"},
    {"pbkdf2-min-iterations", "PBKDF2 iterations below which a "
     "non-default PBKDF2 hash is upgraded", "100000"},
    {"allow-nul-verify", "yes: let stored PBKDF2, argon2 and bcrypt_sha256 "
     "hashes of passwords holding NUL verify (new hashes still refuse "
     "NUL); no: refuse such passwords", "no"},
    {NULL, NULL, NULL},
};

enum opt_kind { OPT_SCHEMES, OPT_DEFAULT, OPT_DEPRECATED, OPT_UINT,
                OPT_BOOL };

/* How each option of lk_pwpolicy_options[] is stored, same order. */
static const struct {
    enum opt_kind kind;
    size_t off;
    uint32_t min, max;
} opt_impl[] = {
    {OPT_SCHEMES, 0, 0, 0},
    {OPT_DEFAULT, 0, 0, 0},
    {OPT_DEPRECATED, 0, 0, 0},
    {OPT_UINT, offsetof(struct lk_pwpolicy, bcrypt_cost), 4,
     PW_BCRYPT_MAX_COST},
    {OPT_UINT, offsetof(struct lk_pwpolicy, bcrypt_min), 4,
     PW_BCRYPT_MAX_COST},
    {OPT_UINT, offsetof(struct lk_pwpolicy, a2_m), 8, PW_ARGON2_MAX_M},
    {OPT_UINT, offsetof(struct lk_pwpolicy, a2_t), 1, PW_ARGON2_MAX_T},
    {OPT_UINT, offsetof(struct lk_pwpolicy, a2_p), 1, PW_ARGON2_MAX_P},
    {OPT_UINT, offsetof(struct lk_pwpolicy, a2_min_m), 8, PW_ARGON2_MAX_M},
    {OPT_UINT, offsetof(struct lk_pwpolicy, a2_min_t), 1, PW_ARGON2_MAX_T},
    {OPT_UINT, offsetof(struct lk_pwpolicy, pbkdf2_iter), 1000,
     PW_PBKDF2_MAX_ITER},
    {OPT_UINT, offsetof(struct lk_pwpolicy, pbkdf2_min), 1,
     PW_PBKDF2_MAX_ITER},
    {OPT_BOOL, offsetof(struct lk_pwpolicy, allow_nul_verify), 0, 1},
};

_Static_assert(sizeof(opt_impl) / sizeof(opt_impl[0]) ==
               sizeof(lk_pwpolicy_options) /
               sizeof(lk_pwpolicy_options[0]) - 1,
               "one opt_impl entry per option");

/* Parse a comma list of scheme names into a bit set. */
static enum lk_err scheme_list(const char *v, uint32_t *bits, char *err,
                               size_t errlen)
{
    size_t n = strlen(v), pos = 0, k;
    int id;

    *bits = 0;
    while (pos < n) {
        for (k = 0; pos + k < n && v[pos + k] != ','; k++)
            ;
        if ((id = pw_scheme_by_name(v + pos, k)) < 0)
            return lk_seterr(err, errlen, LK_ERR_INVALID,
                             "unknown scheme '%.*s'",
                             (int)(k > 40 ? 40 : k), v + pos);
        *bits |= 1u << id;
        pos += k + 1;
        if (pos == n && v[n - 1] == ',')
            return lk_seterr(err, errlen, LK_ERR_INVALID,
                             "empty name in scheme list");
    }
    return LK_OK;
}

/* Strict decimal within [min, max]. */
static enum lk_err set_uint(const char *name, const char *v, uint32_t min,
                            uint32_t max, uint32_t *dst, char *err,
                            size_t errlen)
{
    size_t n = strlen(v), pos = 0;
    uint32_t x;

    if (pw_parse_uint(v, n, &pos, UINT32_MAX, &x) != 0 || pos != n ||
        x < min || x > max)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "%s must be a number in %u..%u", name, min, max);
    *dst = x;
    return LK_OK;
}

/* Store one option whose index in the tables is i. */
static enum lk_err set_one(struct lk_pwpolicy *p, size_t i, const char *v,
                           char *err, size_t errlen)
{
    const char *name = lk_pwpolicy_options[i].name;
    uint32_t bits;
    enum lk_err rc;
    int id;

    switch (opt_impl[i].kind) {
    case OPT_SCHEMES:
        if (strcmp(v, "all") == 0) {
            p->enabled = (1u << PW__COUNT) - 1;
            return LK_OK;
        }
        if ((rc = scheme_list(v, &bits, err, errlen)) != LK_OK)
            return rc;
        if (bits == 0)
            return lk_seterr(err, errlen, LK_ERR_INVALID,
                             "schemes: at least one scheme is needed");
        p->enabled = bits;
        return LK_OK;
    case OPT_DEFAULT:
        if ((id = pw_scheme_by_name(v, strlen(v))) < 0)
            return lk_seterr(err, errlen, LK_ERR_INVALID,
                             "default: unknown scheme '%.40s'", v);
        p->def = (enum pw_id)id;
        return LK_OK;
    case OPT_DEPRECATED:
        p->deprecated_auto = strcmp(v, "auto") == 0;
        if (p->deprecated_auto || strcmp(v, "none") == 0) {
            p->deprecated = 0;
            return LK_OK;
        }
        return scheme_list(v, &p->deprecated, err, errlen);
    case OPT_BOOL:
        if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
            return lk_seterr(err, errlen, LK_ERR_INVALID,
                             "%s must be yes or no", name);
        p->allow_nul_verify = strcmp(v, "yes") == 0;
        return LK_OK;
    case OPT_UINT:
    default:
        return set_uint(name, v, opt_impl[i].min, opt_impl[i].max,
                        (uint32_t *)((char *)p + opt_impl[i].off), err,
                        errlen);
    }
}

enum lk_err lk_pwpolicy_set(struct lk_pwpolicy *p, const char *name,
                            const char *value, char *err, size_t errlen)
{
    size_t i;
    enum lk_err rc;

    if (name == NULL || value == NULL)
        return lk_seterr(err, errlen, LK_ERR_INVALID, "missing value");
    for (i = 0; lk_pwpolicy_options[i].name != NULL; i++)
        if (strcmp(lk_pwpolicy_options[i].name, name) == 0)
            break;
    if (lk_pwpolicy_options[i].name == NULL)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "unknown password policy option '%.40s'", name);
    p->dirty = 1;
    rc = set_one(p, i, value, err, errlen);
    return rc;
}

const char *lk_pw_cost_option(const char *scheme)
{
    int id = scheme != NULL ? pw_scheme_by_name(scheme, strlen(scheme))
                            : -1;

    if (id == PW_BCRYPT || id == PW_BCRYPT_SHA256)
        return "bcrypt-cost";
    if (id == PW_ARGON2)
        return "argon2-time";
    if (id >= PW_PBKDF2_SHA1 && id <= PW_DJANGO_PBKDF2_SHA1)
        return "pbkdf2-iterations";
    return NULL;
}
