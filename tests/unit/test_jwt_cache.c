/*
 * test_jwt_cache.c: lk_jwt_verify_cached keeps only what the verifier
 * accepted, under the configuration that accepted it, and never serves
 * a token that differs from the cached one by a single byte.
 * (tests/unit/test_jose_vectors.c replays every claims vector through
 * the cache as well.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "latchkey/lk_jose.h"
#include "tap.h"

#define NOW 1700000000
#define SECRET_A "0123456789abcdef0123456789abcdef-key-a"
#define SECRET_B "0123456789abcdef0123456789abcdef-key-b"

static struct lk_keyset *keyset(const char *secret)
{
    struct lk_keyset *ks = NULL;
    struct lk_jwk *k = NULL;

    lk_keyset_new(&ks);
    lk_jwk_from_secret((const uint8_t *)secret, strlen(secret),
                       LK_ALG_HS256, NULL, &k, NULL, 0);
    if (ks == NULL || k == NULL || lk_keyset_add(ks, k, 1) != LK_OK)
        abort();
    return ks;
}

/* A token over claims (JSON text) signed with the keyset's key. */
static char *token(const struct lk_keyset *ks, const char *claims)
{
    char *out = NULL;
    size_t len;

    if (lk_jwt_sign(lk_keyset_signing_key(ks), claims, strlen(claims), &out,
                    &len, NULL, 0) != LK_OK)
        abort();
    return out;
}

static enum lk_err vc(const struct lk_jwt_verifier *v,
                      struct lk_jwt_cache *c, const char *tok, int64_t now,
                      struct lk_claims *cl)
{
    return lk_jwt_verify_cached(v, c, tok, strlen(tok), now, cl, NULL, 0);
}

static void counts(const struct lk_jwt_cache *c, uint64_t h, uint64_t m,
                   const char *what)
{
    uint64_t hits, misses;

    lk_jwt_cache_stats(c, &hits, &misses);
    ok(hits == h && misses == m, "%s: %llu hits, %llu misses", what,
       (unsigned long long)hits, (unsigned long long)misses);
}

/* Every one-byte change of a cached token is refused. */
static void tampered(const struct lk_jwt_verifier *v, const char *tok)
{
    struct lk_jwt_cache *c = NULL;
    size_t len = strlen(tok), i, refused = 0;
    char *t = strdup(tok);

    lk_jwt_cache_new(64, &c);
    ok(vc(v, c, tok, NOW, NULL) == LK_OK, "token cached");
    for (i = 0; i < len; i++) {
        char was = t[i];
        t[i] = (char)(was == 'A' ? 'B' : 'A');
        refused += vc(v, c, t, NOW, NULL) != LK_OK;
        t[i] = was;
    }
    ok(refused == len, "each of %zu one-byte changes refused (%zu)", len,
       refused);
    ok(vc(v, c, tok, NOW, NULL) == LK_OK, "the original still accepted");
    counts(c, 1, len + 1, "no changed token was found in the cache");
    lk_jwt_cache_free(c);
    free(t);
}

/* A verifier configured again no longer trusts what it cached. */
static void reconfigured(struct lk_keyset *ks, const char *tok)
{
    struct lk_jwt_verifier *v = NULL;
    struct lk_jwt_cache *c = NULL;

    lk_jwt_verifier_new(ks, &v);
    lk_jwt_cache_new(8, &c);
    ok(vc(v, c, tok, NOW, NULL) == LK_OK && vc(v, c, tok, NOW, NULL) ==
       LK_OK, "accepted twice before the issuer is required");
    lk_jwt_verifier_set_issuer(v, "https://issuer.example");
    ok(vc(v, c, tok, NOW, NULL) == LK_ERR_ISSUER,
       "refused once an issuer is configured");
    counts(c, 1, 2, "the reconfigured verifier missed");
    lk_jwt_verifier_set_issuer(v, NULL);
    lk_jwt_verifier_set_leeway(v, 0);
    ok(vc(v, c, tok, NOW + 3600, NULL) == LK_ERR_EXPIRED,
       "and expired an hour later");
    lk_jwt_cache_free(c);
    lk_jwt_verifier_free(v);
}

/* One cache, two verifiers with different keys. */
static void other_verifier(struct lk_keyset *ka, const char *tok)
{
    struct lk_keyset *kb = keyset(SECRET_B);
    struct lk_jwt_verifier *va = NULL, *vb = NULL;
    struct lk_jwt_cache *c = NULL;

    lk_jwt_verifier_new(ka, &va);
    lk_jwt_verifier_new(kb, &vb);
    lk_jwt_cache_new(8, &c);
    ok(vc(va, c, tok, NOW, NULL) == LK_OK, "key A accepts its token");
    ok(vc(vb, c, tok, NOW, NULL) == LK_ERR_MISMATCH,
       "key B refuses it although it is cached");
    lk_jwt_cache_free(c);
    lk_jwt_verifier_free(va);
    lk_jwt_verifier_free(vb);
    lk_keyset_free(kb);
}

/* Claims from a hit, times of a hit, and what is never cached. */
static void hits(const struct lk_jwt_verifier *v, struct lk_keyset *ks)
{
    char big[LK_JWT_CACHE_TOKEN_MAX + 64], *tok, *nbf, *longtok;
    struct lk_jwt_cache *c = NULL;
    struct lk_claims a, b;

    tok = token(ks, "{\"sub\":\"alice\",\"exp\":1700000100,"
                    "\"scope\":\"me items\"}");
    nbf = token(ks, "{\"sub\":\"bob\",\"exp\":1700000100,"
                    "\"nbf\":1700000050}");
    snprintf(big, sizeof(big), "{\"sub\":\"carol\",\"exp\":1700000100,"
             "\"pad\":\"%0*d\"}", LK_JWT_CACHE_TOKEN_MAX, 0);
    longtok = token(ks, big);
    lk_jwt_cache_new(64, &c);
    ok(vc(v, c, tok, NOW, &a) == LK_OK && vc(v, c, tok, NOW + 99, &b) ==
       LK_OK && strcmp(b.sub, "alice") == 0 &&
       strcmp(b.scope, "me items") == 0 && b.exp == 1700000100,
       "a hit gives the token's claims");
    ok(vc(v, c, tok, NOW + 100, NULL) == LK_ERR_EXPIRED,
       "a cached token is refused at its exp");
    ok(vc(v, c, tok, NOW, NULL) == LK_OK, "and verified afresh before it");
    counts(c, 2, 2, "an expired entry is dropped");
    ok(vc(v, c, nbf, NOW, NULL) == LK_ERR_NOT_YET_VALID &&
       vc(v, c, nbf, NOW + 50, NULL) == LK_OK &&
       vc(v, c, nbf, NOW + 49, NULL) == LK_ERR_NOT_YET_VALID,
       "nbf is checked again on a hit");
    ok(vc(v, c, longtok, NOW, NULL) == LK_OK &&
       vc(v, c, longtok, NOW, NULL) == LK_OK, "a long token verifies");
    counts(c, 3, 6, "a token over LK_JWT_CACHE_TOKEN_MAX is not kept");
    ok(lk_jwt_verify_cached(v, NULL, tok, strlen(tok), NOW, &a, NULL, 0)
       == LK_OK, "no cache: plain verification");
    lk_jwt_cache_free(c);
    free(tok);
    free(nbf);
    free(longtok);
}

int main(void)
{
    struct lk_keyset *ks = keyset(SECRET_A);
    struct lk_jwt_verifier *v = NULL;
    char *tok = token(ks, "{\"sub\":\"alice\",\"exp\":1700000100}");

    lk_jwt_verifier_new(ks, &v);
    tampered(v, tok);
    reconfigured(ks, tok);
    other_verifier(ks, tok);
    hits(v, ks);
    lk_jwt_verifier_free(v);
    free(tok);
    lk_keyset_free(ks);
    return tap_done();
}
