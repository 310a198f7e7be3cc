/*
 * fuzz_handler.c: libFuzzer target for the request handler as a whole
 * (lk_app_handle: routing, bearer authentication, the routes), with an
 * app on a temporary SQLite store holding janedoe (a cost-4 bcrypt hash
 * of "fuzz-pw", so logins are fast) and a disabled user bob.
 *
 * Input: method \n path \n authorization \n content-type \n body. An
 * authorization line starting with '@' becomes "Bearer <valid token>"
 * followed by the rest of the line. Invariants checked: a status in
 * 200..599 other than 500, and every JSON body parses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "latchkey/lk_app.h"

#define FUZZ_SECRET "fuzz-secret-0123456789abcdef0123456789abcdef"
#define JANE_HASH "$2b$04$fRA1K5rf.STxcsocz0B6q.6inKfqrD5b3bQPFx1eZWlsFhW9HCa0e"
#define CLAIMS "{\"sub\":\"janedoe\",\"exp\":4102444800,\"scope\":\"me items\"}"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_ctx {
    char dir[64], db[96];
    struct lk_store *store;
    struct lk_keyset *ks;
    struct lk_pwpolicy *policy;
    struct lk_app *app;
    char *token;
};

static struct fuzz_ctx ctx;

/* Remove the temporary store at exit. */
static void cleanup(void)
{
    static const char *const sfx[] = {"", "-wal", "-shm"};
    char p[128];
    int i;

    lk_app_free(ctx.app);
    lk_store_close(ctx.store);
    for (i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s%s", ctx.db, sfx[i]);
        unlink(p);
    }
    rmdir(ctx.dir);
}

/* Add one user with the given hash and disabled flag. */
static void add_user(const char *name, const char *hash, int disabled)
{
    struct lk_user u;

    memset(&u, 0, sizeof(u));
    snprintf(u.username, sizeof(u.username), "%s", name);
    snprintf(u.email, sizeof(u.email), "%s@example.com", name);
    snprintf(u.password_hash, sizeof(u.password_hash), "%s", hash);
    snprintf(u.scopes, sizeof(u.scopes), "me items");
    u.has_email = 1;
    u.disabled = disabled;
    if (ctx.store->ops->add_user(ctx.store, &u, NULL, 0) != LK_OK ||
        ctx.store->ops->add_item(ctx.store, name, "Foo", NULL, 0) != LK_OK)
        abort();
}

/* Store, keys, policy, app and a valid token, made once. */
static void setup(void)
{
    struct lk_jwk *k = NULL;
    struct lk_app_config ac;
    size_t tl = 0;

    snprintf(ctx.dir, sizeof(ctx.dir), "/tmp/latchkey-fuzz-XXXXXX");
    if (mkdtemp(ctx.dir) == NULL)
        abort();
    snprintf(ctx.db, sizeof(ctx.db), "%s/fuzz.db", ctx.dir);
    if (lk_store_open_sqlite(ctx.db, &ctx.store, NULL, 0) != LK_OK ||
        lk_jwk_from_secret((const uint8_t *)FUZZ_SECRET,
                           sizeof(FUZZ_SECRET) - 1, LK_ALG_HS256, NULL, &k,
                           NULL, 0) != LK_OK ||
        lk_keyset_new(&ctx.ks) != LK_OK ||
        lk_keyset_add(ctx.ks, k, 1) != LK_OK ||
        lk_pwpolicy_new_default(&ctx.policy) != LK_OK)
        abort();
    add_user("janedoe", JANE_HASH, 0);
    add_user("bob", JANE_HASH, 1);
    memset(&ac, 0, sizeof(ac));
    ac.store = ctx.store;
    ac.policy = ctx.policy;
    ac.keys = ctx.ks;
    ac.throttle_threshold = 50;     /* throttling runs, and its short */
    ac.throttle_base = 1;           /* lockouts end soon enough for the */
    ac.throttle_max = 1;            /* login paths to stay reachable */
    ac.throttle_window = 1;
    if (lk_app_new(&ac, &ctx.app, NULL, 0) != LK_OK ||
        lk_app_add_builtin_routes(ctx.app) != LK_OK ||
        lk_app_add_scope(ctx.app, "me", "Me.") != LK_OK ||
        lk_app_add_scope(ctx.app, "items", "Items.") != LK_OK ||
        lk_jwt_sign(lk_keyset_signing_key(ctx.ks), CLAIMS,
                    sizeof(CLAIMS) - 1, &ctx.token, &tl, NULL, 0) != LK_OK)
        abort();
    atexit(cleanup);
}

/* Cut the next line out of [*p, end) into a new C string. */
static char *next_line(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
    size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
    char *s = malloc(n + 1);

    if (s != NULL) {
        memcpy(s, *p, n);
        s[n] = '\0';
    }
    *p = nl ? nl + 1 : end;
    return s;
}

/* Replace a leading '@' with "Bearer <token>". */
static char *expand_auth(char *a)
{
    size_t n;
    char *s;

    if (a == NULL || a[0] != '@')
        return a;
    n = strlen(ctx.token) + strlen(a) + 8;
    if ((s = malloc(n)) != NULL)
        snprintf(s, n, "Bearer %s%s", ctx.token, a + 1);
    free(a);
    return s;
}

/* Check the invariants of an answer. */
static void check(const struct lk_response *r)
{
    json_t *j;

    if (r->status < 200 || r->status > 599 || r->status == 500)
        abort();
    if (r->body_len > 0 && r->body == NULL)
        abort();
    if (r->content_type != NULL &&
        strcmp(r->content_type, "application/json") == 0) {
        j = json_loadb(r->body, r->body_len, JSON_DECODE_ANY, NULL);
        if (j == NULL)
            abort();
        json_decref(j);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    struct lk_request req;
    struct lk_response resp;
    char *method, *path, *auth, *ct, *q;
    uint8_t *body;

    if (ctx.app == NULL)
        setup();
    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    method = next_line(&p, end);
    path = next_line(&p, end);
    auth = expand_auth(next_line(&p, end));
    ct = next_line(&p, end);
    body = malloc((size_t)(end - p) + 1);
    if (method && path && auth && ct && body) {
        memcpy(body, p, (size_t)(end - p));
        if ((q = strchr(path, '?')) != NULL)
            *q++ = '\0';
        req.method = method;
        req.path = path;
        req.query = q;
        req.authorization = auth[0] ? auth : NULL;
        req.content_type = ct[0] ? ct : NULL;
        req.client_addr = "192.0.2.1";
        req.body = body;
        req.body_len = (size_t)(end - p);
        lk_app_handle(ctx.app, &req, &resp);
        check(&resp);
        lk_resp_clear(&resp);
    }
    free(method);
    free(path);
    free(auth);
    free(ct);
    free(body);
    return 0;
}
