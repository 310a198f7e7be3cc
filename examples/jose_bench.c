/*
 * jose_bench.c: verifications per second of lk_jwt_verify for HS256,
 * RS256, ES256 and EdDSA on a typical access token, next to the bare
 * primitive on the same bytes (HMAC-SHA256 one-shot and with a reused
 * context; EVP_DigestVerify with a ready key) as the limit.
 *
 * usage: jose_bench [DIR]  With DIR, each key (DIR/ALG.key) and token
 * (DIR/ALG.token) is written there so that other tools can measure
 * the same tokens. Output: one "RESULT name ops_per_sec" per line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "latchkey/lk_jose.h"

#define NOW 1700000000
#define MIN_SECONDS 0.4

static const char claims_fmt[] =
    "{\"sub\":\"janedoe\",\"iat\":1700000000,\"exp\":1700001800,"
    "\"jti\":\"Xk3Q9bT0yLw2mVn8cRf1Aa\",\"scope\":\"items:read me\","
    "\"scopes\":[\"items:read\",\"me\"]}";

/* What one measured operation needs. */
struct bench {
    const char *tok;
    size_t len, input_len;
    const struct lk_jwt_verifier *v;
    EVP_PKEY *pkey;
    const EVP_MD *md;
    uint8_t *sig;
    size_t siglen;
    EVP_MAC_CTX *mac;
    const uint8_t *secret;
    size_t secret_len;
};

static double seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run op in growing batches for MIN_SECONDS; operations per second. */
static double measure(int (*op)(struct bench *), struct bench *b)
{
    double t0 = seconds(), t;
    long n = 0, batch = 64, i;

    do {
        for (i = 0; i < batch; i++) {
            if (op(b) != 0) {
                fprintf(stderr, "jose_bench: operation failed\n");
                exit(1);
            }
        }
        n += batch;
        batch *= 2;
    } while ((t = seconds() - t0) < MIN_SECONDS);
    return (double)n / t;
}

static int op_verify(struct bench *b)
{
    struct lk_claims cl;

    return lk_jwt_verify(b->v, b->tok, b->len, NOW, &cl, NULL, 0);
}

static int op_hmac_oneshot(struct bench *b)
{
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    return HMAC(EVP_sha256(), b->secret, (int)b->secret_len,
                (const uint8_t *)b->tok, b->input_len, mac, &n) == NULL;
}

static int op_hmac_reused(struct bench *b)
{
    uint8_t mac[EVP_MAX_MD_SIZE];
    size_t n = 0;

    return EVP_MAC_init(b->mac, NULL, 0, NULL) != 1 ||
           EVP_MAC_update(b->mac, (const uint8_t *)b->tok,
                          b->input_len) != 1 ||
           EVP_MAC_final(b->mac, mac, &n, sizeof(mac)) != 1;
}

static int op_evp_verify(struct bench *b)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = ctx == NULL ||
             EVP_DigestVerifyInit(ctx, NULL, b->md, NULL, b->pkey) != 1 ||
             EVP_DigestVerify(ctx, b->sig, b->siglen,
                              (const uint8_t *)b->tok,
                              b->input_len) != 1;

    EVP_MD_CTX_free(ctx);
    return rc;
}

/* Read a whole small file (the key we just wrote). */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(65536);

    *len = f != NULL && buf != NULL ? fread(buf, 1, 65535, f) : 0;
    if (f != NULL)
        fclose(f);
    return buf;
}

/* Prepare the bare-primitive side from the key file's content. */
static int bare_setup(struct bench *b, const char *alg, uint8_t *data,
                      size_t len)
{
    OSSL_PARAM p[2];
    EVP_MAC *mac;
    BIO *bio;
    EVP_MD_CTX *ctx;

    if (alg[0] == 'H') {
        b->secret = data;
        b->secret_len = len > 0 && data[len - 1] == '\n' ? len - 1 : len;
        mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        b->mac = EVP_MAC_CTX_new(mac);
        EVP_MAC_free(mac);
        p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                "SHA256", 0);
        p[1] = OSSL_PARAM_construct_end();
        return EVP_MAC_init(b->mac, b->secret, b->secret_len, p) != 1;
    }
    bio = BIO_new_mem_buf(data, (int)len);
    b->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    b->md = strcmp(alg, "EdDSA") == 0 ? NULL : EVP_sha256();
    b->sig = malloc(1024);
    b->siglen = 1024;
    ctx = EVP_MD_CTX_new();
    if (b->pkey == NULL || ctx == NULL ||
        EVP_DigestSignInit(ctx, NULL, b->md, NULL, b->pkey) != 1 ||
        EVP_DigestSign(ctx, b->sig, &b->siglen, (const uint8_t *)b->tok,
                       b->input_len) != 1)
        return 1;
    EVP_MD_CTX_free(ctx);
    return 0;
}

/* Write text to DIR/ALG.token. */
static void save_token(const char *dir, const char *alg, const char *tok)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s.token", dir, alg);
    if ((f = fopen(path, "w")) != NULL) {
        fprintf(f, "%s\n", tok);
        fclose(f);
    }
}

/* Measure one algorithm: the library, then the bare primitive. */
static int bench_alg(enum lk_jws_alg a, const char *dir)
{
    const char *name = lk_jws_alg_name(a);
    struct lk_keyset *ks = NULL;
    struct lk_jwt_verifier *v = NULL;
    struct lk_jwk *k = NULL;
    struct bench b = {0};
    char path[512], *tok = NULL, err[LK_ERRBUF_SIZE] = "";
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = 1;

    snprintf(path, sizeof(path), "%s/%s.key", dir, name);
    remove(path);
    if (lk_jwk_generate(a, NULL, &k, err, sizeof(err)) != LK_OK ||
        lk_jwk_write_private(k, path, err, sizeof(err)) != LK_OK ||
        lk_jwt_sign(k, claims_fmt, strlen(claims_fmt), &tok, &b.len, err,
                    sizeof(err)) != LK_OK) {
        fprintf(stderr, "jose_bench: %s: %s\n", name, err);
        lk_jwk_free(k);
        return 1;
    }
    lk_keyset_new(&ks);
    lk_keyset_add(ks, k, 1);
    lk_jwt_verifier_new(ks, &v);
    save_token(dir, name, tok);
    b.tok = tok;
    b.v = v;
    b.input_len = (size_t)(strrchr(tok, '.') - tok);
    data = slurp(path, &len);
    if (bare_setup(&b, name, data, len) == 0) {
        printf("TOKEN %s %zu bytes\n", name, b.len);
        printf("RESULT %s_lk_jwt_verify %.0f\n", name,
               measure(op_verify, &b));
        if (a == LK_ALG_HS256) {
            printf("RESULT HS256_bare_hmac_oneshot %.0f\n",
                   measure(op_hmac_oneshot, &b));
            printf("RESULT HS256_bare_hmac_reused_ctx %.0f\n",
                   measure(op_hmac_reused, &b));
        } else {
            printf("RESULT %s_bare_evp_verify %.0f\n", name,
                   measure(op_evp_verify, &b));
        }
        rc = 0;
    }
    EVP_MAC_CTX_free(b.mac);
    EVP_PKEY_free(b.pkey);
    free(b.sig);
    free(data);
    free(tok);
    lk_jwt_verifier_free(v);
    lk_keyset_free(ks);
    return rc;
}

int main(int argc, char **argv)
{
    static const enum lk_jws_alg algs[] = {LK_ALG_HS256, LK_ALG_RS256,
                                           LK_ALG_ES256, LK_ALG_EDDSA};
    char tmp[] = "/tmp/jose_bench_XXXXXX";
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmp);
    size_t i;
    int rc = 0;

    if (dir == NULL)
        return 1;
    for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
        rc |= bench_alg(algs[i], dir);
    fflush(stdout);
    return rc;
}
