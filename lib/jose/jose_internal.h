/*
 * jose_internal.h: the layout of keys and key sets, shared by the
 * files of lib/jose only.
 */
#ifndef LATCHKEY_JOSE_INTERNAL_H
#define LATCHKEY_JOSE_INTERNAL_H

#include <stdio.h>

#include <openssl/evp.h>

#include "latchkey/lk_jose.h"

#define LK_KEYSET_MAX 16

struct lk_jwk {
    enum lk_jws_alg alg;
    char kid[LK_KID_MAX + 1];
    uint8_t *secret;           /* HMAC keys */
    size_t secret_len;
    EVP_PKEY *pkey;            /* asymmetric keys */
};

struct lk_keyset {
    struct lk_jwk *keys[LK_KEYSET_MAX];
    size_t count;
    struct lk_jwk *signing;
};

int lk_jws_alg_is_hmac(enum lk_jws_alg alg);

/* Compute the signature of the signing input with key into sig (cap
 * bytes); *siglen receives the length. */
enum lk_err lk_jws_sign_raw(const struct lk_jwk *key,
                            const uint8_t *input, size_t len,
                            uint8_t *sig, size_t cap, size_t *siglen);

/* Check a signature over input with key: LK_OK or LK_ERR_MISMATCH. */
enum lk_err lk_jws_verify_raw(const struct lk_jwk *key,
                              const uint8_t *input, size_t len,
                              const uint8_t *sig, size_t siglen);

#endif
