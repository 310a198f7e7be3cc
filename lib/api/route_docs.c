/*
 * route_docs.c: GET /openapi.json and the documentation pages. The
 * pages and every file they load (Swagger UI from the npm package
 * swagger-ui-dist, our initializer) are compiled into the library
 * (api/assets.h), so they work without internet access.
 *
 * URLs: /docs/swagger is the page; /docs/swagger/NAME are its files,
 * linked with ?v=<content hash>, so they can be cached as immutable
 * while the page itself is revalidated on every visit.
 */
#include <string.h>

#include "api/assets.h"
#include "api/routes.h"

/* What the pages may load: only our own origin, no inline script or
 * style (Swagger UI sets styles through the DOM, which CSP allows);
 * data: images are Swagger UI's icons. */
#define DOCS_CSP "default-src 'none'; script-src 'self'; " \
    "style-src 'self'; img-src 'self' data:; " \
    "font-src 'self'; connect-src 'self'; form-action 'self'; " \
    "base-uri 'none'; frame-ancestors 'none'"

#define DOCS_PREFIX "/docs/"

static void openapi_handler(struct lk_app *app, const struct lk_route *r,
                            const struct lk_request *req,
                            const struct lk_auth *auth,
                            struct lk_response *resp)
{
    char *doc = lk_app_openapi_json(app);

    (void)r;
    (void)req;
    (void)auth;
    lk_resp_json(resp, 200, doc, doc ? strlen(doc) : 0);
    if (doc != NULL)
        lk_resp_header(resp, "Cache-Control", "no-cache");
}

/* Answer with an embedded file and the headers every docs file gets. */
static void send_asset(struct lk_response *resp, const struct lk_asset *a)
{
    resp->status = 200;
    resp->content_type = a->content_type;
    resp->body = (char *)a->data;
    resp->body_len = a->len;
    resp->body_static = 1;
    lk_resp_header(resp, "Cache-Control", "%s", a->kind == LK_ASSET_FILE ?
                   "public, max-age=31536000, immutable" : "no-cache");
    lk_resp_header(resp, "ETag", "%s", a->etag);
    lk_resp_header(resp, "X-Content-Type-Options", "nosniff");
    lk_resp_header(resp, "Content-Security-Policy", "%s", DOCS_CSP);
    lk_resp_header(resp, "Referrer-Policy", "no-referrer");
}

/* The page whose name is the request path after /docs/. */
static void page_handler(struct lk_app *app, const struct lk_route *r,
                         const struct lk_request *req,
                         const struct lk_auth *auth,
                         struct lk_response *resp)
{
    const char *name = req->path + strlen(DOCS_PREFIX);
    const struct lk_asset *a;

    (void)app;
    (void)r;
    (void)auth;
    a = lk_asset_find(LK_ASSET_PAGE, name, strlen(name));
    if (a == NULL) {
        lk_resp_detail(resp, 404, "Not Found");
        return;
    }
    send_asset(resp, a);
}

/* A file of a page: /docs/swagger/NAME. A bare /docs/swagger/ goes
 * back to the page with a relative redirect (proxy prefixes stay). */
static void file_handler(struct lk_app *app, const struct lk_route *r,
                         const struct lk_request *req,
                         const struct lk_auth *auth,
                         struct lk_response *resp)
{
    const char *name = req->path + strlen(DOCS_PREFIX);
    const struct lk_asset *a;

    (void)app;
    (void)auth;
    if (strcmp(req->path, r->path) == 0) {
        lk_resp_detail(resp, 308, "Permanent Redirect");
        lk_resp_header(resp, "Location", "../swagger");
        return;
    }
    a = lk_asset_find(LK_ASSET_FILE, name, strlen(name));
    if (a == NULL) {
        lk_resp_detail(resp, 404, "Not Found");
        return;
    }
    send_asset(resp, a);
}

static const struct lk_route_response openapi_responses[] = {
    {200, "The OpenAPI document", NULL, "application/json"},
    {0, NULL, NULL, NULL},
};

static const struct lk_route_response page_responses[] = {
    {200, "An HTML page", NULL, "text/html"},
    {0, NULL, NULL, NULL},
};

static const struct lk_route_response file_responses[] = {
    {200, "A file of the documentation page", NULL,
     "application/octet-stream"},
    {404, "No such file", "HTTPError", NULL},
    {0, NULL, NULL, NULL},
};

const struct lk_route lk_route_openapi = {
    .method = "GET",
    .path = "/openapi.json",
    .flags = LK_ROUTE_HIDDEN,
    .summary = "OpenAPI document",
    .operation_id = "openapi",
    .responses = openapi_responses,
    .handler = openapi_handler,
};

const struct lk_route lk_route_docs_swagger = {
    .method = "GET",
    .path = "/docs/swagger",
    .flags = LK_ROUTE_HIDDEN,
    .summary = "Swagger UI",
    .operation_id = "swagger_ui",
    .responses = page_responses,
    .handler = page_handler,
};

const struct lk_route lk_route_docs_swagger_files = {
    .method = "GET",
    .path = "/docs/swagger/",
    .flags = LK_ROUTE_HIDDEN | LK_ROUTE_PREFIX,
    .summary = "Swagger UI files",
    .operation_id = "swagger_ui_files",
    .responses = file_responses,
    .handler = file_handler,
};

/* GET /docs: where users of the tutorial's framework look first. */
static void docs_index_handler(struct lk_app *app, const struct lk_route *r,
                               const struct lk_request *req,
                               const struct lk_auth *auth,
                               struct lk_response *resp)
{
    (void)app;
    (void)r;
    (void)req;
    (void)auth;
    lk_resp_detail(resp, 307, "Temporary Redirect");
    lk_resp_header(resp, "Location", "/docs/swagger");
}

static const struct lk_route_response index_responses[] = {
    {307, "Redirect to /docs/swagger", "HTTPError", NULL},
    {0, NULL, NULL, NULL},
};

const struct lk_route lk_route_docs_index = {
    .method = "GET",
    .path = "/docs",
    .flags = LK_ROUTE_HIDDEN,
    .summary = "Documentation",
    .operation_id = "docs_index",
    .responses = index_responses,
    .handler = docs_index_handler,
};
