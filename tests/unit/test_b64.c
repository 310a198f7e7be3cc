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

int main(void)
{
    rfc4648_vectors();
    strictness();
    return tap_done();
}
