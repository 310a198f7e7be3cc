/*
 * routes.h: the built-in routes of liblatchkey, each defined in its own
 * lib/api/route_*.c as one const struct lk_route.
 */
#ifndef LATCHKEY_API_ROUTES_H
#define LATCHKEY_API_ROUTES_H

#include <stdlib.h>

#include "latchkey/lk_app.h"

extern const struct lk_route lk_route_token;
extern const struct lk_route lk_route_users_me;
extern const struct lk_route lk_route_users_me_items;
extern const struct lk_route lk_route_openapi;
extern const struct lk_route lk_route_docs_swagger;
extern const struct lk_route lk_route_jwks;
extern const struct lk_route lk_route_docs_swagger_files;
extern const struct lk_route lk_route_docs_index;

#endif
