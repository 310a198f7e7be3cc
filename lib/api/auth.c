/*
 * auth.c: running a route. Bearer routes check the Authorization
 * header, the token, the user and the route's scopes before the
 * handler runs, answering exactly as the tutorial's clients expect:
 * 401 "Not authenticated" without credentials, 401 "Could not validate
 * credentials" for any bad token or unknown user, 400 "Inactive user",
 * 403 "Not enough permissions" with an insufficient_scope challenge.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/app_internal.h"
#include "api/usercache.h"
#include "http/authz.h"
#include "latchkey/lk_log.h"

static void unauthorized(struct lk_response *resp, const char *detail,
                         const char *challenge)
{
    lk_resp_detail(resp, 401, detail);
    lk_resp_header(resp, "WWW-Authenticate", "%s", challenge);
}

/* The store is down: 503 with Retry-After. */
static void unavailable(struct lk_response *resp)
{
    lk_resp_detail(resp, 503, "Service temporarily unavailable");
    lk_resp_header(resp, "Retry-After", "1");
}

/* First required scope the token lacks, or NULL. */
static const char *missing_scope(const char *need, const char *have,
                                 size_t *len)
{
    const char *p = need;

    while (*p != '\0') {
        size_t n = strcspn(p, " ");
        if (n > 0 && !lk_scope_in(have, p, n)) {
            *len = n;
            return p;
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    return NULL;
}

/* The token's user: from the cache when fresh, else from the store. */
static enum lk_err lookup_user(struct lk_app *app, const char *name,
                               struct lk_user *user)
{
    enum lk_err rc;

    if (app->users != NULL && lk_usercache_get(app->users, name, user))
        return LK_OK;
    rc = app->store->ops->get_user(app->store, name, user, NULL, 0);
    if (rc == LK_OK && app->users != NULL)
        lk_usercache_put(app->users, user);
    return rc;
}

/* Authenticate the bearer; on failure the answer is in resp. */
static int authenticate(struct lk_app *app, const struct route_slot *slot,
                        const struct lk_request *req,
                        struct lk_jwt_cache *tokens, struct lk_user *user,
                        struct lk_claims *cl, struct lk_response *resp)
{
    const char *tok, *need = lk_slot_scopes(slot);
    char why[LK_ERRBUF_SIZE];
    size_t len, mlen;
    enum lk_err rc = lk_bearer_parse(req->authorization, &tok, &len);

    if (rc == LK_ERR_NOT_FOUND) {
        unauthorized(resp, "Not authenticated", "Bearer");
        return 0;
    }
    if (rc == LK_OK)
        rc = lk_jwt_verify_cached(app->verifier, tokens, tok, len,
                                  lk_now(), cl, why, sizeof(why));
    if (rc == LK_OK)
        rc = lookup_user(app, cl->sub, user);
    if (rc == LK_ERR_UNAVAILABLE || rc == LK_ERR_STORE) {
        unavailable(resp);
        return 0;
    }
    if (rc != LK_OK) {
        unauthorized(resp, "Could not validate credentials",
                     "Bearer error=\"invalid_token\"");
        return 0;
    }
    if (user->disabled) {
        lk_resp_detail(resp, 400, "Inactive user");
        return 0;
    }
    if (missing_scope(need, cl->scope, &mlen) != NULL) {
        lk_resp_detail(resp, 403, "Not enough permissions");
        lk_resp_header(resp, "WWW-Authenticate",
                       "Bearer error=\"insufficient_scope\", scope=\"%s\"",
                       need);
        return 0;
    }
    return 1;
}

void lk_app_run(struct lk_app *app, const struct route_slot *slot,
                const struct lk_request *req, struct lk_jwt_cache *tokens,
                struct lk_response *resp)
{
    struct lk_user user;
    struct lk_claims claims;
    struct lk_auth auth = {NULL, NULL};

    if (slot->route->flags & LK_ROUTE_BEARER) {
        if (!authenticate(app, slot, req, tokens, &user, &claims, resp))
            return;
        auth.user = &user;
        auth.claims = &claims;
    }
    slot->route->handler(app, slot->route, req, &auth, resp);
    if (auth.user != NULL)
        lk_secure_zero(user.password_hash, sizeof(user.password_hash));
}

void lk_app_no_route(struct lk_app *app, const struct lk_request *req,
                     int path_known, struct lk_response *resp)
{
    char allow[128];

    if (!path_known) {
        lk_resp_detail(resp, 404, "Not Found");
        return;
    }
    lk_app_allow(app, req->path, allow, sizeof(allow));
    lk_resp_detail(resp, 405, "Method Not Allowed");
    lk_resp_header(resp, "Allow", "%s", allow);
}

void lk_app_handle(struct lk_app *app, const struct lk_request *req,
                   struct lk_response *resp)
{
    int known = 0;
    const struct route_slot *slot =
        lk_app_find(app, req->method, req->path, &known);

    if (slot == NULL)
        lk_app_no_route(app, req, known, resp);
    else
        lk_app_run(app, slot, req, NULL, resp);
}
