/*
 * lk_common.h: what every part of liblatchkey shares: the error enum,
 * secret hygiene (wiping, constant-time comparison) and the base64
 * family used by JOSE and by stored password hashes.
 *
 * Conventions: functions return enum lk_err; detail for a human goes into
 * a caller-supplied (char *err, size_t errlen) buffer, which may be NULL.
 * Buffers are (pointer, length) pairs; nothing here needs a NUL.
 */
#ifndef LATCHKEY_LK_COMMON_H
#define LATCHKEY_LK_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define LK_ERRBUF_SIZE 256

enum lk_err {
    LK_OK = 0,
    LK_ERR_NOMEM,          /* allocation failed */
    LK_ERR_INVALID,        /* malformed input or argument */
    LK_ERR_TOO_LARGE,      /* input over a configured limit */
    LK_ERR_UNSUPPORTED,    /* well-formed but not supported */
    LK_ERR_MISMATCH,       /* password or signature does not match */
    LK_ERR_EXPIRED,        /* token exp has passed */
    LK_ERR_NOT_YET_VALID,  /* token nbf (or iat) is in the future */
    LK_ERR_CLAIM,          /* a claim is missing or of the wrong type */
    LK_ERR_AUDIENCE,       /* aud does not match */
    LK_ERR_ISSUER,         /* iss does not match */
    LK_ERR_SCOPE,          /* required scope not granted */
    LK_ERR_NOT_FOUND,      /* no such user or object */
    LK_ERR_EXISTS,         /* object already exists */
    LK_ERR_STORE,          /* the store failed (I/O, SQL) */
    LK_ERR_UNAVAILABLE,    /* the store is unreachable right now */
    LK_ERR_IO,             /* file or socket I/O failed */
    LK_ERR_CRYPTO,         /* the crypto library failed */
    LK_ERR_BUSY,           /* a bounded queue is full */
    LK_ERR__COUNT
};

/* A short, constant English description of an error code. */
const char *lk_strerror(enum lk_err e);

/* Write a formatted message into err (if non-NULL); returns code. */
enum lk_err lk_seterr(char *err, size_t errlen, enum lk_err code,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Wipe n bytes at p in a way the compiler may not elide. */
void lk_secure_zero(void *p, size_t n);

/* Free a buffer of n bytes after wiping it; NULL is allowed. */
void lk_secure_free(void *p, size_t n);

/* 1 if the n bytes at a and b are equal, 0 otherwise, in time that
 * depends only on n. Compare fixed-length values only (MACs, digests). */
int lk_ct_memeq(const void *a, const void *b, size_t n);

/* The Unix time in whole seconds, read from CLOCK_REALTIME. For token
 * times use this, not time(2): glibc's time() reads the kernel's coarse
 * clock, which can still show the previous second for up to a tick, so
 * a token issued elsewhere at the start of a second would look issued
 * in the future (iat) for a few milliseconds. */
int64_t lk_now(void);

/* Fill buf with n cryptographically secure random bytes. */
enum lk_err lk_random(void *buf, size_t n);

/* Base64 alphabets. */
enum lk_b64 {
    LK_B64_STD,   /* RFC 4648 section 4: A-Z a-z 0-9 + /   */
    LK_B64_URL,   /* RFC 4648 section 5: A-Z a-z 0-9 - _   */
    LK_B64_AB64   /* passlib "adapted": A-Z a-z 0-9 . /    */
};

/* Flags for lk_b64_encode/lk_b64_decode. */
#define LK_B64_PAD        1u  /* encode: emit '='; decode: require it */
#define LK_B64_PAD_OPT    2u  /* decode: accept with or without '=' */

/* Length of the encoding of n bytes (without the NUL). */
size_t lk_b64_encoded_len(size_t n, unsigned flags);

/* Upper bound of the decoding of n characters. */
size_t lk_b64_decoded_max(size_t n);

/* Encode in[0..n) into out (cap bytes); writes a NUL terminator too, so
 * cap must be at least lk_b64_encoded_len(n) + 1. */
enum lk_err lk_b64_encode(enum lk_b64 alpha, unsigned flags,
                          const uint8_t *in, size_t n,
                          char *out, size_t cap, size_t *outlen);

/* Strict decode of in[0..n): only alphabet characters, padding per flags,
 * unused trailing bits must be zero (one canonical encoding). */
enum lk_err lk_b64_decode(enum lk_b64 alpha, unsigned flags,
                          const char *in, size_t n,
                          uint8_t *out, size_t cap, size_t *outlen);

#endif
