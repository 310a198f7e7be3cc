/*
 * test_hmac.c: the precomputed-pad HMAC against RFC 4231 (test cases 1
 * and 6: a short key, and a key longer than the block) and against
 * OpenSSL's EVP HMAC for many key and message lengths.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "jose/hmac.h"
#include "tap.h"

static void hex(const uint8_t *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static void rfc4231(void)
{
    static const struct {
        unsigned bits;
        int long_key;
        const char *mac;
    } v[] = {
        {256, 0, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c"
                 "2e32cff7"},
        {384, 0, "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c"
                 "7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6"},
        {512, 0, "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b305"
                 "45e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f170"
                 "2e696c203a126854"},
        {256, 1, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f"
                 "0ee37f54"},
        {384, 1, "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05"
                 "033ac4c60c2ef6ab4030fe8296248df163f44952"},
        {512, 1, "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b0137"
                 "83f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec"
                 "8b915a985d786598"},
    };
    static const char m1[] = "Hi There";
    static const char m6[] =
        "Test Using Larger Than Block-Size Key - Hash Key First";
    uint8_t k1[20], k6[131], mac[LK_HMAC_MAX];
    char got[2 * LK_HMAC_MAX + 1];
    struct lk_hmac *h;
    size_t i, n;

    memset(k1, 0x0b, sizeof(k1));
    memset(k6, 0xaa, sizeof(k6));
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        const char *m = v[i].long_key ? m6 : m1;
        if (!ok(lk_hmac_new(v[i].bits, v[i].long_key ? k6 : k1,
                            v[i].long_key ? sizeof(k6) : sizeof(k1),
                            &h) == LK_OK, "new %u", v[i].bits))
            continue;
        lk_hmac_compute(h, (const uint8_t *)m, strlen(m), mac,
                        sizeof(mac), &n);
        hex(mac, n, got);
        ok(n == v[i].bits / 8 && strcmp(got, v[i].mac) == 0,
           "RFC 4231 case %d, SHA-%u", v[i].long_key ? 6 : 1, v[i].bits);
        lk_hmac_free(h);
    }
}

/* Same MAC as EVP's HMAC() for key lengths 0..300, message 0..600. */
static void against_evp(void)
{
    static const unsigned bits[] = {256, 384, 512};
    uint8_t key[300], msg[600], a[LK_HMAC_MAX], b[EVP_MAX_MD_SIZE];
    size_t b_idx, kl, ml, n, checked = 0, bad = 0;
    unsigned blen;
    struct lk_hmac *h;

    RAND_bytes(key, sizeof(key));
    RAND_bytes(msg, sizeof(msg));
    for (b_idx = 0; b_idx < 3; b_idx++) {
        const EVP_MD *md = bits[b_idx] == 256 ? EVP_sha256() :
                           bits[b_idx] == 384 ? EVP_sha384() : EVP_sha512();
        for (kl = 0; kl <= sizeof(key); kl += 7) {
            if (lk_hmac_new(bits[b_idx], key, kl, &h) != LK_OK) {
                bad++;
                continue;
            }
            for (ml = 0; ml <= sizeof(msg); ml += 37) {
                lk_hmac_compute(h, msg, ml, a, sizeof(a), &n);
                HMAC(md, key, (int)kl, msg, ml, b, &blen);
                checked++;
                bad += n != blen || memcmp(a, b, n) != 0;
            }
            lk_hmac_free(h);
        }
    }
    ok(bad == 0 && checked > 2000, "%zu MACs equal to EVP HMAC (%zu "
       "differ)", checked, bad);
}

static void refusals(void)
{
    struct lk_hmac *h = (struct lk_hmac *)1;
    uint8_t small[32];
    size_t n = 0;

    ok(lk_hmac_new(160, (const uint8_t *)"k", 1, &h) ==
       LK_ERR_UNSUPPORTED && h == NULL, "SHA-1 HMAC refused");
    if (lk_hmac_new(256, (const uint8_t *)"k", 1, &h) != LK_OK)
        return;
    ok(lk_hmac_compute(h, small, 0, small, sizeof(small), &n) ==
       LK_ERR_TOO_LARGE, "short output buffer refused");
    lk_hmac_free(h);
    lk_hmac_free(NULL);
}

int main(void)
{
    rfc4231();
    against_evp();
    refusals();
    return tap_done();
}
