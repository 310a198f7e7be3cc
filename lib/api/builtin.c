/*
 * builtin.c: registering the tutorial's routes on an app.
 */
#include "api/routes.h"

enum lk_err lk_app_add_builtin_routes(struct lk_app *app)
{
    static const struct lk_route *const all[] = {
        &lk_route_token, &lk_route_users_me, &lk_route_users_me_items,
        &lk_route_openapi, &lk_route_docs_swagger,
        &lk_route_docs_swagger_files, &lk_route_jwks, &lk_route_docs_index,
    };
    size_t i;
    enum lk_err rc = LK_OK;

    for (i = 0; i < sizeof(all) / sizeof(all[0]) && rc == LK_OK; i++)
        rc = lk_app_add_route(app, all[i]);
    return rc;
}
