/*
 * test_jose.c: sign/verify round trips for all 13 algorithms with
 * generated keys, algorithm confusion, curve and key-type mismatches,
 * ECDSA signature range checks, kid selection and rotation, the key
 * loader, JWKS output, the issue helper and concurrent verification.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "latchkey/lk_jose.h"
#include "tap.h"

#define NOW 1700000000
#define CLAIMS "{\"sub\":\"alice\",\"exp\":1700003600}"

static struct lk_jwk *gen(enum lk_jws_alg a, const char *kid)
{
    struct lk_jwk *k = NULL;
    char err[LK_ERRBUF_SIZE] = "";

    if (lk_jwk_generate(a, kid, &k, err, sizeof(err)) != LK_OK)
        printf("# generate %s: %s\n", lk_jws_alg_name(a), err);
    return k;
}

static enum lk_err verify_with(struct lk_keyset *ks, const char *tok)
{
    struct lk_jwt_verifier *v = NULL;
    struct lk_claims cl;
    enum lk_err rc;

    lk_jwt_verifier_new(ks, &v);
    rc = lk_jwt_verify(v, tok, strlen(tok), NOW, &cl, NULL, 0);
    if (rc == LK_OK && strcmp(cl.sub, "alice") != 0)
        rc = LK_ERR_CLAIM;
    lk_jwt_verifier_free(v);
    return rc;
}

/* A key set from JWKS text, for verification only. */
static struct lk_keyset *set_from(const char *text)
{
    struct lk_keyset *ks = NULL;
    char err[LK_ERRBUF_SIZE] = "";

    lk_keyset_new(&ks);
    if (text != NULL &&
        lk_keyset_load_mem(ks, (const uint8_t *)text, strlen(text),
                           LK_ALG_INVALID, NULL, 0, err, sizeof(err))
        != LK_OK)
        printf("# load: %s\n", err);
    return ks;
}

/* Sign with a fresh key of alg; verify with its public JWKS. */
static void roundtrip(enum lk_jws_alg a)
{
    const char *name = lk_jws_alg_name(a);
    struct lk_keyset *ks = NULL, *pub = NULL;
    struct lk_jwk *k = gen(a, "k1");
    char *tok = NULL, *jwks = NULL, *bad;
    size_t n = 0;

    lk_keyset_new(&ks);
    if (!ok(k != NULL && lk_keyset_add(ks, k, 1) == LK_OK,
            "%s: generated", name)) {
        lk_jwk_free(k);
        lk_keyset_free(ks);
        return;
    }
    lk_jwt_sign(k, CLAIMS, strlen(CLAIMS), &tok, &n, NULL, 0);
    lk_keyset_jwks_json(ks, &jwks);
    pub = lk_jws_alg_name(a)[0] == 'H' ? NULL : set_from(jwks);
    ok(tok != NULL && verify_with(pub ? pub : ks, tok) == LK_OK,
       "%s: signed token verifies%s", name, pub ? " with the JWKS" : "");
    if (tok != NULL) {
        bad = strdup(tok);
        bad[strlen(bad) - 2] ^= 1;   /* change the signature */
        ok(verify_with(pub ? pub : ks, bad) != LK_OK,
           "%s: altered signature refused", name);
        bad[strlen(bad) - 2] ^= 1;
        bad[strchr(bad, '.') - bad + 3] ^= 1;   /* change the claims */
        ok(verify_with(pub ? pub : ks, bad) != LK_OK,
           "%s: altered claims refused", name);
        free(bad);
    }
    free(tok);
    free(jwks);
    lk_keyset_free(pub);
    lk_keyset_free(ks);
}

static void all_algorithms(void)
{
    int a;

    for (a = LK_ALG_HS256; a < LK_ALG__COUNT; a++)
        roundtrip((enum lk_jws_alg)a);
    ok(lk_jws_alg_parse("none", 4) == LK_ALG_INVALID &&
       lk_jws_alg_parse("None", 4) == LK_ALG_INVALID &&
       lk_jws_alg_parse("hs256", 5) == LK_ALG_INVALID &&
       lk_jws_alg_parse("EdDSA", 5) == LK_ALG_EDDSA,
       "alg names are exact; none is never an algorithm");
}

/* Forge HS256 with public key text as the secret (CVE-2016 class). */
static void alg_confusion(void)
{
    struct lk_jwk *rsa = gen(LK_ALG_RS256, NULL), *h = NULL;
    struct lk_keyset *ks = NULL;
    const char *pem = "-----BEGIN PUBLIC KEY-----\nMFkw\n"
                      "-----END PUBLIC KEY-----\n";
    const char *ssh = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAy"
                      "NTYAAAAIbmlzdHAyNTY= x";
    char *jwks = NULL, *forged = NULL;

    ok(lk_jwk_from_secret((const uint8_t *)pem, strlen(pem), LK_ALG_HS256,
                          NULL, &h, NULL, 0) == LK_ERR_INVALID,
       "PEM text refused as an HMAC secret");
    ok(lk_jwk_from_secret((const uint8_t *)ssh, strlen(ssh), LK_ALG_HS256,
                          NULL, &h, NULL, 0) == LK_ERR_INVALID,
       "OpenSSH key text refused as an HMAC secret");
    ok(lk_jwk_from_pem(pem, strlen(pem), LK_ALG_HS256, NULL, &h, NULL, 0)
       != LK_OK, "a PEM key cannot be loaded as HS256");
    lk_keyset_new(&ks);
    lk_keyset_add(ks, rsa, 1);
    lk_keyset_jwks_json(ks, &jwks);
    /* An HS256 token keyed with the JWKS text, which an attacker has. */
    lk_jwk_from_secret((const uint8_t *)jwks, strlen(jwks), LK_ALG_HS256,
                       NULL, &h, NULL, 0);
    if (h != NULL)
        lk_jwt_sign(h, CLAIMS, strlen(CLAIMS), &forged, NULL, NULL, 0);
    ok(forged != NULL && verify_with(ks, forged) == LK_ERR_MISMATCH,
       "HS256 token refused by an RS256 key set");
    free(forged);
    forged = NULL;
    lk_jwk_free(h);
    h = gen(LK_ALG_PS256, NULL);
    if (h != NULL)
        lk_jwt_sign(h, CLAIMS, strlen(CLAIMS), &forged, NULL, NULL, 0);
    ok(forged != NULL && verify_with(ks, forged) != LK_OK,
       "PS256 token refused by an RS256-only set");
    free(forged);
    free(jwks);
    lk_jwk_free(h);
    lk_keyset_free(ks);
}

/* Replace the signature segment of tok with the base64url of sig. */
static char *with_sig(const char *tok, const uint8_t *sig, size_t n)
{
    size_t head = (size_t)(strrchr(tok, '.') - tok) + 1, w = 0;
    char *out = malloc(head + 200);

    memcpy(out, tok, head);
    lk_b64_encode(LK_B64_URL, 0, sig, n, out + head, 200, &w);
    return out;
}

static void ecdsa_ranges(void)
{
    static const uint8_t order[32] = {
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
        0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
    struct lk_jwk *k = gen(LK_ALG_ES256, NULL);
    struct lk_keyset *ks = NULL;
    uint8_t sig[66], good[64];
    size_t n = 0;
    char *tok = NULL, *t;

    lk_keyset_new(&ks);
    lk_keyset_add(ks, k, 1);
    lk_jwt_sign(k, CLAIMS, strlen(CLAIMS), &tok, NULL, NULL, 0);
    ok(tok != NULL && verify_with(ks, tok) == LK_OK, "ES256 control");
    lk_b64_decode(LK_B64_URL, 0, strrchr(tok, '.') + 1,
                  strlen(strrchr(tok, '.') + 1), good, sizeof(good), &n);
    ok(n == 64, "ES256 signature is 64 octets R||S");
    memset(sig, 0, sizeof(sig));
    t = with_sig(tok, sig, 64);
    ok(verify_with(ks, t) == LK_ERR_MISMATCH, "all-zero R||S refused");
    free(t);
    memcpy(sig, order, 32);
    memcpy(sig + 32, good + 32, 32);
    t = with_sig(tok, sig, 64);
    ok(verify_with(ks, t) == LK_ERR_MISMATCH, "r = n refused");
    free(t);
    memcpy(sig, good, 32);
    memset(sig + 32, 0, 32);
    t = with_sig(tok, sig, 64);
    ok(verify_with(ks, t) == LK_ERR_MISMATCH, "s = 0 refused");
    free(t);
    memcpy(sig, good, 64);
    t = with_sig(tok, sig, 63);
    ok(verify_with(ks, t) == LK_ERR_MISMATCH, "63-octet R||S refused");
    free(t);
    sig[64] = 0;
    memmove(sig + 1, good, 64);
    sig[0] = 0;
    t = with_sig(tok, sig, 65);
    ok(verify_with(ks, t) == LK_ERR_MISMATCH, "65-octet R||S refused");
    free(t);
    free(tok);
    lk_keyset_free(ks);
}

/* Keys whose type or curve does not fit the algorithm are refused. */
static void mismatched_keys(void)
{
    struct lk_jwk *k = NULL;
    const char *p384 = "{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"\"}";
    const char *okp = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":"
                      "\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
    char err[LK_ERRBUF_SIZE] = "";
    struct lk_jwk *p = gen(LK_ALG_ES384, NULL);
    struct lk_keyset *ks = NULL;
    char *jwks = NULL;

    lk_keyset_new(&ks);
    lk_keyset_add(ks, p, 1);
    lk_keyset_jwks_json(ks, &jwks);
    ok(jwks != NULL && lk_keyset_load_mem(ks, (const uint8_t *)jwks,
                                          strlen(jwks), LK_ALG_ES256,
                                          NULL, 0, err, sizeof(err))
       != LK_OK, "P-384 key refused for ES256: %s", err);
    ok(lk_jwk_from_json(p384, strlen(p384), LK_ALG_ES384, &k, NULL, 0)
       != LK_OK, "EC JWK with empty x refused");
    ok(lk_jwk_from_json(okp, strlen(okp), LK_ALG_EDDSA, &k, NULL, 0)
       == LK_OK, "Ed25519 JWK loads for EdDSA");
    lk_jwk_free(k);
    ok(lk_jwk_from_json(okp, strlen(okp), LK_ALG_RS256, &k, NULL, 0)
       != LK_OK, "Ed25519 JWK refused for RS256");
    ok(lk_jwk_from_json(okp, strlen(okp), LK_ALG_ES256, &k, NULL, 0)
       != LK_OK, "Ed25519 JWK refused for ES256");
    ok(lk_jwk_from_json(okp, strlen(okp), LK_ALG_HS256, &k, NULL, 0)
       != LK_OK, "Ed25519 JWK refused for HS256");
    ok(lk_jwk_from_secret((const uint8_t *)"short", 5, LK_ALG_HS256, NULL,
                          &k, NULL, 0) == LK_ERR_INVALID,
       "HMAC secret under 32 bytes refused");
    free(jwks);
    lk_keyset_free(ks);
}

/* An RSA key under 2048 bits is refused, as PEM. */
static void small_rsa(void)
{
    const char *tmpl = "openssl genpkey -algorithm RSA -pkeyopt "
                       "rsa_keygen_bits:1024 2>/dev/null";
    char pem[4096], err[LK_ERRBUF_SIZE] = "";
    size_t n;
    FILE *f = popen(tmpl, "r");
    struct lk_jwk *k = NULL;

    n = f != NULL ? fread(pem, 1, sizeof(pem), f) : 0;
    if (f != NULL)
        pclose(f);
    ok(n > 100 && lk_jwk_from_pem(pem, n, LK_ALG_RS256, NULL, &k, err,
                                  sizeof(err)) == LK_ERR_INVALID,
       "RSA-1024 refused: %s", err);
    lk_jwk_free(k);
}

/* Two keys: the new one signs, tokens of both verify; kid selects. */
static void rotation(void)
{
    struct lk_jwk *old = gen(LK_ALG_ES256, "2024"), *cur = gen(
        LK_ALG_ES256, "2025"), *stray = gen(LK_ALG_ES256, "2024");
    struct lk_keyset *ks = NULL;
    char *t_old = NULL, *t_cur = NULL, *t_stray = NULL, *jwks = NULL;

    lk_keyset_new(&ks);
    ok(lk_keyset_add(ks, old, 0) == LK_OK &&
       lk_keyset_add(ks, cur, 1) == LK_OK, "two keys added");
    ok(lk_keyset_signing_key(ks) == cur, "the second key signs");
    ok(lk_keyset_add(ks, stray, 0) == LK_ERR_EXISTS,
       "a duplicate kid is refused");
    lk_jwt_sign(old, CLAIMS, strlen(CLAIMS), &t_old, NULL, NULL, 0);
    lk_jwt_sign(cur, CLAIMS, strlen(CLAIMS), &t_cur, NULL, NULL, 0);
    lk_jwt_sign(stray, CLAIMS, strlen(CLAIMS), &t_stray, NULL, NULL, 0);
    ok(verify_with(ks, t_old) == LK_OK, "token of the old key verifies");
    ok(verify_with(ks, t_cur) == LK_OK, "token of the new key verifies");
    ok(verify_with(ks, t_stray) == LK_ERR_MISMATCH,
       "unknown key under a known kid is refused");
    lk_keyset_jwks_json(ks, &jwks);
    ok(jwks != NULL && strstr(jwks, "\"kid\":\"2024\"") &&
       strstr(jwks, "\"kid\":\"2025\""), "JWKS lists both kids");
    free(t_old);
    free(t_cur);
    free(t_stray);
    free(jwks);
    lk_jwk_free(stray);
    lk_keyset_free(ks);
}

static void jwks_output(void)
{
    struct lk_keyset *ks = NULL;
    char *out = NULL;
    json_t *j, *e;
    json_error_t jerr;
    size_t i, priv = 0;

    lk_keyset_new(&ks);
    lk_keyset_add(ks, gen(LK_ALG_HS256, "h"), 1);
    lk_keyset_jwks_json(ks, &out);
    ok(out != NULL && strcmp(out, "{\"keys\":[]}") == 0,
       "HMAC-only set publishes no key: %s", out);
    free(out);
    lk_keyset_add(ks, gen(LK_ALG_RS256, "r"), 0);
    lk_keyset_add(ks, gen(LK_ALG_EDDSA, "e"), 0);
    lk_keyset_add(ks, gen(LK_ALG_ES512, NULL), 0);
    lk_keyset_jwks_json(ks, &out);
    j = json_loads(out ? out : "", 0, &jerr);
    ok(json_array_size(json_object_get(j, "keys")) == 3,
       "three public keys published");
    json_array_foreach(json_object_get(j, "keys"), i, e) {
        priv += json_object_get(e, "d") != NULL ||
                json_object_get(e, "k") != NULL;
    }
    e = json_array_get(json_object_get(j, "keys"), 2);
    ok(priv == 0, "no private member published");
    ok(strcmp(json_string_value(json_object_get(e, "crv")), "P-521") == 0
       && json_string_length(json_object_get(e, "x")) == 88,
       "P-521 coordinates are 66 octets");
    json_decref(j);
    free(out);
    lk_keyset_free(ks);
}

/* Write a key file and load it back through the one loader. */
static void file_roundtrip(const char *dir, enum lk_jws_alg a)
{
    char path[512], *tok = NULL;
    struct lk_jwk *k = gen(a, NULL);
    struct lk_keyset *ks = NULL;
    struct stat st;
    const char *name = lk_jws_alg_name(a);

    snprintf(path, sizeof(path), "%s/%s.key", dir, name);
    ok(k != NULL && lk_jwk_write_private(k, path, NULL, 0) == LK_OK &&
       stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
       "%s: key file written with mode 0600", name);
    ok(lk_jwk_write_private(k, path, NULL, 0) == LK_ERR_IO,
       "%s: an existing key file is never overwritten", name);
    lk_keyset_new(&ks);
    ok(lk_keyset_load_file(ks, path, a, NULL, 1, NULL, 0) == LK_OK &&
       lk_keyset_signing_key(ks) != NULL, "%s: key file loads", name);
    if (k != NULL)
        lk_jwt_sign(k, CLAIMS, strlen(CLAIMS), &tok, NULL, NULL, 0);
    ok(tok != NULL && verify_with(ks, tok) == LK_OK,
       "%s: loaded key verifies the original's token", name);
    free(tok);
    lk_jwk_free(k);
    lk_keyset_free(ks);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    fputs(text, f);
    fclose(f);
}

/* Raw secrets lose one trailing newline; JWKS skips non-sig keys. */
static void loader_formats(const char *dir)
{
    const char *secret = "0123456789abcdef0123456789abcdef!";
    char path[512], *a = NULL, *b = NULL;
    struct lk_keyset *ks = NULL;
    struct lk_jwk *k = NULL;

    snprintf(path, sizeof(path), "%s/raw", dir);
    write_text(path, "0123456789abcdef0123456789abcdef!\n");
    lk_keyset_new(&ks);
    ok(lk_keyset_load_file(ks, path, LK_ALG_HS384, "r1", 1, NULL, 0)
       == LK_OK, "raw secret file loads as HS384");
    lk_jwk_from_secret((const uint8_t *)secret, strlen(secret),
                       LK_ALG_HS384, "r1", &k, NULL, 0);
    lk_jwt_sign(k, CLAIMS, strlen(CLAIMS), &a, NULL, NULL, 0);
    lk_jwt_sign(lk_keyset_signing_key(ks), CLAIMS, strlen(CLAIMS), &b,
                NULL, NULL, 0);
    ok(a != NULL && b != NULL && strcmp(a, b) == 0 &&
       lk_jwk_alg(lk_keyset_signing_key(ks)) == LK_ALG_HS384,
       "the trailing newline is not part of the secret");
    lk_jwk_free(k);
    lk_keyset_free(ks);
    free(a);
    free(b);
    snprintf(path, sizeof(path), "%s/set.json", dir);
    write_text(path, "{\"keys\":[{\"kty\":\"oct\",\"use\":\"enc\",\"k\":"
               "\"AAAA\"},{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":"
               "\"ed\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
               "\"}]}\n");
    lk_keyset_new(&ks);
    ok(lk_keyset_load_file(ks, path, LK_ALG_INVALID, NULL, 0, NULL, 0)
       == LK_OK && lk_keyset_count(ks) == 1 &&
       strcmp(lk_jwk_kid(lk_keyset_get(ks, 0)), "ed") == 0 &&
       lk_jwk_alg(lk_keyset_get(ks, 0)) == LK_ALG_EDDSA,
       "JWKS: the enc key is skipped, the Ed25519 key kept with its kid");
    ok(lk_keyset_load_file(ks, "/nonexistent/key", LK_ALG_HS256, NULL, 0,
                           NULL, 0) == LK_ERR_IO, "missing file refused");
    lk_keyset_free(ks);
}

static void files(void)
{
    char dir[] = "/tmp/lk_jose_XXXXXX", cmd[64];
    int a;

    if (!ok(mkdtemp(dir) != NULL, "temporary directory"))
        return;
    for (a = LK_ALG_HS256; a < LK_ALG__COUNT; a += 3)
        file_roundtrip(dir, (enum lk_jws_alg)a);
    loader_formats(dir);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    ok(system(cmd) == 0, "cleaned up");
}

/* Decode the claims of a token we made. */
static json_t *claims_of(const char *tok)
{
    const char *p = strchr(tok, '.') + 1;
    uint8_t buf[2048];
    size_t n = 0;
    json_error_t jerr;

    lk_b64_decode(LK_B64_URL, 0, p, (size_t)(strchr(p, '.') - p), buf,
                  sizeof(buf), &n);
    return json_loadb((const char *)buf, n, 0, &jerr);
}

static void issue(void)
{
    struct lk_jwk *k = gen(LK_ALG_HS256, NULL);
    struct lk_keyset *ks = NULL;
    struct lk_jwt_verifier *v = NULL;
    struct lk_jwt_issue_opts o = {"alice", 1800, " read  write ",
                                  "https://as.example", "api"};
    struct lk_claims cl;
    char *t1 = NULL, *t2 = NULL;
    json_t *c1, *c2;

    lk_keyset_new(&ks);
    lk_keyset_add(ks, k, 1);
    lk_jwt_issue(k, &o, NOW, &t1, NULL, NULL, 0);
    lk_jwt_issue(k, &o, NOW, &t2, NULL, NULL, 0);
    lk_jwt_verifier_new(ks, &v);
    lk_jwt_verifier_set_issuer(v, "https://as.example");
    lk_jwt_verifier_set_audience(v, "api");
    lk_jwt_verifier_set_required(v, LK_REQ_EXP | LK_REQ_IAT | LK_REQ_SUB |
                                 LK_REQ_JTI | LK_REQ_ISS | LK_REQ_AUD);
    ok(t1 != NULL && lk_jwt_verify(v, t1, strlen(t1), NOW + 1799, &cl,
                                   NULL, 0) == LK_OK &&
       strcmp(cl.sub, "alice") == 0 && strcmp(cl.scope, "read write") == 0
       && cl.iat == NOW && cl.exp == NOW + 1800, "issued token verifies");
    ok(lk_jwt_verify(v, t1, strlen(t1), NOW + 1800, &cl, NULL, 0) ==
       LK_ERR_EXPIRED, "issued token expires after ttl");
    c1 = claims_of(t1);
    c2 = claims_of(t2);
    ok(json_string_length(json_object_get(c1, "jti")) == 22 &&
       strcmp(json_string_value(json_object_get(c1, "jti")),
              json_string_value(json_object_get(c2, "jti"))) != 0,
       "jti is 128 random bits, different each time");
    ok(strcmp(json_string_value(json_object_get(c1, "scope")),
              "read write") == 0 &&
       json_array_size(json_object_get(c1, "scopes")) == 2 &&
       strcmp(json_string_value(json_array_get(json_object_get(c1,
              "scopes"), 1)), "write") == 0, "scope and scopes emitted");
    ok(lk_claims_check_scopes(&cl, "write") == LK_OK &&
       lk_claims_check_scopes(&cl, "read admin") == LK_ERR_SCOPE &&
       lk_claims_check_scopes(&cl, "rea") == LK_ERR_SCOPE,
       "scope check is on whole names");
    json_decref(c1);
    json_decref(c2);
    free(t1);
    free(t2);
    o.scope = "";
    o.iss = o.aud = NULL;
    lk_jwt_issue(k, &o, NOW, &t1, NULL, NULL, 0);
    c1 = claims_of(t1);
    ok(json_object_size(c1) == 4 && json_object_get(c1, "scope") == NULL,
       "no scope members for an empty scope: sub iat exp jti only");
    json_decref(c1);
    free(t1);
    o.ttl = 0;
    ok(lk_jwt_issue(k, &o, NOW, &t1, NULL, NULL, 0) == LK_ERR_INVALID,
       "ttl 0 refused");
    o.ttl = 60;
    o.sub = NULL;
    ok(lk_jwt_issue(k, &o, NOW, &t1, NULL, NULL, 0) == LK_ERR_INVALID,
       "missing sub refused");
    lk_jwt_verifier_free(v);
    lk_keyset_free(ks);
}

struct worker {
    const struct lk_jwt_verifier *v;
    const char *tok[2];
    int good;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    struct lk_claims cl;
    int i;

    for (i = 0; i < 2000; i++) {
        const char *t = w->tok[i & 1];
        w->good += lk_jwt_verify(w->v, t, strlen(t), NOW, &cl, NULL, 0)
                   == LK_OK && strcmp(cl.sub, "alice") == 0;
    }
    return NULL;
}

/* One verifier shared by four threads, no locks. */
static void threads(void)
{
    struct lk_jwk *h = gen(LK_ALG_HS256, "h"), *e = gen(LK_ALG_EDDSA, "e");
    struct lk_keyset *ks = NULL;
    struct lk_jwt_verifier *v = NULL;
    struct worker w[4];
    pthread_t th[4];
    char *t1 = NULL, *t2 = NULL;
    int i, good = 0;

    lk_keyset_new(&ks);
    lk_keyset_add(ks, h, 1);
    lk_keyset_add(ks, e, 0);
    lk_jwt_sign(h, CLAIMS, strlen(CLAIMS), &t1, NULL, NULL, 0);
    lk_jwt_sign(e, CLAIMS, strlen(CLAIMS), &t2, NULL, NULL, 0);
    lk_jwt_verifier_new(ks, &v);
    for (i = 0; i < 4; i++) {
        w[i] = (struct worker){v, {t1, t2}, 0};
        pthread_create(&th[i], NULL, work, &w[i]);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        good += w[i].good;
    }
    ok(good == 8000, "8000 concurrent verifications all good (%d)", good);
    free(t1);
    free(t2);
    lk_jwt_verifier_free(v);
    lk_keyset_free(ks);
}

int main(void)
{
    all_algorithms();
    alg_confusion();
    ecdsa_ranges();
    mismatched_keys();
    small_rsa();
    rotation();
    jwks_output();
    files();
    issue();
    threads();
    return tap_done();
}
