/*
 * common.c: error strings, secret wiping, constant-time comparison and
 * randomness. Everything that touches secrets funnels through here so
 * that there is one place to audit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "latchkey/lk_common.h"

static const char *const err_names[LK_ERR__COUNT] = {
    [LK_OK] = "ok",
    [LK_ERR_NOMEM] = "out of memory",
    [LK_ERR_INVALID] = "invalid input",
    [LK_ERR_TOO_LARGE] = "input too large",
    [LK_ERR_UNSUPPORTED] = "not supported",
    [LK_ERR_MISMATCH] = "does not match",
    [LK_ERR_EXPIRED] = "expired",
    [LK_ERR_NOT_YET_VALID] = "not yet valid",
    [LK_ERR_CLAIM] = "missing or invalid claim",
    [LK_ERR_AUDIENCE] = "audience does not match",
    [LK_ERR_ISSUER] = "issuer does not match",
    [LK_ERR_SCOPE] = "insufficient scope",
    [LK_ERR_NOT_FOUND] = "not found",
    [LK_ERR_EXISTS] = "already exists",
    [LK_ERR_STORE] = "store error",
    [LK_ERR_UNAVAILABLE] = "store unavailable",
    [LK_ERR_IO] = "I/O error",
    [LK_ERR_CRYPTO] = "cryptographic library error",
    [LK_ERR_BUSY] = "too busy",
};

/* A short description of an error code. */
const char *lk_strerror(enum lk_err e)
{
    if ((unsigned)e >= LK_ERR__COUNT || err_names[e] == NULL)
        return "unknown error";
    return err_names[e];
}

/* Format a message into the caller's error buffer and return code. */
enum lk_err lk_seterr(char *err, size_t errlen, enum lk_err code,
                      const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return code;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return code;
}

/* Wipe memory; OPENSSL_cleanse is written so the store is not elided. */
void lk_secure_zero(void *p, size_t n)
{
    if (p != NULL && n > 0)
        OPENSSL_cleanse(p, n);
}

/* Wipe, then free. */
void lk_secure_free(void *p, size_t n)
{
    if (p == NULL)
        return;
    lk_secure_zero(p, n);
    free(p);
}

/* Constant-time equality of two equal-length byte strings. */
int lk_ct_memeq(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

int64_t lk_now(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return (int64_t)time(NULL);
    return (int64_t)ts.tv_sec;
}

/* Secure random bytes from OpenSSL's DRBG (seeded by the kernel). */
enum lk_err lk_random(void *buf, size_t n)
{
    if (n > (size_t)0x7fffffff)
        return LK_ERR_INVALID;
    if (RAND_bytes(buf, (int)n) != 1)
        return LK_ERR_CRYPTO;
    return LK_OK;
}
