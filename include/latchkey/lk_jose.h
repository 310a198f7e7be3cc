/*
 * lk_jose.h: JSON Web Signature and JWT claims, strict by default.
 *
 * A key (struct lk_jwk) carries its algorithm; the token header never
 * chooses the key type or the algorithm. A key set holds several keys,
 * each with an optional kid: one signs, all verify. A verifier is
 * configured once and then used from many threads without locks.
 */
#ifndef LATCHKEY_LK_JOSE_H
#define LATCHKEY_LK_JOSE_H

#include <stddef.h>
#include <stdint.h>

#include "latchkey/lk_common.h"

#define LK_JWT_MAX_DEFAULT   8192   /* default token size limit, bytes */
#define LK_HMAC_MIN_KEY      32     /* shortest HMAC secret accepted */
#define LK_SUB_MAX           255    /* longest subject we accept */
#define LK_SCOPE_MAX         1023   /* longest joined scope string */
#define LK_KID_MAX           128

enum lk_jws_alg {
    LK_ALG_INVALID = 0,
    LK_ALG_HS256, LK_ALG_HS384, LK_ALG_HS512,
    LK_ALG_RS256, LK_ALG_RS384, LK_ALG_RS512,
    LK_ALG_PS256, LK_ALG_PS384, LK_ALG_PS512,
    LK_ALG_ES256, LK_ALG_ES384, LK_ALG_ES512,
    LK_ALG_EDDSA,
    LK_ALG__COUNT
};

/* "HS256" etc., or NULL for an invalid value. */
const char *lk_jws_alg_name(enum lk_jws_alg alg);

/* Parse an exact, case-sensitive algorithm name; LK_ALG_INVALID if
 * unknown (including every spelling of "none"). */
enum lk_jws_alg lk_jws_alg_parse(const char *name, size_t len);

struct lk_jwk;
struct lk_keyset;

/* An HMAC key from secret bytes (at least LK_HMAC_MIN_KEY long). */
enum lk_err lk_jwk_from_secret(const uint8_t *secret, size_t len,
                               enum lk_jws_alg alg, const char *kid,
                               struct lk_jwk **out,
                               char *err, size_t errlen);
void lk_jwk_free(struct lk_jwk *key);
enum lk_jws_alg lk_jwk_alg(const struct lk_jwk *key);
const char *lk_jwk_kid(const struct lk_jwk *key);   /* NULL if none */

/* 1 if the key can sign (HMAC secret or private key), else 0. */
int lk_jwk_is_private(const struct lk_jwk *key);

/* A key from PEM text: a PKCS#8 or traditional private key, or an
 * SPKI public key ("BEGIN PUBLIC KEY"); encrypted PEM is refused. alg
 * may be LK_ALG_INVALID: RSA then means RS256, EC its curve's ES*,
 * Ed25519 EdDSA. An HS* alg is refused (no HMAC with key text). */
enum lk_err lk_jwk_from_pem(const char *pem, size_t len,
                            enum lk_jws_alg alg, const char *kid,
                            struct lk_jwk **out, char *err, size_t errlen);

/* A key from one JWK (RFC 7517): kty oct, RSA, EC (P-256/384/521) or
 * OKP (Ed25519), with its kid. alg may be LK_ALG_INVALID (then the
 * JWK's "alg", else the key type's default); both given must agree. */
enum lk_err lk_jwk_from_json(const char *json, size_t len,
                             enum lk_jws_alg alg, struct lk_jwk **out,
                             char *err, size_t errlen);

/* A new random key for alg: a base64url text secret of hash-length
 * entropy for HS*, RSA 2048 (RS256/PS256) or 3072 bits, the ES*
 * curve, or Ed25519. */
enum lk_err lk_jwk_generate(enum lk_jws_alg alg, const char *kid,
                            struct lk_jwk **out, char *err, size_t errlen);

/* Write the private key to a new file (mode 0600, never overwriting):
 * PKCS#8 PEM, or the HMAC secret followed by one newline. */
enum lk_err lk_jwk_write_private(const struct lk_jwk *key,
                                 const char *path,
                                 char *err, size_t errlen);

/* A set of keys; lk_keyset_add takes ownership of key. The first key
 * added with signing != 0 becomes the signing key. */
enum lk_err lk_keyset_new(struct lk_keyset **out);
enum lk_err lk_keyset_add(struct lk_keyset *ks, struct lk_jwk *key,
                          int signing);
const struct lk_jwk *lk_keyset_signing_key(const struct lk_keyset *ks);
void lk_keyset_free(struct lk_keyset *ks);
size_t lk_keyset_count(const struct lk_keyset *ks);
const struct lk_jwk *lk_keyset_get(const struct lk_keyset *ks, size_t i);

/* Add the key(s) held in data, recognised by content: PEM (starts with
 * "-----BEGIN"), JWKS (a JSON object with "keys"; keys whose "use" is
 * not "sig" are skipped), one JWK (a JSON object with "kty"), else a
 * raw HMAC secret (the bytes, less one trailing newline) for alg
 * (LK_ALG_INVALID: HS256). kid names PEM and secret keys (may be NULL).
 * With signing != 0 the (first private) key becomes the signing key. */
enum lk_err lk_keyset_load_mem(struct lk_keyset *ks, const uint8_t *data,
                               size_t len, enum lk_jws_alg alg,
                               const char *kid, int signing,
                               char *err, size_t errlen);

/* lk_keyset_load_mem on the content of a regular file (<= 1 MiB). */
enum lk_err lk_keyset_load_file(struct lk_keyset *ks, const char *path,
                                enum lk_jws_alg alg, const char *kid,
                                int signing, char *err, size_t errlen);

/* The public keys of ks as a JWKS document {"keys":[...]} in a new
 * string (free() it). HMAC keys are never published. */
enum lk_err lk_keyset_jwks_json(const struct lk_keyset *ks, char **out);

/* Claims that latchkey reads from a verified token. */
struct lk_claims {
    char sub[LK_SUB_MAX + 1];
    char scope[LK_SCOPE_MAX + 1];  /* "scope" string or "scopes" array,
                                      joined with single spaces */
    int has_scope;
    int64_t exp, nbf, iat;
    int has_exp, has_nbf, has_iat;
};

/* Required-claim flags for the verifier. */
#define LK_REQ_EXP  1u
#define LK_REQ_IAT  2u
#define LK_REQ_NBF  4u
#define LK_REQ_SUB  8u
#define LK_REQ_ISS  16u
#define LK_REQ_AUD  32u
#define LK_REQ_JTI  64u

struct lk_jwt_verifier;

/* A verifier over ks (borrowed: ks must outlive the verifier). By
 * default: exp and sub required, leeway 0, no issuer, no audience (a
 * token with aud is then refused), token limit LK_JWT_MAX_DEFAULT. */
enum lk_err lk_jwt_verifier_new(const struct lk_keyset *ks,
                                struct lk_jwt_verifier **out);
void lk_jwt_verifier_free(struct lk_jwt_verifier *v);
enum lk_err lk_jwt_verifier_set_issuer(struct lk_jwt_verifier *v,
                                       const char *iss);
enum lk_err lk_jwt_verifier_set_audience(struct lk_jwt_verifier *v,
                                         const char *aud);
void lk_jwt_verifier_set_leeway(struct lk_jwt_verifier *v, int64_t secs);
void lk_jwt_verifier_set_required(struct lk_jwt_verifier *v,
                                  unsigned req_flags);
void lk_jwt_verifier_set_max_size(struct lk_jwt_verifier *v, size_t max);

/* Verify a compact JWT at time now (Unix seconds). On LK_OK, fills
 * claims (may be NULL). Thread-safe for a configured verifier. */
enum lk_err lk_jwt_verify(const struct lk_jwt_verifier *v,
                          const char *token, size_t len, int64_t now,
                          struct lk_claims *claims,
                          char *err, size_t errlen);

/* lk_jwt_verify that also hands back the decoded claims JSON text
 * (NUL-terminated, free() it) in *payload when payload is non-NULL. */
enum lk_err lk_jwt_verify_payload(const struct lk_jwt_verifier *v,
                                  const char *token, size_t len,
                                  int64_t now, struct lk_claims *claims,
                                  char **payload, size_t *plen,
                                  char *err, size_t errlen);

/* A cache of tokens a verifier has accepted, for lk_jwt_verify_cached.
 * Not thread-safe: give each thread its own. It must not outlive the
 * verifiers it is used with. */
struct lk_jwt_cache;

#define LK_JWT_CACHE_TOKEN_MAX 2048   /* longer tokens are not cached */

/* A cache of slots entries (rounded up to a power of two, at most
 * 4096); the memory is reserved, and touched only as slots fill. */
enum lk_err lk_jwt_cache_new(unsigned slots, struct lk_jwt_cache **out);

/* Wipe (the tokens are bearer credentials) and free; NULL is allowed. */
void lk_jwt_cache_free(struct lk_jwt_cache *c);

/* lk_jwt_verify, remembering what it accepted: a token found in c,
 * accepted before by the same verifier in the same configuration, has
 * only its time claims (exp, nbf, iat) checked again at now, and its
 * claims copied out, instead of a new signature check and parse. A
 * token is found only if every byte matches (compared in constant
 * time); a refused token is never kept. c NULL: plain lk_jwt_verify. */
enum lk_err lk_jwt_verify_cached(const struct lk_jwt_verifier *v,
                                 struct lk_jwt_cache *c,
                                 const char *token, size_t len,
                                 int64_t now, struct lk_claims *claims,
                                 char *err, size_t errlen);

/* How many lookups found their token, and how many did not. */
void lk_jwt_cache_stats(const struct lk_jwt_cache *c, uint64_t *hits,
                        uint64_t *misses);

/* LK_OK if every space-separated scope in required is among the
 * token's scopes (whole, case-sensitive names), else LK_ERR_SCOPE. */
enum lk_err lk_claims_check_scopes(const struct lk_claims *c,
                                   const char *required);

/* Check only structure and signature of a compact JWS (at most max
 * bytes) against ks; the payload may be any bytes. On LK_OK and with
 * payload non-NULL, *payload gets the decoded bytes (NUL-terminated;
 * free() it) and *plen their length. */
enum lk_err lk_jws_verify(const struct lk_keyset *ks, const char *token,
                          size_t len, size_t max, uint8_t **payload,
                          size_t *plen, char *err, size_t errlen);

/* Sign payload bytes under the given protected header (JSON object
 * text, used byte for byte; its alg must be the key's). */
enum lk_err lk_jws_sign(const struct lk_jwk *key,
                        const char *header, size_t hlen,
                        const uint8_t *payload, size_t plen,
                        char **out, size_t *outlen,
                        char *err, size_t errlen);

/* Sign claims_json (a JSON object, copied as is) with key into a newly
 * allocated compact JWS in *out (free() it). The header is
 * {"alg":ALG,"typ":"JWT"} plus "kid" when the key has one. */
enum lk_err lk_jwt_sign(const struct lk_jwk *key,
                        const char *claims_json, size_t len,
                        char **out, size_t *outlen,
                        char *err, size_t errlen);

/* What an access token says; NULL strings are left out. */
struct lk_jwt_issue_opts {
    const char *sub;     /* required, 1..LK_SUB_MAX bytes */
    int64_t ttl;         /* seconds, > 0: exp = now + ttl */
    const char *scope;   /* space-separated; emitted as "scope" string
                            and "scopes" array when non-empty */
    const char *iss;
    const char *aud;
};

/* Issue a signed JWT with iss, sub, aud, iat = now, exp = now + ttl,
 * a random 128-bit base64url jti, and the scopes. */
enum lk_err lk_jwt_issue(const struct lk_jwk *key,
                         const struct lk_jwt_issue_opts *o, int64_t now,
                         char **out, size_t *outlen,
                         char *err, size_t errlen);

#endif
