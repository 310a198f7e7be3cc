/*
 * lk_app.h: the HTTP application layer of liblatchkey. An application
 * (struct lk_app) holds the store, the password policy, the keys and
 * the route table; routes are data (struct lk_route) and the OpenAPI
 * document is generated from them. lk_server_* runs an app on
 * libmicrohttpd.
 *
 * A C program embeds latchkey by creating an app, adding the built-in
 * routes and its own, and starting a server (see examples/).
 */
#ifndef LATCHKEY_LK_APP_H
#define LATCHKEY_LK_APP_H

#include <stddef.h>
#include <stdint.h>

#include "latchkey/lk_common.h"
#include "latchkey/lk_jose.h"
#include "latchkey/lk_pwhash.h"
#include "latchkey/lk_store.h"

#define LK_RESP_HEADERS_MAX 8

/* A parsed request as handlers see it. Strings are NUL-terminated;
 * the body is a byte string. Everything lives until the answer. */
struct lk_request {
    const char *method;
    const char *path;
    const char *query;           /* NULL when none */
    const char *authorization;   /* NULL when absent */
    const char *content_type;    /* NULL when absent */
    const char *client_addr;     /* textual peer address */
    const uint8_t *body;
    size_t body_len;
};

struct lk_header {
    const char *name;            /* static string */
    char *value;                 /* owned (malloc) */
};

/* An answer under construction; owned buffers are freed by the
 * server after sending (body is wiped if secret is set). */
struct lk_response {
    int status;
    const char *content_type;    /* static string */
    char *body;                  /* owned unless body_static */
    size_t body_len;
    int body_static;
    int secret;                  /* wipe the body after sending */
    struct lk_header headers[LK_RESP_HEADERS_MAX];
    int nheaders;
};

/* What a bearer-protected handler knows about its caller. */
struct lk_auth {
    const struct lk_user *user;
    const struct lk_claims *claims;
};

struct lk_app;
struct lk_route;

typedef void (*lk_handler_fn)(struct lk_app *app,
                              const struct lk_route *route,
                              const struct lk_request *req,
                              const struct lk_auth *auth,
                              struct lk_response *resp);

/* Route flags. */
#define LK_ROUTE_BEARER   1u   /* needs a valid bearer token */
#define LK_ROUTE_WORKER   2u   /* runs on the worker pool (slow work) */
#define LK_ROUTE_FORM     4u   /* body is a urlencoded form */
#define LK_ROUTE_HIDDEN   8u   /* left out of the OpenAPI document */
#define LK_ROUTE_PREFIX   16u  /* path matches as a prefix */

/* One response an operation documents in OpenAPI. */
struct lk_route_response {
    int status;
    const char *description;
    const char *schema;          /* component name, or NULL */
    const char *content_type;    /* NULL means application/json */
};

/* A route: method, path, behaviour and its OpenAPI description. */
struct lk_route {
    const char *method;
    const char *path;
    unsigned flags;
    const char *scopes;          /* required scopes, space-separated */
    const char *summary;
    const char *description;
    const char *operation_id;
    const char *tag;
    const char *request_schema;  /* form component name, or NULL */
    const struct lk_route_response *responses; /* ends with status 0 */
    lk_handler_fn handler;
};

/* A scope the app defines, for the token endpoint and OpenAPI. */
struct lk_scope_def {
    const char *name;
    const char *description;
};

/* Application settings; zero means the default. */
struct lk_app_config {
    struct lk_store *store;          /* borrowed */
    struct lk_pwpolicy *policy;      /* borrowed */
    struct lk_keyset *keys;          /* borrowed; must have a signer */
    int64_t token_ttl;               /* seconds; default 1800 */
    const char *issuer;              /* iss for issued tokens, or NULL */
    const char *audience;            /* aud, or NULL */
    int64_t leeway;                  /* seconds of clock skew */
    int64_t user_cache_ms;           /* how long a bearer request may
                                        reuse a user record; 0: never */
    const char *title;               /* OpenAPI info.title */
    const char *version;             /* OpenAPI info.version */
    /* Brute-force throttling of POST /token, per username and per
     * client address: after threshold failures within window seconds,
     * logins from that address (or for that username, from addresses
     * that have failed too) get 429 for base seconds, doubling with
     * each further failure up to max. */
    int throttle_off;                /* 1: no throttling */
    unsigned throttle_threshold;     /* 0 = 5 */
    int64_t throttle_base;           /* seconds; 0 = 1 */
    int64_t throttle_max;            /* seconds; 0 = 900 */
    int64_t throttle_window;         /* seconds; 0 = 3600 */
};

enum lk_err lk_app_new(const struct lk_app_config *cfg,
                       struct lk_app **out, char *err, size_t errlen);
void lk_app_free(struct lk_app *app);

/* Add a route (borrowed; must outlive the app). Later routes with the
 * same method and path replace earlier ones. */
enum lk_err lk_app_add_route(struct lk_app *app, const struct lk_route *r);

/* Override the scopes a route needs ("" for none). */
enum lk_err lk_app_set_route_scopes(struct lk_app *app, const char *path,
                                    const char *scopes);

/* Declare a scope users can be granted. */
enum lk_err lk_app_add_scope(struct lk_app *app, const char *name,
                             const char *description);

/* Add /token, /users/me, /users/me/items, /openapi.json, /docs/... */
enum lk_err lk_app_add_builtin_routes(struct lk_app *app);

/* Handle one request completely (routing, auth, handler): what the
 * server calls, and what tests and fuzzers call without a socket.
 * Worker routes run inline here. */
void lk_app_handle(struct lk_app *app, const struct lk_request *req,
                   struct lk_response *resp);

/* The generated OpenAPI 3.1 document (free() it). */
char *lk_app_openapi_json(struct lk_app *app);

/* Response helpers for handlers. */
void lk_resp_json(struct lk_response *r, int status, char *body,
                  size_t len);
void lk_resp_detail(struct lk_response *r, int status, const char *detail);
enum lk_err lk_resp_header(struct lk_response *r, const char *name,
                           const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void lk_resp_clear(struct lk_response *r);

/* Accessors for handlers. */
struct lk_store *lk_app_store(struct lk_app *app);

/* The HTTP server. */
struct lk_server;

struct lk_server_config {
    const char *host;                /* default 127.0.0.1 */
    unsigned port;                   /* default 8000; 0 = any */
    unsigned threads;                /* HTTP threads; 0 = cores */
    unsigned workers;                /* hashing threads; 0 = cores */
    unsigned queue_max;              /* worker queue bound; 0 = 256 */
    unsigned conn_max;               /* connections; 0 = 4096; more
                                        get 503 (a few), then refused */
    unsigned timeout_s;              /* idle timeout; 0 = 30 */
    unsigned request_timeout_s;      /* whole request; 0 = 30 */
    size_t body_max;                 /* bytes; 0 = 8 KiB */
    size_t url_max;                  /* path + query bytes; 0 = 4096 */
    unsigned headers_max;            /* header fields; 0 = 64 */
    size_t header_bytes_max;         /* all header bytes; 0 = 12 KiB */
    /* The four limits above also size libmicrohttpd's memory of each
     * connection, which it clears on every request: smaller limits
     * make every request cheaper. */
};

enum lk_err lk_server_start(struct lk_app *app,
                            const struct lk_server_config *cfg,
                            struct lk_server **out,
                            char *err, size_t errlen);
unsigned lk_server_port(const struct lk_server *s);
void lk_server_stop(struct lk_server *s);

#endif
