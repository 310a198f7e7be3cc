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

/* The default policy: bcrypt ($2b$, cost 12) for new hashes, every
 * other supported scheme verified and deprecated. */
enum lk_err lk_pwpolicy_new_default(struct lk_pwpolicy **out);
void lk_pwpolicy_free(struct lk_pwpolicy *p);

/* Hash pw with the policy's default scheme into out (NUL-terminated). */
enum lk_err lk_pw_hash(const struct lk_pwpolicy *p,
                       const uint8_t *pw, size_t pwlen,
                       char *out, size_t cap,
                       char *err, size_t errlen);

/* Verify pw against a stored hash. Returns LK_OK on a match,
 * LK_ERR_MISMATCH on a wrong password, and LK_ERR_INVALID or
 * LK_ERR_UNSUPPORTED for a stored string that cannot be used (with a
 * reason in err, never the hash). On LK_OK, *needs_upgrade (if given)
 * says whether the policy wants the hash replaced. */
enum lk_err lk_pw_verify(const struct lk_pwpolicy *p,
                         const uint8_t *pw, size_t pwlen,
                         const char *stored,
                         int *needs_upgrade,
                         char *err, size_t errlen);

/* Spend the time of one verify at the default scheme and cost, for
 * logins of unknown users or unusable hashes. */
void lk_pw_dummy_verify(const struct lk_pwpolicy *p,
                        const uint8_t *pw, size_t pwlen);

#endif
