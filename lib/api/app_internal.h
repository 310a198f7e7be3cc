/*
 * app_internal.h: the layout of struct lk_app, shared by lib/api and
 * lib/http only.
 */
#ifndef LATCHKEY_APP_INTERNAL_H
#define LATCHKEY_APP_INTERNAL_H

#include "latchkey/lk_app.h"

#define LK_ROUTES_MAX 64
#define LK_SCOPES_DEF_MAX 32

struct route_slot {
    const struct lk_route *route;
    char *scopes;                 /* override, owned; NULL = route's */
};

struct lk_usercache;

struct lk_app {
    struct lk_usercache *users;      /* NULL when not caching */
    struct lk_store *store;
    struct lk_pwpolicy *policy;
    struct lk_keyset *keys;
    const struct lk_jwk *signer;
    struct lk_jwt_verifier *verifier;
    int64_t token_ttl;
    char *issuer, *audience;
    char *title, *version;
    struct route_slot routes[LK_ROUTES_MAX];
    size_t nroutes;
    struct lk_scope_def scopes[LK_SCOPES_DEF_MAX];
    size_t nscopes;
    int throttle_off;
    unsigned throttle_threshold;
    int64_t throttle_base, throttle_max, throttle_window;
};

/* The route matching method and path, or NULL; *path_known is set
 * when the path exists with another method. */
const struct route_slot *lk_app_find(const struct lk_app *app,
                                     const char *method, const char *path,
                                     int *path_known);

/* The methods served at path, "GET, POST", for an Allow header. */
void lk_app_allow(const struct lk_app *app, const char *path, char *out,
                  size_t cap);

/* Scopes required by a slot (never NULL). */
const char *lk_slot_scopes(const struct route_slot *s);

/* Run a matched route: bearer check, scope check, handler. tokens is
 * the calling thread's cache of accepted tokens, or NULL for none. */
void lk_app_run(struct lk_app *app, const struct route_slot *slot,
                const struct lk_request *req, struct lk_jwt_cache *tokens,
                struct lk_response *resp);

/* Answer for a request that matched no route. */
void lk_app_no_route(struct lk_app *app, const struct lk_request *req,
                     int path_known, struct lk_response *resp);

/* Is scope (len bytes) in the space-separated list? */
int lk_scope_in(const char *list, const char *scope, size_t len);

/* Seconds a login for user from addr must wait (429), 0 to go on,
 * or -1 if the store failed. */
int64_t lk_throttle_wait(struct lk_app *app, const char *user,
                         const char *addr, int64_t now);

/* Count a failed login for user and addr. */
void lk_throttle_failed(struct lk_app *app, const char *user,
                        const char *addr, int64_t now);

/* Forget the failures of user and addr after a good login. */
void lk_throttle_passed(struct lk_app *app, const char *user,
                        const char *addr);

/* The component schemas of the built-in bodies (a new reference). */
struct json_t;
struct json_t *lk_openapi_schemas(void);

#endif
