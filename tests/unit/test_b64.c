/*
 * test_b64.c: base64 encode/decode in the three alphabets, RFC 4648
 * section 10 vectors, and the strictness rules.
 */
#include <string.h>

#include "latchkey/lk_common.h"
#include "tap.h"

static void rfc4648_vectors(void)
{
    static const char *const in[] = {"", "f", "fo", "foo", "foob",
                                     "fooba", "foobar"};
    static const char *const out[] = {"", "Zg==", "Zm8=", "Zm9v",
                                      "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    char buf[64];
    uint8_t dec[64];
    size_t n, i;

    for (i = 0; i < 7; i++) {
        lk_b64_encode(LK_B64_STD, LK_B64_PAD, (const uint8_t *)in[i],
                      strlen(in[i]), buf, sizeof(buf), &n);
        ok(strcmp(buf, out[i]) == 0, "encode '%s' -> '%s'", in[i], buf);
        ok(lk_b64_decode(LK_B64_STD, LK_B64_PAD, out[i], strlen(out[i]),
                         dec, sizeof(dec), &n) == LK_OK &&
           n == strlen(in[i]) && memcmp(dec, in[i], n) == 0,
           "decode '%s'", out[i]);
    }
}

static void strictness(void)
{
    uint8_t dec[64];
    size_t n;

    ok(lk_b64_decode(LK_B64_URL, 0, "Zm8", 3, dec, 64, &n) == LK_OK &&
       n == 2, "unpadded url decodes");
    ok(lk_b64_decode(LK_B64_URL, 0, "Zm8=", 4, dec, 64, &n) != LK_OK,
       "padding refused in url mode");
    ok(lk_b64_decode(LK_B64_URL, 0, "Zm9", 3, dec, 64, &n) != LK_OK,
       "non-zero trailing bits refused");
    ok(lk_b64_decode(LK_B64_URL, 0, "Z", 1, dec, 64, &n) != LK_OK,
       "one leftover character refused");
    ok(lk_b64_decode(LK_B64_URL, 0, "a+b/", 4, dec, 64, &n) != LK_OK,
       "standard characters refused in url mode");
    ok(lk_b64_decode(LK_B64_STD, LK_B64_PAD, "Zm8", 3, dec, 64, &n)
       != LK_OK, "missing padding refused when required");
    ok(lk_b64_decode(LK_B64_STD, LK_B64_PAD_OPT, "Zm8", 3, dec, 64, &n)
       == LK_OK, "optional padding may be absent");
    ok(lk_b64_decode(LK_B64_AB64, 0, "a.b/", 4, dec, 64, &n) == LK_OK,
       "adapted alphabet takes '.'");
    ok(lk_b64_decode(LK_B64_STD, 0, "Zm 8", 4, dec, 64, &n) != LK_OK,
       "whitespace refused");
    ok(lk_b64_decode(LK_B64_STD, 0, "Zm9vYmFy", 8, dec, 5, &n)
       == LK_ERR_TOO_LARGE, "short output buffer refused");
}

/* Every byte value in every position of a group, full and partial, in
 * each alphabet: the decoder must take exactly the alphabet's 64
 * characters, each with its own value (the index in the alphabet). */
static void every_byte(void)
{
    static const struct {
        enum lk_b64 a;
        const char *alpha;
    } al[] = {
        {LK_B64_STD, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "0123456789+/"},
        {LK_B64_URL, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "0123456789-_"},
        {LK_B64_AB64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                      "0123456789./"},
    };
    int wrong = 0;
    size_t k, pos, n;
    unsigned c;

    for (k = 0; k < 3; k++)
        for (c = 0; c < 256; c++)
            for (pos = 0; pos < 4; pos++) {
                char in[4] = {'A', 'A', 'A', 'A'};
                const char *hit = c ? strchr(al[k].alpha, (int)c) : NULL;
                uint8_t dec[8];
                uint32_t v;
                enum lk_err rc;

                in[pos] = (char)c;
                rc = lk_b64_decode(al[k].a, 0, in, 4, dec, sizeof(dec), &n);
                v = (uint32_t)dec[0] << 16 | (uint32_t)dec[1] << 8 | dec[2];
                if (hit == NULL)
                    wrong += rc != LK_ERR_INVALID;
                else
                    wrong += rc != LK_OK || n != 3 ||
                             v != (uint32_t)(hit - al[k].alpha)
                                      << (6 * (3 - pos));
                /* a partial group of two: the first character only */
                if (pos == 0) {
                    in[1] = 'A';
                    rc = lk_b64_decode(al[k].a, 0, in, 2, dec, sizeof(dec),
                                       &n);
                    wrong += hit == NULL ? rc != LK_ERR_INVALID
                                         : rc != LK_OK || n != 1 ||
                                               dec[0] != (uint8_t)((hit -
                                               al[k].alpha) << 2);
                }
            }
    ok(wrong == 0, "every byte value in every alphabet and position "
                   "(%d wrong)", wrong);
}

int main(void)
{
    rfc4648_vectors();
    strictness();
    every_byte();
    return tap_done();
}
