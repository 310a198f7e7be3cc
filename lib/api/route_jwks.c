/*
 * route_jwks.c: GET /.well-known/jwks.json, the public keys that verify
 * latchkey's tokens (RFC 7517). HMAC secrets are never published, so an
 * HS256-only server answers an empty set.
 */
#include <string.h>

#include "api/app_internal.h"
#include "api/routes.h"

static void jwks_handler(struct lk_app *app, const struct lk_route *r,
                         const struct lk_request *req,
                         const struct lk_auth *auth,
                         struct lk_response *resp)
{
    char *doc = NULL;

    (void)r;
    (void)req;
    (void)auth;
    if (lk_keyset_jwks_json(app->keys, &doc) != LK_OK) {
        lk_resp_detail(resp, 500, "Internal Server Error");
        return;
    }
    lk_resp_json(resp, 200, doc, strlen(doc));
    lk_resp_header(resp, "Cache-Control", "public, max-age=300");
}

static const struct lk_route_response jwks_responses[] = {
    {200, "The public JSON Web Key Set", "JWKS", NULL},
    {0, NULL, NULL, NULL},
};

const struct lk_route lk_route_jwks = {
    .method = "GET",
    .path = "/.well-known/jwks.json",
    .summary = "JSON Web Key Set",
    .description = "Public keys that verify the tokens this server "
                   "issues (empty with HMAC keys only).",
    .operation_id = "jwks",
    .tag = "keys",
    .responses = jwks_responses,
    .handler = jwks_handler,
};
