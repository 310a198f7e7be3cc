/*
 * test_jose_vectors.c: the shared JOSE conformance data, every case:
 * vectors/jws.json (signatures and structure, at level jws or jwt, with
 * deterministic algorithms re-signed byte for byte), vectors/
 * jwt_claims.json (claim rules) and the jwt_verify cases of
 * cases/cases.json (alg none, algorithm confusion, times, aud, kid).
 */
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "latchkey/lk_jose.h"
#include "tap.h"

/* The HS256 secret of jwt_claims.json, as its notes give it. */
#define CLAIMS_SECRET "vector-secret-3f9c1e0a7b6d4e2f8a1c0b9d7e6f5a4b"

static json_t *load_json(const char *rel)
{
    char path[512];
    json_error_t jerr;
    json_t *j = json_load_file(tap_shared(rel, path, sizeof(path)), 0,
                               &jerr);

    ok(j != NULL, "load %s", rel);
    return j;
}

static const char *jstr(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

/* A key from a JWK object for alg; public members only if pub. */
static struct lk_jwk *jwk_key(json_t *jwk, enum lk_jws_alg alg, int pub)
{
    static const char *const priv[] = {"d", "p", "q", "dp", "dq", "qi"};
    json_t *copy = json_deep_copy(jwk);
    struct lk_jwk *k = NULL;
    char *text, err[LK_ERRBUF_SIZE] = "";
    size_t i;

    for (i = 0; pub && i < sizeof(priv) / sizeof(priv[0]); i++)
        json_object_del(copy, priv[i]);
    text = json_dumps(copy, JSON_COMPACT);
    if (lk_jwk_from_json(text, strlen(text), alg, &k, err, sizeof(err))
        != LK_OK)
        printf("# key: %s\n", err);
    free(text);
    json_decref(copy);
    return k;
}

/* Does the verified payload equal the case's payload? */
static int payload_matches(json_t *c, const uint8_t *pay, size_t n)
{
    json_t *want = json_object_get(c, "payload"), *got;
    json_error_t jerr;
    int same;

    if (json_is_string(want) && jstr(c, "payload_format") != NULL)
        return strlen(json_string_value(want)) == n &&
               memcmp(json_string_value(want), pay, n) == 0;
    got = json_loadb((const char *)pay, n, 0, &jerr);
    same = got != NULL && json_equal(got, want);
    json_decref(got);
    return same;
}

/* Re-sign the exact header and payload bytes; must give the token. */
static void resign(json_t *c, const struct lk_jwk *key, const char *id)
{
    const char *tok = jstr(c, "token"), *d1 = strchr(tok, '.');
    const char *d2 = strchr(d1 + 1, '.');
    uint8_t hdr[1024], pay[4096];
    size_t hl = 0, pl = 0, outlen = 0;
    char *out = NULL, err[LK_ERRBUF_SIZE] = "";

    lk_b64_decode(LK_B64_URL, 0, tok, (size_t)(d1 - tok), hdr,
                  sizeof(hdr), &hl);
    lk_b64_decode(LK_B64_URL, 0, d1 + 1, (size_t)(d2 - d1 - 1), pay,
                  sizeof(pay), &pl);
    lk_jws_sign(key, (const char *)hdr, hl, pay, pl, &out, &outlen, err,
                sizeof(err));
    ok(out != NULL && strcmp(out, tok) == 0, "%s: re-signed byte for "
       "byte %s", id, err);
    free(out);
}

static int deterministic(enum lk_jws_alg a)
{
    return a == LK_ALG_EDDSA || (a >= LK_ALG_HS256 && a <= LK_ALG_RS512);
}

/* Sign with a randomised algorithm and verify the result. */
static void roundtrip(json_t *c, const struct lk_jwk *priv,
                      struct lk_keyset *ks, const char *id)
{
    const char *p = "{\"sub\":\"x\"}";
    char *out = NULL;
    size_t n = 0;

    lk_jwt_sign(priv, p, strlen(p), &out, &n, NULL, 0);
    ok(out != NULL && lk_jws_verify(ks, out, n, 16384, NULL, NULL, NULL,
                                    0) == LK_OK,
       "%s: fresh signature verifies", id);
    free(out);
    (void)c;
}

/* Sign-side checks of a valid jws.json case. */
static void sign_side(json_t *c, enum lk_jws_alg alg,
                      struct lk_keyset *ks, const char *id)
{
    json_t *pk = json_object_get(c, "private_key");
    struct lk_jwk *priv;

    if (pk == NULL && json_object_get(json_object_get(c, "key"), "d") ==
        NULL && strcmp(jstr(json_object_get(c, "key"), "kty"), "oct"))
        return;
    priv = jwk_key(pk != NULL ? pk : json_object_get(c, "key"), alg, 0);
    ok(priv != NULL && lk_jwk_is_private(priv), "%s: signing key", id);
    if (priv != NULL && deterministic(alg))
        resign(c, priv, id);
    else if (priv != NULL)
        roundtrip(c, priv, ks, id);
    lk_jwk_free(priv);
}

/* Verify one jws.json case at its level. */
static enum lk_err verify_case(json_t *c, struct lk_keyset *ks,
                               uint8_t **pay, size_t *pn)
{
    const char *tok = jstr(c, "token");
    struct lk_jwt_verifier *v = NULL;
    char err[LK_ERRBUF_SIZE] = "";
    enum lk_err rc;

    if (strcmp(jstr(c, "level"), "jws") == 0) {
        rc = lk_jws_verify(ks, tok, strlen(tok), 16384, pay, pn, err,
                           sizeof(err));
    } else {
        lk_jwt_verifier_new(ks, &v);
        lk_jwt_verifier_set_required(v, 0);
        rc = lk_jwt_verify_payload(v, tok, strlen(tok),
                                   json_integer_value(json_object_get(
                                       c, "now")), NULL, (char **)pay,
                                   pn, err, sizeof(err));
        lk_jwt_verifier_free(v);
    }
    if (rc != LK_OK)
        printf("# %s: %s\n", jstr(c, "id"), err);
    return rc;
}

static void jws_case(json_t *c)
{
    const char *id = jstr(c, "id");
    enum lk_jws_alg alg = lk_jws_alg_parse(jstr(c, "alg"),
                                           strlen(jstr(c, "alg")));
    int valid = json_is_true(json_object_get(c, "valid"));
    struct lk_jwk *k = jwk_key(json_object_get(c, "key"), alg, 1);
    struct lk_keyset *ks = NULL;
    uint8_t *pay = NULL;
    size_t pn = 0;
    enum lk_err rc;

    lk_keyset_new(&ks);
    if (!ok(k != NULL && lk_keyset_add(ks, k, 0) == LK_OK,
            "%s: key loads as %s", id, jstr(c, "alg"))) {
        lk_jwk_free(k);
        lk_keyset_free(ks);
        return;
    }
    rc = verify_case(c, ks, &pay, &pn);
    if (valid) {
        ok(rc == LK_OK && payload_matches(c, pay, pn),
           "%s: accepted with the right payload", id);
        sign_side(c, alg, ks, id);
    } else {
        ok(rc != LK_OK, "%s: rejected (%s: %s)", id, jstr(c, "category"),
           lk_strerror(rc));
    }
    free(pay);
    lk_keyset_free(ks);
}

/* Required-claim flags from a list of names. */
static unsigned req_flags(json_t *names)
{
    static const char *const n[] = {"exp", "iat", "nbf", "sub", "iss",
                                    "aud", "jti"};
    unsigned f = 0, i;
    size_t j;
    json_t *e;

    json_array_foreach(names, j, e) {
        for (i = 0; i < 7; i++) {
            if (strcmp(json_string_value(e), n[i]) == 0)
                f |= 1u << i;
        }
    }
    return f;
}

/* Does the error code fit the case's intended category? */
static int error_fits(const char *want, enum lk_err rc)
{
    if (strcmp(want, "expired") == 0)
        return rc == LK_ERR_EXPIRED;
    if (strcmp(want, "not_yet_valid") == 0)
        return rc == LK_ERR_NOT_YET_VALID;
    if (strcmp(want, "invalid_audience") == 0)
        return rc == LK_ERR_AUDIENCE;
    if (strcmp(want, "invalid_issuer") == 0)
        return rc == LK_ERR_ISSUER;
    if (strcmp(want, "insufficient_scope") == 0)
        return rc == LK_ERR_SCOPE;
    if (strcmp(want, "missing_claim") == 0)
        return rc == LK_ERR_CLAIM || rc == LK_ERR_ISSUER ||
               rc == LK_ERR_AUDIENCE;
    return rc == LK_ERR_CLAIM;
}

/* The token's scopes, as the case lists them, joined by spaces. */
static void join_scopes(json_t *list, char *buf, size_t cap)
{
    size_t i, used = 0;
    json_t *e;

    buf[0] = '\0';
    json_array_foreach(list, i, e) {
        used += (size_t)snprintf(buf + used, cap - used, "%s%s",
                                 used ? " " : "", json_string_value(e));
    }
}

static int claims_equal(const struct lk_claims *a, const struct lk_claims *b)
{
    return strcmp(a->sub, b->sub) == 0 && strcmp(a->scope, b->scope) == 0 &&
           a->has_scope == b->has_scope && a->exp == b->exp &&
           a->nbf == b->nbf && a->iat == b->iat &&
           a->has_exp == b->has_exp && a->has_nbf == b->has_nbf &&
           a->has_iat == b->has_iat;
}

/* The cached verifier must decide each case as the plain one did,
 * the second time from its cache, and a cached token must still expire. */
static void cached_case(const char *id, const struct lk_jwt_verifier *v,
                        const char *tok, int64_t now, enum lk_err want,
                        const struct lk_claims *cl, int64_t leeway)
{
    struct lk_jwt_cache *cache = NULL;
    struct lk_claims got[2];
    enum lk_err rc[2];
    uint64_t hits = 0, misses = 0;
    int i;

    lk_jwt_cache_new(4, &cache);
    for (i = 0; i < 2; i++)
        rc[i] = lk_jwt_verify_cached(v, cache, tok, strlen(tok), now,
                                     &got[i], NULL, 0);
    lk_jwt_cache_stats(cache, &hits, &misses);
    if (want != LK_OK) {
        ok(rc[0] == want && rc[1] == want && hits == 0,
           "claims %s: cached verify refuses it too", id);
    } else {
        ok(rc[0] == LK_OK && rc[1] == LK_OK && hits == 1 && misses == 1 &&
           claims_equal(&got[0], cl) && claims_equal(&got[1], cl),
           "claims %s: cached verify, second from the cache, same claims",
           id);
        if (cl->has_exp)
            ok(lk_jwt_verify_cached(v, cache, tok, strlen(tok),
                                    cl->exp + leeway + 1, NULL, NULL, 0)
               == LK_ERR_EXPIRED,
               "claims %s: the cached token expires", id);
    }
    lk_jwt_cache_free(cache);
}

static void claims_case(json_t *c, struct lk_keyset *ks)
{
    const char *id = jstr(c, "id"), *tok = jstr(c, "token");
    struct lk_jwt_verifier *v = NULL;
    struct lk_claims cl;
    char err[LK_ERRBUF_SIZE] = "", req[256] = "", want[1024];
    int valid = json_is_true(json_object_get(c, "valid"));
    enum lk_err rc;

    lk_jwt_verifier_new(ks, &v);
    lk_jwt_verifier_set_issuer(v, jstr(c, "expected_issuer"));
    lk_jwt_verifier_set_audience(v, jstr(c, "expected_audience"));
    lk_jwt_verifier_set_leeway(v, json_integer_value(
        json_object_get(c, "leeway")));
    lk_jwt_verifier_set_required(v, req_flags(json_object_get(
        c, "required_claims")));
    memset(&cl, 0, sizeof(cl));
    rc = lk_jwt_verify(v, tok, strlen(tok), json_integer_value(
        json_object_get(c, "now")), &cl, err, sizeof(err));
    cached_case(id, v, tok, json_integer_value(json_object_get(c, "now")),
                rc, &cl, json_integer_value(json_object_get(c, "leeway")));
    join_scopes(json_object_get(c, "required_scopes"), req, sizeof(req));
    if (rc == LK_OK)
        rc = lk_claims_check_scopes(&cl, req);
    if (valid) {
        join_scopes(json_object_get(c, "scopes"), want, sizeof(want));
        ok(rc == LK_OK && strcmp(cl.scope, want) == 0 &&
           strcmp(cl.sub, jstr(json_object_get(c, "payload"), "sub")) == 0,
           "claims %s: valid, scopes '%s' %s", id, cl.scope, err);
    } else {
        ok(rc != LK_OK && error_fits(jstr(c, "error"), rc),
           "claims %s: rejected as %s (%s)", id, jstr(c, "error"), err);
    }
    lk_jwt_verifier_free(v);
}

static void vectors(void)
{
    json_t *doc = load_json("vectors/jws.json"), *c;
    struct lk_keyset *ks = NULL;
    struct lk_jwk *k = NULL;
    size_t i;

    json_array_foreach(json_object_get(doc, "cases"), i, c)
        jws_case(c);
    json_decref(doc);
    doc = load_json("vectors/jwt_claims.json");
    lk_keyset_new(&ks);
    lk_jwk_from_secret((const uint8_t *)CLAIMS_SECRET,
                       strlen(CLAIMS_SECRET), LK_ALG_HS256, NULL, &k,
                       NULL, 0);
    ok(k != NULL && lk_keyset_add(ks, k, 1) == LK_OK, "claims key");
    json_array_foreach(json_object_get(doc, "cases"), i, c)
        claims_case(c, ks);
    lk_keyset_free(ks);
    json_decref(doc);
}

/* The key set a cases.json server block configures. */
static struct lk_keyset *case_keys(json_t *srv)
{
    const char *alg = jstr(srv, "jwt_alg"), *sec = jstr(srv, "jwt_secret");
    const char *pem = jstr(srv, "public_key_pem");
    enum lk_jws_alg a = lk_jws_alg_parse(alg, strlen(alg));
    struct lk_keyset *ks = NULL;
    struct lk_jwk *k = NULL;

    lk_keyset_new(&ks);
    if (sec != NULL)
        lk_jwk_from_secret((const uint8_t *)sec, strlen(sec), a, NULL, &k,
                           NULL, 0);
    else if (pem != NULL)
        lk_jwk_from_pem(pem, strlen(pem), a, NULL, &k, NULL, 0);
    ok(k != NULL && lk_keyset_add(ks, k, 0) == LK_OK, "server key %s",
       alg);
    return ks;
}

static void case_block(const char *id, json_t *b)
{
    json_t *srv = json_object_get(b, "server"), *t;
    struct lk_keyset *ks = case_keys(srv);
    struct lk_jwt_verifier *v = NULL;
    struct lk_claims cl;
    char err[LK_ERRBUF_SIZE];
    size_t i;
    enum lk_err rc;

    lk_jwt_verifier_new(ks, &v);
    lk_jwt_verifier_set_issuer(v, jstr(srv, "issuer"));
    lk_jwt_verifier_set_audience(v, jstr(srv, "audience"));
    json_array_foreach(json_object_get(b, "tokens"), i, t) {
        const char *tok = jstr(t, "token");
        int accept = strcmp(jstr(t, "expect"), "accept") == 0;
        err[0] = '\0';
        rc = lk_jwt_verify(v, tok, strlen(tok), (int64_t)time(NULL), &cl,
                           err, sizeof(err));
        ok(accept ? rc == LK_OK && strcmp(cl.sub, "janedoe") == 0 :
           rc != LK_OK, "%s %s: %s [%s]", id, jstr(t, "expect"),
           jstr(t, "note"), err);
    }
    lk_jwt_verifier_free(v);
    lk_keyset_free(ks);
}

static void cases(void)
{
    json_t *doc = load_json("cases/cases.json"), *c, *b;
    size_t i, j, n = 0;

    json_array_foreach(doc, i, c) {
        if (strcmp(jstr(c, "kind"), "jwt_verify") != 0)
            continue;
        n++;
        json_array_foreach(json_object_get(c, "blocks"), j, b)
            case_block(jstr(c, "id"), b);
    }
    ok(n >= 5, "%zu jwt_verify cases replayed", n);
    json_decref(doc);
}

int main(void)
{
    vectors();
    cases();
    return tap_done();
}
