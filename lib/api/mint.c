/*
 * mint.c: the claims of the tokens latchkey issues: sub, iat, exp, a
 * random jti, iss and aud when configured, and the granted scopes in
 * both spellings (the tutorial's "scopes" list, RFC 9068's "scope").
 */
#include <stdlib.h>
#include <string.h>

#include "api/app_internal.h"
#include "http/jsonw.h"

/* Append the scopes as a JSON array of strings. */
static void scopes_array(struct jsonw *w, const char *scopes)
{
    const char *p = scopes;
    int first = 1;

    jsonw_lit(w, "[");
    while (*p != '\0') {
        size_t n = strcspn(p, " ");
        if (n > 0) {
            jsonw_lit(w, first ? "" : ",");
            jsonw_str(w, p, n);
            first = 0;
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    jsonw_lit(w, "]");
}

enum lk_err lk_app_mint(struct lk_app *app, const char *sub,
                        const char *scopes, int64_t now,
                        char **tok, size_t *toklen,
                        char *err, size_t errlen)
{
    uint8_t jti_raw[16];
    char jti[32];
    struct jsonw w;
    size_t len = 0;
    char *claims;
    enum lk_err rc;

    if ((rc = lk_random(jti_raw, sizeof(jti_raw))) != LK_OK)
        return lk_seterr(err, errlen, rc, "no randomness for jti");
    lk_b64_encode(LK_B64_URL, 0, jti_raw, sizeof(jti_raw), jti,
                  sizeof(jti), NULL);
    jsonw_init(&w, 16384);
    jsonw_lit(&w, "{\"sub\":");
    jsonw_cstr(&w, sub);
    jsonw_lit(&w, ",\"iat\":");
    jsonw_int(&w, (long long)now);
    jsonw_lit(&w, ",\"exp\":");
    jsonw_int(&w, (long long)(now + app->token_ttl));
    jsonw_lit(&w, ",\"jti\":");
    jsonw_cstr(&w, jti);
    if (app->issuer != NULL) {
        jsonw_lit(&w, ",\"iss\":");
        jsonw_cstr(&w, app->issuer);
    }
    if (app->audience != NULL) {
        jsonw_lit(&w, ",\"aud\":");
        jsonw_cstr(&w, app->audience);
    }
    jsonw_lit(&w, ",\"scope\":");
    jsonw_cstr(&w, scopes);
    jsonw_lit(&w, ",\"scopes\":");
    scopes_array(&w, scopes);
    jsonw_lit(&w, "}");
    if ((claims = jsonw_take(&w, &len)) == NULL)
        return lk_seterr(err, errlen, LK_ERR_NOMEM, "claims too large");
    rc = lk_jwt_sign(app->signer, claims, len, tok, toklen, err, errlen);
    free(claims);
    return rc;
}
