/*
 * fuzz_jwt.c: libFuzzer target for JWT verification with an HS256 key
 * set. The first input byte picks a mode: (0) the rest is a compact
 * token; (1) the rest is a claims object that the library signs and
 * then verifies; (2) the rest is "header JSON \n claims JSON", encoded
 * and signed here with the right key, so the header and claims checks
 * behind the signature are reached too. Two verifiers run: the default
 * one and a strict one (issuer, audience, all claims, small limit).
 * Every verdict is checked against lk_jwt_verify_cached, twice, on one
 * small cache shared by both verifiers: the cache must never change an
 * answer or the claims.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "latchkey/lk_jose.h"

#define FUZZ_SECRET "fuzz-secret-0123456789abcdef0123456789abcdef"
#define FUZZ_NOW 2000000000
#define TOKEN_MAX 16384

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_ctx {
    struct lk_keyset *ks;
    const struct lk_jwk *key;
    struct lk_jwt_verifier *loose, *strict;
    struct lk_jwt_cache *cache;
};

/* Build the key set and verifiers once; abort if the library cannot. */
static struct fuzz_ctx *ctx_get(void)
{
    static struct fuzz_ctx c;
    struct lk_jwk *k = NULL;

    if (c.ks != NULL)
        return &c;
    if (lk_jwk_from_secret((const uint8_t *)FUZZ_SECRET,
                           sizeof(FUZZ_SECRET) - 1, LK_ALG_HS256, "k1",
                           &k, NULL, 0) != LK_OK ||
        lk_keyset_new(&c.ks) != LK_OK || lk_keyset_add(c.ks, k, 1) != LK_OK ||
        lk_jwt_verifier_new(c.ks, &c.loose) != LK_OK ||
        lk_jwt_verifier_new(c.ks, &c.strict) != LK_OK ||
        lk_jwt_verifier_set_issuer(c.strict, "https://iss") != LK_OK ||
        lk_jwt_verifier_set_audience(c.strict, "api") != LK_OK ||
        lk_jwt_cache_new(4, &c.cache) != LK_OK)
        abort();
    c.key = lk_keyset_signing_key(c.ks);
    lk_jwt_verifier_set_leeway(c.strict, 30);
    lk_jwt_verifier_set_required(c.strict, 127u);
    lk_jwt_verifier_set_max_size(c.strict, 1024);
    return &c;
}

/* The cached verification of tok, twice, must say what rc and cl
 * (the plain one) said. */
static void same_cached(struct fuzz_ctx *c, const struct lk_jwt_verifier *v,
                        const char *tok, size_t len, enum lk_err rc,
                        const struct lk_claims *cl)
{
    struct lk_claims got;
    int i;

    for (i = 0; i < 2; i++) {
        if (lk_jwt_verify_cached(v, c->cache, tok, len, FUZZ_NOW, &got,
                                 NULL, 0) != rc)
            abort();
        if (rc == LK_OK && (strcmp(got.sub, cl->sub) != 0 ||
                            strcmp(got.scope, cl->scope) != 0 ||
                            got.exp != cl->exp || got.nbf != cl->nbf ||
                            got.iat != cl->iat))
            abort();
    }
}

/* Verify with both verifiers; check the claims on success. */
static void verify(struct fuzz_ctx *c, const char *tok, size_t len)
{
    struct lk_claims cl;
    char err[LK_ERRBUF_SIZE];
    char *copy = malloc(len ? len : 1);
    enum lk_err rc;

    if (copy == NULL)
        return;
    memcpy(copy, tok, len);
    rc = lk_jwt_verify(c->loose, copy, len, FUZZ_NOW, &cl, err, sizeof(err));
    if (rc == LK_OK &&
        (strnlen(cl.sub, sizeof(cl.sub)) == sizeof(cl.sub) ||
         strnlen(cl.scope, sizeof(cl.scope)) == sizeof(cl.scope)))
        abort();
    same_cached(c, c->loose, copy, len, rc, &cl);
    rc = lk_jwt_verify(c->strict, copy, len, FUZZ_NOW, &cl, err,
                       sizeof(err));
    same_cached(c, c->strict, copy, len, rc, &cl);
    (void)lk_jwt_verify(c->loose, copy, len, FUZZ_NOW, NULL, NULL, 0);
    free(copy);
}

/* Append the base64url encoding of in[0..n) at tok + *pos. */
static int put_seg(char *tok, size_t *pos, const uint8_t *in, size_t n)
{
    size_t out = 0;

    if (lk_b64_encode(LK_B64_URL, 0, in, n, tok + *pos, TOKEN_MAX - *pos,
                      &out) != LK_OK)
        return -1;
    *pos += out;
    return 0;
}

/* Mode 2: encode header and claims, sign with HMAC-SHA256 here. */
static void signed_here(struct fuzz_ctx *c, const uint8_t *d, size_t n)
{
    static char tok[TOKEN_MAX];
    const uint8_t *nl = memchr(d, '\n', n);
    size_t hl = nl ? (size_t)(nl - d) : n, pos = 0;
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned maclen = 0;

    if (n > TOKEN_MAX / 2 || put_seg(tok, &pos, d, hl) != 0)
        return;
    tok[pos++] = '.';
    if (put_seg(tok, &pos, nl ? nl + 1 : d + n, nl ? n - hl - 1 : 0) != 0)
        return;
    if (HMAC(EVP_sha256(), FUZZ_SECRET, (int)sizeof(FUZZ_SECRET) - 1,
             (const uint8_t *)tok, pos, mac, &maclen) == NULL)
        return;
    tok[pos++] = '.';
    if (put_seg(tok, &pos, mac, maclen) != 0)
        return;
    verify(c, tok, pos);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_ctx *c = ctx_get();
    char *tok = NULL;
    size_t toklen = 0;

    if (size == 0)
        return 0;
    switch (data[0] % 3) {
    case 0:
        verify(c, (const char *)data + 1, size - 1);
        break;
    case 1:
        if (lk_jwt_sign(c->key, (const char *)data + 1, size - 1, &tok,
                        &toklen, NULL, 0) == LK_OK)
            verify(c, tok, toklen);
        free(tok);
        break;
    default:
        signed_here(c, data + 1, size - 1);
        break;
    }
    return 0;
}
