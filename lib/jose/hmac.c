/*
 * hmac.c: HMAC over OpenSSL's SHA-2 block functions with precomputed
 * pads. EVP_MAC_CTX_dup per token was most of the cost of an HS256
 * verification (an allocation, a provider call, a context copy); the
 * SHA-2 contexts here are plain structs, copied on the stack.
 *
 * These SHA*_Init/Update/Final functions are deprecated in OpenSSL 3
 * in favour of EVP, which has no way to copy a digest state without an
 * allocation. They remain in 3.x; this file asks for the 1.1.1 API so
 * that they are declared without a warning, and nothing else uses it.
 */
#define OPENSSL_API_COMPAT 0x10100000L
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "jose/hmac.h"

struct lk_hmac {
    unsigned bits;
    union {
        SHA256_CTX s256;
        SHA512_CTX s512;
    } in, out;                 /* after hashing key ^ ipad, key ^ opad */
};

/* Start a state of the digest and feed it block (the key's pad). */
static void pad_state(unsigned bits, const uint8_t *block, size_t n,
                      SHA256_CTX *s256, SHA512_CTX *s512)
{
    if (bits == 256) {
        SHA256_Init(s256);
        SHA256_Update(s256, block, n);
    } else {
        if (bits == 384)
            SHA384_Init(s512);
        else
            SHA512_Init(s512);
        SHA512_Update(s512, block, n);
    }
}

/* One digest of data into out (at most 64 bytes). */
static void digest(unsigned bits, const uint8_t *data, size_t n,
                   uint8_t *out)
{
    if (bits == 256)
        SHA256(data, n, out);
    else if (bits == 384)
        SHA384(data, n, out);
    else
        SHA512(data, n, out);
}

enum lk_err lk_hmac_new(unsigned bits, const uint8_t *key, size_t len,
                        struct lk_hmac **out)
{
    size_t block = bits == 256 ? 64 : 128, i;
    uint8_t k0[128], ipad[128], opad[128];
    struct lk_hmac *h;

    *out = NULL;
    if (bits != 256 && bits != 384 && bits != 512)
        return LK_ERR_UNSUPPORTED;
    if ((h = calloc(1, sizeof(*h))) == NULL)
        return LK_ERR_NOMEM;
    h->bits = bits;
    memset(k0, 0, sizeof(k0));
    if (len > block)           /* RFC 2104: a long key is hashed first */
        digest(bits, key, len, k0);
    else if (len > 0)
        memcpy(k0, key, len);
    for (i = 0; i < block; i++) {
        ipad[i] = (uint8_t)(k0[i] ^ 0x36);
        opad[i] = (uint8_t)(k0[i] ^ 0x5c);
    }
    pad_state(bits, ipad, block, &h->in.s256, &h->in.s512);
    pad_state(bits, opad, block, &h->out.s256, &h->out.s512);
    lk_secure_zero(k0, sizeof(k0));
    lk_secure_zero(ipad, sizeof(ipad));
    lk_secure_zero(opad, sizeof(opad));
    *out = h;
    return LK_OK;
}

enum lk_err lk_hmac_compute(const struct lk_hmac *h, const uint8_t *msg,
                            size_t len, uint8_t *out, size_t cap,
                            size_t *outlen)
{
    size_t n = h->bits / 8;
    uint8_t inner[64];

    if (cap < LK_HMAC_MAX)
        return LK_ERR_TOO_LARGE;
    if (h->bits == 256) {
        SHA256_CTX c = h->in.s256;
        SHA256_Update(&c, msg, len);
        SHA256_Final(inner, &c);
        c = h->out.s256;
        SHA256_Update(&c, inner, n);
        SHA256_Final(out, &c);
        lk_secure_zero(&c, sizeof(c));
    } else {
        /* SHA-384 is SHA-512 with other initial values and a shorter
         * output: OpenSSL's SHA384_Update and SHA384_Final are the
         * SHA-512 functions, which write the length Init chose. */
        SHA512_CTX c = h->in.s512;
        SHA512_Update(&c, msg, len);
        SHA512_Final(inner, &c);
        c = h->out.s512;
        SHA512_Update(&c, inner, n);
        SHA512_Final(out, &c);
        lk_secure_zero(&c, sizeof(c));
    }
    lk_secure_zero(inner, sizeof(inner));
    *outlen = n;
    return LK_OK;
}

void lk_hmac_free(struct lk_hmac *h)
{
    if (h == NULL)
        return;
    lk_secure_zero(h, sizeof(*h));
    free(h);
}
