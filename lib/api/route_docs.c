/*
 * route_docs.c: GET /openapi.json and the documentation pages.
 */
#include <string.h>

#include "api/routes.h"

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
}

static const char swagger_page[] =
    "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
    "<title>latchkey API docs</title></head><body>"
    "<div id=\"swagger-ui\"><p>The API is described by "
    "<a href=\"/openapi.json\">/openapi.json</a>.</p></div>"
    "</body></html>\n";

static void swagger_handler(struct lk_app *app, const struct lk_route *r,
                            const struct lk_request *req,
                            const struct lk_auth *auth,
                            struct lk_response *resp)
{
    (void)app;
    (void)r;
    (void)req;
    (void)auth;
    resp->status = 200;
    resp->content_type = "text/html; charset=utf-8";
    resp->body = (char *)swagger_page;
    resp->body_len = sizeof(swagger_page) - 1;
    resp->body_static = 1;
}

static const struct lk_route_response openapi_responses[] = {
    {200, "The OpenAPI document", NULL, "application/json"},
    {0, NULL, NULL, NULL},
};

static const struct lk_route_response page_responses[] = {
    {200, "An HTML page", NULL, "text/html"},
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
    .handler = swagger_handler,
};
