/*
 * test_claims_scan.c: the allocation-free claims scanner agrees with
 * jansson. Every text it accepts must be a JSON object without
 * duplicate names that jansson reads to the same claim values; texts
 * outside its subset must be handed over (LK_ERR_UNSUPPORTED).
 */
#include <string.h>

#include <jansson.h>

#include "jose/jose_internal.h"
#include "tap.h"

/* Whether two views of one claim hold the same value. */
static int same_val(const struct lk_claim_val *a,
                    const struct lk_claim_val *b)
{
    struct lk_claim_val ea, eb;
    size_t pa = 0, pb = 0;
    int ma, mb;

    if (a->type != b->type)
        return 0;
    if (a->type == LK_CV_STRING)
        return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
    if (a->type == LK_CV_NUMBER)
        return a->num == b->num;
    if (a->type != LK_CV_ARRAY)
        return 1;
    do {
        ma = lk_claims_array_next(a, &pa, &ea);
        mb = lk_claims_array_next(b, &pb, &eb);
        if (ma != mb || (ma && !same_val(&ea, &eb)))
            return 0;
    } while (ma);
    return 1;
}

/* Whether the scanner's view of text equals jansson's. */
static int agrees(const char *text)
{
    struct lk_claim_set a, b;
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    int same;

    if (lk_claims_scan(text, strlen(text), &a) != LK_OK ||
        !json_is_object(j)) {
        json_decref(j);
        return 0;
    }
    lk_claims_from_json(j, &b);
    same = same_val(&a.exp, &b.exp) && same_val(&a.nbf, &b.nbf) &&
           same_val(&a.iat, &b.iat) && same_val(&a.iss, &b.iss) &&
           same_val(&a.aud, &b.aud) && same_val(&a.sub, &b.sub) &&
           same_val(&a.jti, &b.jti) && same_val(&a.scope, &b.scope) &&
           same_val(&a.scopes, &b.scopes);
    json_decref(j);
    return same;
}

int main(void)
{
    static const char *const plain[] = {
        "{}",
        " { } ",
        "{\"sub\":\"janedoe\",\"exp\":1796400000}",
        "{\"sub\":\"janedoe\",\"iat\":1796400000,\"exp\":1796401800,"
        "\"jti\":\"a1b2\",\"scope\":\"me items\",\"scopes\":[\"me\","
        "\"items\"]}",
        "{ \"sub\" : \"x\" ,\n\t\"exp\":-0, \"nbf\":0, \"aud\":[] }",
        "{\"aud\":[ \"a\" , \"b\" ],\"admin\":true,\"x\":null,"
        "\"y\":false,\"n\":123456789012345}",
        "{\"\":\"\",\"iss\":\"https://issuer.example\"}",
    };
    static const char *const handed_over[] = {
        "", "[]", "{", "{\"sub\":\"a\"", "{\"sub\":\"a\",}",
        "{\"sub\":\"a\"} x", "{\"sub\":\"a\",\"sub\":\"b\"}",
        "{\"exp\":1.5}", "{\"exp\":1e9}", "{\"exp\":01}",
        "{\"exp\":1234567890123456}", "{\"exp\":-}",
        "{\"sub\":\"a\\u0000b\"}", "{\"sub\":\"caf\xc3\xa9\"}",
        "{\"o\":{}}", "{\"a\":[1]}", "{\"a\":[\"x\",]}",
        "{\"t\":tru}", "{\"t\":truex}", "{\"k\" \"v\"}",
        "{\"1\":1,\"2\":2,\"3\":3,\"4\":4,\"5\":5,\"6\":6,\"7\":7,"
        "\"8\":8,\"9\":9,\"10\":10,\"11\":11,\"12\":12,\"13\":13,"
        "\"14\":14,\"15\":15,\"16\":16,\"17\":17}",
    };
    struct lk_claim_set cs;
    size_t i;

    for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        ok(agrees(plain[i]), "scanned like jansson: %s", plain[i]);
    for (i = 0; i < sizeof(handed_over) / sizeof(handed_over[0]); i++)
        ok(lk_claims_scan(handed_over[i], strlen(handed_over[i]), &cs) ==
           LK_ERR_UNSUPPORTED, "handed to jansson: case %zu", i);
    return tap_done();
}
