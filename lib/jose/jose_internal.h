/*
 * jose_internal.h: the layout of keys and key sets, shared by the
 * files of lib/jose only.
 *
 * Everything a verification needs is created when the key is made
 * (fetched digest, keyed HMAC template, curve order), so the verify
 * path only reads shared objects and allocates its own contexts.
 */
#ifndef LATCHKEY_JOSE_INTERNAL_H
#define LATCHKEY_JOSE_INTERNAL_H

#include <stdio.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "jose/hmac.h"
#include "latchkey/lk_jose.h"

#define LK_KEYSET_MAX   16
#define LK_SIG_MAX      1024   /* RSA up to 8192 bits */
#define LK_HDR_MAX      256    /* headers we produce ourselves */

struct lk_jwk {
    enum lk_jws_alg alg;
    char kid[LK_KID_MAX + 1];
    uint8_t *secret;           /* HMAC keys */
    size_t secret_len;
    struct lk_hmac *hmac;      /* HMAC keys: pads hashed once */
    EVP_PKEY *pkey;            /* asymmetric keys */
    int is_private;            /* pkey holds a private key */
    EVP_MD *md;                /* fetched digest; NULL for EdDSA */
    BIGNUM *order;             /* ES*: the curve order */
    size_t ec_size;            /* ES*: octets of R and of S */
    char hdr_b64[2][LK_HDR_MAX];   /* our own headers, base64url: */
    size_t hdr_b64_len[2];         /* [0] without kid, [1] with kid */
};

struct lk_keyset {
    struct lk_jwk *keys[LK_KEYSET_MAX];
    size_t count;
    struct lk_jwk *signing;
};

int lk_jws_alg_is_hmac(enum lk_jws_alg alg);
int lk_jws_alg_is_rsa(enum lk_jws_alg alg);
int lk_jws_alg_is_ec(enum lk_jws_alg alg);

/* Finish a key whose alg and material are set: check that they agree,
 * fetch what the sign and verify paths need, and precompute headers. */
enum lk_err lk_jwk_prepare(struct lk_jwk *k, char *err, size_t errlen);

/* A new empty key for alg (material to be filled in by the caller). */
enum lk_err lk_jwk_alloc(enum lk_jws_alg alg, const char *kid,
                         struct lk_jwk **out, char *err, size_t errlen);

/* Compute the signature of the signing input with key into sig (cap
 * bytes); *siglen receives the length. */
enum lk_err lk_jws_sign_raw(const struct lk_jwk *key,
                            const uint8_t *input, size_t len,
                            uint8_t *sig, size_t cap, size_t *siglen);

/* Check a signature over input with key: LK_OK or LK_ERR_MISMATCH. */
enum lk_err lk_jws_verify_raw(const struct lk_jwk *key,
                              const uint8_t *input, size_t len,
                              const uint8_t *sig, size_t siglen);

/* A key over pkey (taken over, freed on failure too); alg may be
 * LK_ALG_INVALID to take the key type's default. */
enum lk_err lk_jwk_from_pkey(EVP_PKEY *pkey, int is_private,
                             enum lk_jws_alg alg, const char *kid,
                             struct lk_jwk **out, char *err, size_t errlen);

/* Build a key from a parsed JWK object (jansson json_t *). */
enum lk_err lk_jwk_from_jwk_obj(const void *obj, enum lk_jws_alg alg,
                                struct lk_jwk **out,
                                char *err, size_t errlen);

/* The three segments of a compact JWS, as offsets into the token. */
struct lk_jws_parts {
    const char *hdr, *pay, *sig;
    size_t hdr_len, pay_len, sig_len, input_len;
};

/* Check a compact JWS against the key set: size (at most max bytes),
 * structure, header and signature. On LK_OK, p holds the segments. */
enum lk_err lk_jws_check(const struct lk_keyset *ks, const char *token,
                         size_t len, size_t max, struct lk_jws_parts *p,
                         char *err, size_t errlen);

/* Decode a base64url segment into a new buffer (free() it; one spare
 * byte after the data for a NUL). */
enum lk_err lk_jws_decode_segment(const char *seg, size_t len,
                                  uint8_t **out, size_t *outlen);

/* The kinds of claim value the checks tell apart. */
enum lk_cv_type {
    LK_CV_ABSENT = 0, LK_CV_STRING, LK_CV_NUMBER, LK_CV_ARRAY, LK_CV_OTHER
};

/* One claim: a string (s, len; may hold NUL bytes when it came from
 * jansson), a number, or an array (scanned text in s, len, or a jansson
 * array in json). Points into the text or object it was read from. */
struct lk_claim_val {
    enum lk_cv_type type;
    const char *s;
    size_t len;
    double num;
    void *json;
};

/* The registered claims the verifier looks at. */
struct lk_claim_set {
    struct lk_claim_val exp, nbf, iat, iss, aud, sub, jti, scope, scopes;
};

/* Read a claims text of the plain subset (see claims.c) without
 * allocating: LK_OK, or LK_ERR_UNSUPPORTED when the full JSON parser
 * must decide instead. */
enum lk_err lk_claims_scan(const char *text, size_t len,
                           struct lk_claim_set *cs);

/* Fill cs from a parsed claims object (jansson json_t *). */
void lk_claims_from_json(const void *obj, struct lk_claim_set *cs);

/* The next element of an array claim into out (LK_CV_STRING or
 * LK_CV_OTHER); *pos starts at 0. Returns 0 after the last one. */
int lk_claims_array_next(const struct lk_claim_val *v, size_t *pos,
                         struct lk_claim_val *out);

/* The time claims of a token as it states them (NumericDates may have
 * fractions), so that a later check at another time decides exactly as
 * the first one would have. */
struct lk_jwt_times {
    double exp, nbf, iat;
    int has_exp, has_nbf, has_iat;
};

/* lk_jwt_verify that also hands back the time claims in tm. */
enum lk_err lk_jwt_verify_times(const struct lk_jwt_verifier *v,
                                const char *token, size_t len, int64_t now,
                                struct lk_claims *claims,
                                struct lk_jwt_times *tm,
                                char *err, size_t errlen);

/* exp, nbf and iat of a verified token against now, with v's leeway. */
enum lk_err lk_jwt_times_check(const struct lk_jwt_verifier *v,
                               const struct lk_jwt_times *tm, int64_t now,
                               char *err, size_t errlen);

/* Changes whenever v is configured again (its checks may differ). */
unsigned lk_jwt_verifier_generation(const struct lk_jwt_verifier *v);

#endif
