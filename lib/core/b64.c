/*
 * b64.c: strict base64 in three alphabets (standard, URL-safe, passlib's
 * adapted). Decoding accepts exactly one spelling of each byte string:
 * no whitespace, padding only where the flags allow it, and zero unused
 * bits in the last character, so a token or hash cannot be altered into
 * a second accepted form.
 */
#include <string.h>

#include "latchkey/lk_common.h"

static const char alpha_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char alpha_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char alpha_ab64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./";

static const char *alphabet(enum lk_b64 a)
{
    switch (a) {
    case LK_B64_URL:
        return alpha_url;
    case LK_B64_AB64:
        return alpha_ab64;
    case LK_B64_STD:
    default:
        return alpha_std;
    }
}

/* One more than the value of the 62 characters the three alphabets
 * share (0: not one of them). A table, not comparisons: the characters
 * of a token are random, so a branch per character class mispredicts
 * often, and a JWT is decoded on every bearer request. */
static const uint8_t common_value[256] = {
    ['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
    ['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
    ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18,
    ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
    ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
    ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
    ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54,
    ['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60,
    ['8'] = 61, ['9'] = 62,
};

/* Value of character c in an alphabet whose last two characters are
 * c62 and c63, or -1 (the two selects compile to conditional moves). */
static inline int b64_value(unsigned char c, unsigned char c62,
                            unsigned char c63)
{
    int v = (int)common_value[c] - 1;

    v = c == c62 ? 62 : v;
    v = c == c63 ? 63 : v;
    return v;
}

size_t lk_b64_encoded_len(size_t n, unsigned flags)
{
    if (flags & LK_B64_PAD)
        return (n + 2) / 3 * 4;
    return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

size_t lk_b64_decoded_max(size_t n)
{
    return n / 4 * 3 + 3;
}

enum lk_err lk_b64_encode(enum lk_b64 a, unsigned flags,
                          const uint8_t *in, size_t n,
                          char *out, size_t cap, size_t *outlen)
{
    const char *al = alphabet(a);
    size_t need, i, o = 0;

    if (n > (SIZE_MAX / 4) - 4)
        return LK_ERR_TOO_LARGE;
    need = lk_b64_encoded_len(n, flags);
    if (cap < need + 1)
        return LK_ERR_TOO_LARGE;
    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
                     in[i + 2];
        out[o++] = al[v >> 18 & 63];
        out[o++] = al[v >> 12 & 63];
        out[o++] = al[v >> 6 & 63];
        out[o++] = al[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = al[v >> 18 & 63];
        out[o++] = al[v >> 12 & 63];
        if (flags & LK_B64_PAD) {
            out[o++] = '=';
            out[o++] = '=';
        }
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = al[v >> 18 & 63];
        out[o++] = al[v >> 12 & 63];
        out[o++] = al[v >> 6 & 63];
        if (flags & LK_B64_PAD)
            out[o++] = '=';
    }
    out[o] = '\0';
    if (outlen != NULL)
        *outlen = o;
    return LK_OK;
}

/* Strip and validate '=' padding; returns the unpadded length or -1. */
static long strip_padding(const char *in, size_t n, unsigned flags)
{
    size_t pads = 0;

    while (pads < 2 && pads < n && in[n - 1 - pads] == '=')
        pads++;
    if (pads > 0) {
        if (!(flags & (LK_B64_PAD | LK_B64_PAD_OPT)) || n % 4 != 0)
            return -1;
    } else if ((flags & LK_B64_PAD) && n % 4 != 0) {
        return -1;
    }
    return (long)(n - pads);
}

/* Decode the n (< 4) characters of a last, partial group into n - 1
 * bytes; the unused low bits must be zero. */
static int decode_tail(const unsigned char *in, size_t n, uint8_t *out,
                       unsigned char c62, unsigned char c63)
{
    uint32_t acc = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        int v = b64_value(in[i], c62, c63);
        if (v < 0)
            return -1;
        acc = acc << 6 | (uint32_t)v;
    }
    if (n == 2) {
        out[0] = (uint8_t)(acc >> 4);
        return (acc & 15) == 0 ? 0 : -1;
    }
    if (n == 3) {
        out[0] = (uint8_t)(acc >> 10);
        out[1] = (uint8_t)(acc >> 2);
        return (acc & 3) == 0 ? 0 : -1;
    }
    return 0;
}

enum lk_err lk_b64_decode(enum lk_b64 a, unsigned flags,
                          const char *in, size_t n,
                          uint8_t *out, size_t cap, size_t *outlen)
{
    const unsigned char *u = (const unsigned char *)in;
    unsigned char c62 = (unsigned char)alphabet(a)[62];
    unsigned char c63 = (unsigned char)alphabet(a)[63];
    long m = strip_padding(in, n, flags);
    size_t len, i, o = 0, rem;

    if (m < 0)
        return LK_ERR_INVALID;
    len = (size_t)m;
    rem = len % 4;
    if (rem == 1)
        return LK_ERR_INVALID;
    if (cap < len / 4 * 3 + (rem ? rem - 1 : 0))
        return LK_ERR_TOO_LARGE;
    for (i = 0; i + 4 <= len; i += 4) {
        int v0 = b64_value(u[i], c62, c63);
        int v1 = b64_value(u[i + 1], c62, c63);
        int v2 = b64_value(u[i + 2], c62, c63);
        int v3 = b64_value(u[i + 3], c62, c63);
        uint32_t v;
        if ((v0 | v1 | v2 | v3) < 0)
            return LK_ERR_INVALID;
        v = (uint32_t)v0 << 18 | (uint32_t)v1 << 12 | (uint32_t)v2 << 6 |
            (uint32_t)v3;
        out[o++] = (uint8_t)(v >> 16);
        out[o++] = (uint8_t)(v >> 8);
        out[o++] = (uint8_t)v;
    }
    if (rem > 0) {
        if (decode_tail(u + i, rem, out + o, c62, c63) != 0)
            return LK_ERR_INVALID;
        o += rem - 1;
    }
    if (outlen != NULL)
        *outlen = o;
    return LK_OK;
}
