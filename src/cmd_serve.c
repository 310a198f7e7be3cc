/*
 * cmd_serve.c: `latchkey serve`, the authorization server and API.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "latchkey/lk_app.h"
#include "latchkey/lk_log.h"
#include "latchkey/lk_logbuf.h"
#include "opts.h"
#include "policy_cli.h"
#include "runtime.h"

/* The tutorial's demo account; its hash is the tutorial's own. */
#define DEMO_HASH "$2a$12$KplebFTPwFcgGQosJgI4De0PyB2AoRCSxasxHpFoYZPp6uQV/xLzm"

static const struct opt serve_opts[] = {
    {"listen", "LATCHKEY_LISTEN", OPT_VALUE, "127.0.0.1:8000",
     "address and port to listen on (HOST:PORT, [V6]:PORT)"},
    {"data-dir", "LATCHKEY_DATA_DIR", OPT_VALUE, DEFAULT_DATA_DIR,
     "directory for the SQLite store and the generated secret"},
    {"database", "LATCHKEY_DATABASE_URL", OPT_VALUE, NULL,
     "store URL (sqlite:PATH or postgresql://USER@HOST/DB); default "
     "DATA_DIR/latchkey.db"},
    {"db-pool", "LATCHKEY_DB_POOL", OPT_VALUE, "8",
     "PostgreSQL connections per process (1..64)"},
    {"db-timeout-ms", "LATCHKEY_DB_TIMEOUT_MS", OPT_VALUE, "2000",
     "bound of one PostgreSQL call (waiting for a connection "
     "included) and the statement timeout; past it the request gets "
     "503"},
    {"no-migrate", "LATCHKEY_NO_MIGRATE", OPT_BOOL, NULL,
     "refuse to start on an out-of-date PostgreSQL schema instead of "
     "migrating it (see `latchkey db migrate`)"},
    {"secret-key-file", "LATCHKEY_SECRET_KEY_FILE", OPT_VALUE, NULL,
     "file holding the HS256 secret (mode 0600); LATCHKEY_SECRET_KEY "
     "holds the secret itself"},
    {"key-file", "LATCHKEY_KEY_FILES", OPT_REPEAT, NULL,
     "signing/verification key file: PEM, JWK, JWKS or raw secret "
     "(repeatable; the first file's private key signs, all verify; "
     "replaces the HS256 secret)"},
    {"alg", "LATCHKEY_ALG", OPT_VALUE, NULL,
     "algorithm of raw-secret and PEM key files (default: by key type; "
     "HS256 for secrets)"},
    {"token-ttl", "LATCHKEY_TOKEN_TTL", OPT_VALUE, "1800",
     "access token lifetime in seconds"},
    {"issuer", "LATCHKEY_ISSUER", OPT_VALUE, NULL,
     "iss of issued tokens, required in verified ones"},
    {"audience", "LATCHKEY_AUDIENCE", OPT_VALUE, NULL,
     "aud of issued tokens, required in verified ones"},
    {"leeway", "LATCHKEY_LEEWAY", OPT_VALUE, "0",
     "allowed clock skew in seconds for exp/nbf/iat"},
    {"threads", "LATCHKEY_THREADS", OPT_VALUE, NULL,
     "HTTP threads (default: one per usable core)"},
    {"workers", "LATCHKEY_WORKERS", OPT_VALUE, NULL,
     "password-hashing threads (default: one per usable core)"},
    {"queue-max", "LATCHKEY_QUEUE_MAX", OPT_VALUE, "256",
     "logins waiting for a worker before 503"},
    {"max-connections", "LATCHKEY_MAX_CONNECTIONS", OPT_VALUE, "4096",
     "open connections at most"},
    {"timeout", "LATCHKEY_TIMEOUT", OPT_VALUE, "30",
     "idle connection timeout in seconds"},
    {"scopes", "LATCHKEY_SCOPES", OPT_VALUE, "me,items",
     "scopes that can be granted (comma-separated)"},
    {"route-scope", "LATCHKEY_ROUTE_SCOPES", OPT_REPEAT, NULL,
     "PATH=SCOPE[,SCOPE]: scopes a route needs (repeatable; the "
     "variable holds space-separated entries)"},
    {"request-timeout", "LATCHKEY_REQUEST_TIMEOUT", OPT_VALUE, "30",
     "longest time one request may take, in seconds (slow clients)"},
    {"body-max", "LATCHKEY_BODY_MAX", OPT_VALUE, "8192",
     "largest request body in bytes (413 above)"},
    {"max-url", "LATCHKEY_MAX_URL", OPT_VALUE, "4096",
     "longest request target (path and query) in bytes (414 above)"},
    {"max-headers", "LATCHKEY_MAX_HEADERS", OPT_VALUE, "64",
     "most header fields in a request (431 above)"},
    {"max-header-bytes", "LATCHKEY_MAX_HEADER_BYTES", OPT_VALUE, "12288",
     "largest total size of a request's header fields (431 above)"},
    {"throttle-threshold", "LATCHKEY_THROTTLE_THRESHOLD", OPT_VALUE, "5",
     "failed logins (per username, per address) before 429; 0: off"},
    {"throttle-base", "LATCHKEY_THROTTLE_BASE", OPT_VALUE, "1",
     "first lockout in seconds; doubles with each further failure"},
    {"throttle-max", "LATCHKEY_THROTTLE_MAX", OPT_VALUE, "900",
     "longest lockout in seconds"},
    {"throttle-window", "LATCHKEY_THROTTLE_WINDOW", OPT_VALUE, "3600",
     "seconds after which failed logins are forgotten"},
    {"user-cache-ms", "LATCHKEY_USER_CACHE_MS", OPT_VALUE, "500",
     "bearer requests may reuse a user record this long (0..1000 ms; "
     "a disabled user is refused after at most this); 0: off"},
    {"demo", "LATCHKEY_DEMO", OPT_BOOL, NULL,
     "create the tutorial's demo user janedoe if missing"},
    {"log-level", "LATCHKEY_LOG_LEVEL", OPT_VALUE, "info",
     "debug, info, warn or error"},
    {"log-flush-ms", "LATCHKEY_LOG_FLUSH_MS", OPT_VALUE, "100",
     "info lines reach standard error in batches, each at most this "
     "late (0..1000 ms; warnings at once); 0: every line at once"},
};
#define NOPTS (sizeof(serve_opts) / sizeof(serve_opts[0]))
#define OPT(name) opts_get(serve_opts, NOPTS, &o, name)

struct serve_ctx {
    struct lk_store *store;
    struct lk_keyset *keys;
    struct lk_pwpolicy *policy;
    struct lk_app *app;
    struct lk_server *server;
    struct lk_logbuf *log;
    char *scope_names;
    pthread_t warm;              /* makes the dummy hash at start-up */
    int warm_started;
};

/* Make the policy's dummy hash now, off the main thread, so that the
 * first login of an unknown user costs what every later one does. */
static void *warm_dummy(void *arg)
{
    lk_pw_dummy_verify(arg, (const uint8_t *)"", 0);
    return NULL;
}

/* Split HOST:PORT (IPv6 in brackets). */
static int parse_listen(const char *s, char *host, size_t cap,
                        unsigned *port)
{
    const char *colon = strrchr(s, ':');
    unsigned long long p;
    size_t hl;

    if (colon == NULL || opts_uint(colon + 1, 0, 65535, &p) != 0)
        return -1;
    hl = (size_t)(colon - s);
    if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
        s++;
        hl -= 2;
    }
    if (hl == 0 || hl >= cap)
        return -1;
    memcpy(host, s, hl);
    host[hl] = '\0';
    *port = (unsigned)p;
    return 0;
}

/* Seed the demo account on a store that lacks it. */
static int seed_demo(struct lk_store *s, char *err, size_t errlen)
{
    struct lk_user u;
    enum lk_err rc = s->ops->get_user(s, "janedoe", &u, NULL, 0);

    if (rc == LK_OK) {
        lk_log(LK_LOG_INFO, "event=demo msg=\"user janedoe already "
               "present, left as is\"");
        return 0;
    }
    memset(&u, 0, sizeof(u));
    snprintf(u.username, sizeof(u.username), "janedoe");
    snprintf(u.email, sizeof(u.email), "janedoe@example.com");
    snprintf(u.full_name, sizeof(u.full_name), "Jane Doe");
    snprintf(u.password_hash, sizeof(u.password_hash), "%s", DEMO_HASH);
    snprintf(u.scopes, sizeof(u.scopes), "me items");
    u.has_email = u.has_full_name = 1;
    rc = s->ops->add_user(s, &u, err, errlen);
    if (rc == LK_OK)
        rc = s->ops->add_item(s, "janedoe", "Foo", err, errlen);
    if (rc != LK_OK)
        return -1;
    lk_log(LK_LOG_INFO, "event=demo msg=\"created user janedoe with the "
           "tutorial's demo hash, item Foo and scopes me, items\"");
    return 0;
}

static int log_level(const char *s)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    int i;

    for (i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/* Describe the tutorial's scopes; others get a generic text. */
static const char *scope_description(const char *name)
{
    if (strcmp(name, "me") == 0)
        return "Read information about the current user.";
    if (strcmp(name, "items") == 0)
        return "Read items.";
    return "Application-defined scope.";
}

/* Define the grantable scopes from a comma/space separated list. The
 * names live in c->scope_names, which outlives the app. */
static int define_scopes(struct serve_ctx *c, const char *list,
                         char *err, size_t errlen)
{
    char *p;

    if ((c->scope_names = strdup(list)) == NULL)
        return -1;
    p = c->scope_names;
    while (*p != '\0') {
        size_t n = strcspn(p, ", ");
        char *name = p;
        p += n;
        if (*p != '\0')
            *p++ = '\0';
        if (n == 0)
            continue;
        if (lk_app_add_scope(c->app, name, scope_description(name))) {
            snprintf(err, errlen, "too many scopes in --scopes");
            return -1;
        }
    }
    return 0;
}

/* Apply "PATH=S1,S2 PATH2=S3" route scope assignments. */
static int route_scopes(struct serve_ctx *c, const char *spec,
                        char *err, size_t errlen)
{
    char buf[2048], *p = buf;

    if (strlen(spec) >= sizeof(buf)) {
        snprintf(err, errlen, "--route-scope too long");
        return -1;
    }
    memcpy(buf, spec, strlen(spec) + 1);
    while (*p != '\0') {
        size_t n = strcspn(p, " ");
        char *entry = p, *eq, *q;
        p += n;
        if (*p != '\0')
            *p++ = '\0';
        if (n == 0)
            continue;
        if ((eq = strchr(entry, '=')) == NULL || eq == entry) {
            snprintf(err, errlen, "--route-scope '%s' is not PATH=SCOPES",
                     entry);
            return -1;
        }
        *eq = '\0';
        for (q = eq + 1; *q != '\0'; q++)
            if (*q == ',')
                *q = ' ';
        if (lk_app_set_route_scopes(c->app, entry, eq + 1) != LK_OK) {
            snprintf(err, errlen, "--route-scope: no route '%s'", entry);
            return -1;
        }
    }
    return 0;
}

/* One numeric option into *out if set and in range; -1 with a message
 * otherwise. */
static int num_opt(const struct opts_result *r, const char *name,
                   unsigned long long min, unsigned long long max,
                   unsigned long long *out, char *err, size_t errlen)
{
    const struct opts_result o = *r;
    const char *v = OPT(name);

    if (v == NULL)
        return 0;
    if (opts_uint(v, min, max, out) == 0)
        return 0;
    snprintf(err, errlen, "--%s must be a number in %llu..%llu, got '%s'",
             name, min, max, v);
    return -1;
}

/* The --throttle-* options into the app config. */
static int throttle_config(const struct opts_result *r,
                           struct lk_app_config *ac, char *err,
                           size_t errlen)
{
    unsigned long long thr = 5, base = 1, max = 900, win = 3600;

    if (num_opt(r, "throttle-threshold", 0, 1000000, &thr, err, errlen) ||
        num_opt(r, "throttle-base", 1, 86400, &base, err, errlen) ||
        num_opt(r, "throttle-max", 1, 604800, &max, err, errlen) ||
        num_opt(r, "throttle-window", 1, 31536000, &win, err, errlen))
        return -1;
    ac->throttle_off = thr == 0;
    ac->throttle_threshold = (unsigned)thr;
    ac->throttle_base = (int64_t)base;
    ac->throttle_max = (int64_t)(max < base ? base : max);
    ac->throttle_window = (int64_t)win;
    return 0;
}

/* Build the app from the options. */
static int setup_app(struct serve_ctx *c, const struct opts_result *r,
                     int64_t ttl, int64_t leeway, char *err, size_t errlen)
{
    struct lk_app_config ac;
    const struct opts_result o = *r;
    unsigned long long cache_ms = 500;
    enum lk_err rc;

    memset(&ac, 0, sizeof(ac));
    ac.store = c->store;
    ac.policy = c->policy;
    ac.keys = c->keys;
    ac.token_ttl = ttl;
    ac.leeway = leeway;
    ac.issuer = OPT("issuer");
    ac.audience = OPT("audience");
    ac.title = "latchkey";
    if (throttle_config(r, &ac, err, errlen) != 0 ||
        num_opt(r, "user-cache-ms", 0, 1000, &cache_ms, err, errlen) != 0)
        return -1;
    ac.user_cache_ms = (int64_t)cache_ms;
    rc = lk_app_new(&ac, &c->app, err, errlen);
    if (rc == LK_OK)
        rc = lk_app_add_builtin_routes(c->app);
    if (rc == LK_OK && define_scopes(c, OPT("scopes"), err, errlen))
        return -1;
    if (rc == LK_OK && OPT("route-scope") &&
        route_scopes(c, OPT("route-scope"), err, errlen))
        return -1;
    if (rc != LK_OK && err[0] == '\0')
        snprintf(err, errlen, "cannot set up routes: %s", lk_strerror(rc));
    return rc == LK_OK ? 0 : -1;
}

/* Numbers from the options, checked. */
static int server_config(const struct opts_result *r,
                         struct lk_server_config *sc, char *host,
                         size_t hostcap, char *err, size_t errlen)
{
    const struct opts_result o = *r;
    unsigned long long v[10] = {0};

    memset(sc, 0, sizeof(*sc));
    if (parse_listen(OPT("listen"), host, hostcap, &sc->port) != 0) {
        snprintf(err, errlen, "--listen must be HOST:PORT, got '%s'",
                 OPT("listen"));
        return -1;
    }
    sc->host = host;
    if (num_opt(r, "threads", 1, 256, &v[0], err, errlen) ||
        num_opt(r, "workers", 1, 256, &v[1], err, errlen) ||
        num_opt(r, "queue-max", 1, 100000, &v[2], err, errlen) ||
        num_opt(r, "max-connections", 1, 1000000, &v[3], err, errlen) ||
        num_opt(r, "timeout", 1, 3600, &v[4], err, errlen) ||
        num_opt(r, "request-timeout", 1, 3600, &v[5], err, errlen) ||
        num_opt(r, "body-max", 64, 1048576, &v[6], err, errlen) ||
        num_opt(r, "max-url", 64, 4096, &v[7], err, errlen) ||
        num_opt(r, "max-headers", 4, 1000, &v[8], err, errlen) ||
        num_opt(r, "max-header-bytes", 256, 16384, &v[9], err, errlen))
        return -1;
    sc->threads = (unsigned)v[0];
    sc->workers = (unsigned)v[1];
    sc->queue_max = (unsigned)v[2];
    sc->conn_max = (unsigned)v[3];
    sc->timeout_s = (unsigned)v[4];
    sc->request_timeout_s = (unsigned)v[5];
    sc->body_max = (size_t)v[6];
    sc->url_max = (size_t)v[7];
    sc->headers_max = (unsigned)v[8];
    sc->header_bytes_max = (size_t)v[9];
    return 0;
}

/* Raise the open-file limit so that conn_max connections fit (each
 * is one descriptor; the store and logs need a few more). */
static void raise_nofile(unsigned conn_max)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)conn_max + conn_max / 8 + 128;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ?
                  rl.rlim_max : want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want)
        lk_log(LK_LOG_WARN, "event=nofile_limit have=%llu want=%llu "
               "msg=\"fewer connections than --max-connections fit\"",
               (unsigned long long)rl.rlim_cur, (unsigned long long)want);
}

/* Wait for SIGINT or SIGTERM (blocked in every thread). */
static int wait_for_signal(const sigset_t *set)
{
    int sig = 0;

    sigwait(set, &sig);
    return sig;
}

static void serve_cleanup(struct serve_ctx *c)
{
    if (c->warm_started)               /* it hashes on the server's */
        pthread_join(c->warm, NULL);   /* threads: join it first */
    lk_server_stop(c->server);
    lk_app_free(c->app);
    lk_pwpolicy_free(c->policy);
    lk_keyset_free(c->keys);
    lk_store_close(c->store);
    free(c->scope_names);
    lk_log_configure(NULL, NULL, LK_LOG_INFO);
    lk_logbuf_free(c->log);
    c->log = NULL;
}

/* The store's pool and timeout from the options, checked. */
static int store_config(const struct opts_result *r,
                        struct lk_store_config *cfg, char *err,
                        size_t errlen)
{
    const struct opts_result o = *r;
    unsigned long long pool, ms;

    memset(cfg, 0, sizeof(*cfg));
    if (opts_uint(OPT("db-pool"), 1, LK_STORE_POOL_MAX, &pool) != 0 ||
        opts_uint(OPT("db-timeout-ms"), 1, 600000, &ms) != 0) {
        snprintf(err, errlen, "--db-pool must be 1..%d and "
                 "--db-timeout-ms 1..600000", LK_STORE_POOL_MAX);
        return -1;
    }
    cfg->pool_size = (unsigned)pool;
    cfg->timeout_ms = (unsigned)ms;
    cfg->no_migrate = OPT("no-migrate") != NULL;
    return 0;
}

/* Open everything the server needs; logs the start-up facts. */
static int serve_open(struct serve_ctx *c, const struct opts_result *r,
                      char *err, size_t errlen)
{
    const struct opts_result o = *r;
    char store_desc[4200], key_src[4200];
    unsigned long long ttl, leeway;
    struct lk_store_config cfg;

    if (opts_uint(OPT("token-ttl"), 1, 31536000, &ttl) != 0 ||
        opts_uint(OPT("leeway"), 0, 3600, &leeway) != 0) {
        snprintf(err, errlen, "--token-ttl must be 1..31536000 and "
                 "--leeway 0..3600 seconds");
        return -1;
    }
    if (store_config(r, &cfg, err, errlen) != 0 ||
        runtime_open_store_config(OPT("data-dir"), OPT("database"), &cfg,
                                  &c->store, store_desc,
                                  sizeof(store_desc), err, errlen))
        return -1;
    if (OPT("key-file") != NULL ?
        runtime_load_keys(OPT("key-file"), OPT("alg"), &c->keys, key_src,
                          sizeof(key_src), err, errlen) :
        runtime_load_secret(OPT("data-dir"), OPT("secret-key-file"),
                            &c->keys, key_src, sizeof(key_src), err,
                            errlen))
        return -1;
    lk_log(LK_LOG_INFO, "event=start version=%s store=\"%s\" "
           "key_source=\"%s\" alg=%s token_ttl=%llu",
           LATCHKEY_VERSION, store_desc, key_src,
           lk_jws_alg_name(lk_jwk_alg(lk_keyset_signing_key(c->keys))),
           ttl);
    if (OPT("demo") && seed_demo(c->store, err, errlen) != 0)
        return -1;
    return setup_app(c, r, (int64_t)ttl, (int64_t)leeway, err, errlen);
}

/* Install the buffered log sink on standard error. */
static int start_log(struct serve_ctx *c, const struct opts_result *r,
                     enum lk_log_level lvl)
{
    unsigned long long ms = 100;
    char err[256];

    if (num_opt(r, "log-flush-ms", 0, 1000, &ms, err, sizeof(err)) != 0) {
        fprintf(stderr, "latchkey serve: %s\n", err);
        return -1;
    }
    if (lk_logbuf_new(STDERR_FILENO, (unsigned)ms, &c->log) != LK_OK) {
        fprintf(stderr, "latchkey serve: cannot start the log writer\n");
        return -1;
    }
    lk_log_configure(lk_logbuf_sink, c->log, lvl);
    return 0;
}

static int serve_exec(int argc, char **argv)
{
    struct opts_result o;
    struct serve_ctx c;
    struct lk_server_config sc;
    char err[512] = "", host[256];
    sigset_t set;
    int lvl, rc = 1;

    memset(&c, 0, sizeof(c));
    if (policy_from_args(&c.policy, &argc, argv, "serve") != 0)
        return 2;
    if (opts_parse(serve_opts, NOPTS, argc, argv, &o, err, sizeof(err))) {
        lk_pwpolicy_free(c.policy);
        fprintf(stderr, "latchkey serve: %s\n", err);
        return 2;
    }
    if (o.help) {
        opts_usage(cmd_serve.usage, serve_opts, NOPTS);
        printf("\nPassword policy (--password-NAME V, "
               "LATCHKEY_PASSWORD_NAME):\n");
        policy_usage();
        serve_cleanup(&c);
        opts_free(&o);
        return 0;
    }
    if ((lvl = log_level(OPT("log-level"))) < 0 || o.npos > 0) {
        fprintf(stderr, "latchkey serve: bad --log-level or extra "
                "arguments (see --help)\n");
        serve_cleanup(&c);
        opts_free(&o);
        return 2;
    }
    sigemptyset(&set);               /* before any thread starts, so */
    sigaddset(&set, SIGINT);         /* that only sigwait sees them */
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (start_log(&c, &o, (enum lk_log_level)lvl) != 0) {
        serve_cleanup(&c);
        opts_free(&o);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (server_config(&o, &sc, host, sizeof(host), err, sizeof(err)) ||
        serve_open(&c, &o, err, sizeof(err)))
        goto out;
    raise_nofile(sc.conn_max ? sc.conn_max : 4096);
    if (lk_server_start(c.app, &sc, &c.server, err, sizeof(err)) != LK_OK)
        goto out;
    c.warm_started = pthread_create(&c.warm, NULL, warm_dummy,
                                    c.policy) == 0;
    lk_log(LK_LOG_INFO, "event=listening address=%s:%u demo=%s "
           "docs=http://%s:%u/docs/swagger", host,
           lk_server_port(c.server), OPT("demo") ? "yes" : "no", host,
           lk_server_port(c.server));
    lk_logbuf_flush(c.log);      /* the start-up lines, now */
    lk_log(LK_LOG_INFO, "event=stopping signal=%d", wait_for_signal(&set));
    rc = 0;
out:
    if (rc != 0)
        lk_log(LK_LOG_ERR, "event=start_failed reason=\"%s\"", err);
    serve_cleanup(&c);
    opts_free(&o);
    return rc;
}

const struct cmd_entry cmd_serve = {
    .name = "serve",
    .summary = "run the authorization server and API",
    .usage = "usage: latchkey serve [--demo] [--listen HOST:PORT] "
             "[--data-dir DIR] [options]",
    .exec = serve_exec,
};
