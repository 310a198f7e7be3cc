/*
 * route_users.c: GET /users/me and GET /users/me/items, the tutorial's
 * protected endpoints. Both run after bearer authentication, so the
 * caller's user record is at hand.
 */
#include <string.h>

#include "api/routes.h"
#include "http/jsonw.h"

/* The public fields of a user as the tutorial's User model. */
static void user_json(struct jsonw *w, const struct lk_user *u)
{
    jsonw_lit(w, "{\"username\":");
    jsonw_cstr(w, u->username);
    jsonw_lit(w, ",\"email\":");
    jsonw_cstr(w, u->has_email ? u->email : NULL);
    jsonw_lit(w, ",\"full_name\":");
    jsonw_cstr(w, u->has_full_name ? u->full_name : NULL);
    jsonw_lit(w, u->disabled ? ",\"disabled\":true}" :
                               ",\"disabled\":false}");
}

static void me_handler(struct lk_app *app, const struct lk_route *route,
                       const struct lk_request *req,
                       const struct lk_auth *auth, struct lk_response *resp)
{
    struct jsonw w;
    size_t len = 0;
    char *b;

    (void)app;
    (void)route;
    (void)req;
    jsonw_init(&w, 4096);
    user_json(&w, auth->user);
    b = jsonw_take(&w, &len);
    lk_resp_json(resp, 200, b, len);
}

struct items_ctx {
    struct jsonw *w;
    const char *owner;
    int n;
};

static int add_item(void *arg, const char *item_id)
{
    struct items_ctx *c = arg;

    jsonw_lit(c->w, c->n++ ? ",{\"item_id\":" : "{\"item_id\":");
    jsonw_cstr(c->w, item_id);
    jsonw_lit(c->w, ",\"owner\":");
    jsonw_cstr(c->w, c->owner);
    jsonw_lit(c->w, "}");
    return c->w->failed;
}

static void items_handler(struct lk_app *app, const struct lk_route *route,
                          const struct lk_request *req,
                          const struct lk_auth *auth,
                          struct lk_response *resp)
{
    struct lk_store *s = lk_app_store(app);
    struct jsonw w;
    struct items_ctx c = {&w, auth->user->username, 0};
    size_t len = 0;
    char *b;

    (void)route;
    (void)req;
    jsonw_init(&w, 1 << 20);
    jsonw_lit(&w, "[");
    if (s->ops->list_items(s, auth->user->username, add_item, &c,
                           NULL, 0) != LK_OK) {
        free(jsonw_take(&w, NULL));
        lk_resp_detail(resp, 503, "Service temporarily unavailable");
        lk_resp_header(resp, "Retry-After", "1");
        return;
    }
    jsonw_lit(&w, "]");
    b = jsonw_take(&w, &len);
    lk_resp_json(resp, 200, b, len);
}

static const struct lk_route_response me_responses[] = {
    {200, "The caller's user record", "User", NULL},
    {400, "The user is disabled", "HTTPError", NULL},
    {401, "Missing or invalid bearer token", "HTTPError", NULL},
    {403, "The token lacks a required scope", "HTTPError", NULL},
    {0, NULL, NULL, NULL},
};

static const struct lk_route_response items_responses[] = {
    {200, "The caller's items", "ItemList", NULL},
    {400, "The user is disabled", "HTTPError", NULL},
    {401, "Missing or invalid bearer token", "HTTPError", NULL},
    {403, "The token lacks a required scope", "HTTPError", NULL},
    {0, NULL, NULL, NULL},
};

const struct lk_route lk_route_users_me = {
    .method = "GET",
    .path = "/users/me",
    .flags = LK_ROUTE_BEARER,
    .summary = "Read Users Me",
    .description = "The user the bearer token was issued to.",
    .operation_id = "read_users_me_users_me_get",
    .tag = "users",
    .responses = me_responses,
    .handler = me_handler,
};

const struct lk_route lk_route_users_me_items = {
    .method = "GET",
    .path = "/users/me/items",
    .flags = LK_ROUTE_BEARER,
    .summary = "Read Own Items",
    .description = "The items owned by the token's user.",
    .operation_id = "read_own_items_users_me_items_get",
    .tag = "users",
    .responses = items_responses,
    .handler = items_handler,
};
