/*
 * embed_app.c: a C program that embeds liblatchkey. It opens a SQLite
 * store, sets up the default password policy and an HS256 key, adds
 * the built-in routes (/token, /users/me, /openapi.json, /docs/...)
 * and one route of its own, GET /reports, which needs a bearer token
 * with the scope "reports". The OpenAPI document lists that route,
 * its scope and the scope's description, with no extra work.
 *
 * usage: embed_app DATA_DIR [HOST:PORT]
 *   DATA_DIR/latchkey.db is the store (the one `latchkey user
 *   --data-dir DATA_DIR` manages); LATCHKEY_SECRET_KEY holds the HS256
 *   secret (at least 32 bytes); the default address is 127.0.0.1:8001.
 * It serves until SIGINT or SIGTERM.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "latchkey/lk_app.h"
#include "latchkey/lk_log.h"

/* Everything the program owns, released in reverse order. */
struct embed {
    struct lk_store *store;
    struct lk_pwpolicy *policy;
    struct lk_keyset *keys;
    struct lk_app *app;
    struct lk_server *server;
};

/* GET /reports: the reports a caller with the scope may read (a fixed
 * list, for the example). latchkey has checked the token and the scope
 * before this runs; auth->user is the token's user. */
static void reports_handler(struct lk_app *app, const struct lk_route *r,
                            const struct lk_request *req,
                            const struct lk_auth *auth,
                            struct lk_response *resp)
{
    static const char body[] =
        "{\"reports\":[{\"id\":\"q1\",\"title\":\"First quarter\"}]}";
    char *copy = strdup(body);

    (void)app;
    (void)r;
    (void)req;
    (void)auth;
    lk_resp_json(resp, 200, copy, copy != NULL ? sizeof(body) - 1 : 0);
}

static const struct lk_route_response reports_responses[] = {
    {200, "The caller's reports", NULL, NULL},
    {401, "Missing or invalid bearer token", "HTTPError", NULL},
    {403, "The token lacks the scope reports", "HTTPError", NULL},
    {0, NULL, NULL, NULL},
};

static const struct lk_route reports_route = {
    .method = "GET",
    .path = "/reports",
    .flags = LK_ROUTE_BEARER,
    .scopes = "reports",
    .summary = "Read Reports",
    .description = "Reports of the token's user; needs scope reports.",
    .operation_id = "read_reports_reports_get",
    .tag = "reports",
    .responses = reports_responses,
    .handler = reports_handler,
};

/* Store, password policy and signing key from DATA_DIR and the
 * environment. */
static enum lk_err open_parts(struct embed *e, const char *dir,
                              char *err, size_t errlen)
{
    const char *secret = getenv("LATCHKEY_SECRET_KEY");
    struct lk_jwk *key = NULL;
    char path[4096];
    enum lk_err rc;

    if (secret == NULL || strlen(secret) < LK_HMAC_MIN_KEY)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "set LATCHKEY_SECRET_KEY (at least 32 bytes)");
    if ((size_t)snprintf(path, sizeof(path), "%s/latchkey.db", dir) >=
        sizeof(path))
        return lk_seterr(err, errlen, LK_ERR_TOO_LARGE, "path too long");
    rc = lk_store_open_sqlite(path, &e->store, err, errlen);
    if (rc == LK_OK)
        rc = lk_pwpolicy_new_default(&e->policy);
    if (rc == LK_OK)
        rc = lk_keyset_new(&e->keys);
    if (rc == LK_OK)
        rc = lk_jwk_from_secret((const uint8_t *)secret, strlen(secret),
                                LK_ALG_HS256, NULL, &key, err, errlen);
    if (rc == LK_OK && (rc = lk_keyset_add(e->keys, key, 1)) != LK_OK)
        lk_jwk_free(key);
    return rc;
}

/* The app: built-in routes, the scopes, and GET /reports. */
static enum lk_err build_app(struct embed *e, char *err, size_t errlen)
{
    struct lk_app_config ac;
    enum lk_err rc;

    memset(&ac, 0, sizeof(ac));
    ac.store = e->store;
    ac.policy = e->policy;
    ac.keys = e->keys;
    ac.title = "embed_app";
    ac.version = "1.0.0";
    rc = lk_app_new(&ac, &e->app, err, errlen);
    if (rc == LK_OK)
        rc = lk_app_add_builtin_routes(e->app);
    if (rc == LK_OK)
        rc = lk_app_add_scope(e->app, "me", "Read your own profile.");
    if (rc == LK_OK)
        rc = lk_app_add_scope(e->app, "items", "Read your own items.");
    if (rc == LK_OK)
        rc = lk_app_add_scope(e->app, "reports", "Read your reports.");
    if (rc == LK_OK)
        rc = lk_app_add_route(e->app, &reports_route);
    return rc;
}

static void embed_close(struct embed *e)
{
    lk_server_stop(e->server);
    lk_app_free(e->app);
    lk_keyset_free(e->keys);
    lk_pwpolicy_free(e->policy);
    lk_store_close(e->store);
}

/* Split HOST:PORT into its parts; 0 on success. */
static int split_listen(const char *s, char *host, size_t cap,
                        unsigned *port)
{
    const char *colon = strrchr(s, ':');
    char *end;
    unsigned long p;

    if (colon == NULL || (size_t)(colon - s) >= cap || colon == s)
        return -1;
    p = strtoul(colon + 1, &end, 10);
    if (*end != '\0' || end == colon + 1 || p > 65535)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    *port = (unsigned)p;
    return 0;
}

int main(int argc, char **argv)
{
    struct embed e;
    struct lk_server_config sc;
    char err[512] = "", host[256];
    sigset_t set;
    int sig = 0;

    memset(&e, 0, sizeof(e));
    memset(&sc, 0, sizeof(sc));
    if (argc < 2 || argc > 3 ||
        split_listen(argc == 3 ? argv[2] : "127.0.0.1:8001", host,
                     sizeof(host), &sc.port) != 0) {
        fprintf(stderr, "usage: embed_app DATA_DIR [HOST:PORT]\n");
        return 2;
    }
    sc.host = host;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    lk_log_configure(NULL, NULL, LK_LOG_INFO);
    if (open_parts(&e, argv[1], err, sizeof(err)) != LK_OK ||
        build_app(&e, err, sizeof(err)) != LK_OK ||
        lk_server_start(e.app, &sc, &e.server, err, sizeof(err)) != LK_OK) {
        fprintf(stderr, "embed_app: %s\n", err[0] ? err : "start failed");
        embed_close(&e);
        return 1;
    }
    lk_log(LK_LOG_INFO, "event=listening address=%s:%u", host,
           lk_server_port(e.server));
    sigwait(&set, &sig);
    embed_close(&e);
    return 0;
}
