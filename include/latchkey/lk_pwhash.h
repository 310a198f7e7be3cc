/*
 * lk_pwhash.h: password hashing with a policy of schemes, like a
 * hashing "context": new hashes use the default scheme; stored hashes of
 * any enabled scheme verify; deprecated schemes (or weak parameters) are
 * reported as needing an upgrade so the caller can re-hash on login.
 *
 * Passwords are byte strings (pointer, length), never C strings. A
 * password holding a NUL byte is refused. Parameters of a stored hash
 * always come from the stored string, within bounds that stop a hostile
 * string from costing minutes of CPU or gigabytes of memory.
 */
#ifndef LATCHKEY_LK_PWHASH_H
#define LATCHKEY_LK_PWHASH_H

#include <stddef.h>
#include <stdint.h>

#include "latchkey/lk_common.h"

#define LK_PW_MAX        4096  /* longest password accepted, bytes */
#define LK_HASH_MAX      512   /* longest stored hash string accepted */

struct lk_pwpolicy;

/*
 * Schemes (policy names). Verified: bcrypt ($2a$ $2b$ $2y$),
 * bcrypt_sha256 (passlib v1 and v2), django_bcrypt_sha256, argon2
 * ($argon2id$ / $argon2i$, v=19, v=16 or none), django_argon2,
 * pbkdf2_sha1 / pbkdf2_sha256 / pbkdf2_sha512 (passlib),
 * django_pbkdf2_sha256, django_pbkdf2_sha1, sha512_crypt, sha256_crypt,
 * md5_crypt. New hashes: bcrypt, bcrypt_sha256 (v2), argon2 (argon2id;
 * "argon2id" is accepted as a name), the five PBKDF2 schemes.
 *
 * Limits on a stored string (beyond them verify fails fast with
 * LK_ERR_UNSUPPORTED): bcrypt cost <= 16; argon2 m <= 262144 KiB
 * (256 MiB), t <= 64, p <= 64, m * t <= 4194304; PBKDF2 iterations
 * <= 10,000,000; sha-crypt rounds <= 2,000,000.
 */

/* The default policy: bcrypt ($2b$, cost 12) for new hashes, every
 * other supported scheme verified and deprecated. It is finished. */
enum lk_err lk_pwpolicy_new_default(struct lk_pwpolicy **out);
void lk_pwpolicy_free(struct lk_pwpolicy *p);

/* One configuration option of a policy: the program exposes it as
 * --password-NAME and LATCHKEY_PASSWORD_NAME (upper case, '-' -> '_'). */
struct lk_pwpolicy_option {
    const char *name;
    const char *help;
    const char *def;     /* the value lk_pwpolicy_new_default() uses */
};

/* All options, terminated by an entry whose name is NULL. */
extern const struct lk_pwpolicy_option lk_pwpolicy_options[];

/* Set option name to value (text, as from a flag or the environment).
 * Checks the value alone; rules between options are checked by
 * lk_pwpolicy_finish(), which must be called after the last set() and
 * before the policy is used again (until then hash, verify and info
 * return LK_ERR_INVALID). */
enum lk_err lk_pwpolicy_set(struct lk_pwpolicy *p, const char *name,
                            const char *value, char *err, size_t errlen);

/* Check the policy as a whole (default enabled, not deprecated, able to
 * hash; argon2 memory >= 8 KiB per lane) and recompute the dummy hash
 * that lk_pw_dummy_verify() uses, which costs one hash at the default
 * scheme. */
enum lk_err lk_pwpolicy_finish(struct lk_pwpolicy *p, char *err,
                               size_t errlen);

/* Where hash computations run. Each hash and verify (dummy included)
 * calls run(ctx, fn, arg), which must call fn(arg) once, on any thread,
 * and return after it did: `serve` runs them on threads of the lowest
 * CPU priority, while the rest of a login (the store, the log) stays at
 * normal priority and so never holds a lock that a bearer request
 * waits for at idle priority. NULL (the default) calls fn directly.
 * Set it before other threads use the policy. */
typedef void (*lk_pw_task_fn)(void *arg);
typedef void (*lk_pw_runner_fn)(void *ctx, lk_pw_task_fn fn, void *arg);
void lk_pwpolicy_set_runner(struct lk_pwpolicy *p, lk_pw_runner_fn run,
                            void *ctx);

/* The option that sets the main cost of a scheme's new hashes
 * ("bcrypt-cost", "argon2-time", "pbkdf2-iterations"), or NULL. */
const char *lk_pw_cost_option(const char *scheme);

/* Hash pw with the policy's default scheme into out (NUL-terminated).
 * A password holding NUL is refused (LK_ERR_INVALID), one over
 * LK_PW_MAX too (LK_ERR_TOO_LARGE), and so is one over 72 bytes for
 * plain bcrypt, which would silently ignore the rest. */
enum lk_err lk_pw_hash(const struct lk_pwpolicy *p,
                       const uint8_t *pw, size_t pwlen,
                       char *out, size_t cap,
                       char *err, size_t errlen);

/* Verify pw against a stored hash. Returns LK_OK on a match,
 * LK_ERR_MISMATCH on a wrong password, and LK_ERR_INVALID or
 * LK_ERR_UNSUPPORTED for a stored string that cannot be used (with a
 * reason in err, never the hash). On LK_OK, *needs_upgrade (if given)
 * says whether the policy wants the hash replaced: deprecated scheme,
 * old format, or cost below the policy's (default scheme) or minimum
 * (other schemes). A password holding NUL gives LK_ERR_MISMATCH (unless
 * allow-nul-verify is yes and the scheme reads bytes by length), one
 * over LK_PW_MAX LK_ERR_TOO_LARGE; both after a dummy verify's time.
 * bcrypt hashes verify by bcrypt's own rule: only 72 bytes count. */
enum lk_err lk_pw_verify(const struct lk_pwpolicy *p,
                         const uint8_t *pw, size_t pwlen,
                         const char *stored,
                         int *needs_upgrade,
                         char *err, size_t errlen);

/* Spend the time of one verify at the default scheme and cost, for
 * logins of unknown users or unusable hashes. Any password is fine:
 * one holding NUL or over LK_PW_MAX is replaced by a fixed one. */
void lk_pw_dummy_verify(const struct lk_pwpolicy *p,
                        const uint8_t *pw, size_t pwlen);

/* Describe a stored hash without verifying: "scheme=NAME k=v ..." in
 * out (e.g. "scheme=django_pbkdf2_sha256 iterations=260000"), and
 * whether this policy would upgrade it. Errors as for lk_pw_verify. */
enum lk_err lk_pw_info(const struct lk_pwpolicy *p, const char *stored,
                       char *out, size_t cap, int *needs_upgrade,
                       char *err, size_t errlen);

#endif
