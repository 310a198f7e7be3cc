/*
 * hmac.h: HMAC-SHA-256/384/512 (RFC 2104) with the key's inner and
 * outer hash states computed once, so that one MAC costs a copy of two
 * small structs and the hashing itself: no allocation, no provider
 * lookup. Every state copy is wiped after use; the states are secret.
 */
#ifndef LATCHKEY_JOSE_HMAC_H
#define LATCHKEY_JOSE_HMAC_H

#include <stddef.h>
#include <stdint.h>

#include "latchkey/lk_common.h"

#define LK_HMAC_MAX 64         /* bytes of the longest MAC (SHA-512) */

struct lk_hmac;

/* Key an HMAC with digest bits 256, 384 or 512. */
enum lk_err lk_hmac_new(unsigned bits, const uint8_t *key, size_t len,
                        struct lk_hmac **out);

/* The MAC of msg into out (cap >= LK_HMAC_MAX); *outlen = bits / 8. */
enum lk_err lk_hmac_compute(const struct lk_hmac *h, const uint8_t *msg,
                            size_t len, uint8_t *out, size_t cap,
                            size_t *outlen);

/* Wipe and free; NULL is allowed. */
void lk_hmac_free(struct lk_hmac *h);

#endif
