/*
 * route_token.c: POST /token, the OAuth2 password grant (RFC 6749
 * section 4.3) as the tutorial's clients use it. It runs on the worker
 * pool because verifying a password is slow on purpose.
 *
 * Every failure of the credentials answers the same 401, after the same
 * amount of hashing work, whether the user exists or not.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/app_internal.h"
#include "api/routes.h"
#include "http/form.h"
#include "http/jsonw.h"
#include "latchkey/lk_log.h"

enum { F_GRANT, F_USER, F_PASS, F_SCOPE, F_CID, F_CSECRET, F__COUNT };

struct token_form {
    char grant[32];
    char user[LK_USERNAME_MAX + 1];
    char pass[LK_PW_MAX + 1];
    char scope[LK_SCOPE_MAX + 1];
    char cid[256];
    char csecret[256];
    struct lk_form_field f[F__COUNT];
};

static void form_init(struct token_form *t)
{
    static const char *const names[F__COUNT] = {
        "grant_type", "username", "password", "scope", "client_id",
        "client_secret"};
    char *bufs[F__COUNT] = {t->grant, t->user, t->pass, t->scope, t->cid,
                            t->csecret};
    size_t caps[F__COUNT] = {sizeof(t->grant), sizeof(t->user),
                             sizeof(t->pass), sizeof(t->scope),
                             sizeof(t->cid), sizeof(t->csecret)};
    int i;

    for (i = 0; i < F__COUNT; i++) {
        t->f[i].name = names[i];
        t->f[i].buf = bufs[i];
        t->f[i].cap = caps[i];
    }
}

/* 422 with FastAPI's validation-error shape for missing fields. */
static void missing_fields(struct lk_response *resp, const struct
                           token_form *t)
{
    struct jsonw w;
    size_t len = 0;
    int first = 1, i;
    char *body;

    jsonw_init(&w, 4096);
    jsonw_lit(&w, "{\"detail\":[");
    for (i = F_USER; i <= F_PASS; i++) {
        if (t->f[i].present)
            continue;
        jsonw_lit(&w, first ? "" : ",");
        jsonw_lit(&w, "{\"type\":\"missing\",\"loc\":[\"body\",");
        jsonw_cstr(&w, t->f[i].name);
        jsonw_lit(&w, "],\"msg\":\"Field required\",\"input\":null}");
        first = 0;
    }
    jsonw_lit(&w, "]}");
    body = jsonw_take(&w, &len);
    lk_resp_json(resp, 422, body, len);
}

/* A 400 in both shapes: the tutorial's detail and RFC 6749's error. */
static void oauth_error(struct lk_response *resp, const char *error,
                        const char *detail)
{
    struct jsonw w;
    size_t len = 0;
    char *body;

    jsonw_init(&w, 4096);
    jsonw_lit(&w, "{\"detail\":");
    jsonw_cstr(&w, detail);
    jsonw_lit(&w, ",\"error\":");
    jsonw_cstr(&w, error);
    jsonw_lit(&w, "}");
    body = jsonw_take(&w, &len);
    lk_resp_json(resp, 400, body, len);
    lk_resp_header(resp, "Cache-Control", "no-store");
}

static void bad_credentials(struct lk_response *resp)
{
    lk_resp_detail(resp, 401, "Incorrect username or password");
    lk_resp_header(resp, "WWW-Authenticate", "Bearer");
}

/* Parse and check the request; 0 with resp set on failure. */
static int read_form(const struct lk_request *req, struct token_form *t,
                     struct lk_response *resp)
{
    char why[LK_ERRBUF_SIZE];

    if (!lk_form_content_type_ok(req->content_type)) {
        lk_resp_detail(resp, 415, "Content-Type must be "
                       "application/x-www-form-urlencoded (UTF-8)");
        return 0;
    }
    if (lk_form_parse((const char *)req->body, req->body_len, t->f,
                      F__COUNT, why, sizeof(why)) != LK_OK) {
        oauth_error(resp, "invalid_request", why);
        return 0;
    }
    if (!t->f[F_USER].present || !t->f[F_PASS].present) {
        missing_fields(resp, t);
        return 0;
    }
    if (t->f[F_GRANT].len > 0 &&
        (t->f[F_GRANT].len != 8 || memcmp(t->grant, "password", 8) != 0)) {
        oauth_error(resp, "unsupported_grant_type",
                    "grant_type must be 'password'");
        return 0;
    }
    if (strlen(t->scope) != t->f[F_SCOPE].len) {
        oauth_error(resp, "invalid_scope", "The requested scope is "
                    "invalid, unknown, or malformed");
        return 0;
    }
    return 1;
}

/* Granted scopes: requested ones the user holds (all of the user's
 * when none are requested). 0 with resp set if a scope is unknown. */
static int grant_scopes(const struct lk_app *app, const char *requested,
                        const char *held, char *out, size_t cap,
                        struct lk_response *resp)
{
    const char *p = *requested ? requested : held;
    size_t used = 0, i;

    out[0] = '\0';
    while (*p != '\0') {
        size_t n = strcspn(p, " ");
        int defined = 0;
        for (i = 0; i < app->nscopes && !defined; i++)
            defined = strlen(app->scopes[i].name) == n &&
                      memcmp(app->scopes[i].name, p, n) == 0;
        if (n > 0 && *requested && !defined) {
            oauth_error(resp, "invalid_scope",
                        "The requested scope is invalid, unknown, or "
                        "malformed");
            return 0;
        }
        if (n > 0 && lk_scope_in(held, p, n) && !lk_scope_in(out, p, n) &&
            used + n + 2 < cap) {
            if (used)
                out[used++] = ' ';
            memcpy(out + used, p, n);
            used += n;
            out[used] = '\0';
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    return 1;
}

/* Replace a hash the policy deprecates; a lost race is harmless. */
static void upgrade_hash(struct lk_app *app, const struct lk_user *u,
                         const struct token_form *t)
{
    char fresh[LK_HASH_MAX + 1], why[LK_ERRBUF_SIZE], name[80];
    struct lk_store *s = app->store;
    enum lk_err rc;

    lk_log_escape(name, sizeof(name), u->username, strlen(u->username));
    rc = lk_pw_hash(app->policy, (const uint8_t *)t->pass,
                    t->f[F_PASS].len, fresh, sizeof(fresh), why,
                    sizeof(why));
    if (rc == LK_OK)
        rc = s->ops->replace_hash(s, u->username, u->password_hash, fresh,
                                  why, sizeof(why));
    if (rc == LK_OK)
        lk_log(LK_LOG_INFO, "event=hash_upgraded user=%s", name);
    else if (rc != LK_ERR_MISMATCH)
        lk_log(LK_LOG_WARN, "event=hash_upgrade_failed user=%s reason=%s",
               name, why);
    lk_secure_zero(fresh, sizeof(fresh));
}

/* Build {"access_token":...} with a fresh token. */
static void issue(struct lk_app *app, const struct lk_user *u,
                  const char *scopes, struct lk_response *resp)
{
    struct lk_jwt_issue_opts o = {u->username, app->token_ttl, scopes,
                                  app->issuer, app->audience};
    char *tok = NULL, why[LK_ERRBUF_SIZE], *body;
    size_t toklen = 0, len = 0;
    struct jsonw w;
    enum lk_err rc;

    rc = lk_jwt_issue(app->signer, &o, lk_now(), &tok, &toklen,
                      why, sizeof(why));
    if (rc != LK_OK) {
        lk_log(LK_LOG_ERR, "event=token_sign_failed reason=\"%s\"", why);
        lk_resp_detail(resp, 500, "Internal Server Error");
        return;
    }
    jsonw_init(&w, 65536);
    jsonw_lit(&w, "{\"access_token\":");
    jsonw_str(&w, tok, toklen);
    jsonw_lit(&w, ",\"token_type\":\"bearer\",\"expires_in\":");
    jsonw_int(&w, (long long)app->token_ttl);
    jsonw_lit(&w, ",\"scope\":");
    jsonw_cstr(&w, scopes);
    jsonw_lit(&w, "}");
    lk_secure_free(tok, toklen);
    body = jsonw_take(&w, &len);
    lk_resp_json(resp, 200, body, len);
    resp->secret = 1;
    lk_resp_header(resp, "Cache-Control", "no-store");
    lk_resp_header(resp, "Pragma", "no-cache");
}

/* 429 for a throttled login, 503 if the store failed; 1 to go on. */
static int throttle_gate(struct lk_app *app, const struct token_form *t,
                         const struct lk_request *req, const char *name,
                         struct lk_response *resp)
{
    int64_t wait = lk_throttle_wait(app, t->user, req->client_addr,
                                    (int64_t)time(NULL));

    if (wait == 0)
        return 1;
    if (wait < 0) {
        lk_resp_detail(resp, 503, "Service temporarily unavailable");
        lk_resp_header(resp, "Retry-After", "1");
        return 0;
    }
    lk_log(LK_LOG_INFO, "event=login_throttled user=%s retry_after=%lld",
           name, (long long)wait);
    lk_resp_detail(resp, 429, "Too many failed login attempts, try again "
                   "later");
    lk_resp_header(resp, "Retry-After", "%lld", (long long)wait);
    return 0;
}

/* A wrong password against a hash cheaper than the default scheme
 * (an imported legacy hash not yet upgraded) would answer faster than
 * one against the default, telling that the user exists: spend a
 * default verify as well. */
static void pad_cheap_hash(struct lk_app *app, const struct lk_user *u,
                           const uint8_t *pw, size_t pwlen)
{
    char info[256];
    int upgrade = 0;

    if (lk_pw_info(app->policy, u->password_hash, info, sizeof(info),
                   &upgrade, NULL, 0) == LK_OK && upgrade)
        lk_pw_dummy_verify(app->policy, pw, pwlen);
}

/* Check the password; on success maybe upgrade and issue a token. */
static void login(struct lk_app *app, struct token_form *t,
                  const struct lk_request *req, struct lk_response *resp)
{
    struct lk_store *s = app->store;
    char why[LK_ERRBUF_SIZE] = "", name[80], scopes[LK_SCOPE_MAX + 1];
    const uint8_t *pw = (const uint8_t *)t->pass;
    size_t pwlen = t->f[F_PASS].len;
    struct lk_user u;
    int upgrade = 0;
    enum lk_err rc = LK_ERR_NOT_FOUND;

    lk_log_escape(name, sizeof(name), t->user, t->f[F_USER].len);
    if (!throttle_gate(app, t, req, name, resp))
        return;
    if (strlen(t->user) == t->f[F_USER].len)
        rc = s->ops->get_user(s, t->user, &u, NULL, 0);
    if (rc == LK_ERR_UNAVAILABLE || rc == LK_ERR_STORE) {
        lk_resp_detail(resp, 503, "Service temporarily unavailable");
        lk_resp_header(resp, "Retry-After", "1");
        return;
    }
    if (rc != LK_OK) {
        lk_pw_dummy_verify(app->policy, pw, pwlen);
        lk_log(LK_LOG_INFO, "event=login_failed user=%s reason=unknown_user",
               name);
        lk_throttle_failed(app, t->user, req->client_addr,
                           (int64_t)time(NULL));
        bad_credentials(resp);
        return;
    }
    rc = lk_pw_verify(app->policy, pw, pwlen, u.password_hash, &upgrade,
                      why, sizeof(why));
    if (rc == LK_ERR_INVALID || rc == LK_ERR_UNSUPPORTED) {
        lk_pw_dummy_verify(app->policy, pw, pwlen);
        lk_log(LK_LOG_WARN, "event=login_failed user=%s "
               "reason=unusable_stored_hash problem=\"%s\"", name, why);
    } else if (rc != LK_OK) {
        pad_cheap_hash(app, &u, pw, pwlen);
        lk_log(LK_LOG_INFO, "event=login_failed user=%s "
               "reason=wrong_password", name);
    }
    if (rc != LK_OK) {
        lk_throttle_failed(app, t->user, req->client_addr,
                           (int64_t)time(NULL));
        bad_credentials(resp);
    } else if (u.disabled) {
        lk_log(LK_LOG_INFO, "event=login_refused user=%s reason=disabled",
               name);
        lk_resp_detail(resp, 400, "Inactive user");
    } else if (grant_scopes(app, t->scope, u.scopes, scopes, sizeof(scopes),
                            resp)) {
        lk_throttle_passed(app, t->user, req->client_addr);
        if (upgrade)
            upgrade_hash(app, &u, t);
        issue(app, &u, scopes, resp);
        lk_log(LK_LOG_INFO, "event=token_issued user=%s", name);
    }
    lk_secure_zero(u.password_hash, sizeof(u.password_hash));
}

static void token_handler(struct lk_app *app, const struct lk_route *route,
                          const struct lk_request *req,
                          const struct lk_auth *auth,
                          struct lk_response *resp)
{
    struct token_form *t = calloc(1, sizeof(*t));

    (void)route;
    (void)auth;
    if (t == NULL) {
        lk_resp_detail(resp, 503, "Service temporarily unavailable");
        return;
    }
    form_init(t);
    if (read_form(req, t, resp))
        login(app, t, req, resp);
    lk_secure_free(t, sizeof(*t));
}

static const struct lk_route_response token_responses[] = {
    {200, "A bearer token", "Token", NULL},
    {400, "Unsupported grant type, invalid scope or malformed form",
     "OAuthError", NULL},
    {401, "Incorrect username or password", "HTTPError", NULL},
    {415, "The body is not a urlencoded form", "HTTPError", NULL},
    {429, "Too many failed logins; see Retry-After", "HTTPError", NULL},
    {422, "A required form field is missing", "ValidationError", NULL},
    {0, NULL, NULL, NULL},
};

const struct lk_route lk_route_token = {
    .method = "POST",
    .path = "/token",
    .flags = LK_ROUTE_WORKER | LK_ROUTE_FORM,
    .summary = "Login For Access Token",
    .description = "OAuth2 password grant: exchange a username and "
                   "password for a bearer token.",
    .operation_id = "login_for_access_token_token_post",
    .tag = "auth",
    .request_schema = "Body_login_for_access_token_token_post",
    .responses = token_responses,
    .handler = token_handler,
};
