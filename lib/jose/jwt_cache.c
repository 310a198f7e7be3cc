/*
 * jwt_cache.c: tokens a verifier has accepted, so that the next request
 * with the same bearer token skips the signature check and the claims
 * parse, about a microsecond of an HS256 GET /users/me. Clients send the
 * same token for its whole life, so a small table per HTTP thread hits
 * nearly always.
 *
 * What a hit still checks: the verifier and its configuration are the
 * ones that accepted the token (a setter bumps the verifier's
 * generation), every byte of the token (constant time: the compared
 * bytes belong to a credential), and the time claims at the new now,
 * by the same rule as the first check. A refused token is never kept,
 * so forged tokens cannot push good ones out; valid tokens of other
 * clients can, which only costs a verification.
 *
 * The table is direct-mapped on a hash keyed with random bits, so that
 * which tokens share a slot cannot be chosen from outside.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jose/jose_internal.h"

#define SLOTS_MAX 4096u
#define HASHED_TAIL 32     /* bytes hashed: the signature's end */

struct entry {
    const struct lk_jwt_verifier *v;   /* NULL: empty */
    unsigned gen;
    size_t len;
    struct lk_jwt_times times;
    struct lk_claims claims;
    char token[LK_JWT_CACHE_TOKEN_MAX];
};

struct lk_jwt_cache {
    uint64_t key;
    unsigned mask;
    uint64_t hits, misses;
    struct entry *slots;
};

enum lk_err lk_jwt_cache_new(unsigned slots, struct lk_jwt_cache **out)
{
    struct lk_jwt_cache *c = calloc(1, sizeof(*c));
    unsigned n = 1;

    *out = NULL;
    if (c == NULL)
        return LK_ERR_NOMEM;
    while (n < slots && n < SLOTS_MAX)
        n <<= 1;
    c->mask = n - 1;
    c->slots = calloc(n, sizeof(*c->slots));
    if (c->slots == NULL || lk_random(&c->key, sizeof(c->key)) != LK_OK) {
        free(c->slots);
        free(c);
        return LK_ERR_NOMEM;
    }
    *out = c;
    return LK_OK;
}

void lk_jwt_cache_free(struct lk_jwt_cache *c)
{
    if (c == NULL)
        return;
    lk_secure_free(c->slots, (size_t)(c->mask + 1) * sizeof(*c->slots));
    lk_secure_zero(&c->key, sizeof(c->key));
    free(c);
}

/* The slot of a token: a keyed FNV-1a over its length and last bytes
 * (a signature's end is as random as anything in it). */
static struct entry *slot_of(const struct lk_jwt_cache *c,
                             const char *token, size_t len)
{
    size_t i = len > HASHED_TAIL ? len - HASHED_TAIL : 0;
    uint64_t h = c->key ^ ((uint64_t)len * UINT64_C(0x9e3779b97f4a7c15));

    for (; i < len; i++)
        h = (h ^ (uint8_t)token[i]) * UINT64_C(0x100000001b3);
    h ^= h >> 29;
    return &c->slots[h & c->mask];
}

static int holds(const struct entry *e, const struct lk_jwt_verifier *v,
                 const char *token, size_t len)
{
    return e->v == v && e->gen == lk_jwt_verifier_generation(v) &&
           e->len == len && lk_ct_memeq(e->token, token, len);
}

/* A token found in the cache: its times at now, then its claims. */
static enum lk_err hit(const struct lk_jwt_verifier *v, struct entry *e,
                       int64_t now, struct lk_claims *claims,
                       char *err, size_t errlen)
{
    enum lk_err rc = lk_jwt_times_check(v, &e->times, now, err, errlen);

    if (rc != LK_OK) {
        lk_secure_zero(e, sizeof(*e));    /* expired: not kept */
        return rc;
    }
    if (claims != NULL)
        *claims = e->claims;
    return LK_OK;
}

enum lk_err lk_jwt_verify_cached(const struct lk_jwt_verifier *v,
                                 struct lk_jwt_cache *c,
                                 const char *token, size_t len,
                                 int64_t now, struct lk_claims *claims,
                                 char *err, size_t errlen)
{
    struct entry *e;
    struct lk_claims cl;
    struct lk_jwt_times tm;
    enum lk_err rc;

    if (c == NULL)
        return lk_jwt_verify(v, token, len, now, claims, err, errlen);
    e = slot_of(c, token, len);
    if (holds(e, v, token, len)) {
        c->hits++;
        return hit(v, e, now, claims, err, errlen);
    }
    c->misses++;
    rc = lk_jwt_verify_times(v, token, len, now, &cl, &tm, err, errlen);
    if (rc != LK_OK)
        return rc;
    if (len <= sizeof(e->token)) {
        if (e->len > len)                 /* no tail of the old one */
            lk_secure_zero(e->token + len, e->len - len);
        e->v = v;
        e->gen = lk_jwt_verifier_generation(v);
        e->len = len;
        e->times = tm;
        e->claims = cl;
        memcpy(e->token, token, len);
    }
    if (claims != NULL)
        *claims = cl;
    return LK_OK;
}

void lk_jwt_cache_stats(const struct lk_jwt_cache *c, uint64_t *hits,
                        uint64_t *misses)
{
    *hits = c->hits;
    *misses = c->misses;
}
