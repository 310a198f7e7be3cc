/*
 * app.c: the application: configuration, the route table, and running
 * one request through bearer authentication, scope checks and the
 * route's handler.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/app_internal.h"
#include "api/usercache.h"
#include "http/authz.h"
#include "latchkey/lk_log.h"

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

enum lk_err lk_app_new(const struct lk_app_config *cfg,
                       struct lk_app **out, char *err, size_t errlen)
{
    struct lk_app *a;
    enum lk_err rc;

    *out = NULL;
    if (cfg->store == NULL || cfg->policy == NULL || cfg->keys == NULL ||
        lk_keyset_signing_key(cfg->keys) == NULL)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "an app needs a store, a password policy and a "
                         "signing key");
    if ((a = calloc(1, sizeof(*a))) == NULL)
        return LK_ERR_NOMEM;
    a->store = cfg->store;
    a->policy = cfg->policy;
    a->keys = cfg->keys;
    a->signer = lk_keyset_signing_key(cfg->keys);
    a->token_ttl = cfg->token_ttl > 0 ? cfg->token_ttl : 1800;
    a->issuer = dup_or_null(cfg->issuer);
    a->audience = dup_or_null(cfg->audience);
    a->title = strdup(cfg->title ? cfg->title : "latchkey");
    a->version = strdup(cfg->version ? cfg->version : LATCHKEY_VERSION);
    a->throttle_off = cfg->throttle_off;
    a->throttle_threshold = cfg->throttle_threshold ?
                            cfg->throttle_threshold : 5;
    a->throttle_base = cfg->throttle_base > 0 ? cfg->throttle_base : 1;
    a->throttle_max = cfg->throttle_max > 0 ? cfg->throttle_max : 900;
    a->throttle_window = cfg->throttle_window > 0 ? cfg->throttle_window
                                                  : 3600;
    if (cfg->user_cache_ms > 0 &&
        (a->users = lk_usercache_new(1024, cfg->user_cache_ms)) == NULL) {
        lk_app_free(a);
        return LK_ERR_NOMEM;
    }
    rc = lk_jwt_verifier_new(cfg->keys, &a->verifier);
    if (rc == LK_OK && cfg->issuer != NULL)
        rc = lk_jwt_verifier_set_issuer(a->verifier, cfg->issuer);
    if (rc == LK_OK && cfg->audience != NULL)
        rc = lk_jwt_verifier_set_audience(a->verifier, cfg->audience);
    if (rc == LK_OK)
        lk_jwt_verifier_set_leeway(a->verifier, cfg->leeway);
    if (rc != LK_OK || a->title == NULL || a->version == NULL) {
        lk_app_free(a);
        return lk_seterr(err, errlen, LK_ERR_NOMEM, "out of memory");
    }
    *out = a;
    return LK_OK;
}

void lk_app_free(struct lk_app *app)
{
    size_t i;

    if (app == NULL)
        return;
    for (i = 0; i < app->nroutes; i++)
        free(app->routes[i].scopes);
    lk_jwt_verifier_free(app->verifier);
    lk_usercache_free(app->users);
    free(app->issuer);
    free(app->audience);
    free(app->title);
    free(app->version);
    free(app);
}

struct lk_store *lk_app_store(struct lk_app *app)
{
    return app->store;
}

enum lk_err lk_app_add_route(struct lk_app *app, const struct lk_route *r)
{
    size_t i;

    for (i = 0; i < app->nroutes; i++) {
        const struct lk_route *o = app->routes[i].route;
        if (strcmp(o->method, r->method) == 0 &&
            strcmp(o->path, r->path) == 0) {
            app->routes[i].route = r;
            return LK_OK;
        }
    }
    if (app->nroutes == LK_ROUTES_MAX)
        return LK_ERR_TOO_LARGE;
    app->routes[app->nroutes].route = r;
    app->routes[app->nroutes].scopes = NULL;
    app->nroutes++;
    return LK_OK;
}

enum lk_err lk_app_set_route_scopes(struct lk_app *app, const char *path,
                                    const char *scopes)
{
    size_t i;
    int found = 0;

    for (i = 0; i < app->nroutes; i++) {
        if (strcmp(app->routes[i].route->path, path) != 0)
            continue;
        free(app->routes[i].scopes);
        if ((app->routes[i].scopes = strdup(scopes)) == NULL)
            return LK_ERR_NOMEM;
        found = 1;
    }
    return found ? LK_OK : LK_ERR_NOT_FOUND;
}

enum lk_err lk_app_add_scope(struct lk_app *app, const char *name,
                             const char *description)
{
    size_t i;

    for (i = 0; i < app->nscopes; i++)
        if (strcmp(app->scopes[i].name, name) == 0)
            return LK_OK;
    if (app->nscopes == LK_SCOPES_DEF_MAX)
        return LK_ERR_TOO_LARGE;
    app->scopes[app->nscopes].name = name;
    app->scopes[app->nscopes].description = description;
    app->nscopes++;
    return LK_OK;
}

const char *lk_slot_scopes(const struct route_slot *s)
{
    if (s->scopes != NULL)
        return s->scopes;
    return s->route->scopes != NULL ? s->route->scopes : "";
}

/* Does a request path match a route path? */
static int path_match(const struct lk_route *r, const char *path)
{
    if (r->flags & LK_ROUTE_PREFIX)
        return strncmp(path, r->path, strlen(r->path)) == 0;
    return strcmp(path, r->path) == 0;
}

/* The slots whose path is path, as spelled (prefix routes included). */
static size_t slots_spelled(const struct lk_app *app, const char *path,
                            const struct route_slot **out, size_t cap)
{
    size_t i, n = 0;

    for (i = 0; i < app->nroutes && n < cap; i++)
        if (path_match(app->routes[i].route, path))
            out[n++] = &app->routes[i];
    return n;
}

/* The slots serving path. The tutorial declares "/users/me/" with a
 * trailing slash and its framework redirects between the two
 * spellings; here a path without routes of its own is looked up once
 * more without one trailing slash, with no redirect (some clients drop
 * the Authorization header on redirects). */
static size_t slots_at(const struct lk_app *app, const char *path,
                       const struct route_slot **out, size_t cap)
{
    size_t n = slots_spelled(app, path, out, cap), len = strlen(path);
    char bare[1024];

    if (n > 0 || len < 2 || path[len - 1] != '/' || len >= sizeof(bare))
        return n;
    memcpy(bare, path, len - 1);
    bare[len - 1] = '\0';
    return slots_spelled(app, bare, out, cap);
}

const struct route_slot *lk_app_find(const struct lk_app *app,
                                     const char *method, const char *path,
                                     int *path_known)
{
    const struct route_slot *at[LK_ROUTES_MAX];
    size_t n = slots_at(app, path, at, LK_ROUTES_MAX), i;

    *path_known = n > 0;
    for (i = 0; i < n; i++)
        if (strcmp(at[i]->route->method, method) == 0)
            return at[i];
    return NULL;
}

void lk_app_allow(const struct lk_app *app, const char *path, char *out,
                  size_t cap)
{
    const struct route_slot *at[LK_ROUTES_MAX];
    size_t n = slots_at(app, path, at, LK_ROUTES_MAX), i, used = 0;

    out[0] = '\0';
    for (i = 0; i < n; i++) {
        int w = snprintf(out + used, cap - used, "%s%s", used ? ", " : "",
                         at[i]->route->method);
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
}

int lk_scope_in(const char *list, const char *scope, size_t len)
{
    const char *p = list;

    while (*p != '\0') {
        size_t n = strcspn(p, " ");
        if (n == len && memcmp(p, scope, len) == 0)
            return 1;
        p += n;
        while (*p == ' ')
            p++;
    }
    return 0;
}
