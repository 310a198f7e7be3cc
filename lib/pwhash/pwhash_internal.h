/*
 * pwhash_internal.h: what the password-hash scheme families share with
 * the policy (pwhash.c): the scheme identifiers, the parameters parsed
 * from a stored string, the policy structure and each family's parse,
 * verify and hash functions.
 *
 * Invariants: every parse function reads only s[0..n), never past n, and
 * bounds every cost before any work is done; every verify function
 * compares derived values of equal, fixed length with lk_ct_memeq and
 * wipes what it derived. Family code never looks at the policy except to
 * read the costs for a new hash.
 */
#ifndef LATCHKEY_PWHASH_INTERNAL_H
#define LATCHKEY_PWHASH_INTERNAL_H

#include <stddef.h>
#include <pthread.h>
#include <stdint.h>

#include "latchkey/lk_pwhash.h"

/* Every scheme the policy knows; the order is the one of pw_schemes[]. */
enum pw_id {
    PW_BCRYPT,
    PW_BCRYPT_SHA256,
    PW_DJANGO_BCRYPT_SHA256,
    PW_ARGON2,
    PW_DJANGO_ARGON2,
    PW_PBKDF2_SHA1,
    PW_PBKDF2_SHA256,
    PW_PBKDF2_SHA512,
    PW_DJANGO_PBKDF2_SHA256,
    PW_DJANGO_PBKDF2_SHA1,
    PW_SHA512_CRYPT,
    PW_SHA256_CRYPT,
    PW_MD5_CRYPT,
    PW__COUNT
};

/* Families share a cost model. */
enum pw_family { PW_FAM_BCRYPT, PW_FAM_ARGON2, PW_FAM_PBKDF2, PW_FAM_CRYPT };

/* Limits on what a stored string may ask for (verify side). */
#define PW_BCRYPT_MAX_COST     14u        /* about 1 s at 2^14 rounds */
#define PW_BCRYPT_MAX_PW       72u        /* bcrypt reads this many bytes */
#define PW_ARGON2_MAX_M        262144u    /* KiB, 256 MiB */
#define PW_ARGON2_MAX_T        64u
#define PW_ARGON2_MAX_P        64u
#define PW_ARGON2_MAX_WORK     4194304u   /* m * t, KiB passes */
#define PW_ARGON2_MAX_SALT     64u
#define PW_ARGON2_MIN_HASH     4u
#define PW_ARGON2_MAX_HASH     128u
#define PW_PBKDF2_MAX_ITER     10000000u
#define PW_PBKDF2_MAX_SALT     256u
#define PW_CRYPT_MAX_ROUNDS    2000000u   /* sha-crypt rounds= */

/* Parameters read from a stored hash string. */
struct pw_params {
    enum pw_id id;
    unsigned cost;        /* bcrypt family: log2 of the rounds */
    unsigned version;     /* bcrypt_sha256: 1 or 2; argon2: 16 or 19 */
    char variant[12];     /* "2b", "argon2id", ... */
    uint32_t m_kib, t, p; /* argon2 */
    uint32_t rounds;      /* PBKDF2 iterations, sha-crypt rounds */
};

struct lk_pwpolicy {
    uint32_t enabled;          /* bit (1 << pw_id) per enabled scheme */
    uint32_t deprecated;       /* explicit list, unless deprecated_auto */
    int deprecated_auto;       /* deprecated = enabled minus default */
    enum pw_id def;            /* scheme for new hashes */
    uint32_t bcrypt_cost, bcrypt_min;
    uint32_t a2_m, a2_t, a2_p, a2_min_m, a2_min_t;
    uint32_t pbkdf2_iter, pbkdf2_min;
    int allow_nul_verify;      /* verify NUL passwords on byte schemes */
    int dirty;                 /* set() called since finish() */
    lk_pw_runner_fn runner;    /* where hashes run; NULL: right here */
    void *runner_ctx;
    pthread_mutex_t dummy_mu;  /* guards dummy, made on first use */
    char dummy[LK_HASH_MAX + 1];
};

/* One family's operations; id says which member of the family. */
struct pw_ops {
    enum lk_err (*parse)(enum pw_id id, const char *s, size_t n,
                         struct pw_params *pp, char *err, size_t errlen);
    enum lk_err (*verify)(enum pw_id id, const uint8_t *pw, size_t pwlen,
                          const char *s, size_t n, struct pw_params *pp,
                          char *err, size_t errlen);
    enum lk_err (*hash)(enum pw_id id, const struct lk_pwpolicy *p,
                        const uint8_t *pw, size_t pwlen,
                        char *out, size_t cap, char *err, size_t errlen);
};

extern const struct pw_ops pw_bcrypt_ops;
extern const struct pw_ops pw_argon2_ops;
extern const struct pw_ops pw_pbkdf2_ops;
extern const struct pw_ops pw_crypt_ops;

/* A scheme id by its policy name (s[0..n)), or -1. */
int pw_scheme_by_name(const char *name, size_t n);

/* Parse a decimal count at s[*pos..n): no sign, no leading zero, value
 * 1..max; advances *pos. 0 on success, -1 otherwise. */
int pw_parse_uint(const char *s, size_t n, size_t *pos, uint32_t max,
                  uint32_t *out);

/* 1 if s[*pos..n) starts with lit; advances *pos past it. */
int pw_eat(const char *s, size_t n, size_t *pos, const char *lit);

/* Length of the run at s[pos..n) that holds no '$'. */
size_t pw_field_len(const char *s, size_t n, size_t pos);

/* 1 if every byte of s[0..n) is in crypt's "./0-9A-Za-z" alphabet. */
int pw_hash64_ok(const char *s, size_t n);

/* crypt_rn(3) on a NUL-terminated copy of key with the given setting;
 * the result (not a failure token) is copied to out. */
enum lk_err pw_crypt_rn(const uint8_t *key, size_t keylen,
                        const char *setting, char *out, size_t cap);

/* Constant-time comparison of a computed string with the stored one. */
int pw_str_eq(const char *computed, const char *stored, size_t n);

/* PRFs for raw PBKDF2. */
enum pw_prf { PW_PRF_SHA1, PW_PRF_SHA256, PW_PRF_SHA512 };

/* Raw PBKDF2 (RFC 8018) with the given PRF; iter must be >= 1. */
enum lk_err pw_pbkdf2(enum pw_prf prf, const uint8_t *pw, size_t pwlen,
                      const uint8_t *salt, size_t saltlen, uint32_t iter,
                      uint8_t *out, size_t outlen);

#endif
