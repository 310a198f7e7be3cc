/*
 * openapi.c: the OpenAPI 3.1 document, generated from the route table
 * and the defined scopes on every request for it. Nothing here is a
 * hand-written copy of the document: paths, operations, security and
 * scopes all come from struct lk_route and struct lk_scope_def.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "api/app_internal.h"

#define SCHEME "OAuth2PasswordBearer"

/* Lower-case copy of an HTTP method for the paths object. */
static void lower(char *dst, size_t cap, const char *s)
{
    size_t i;

    for (i = 0; i + 1 < cap && s[i] != '\0'; i++)
        dst[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    dst[i] = '\0';
}

/* A $ref to a component schema. */
static json_t *ref(const char *name)
{
    char buf[160];

    snprintf(buf, sizeof(buf), "#/components/schemas/%s", name);
    return json_pack("{s:s}", "$ref", buf);
}

/* The scopes a slot needs, as a JSON array. */
static json_t *scope_list(const char *scopes)
{
    json_t *a = json_array();
    const char *p = scopes;

    while (*p != '\0') {
        size_t n = strcspn(p, " ");
        if (n > 0)
            json_array_append_new(a, json_stringn(p, n));
        p += n;
        while (*p == ' ')
            p++;
    }
    return a;
}

/* RFC 7235: a 401 answer carries the challenge; document it. */
static json_t *challenge_header(void)
{
    return json_pack("{s:{s:s,s:b,s:{s:s}}}", "WWW-Authenticate",
                     "description", "The authentication scheme to use "
                     "(Bearer), with RFC 6750 error parameters",
                     "required", 1, "schema", "type", "string");
}

/* The responses object of an operation, one entry per documented
 * status, each with a JSON Schema when the route names one. */
static json_t *responses(const struct lk_route *r)
{
    json_t *out = json_object();
    const struct lk_route_response *x;
    char code[8];

    for (x = r->responses; x != NULL && x->status != 0; x++) {
        json_t *resp = json_pack("{s:s}", "description",
                                 x->description ? x->description : "");
        const char *ct = x->content_type ? x->content_type :
                         "application/json";
        if (x->schema != NULL)
            json_object_set_new(resp, "content", json_pack(
                "{s:{s:o}}", ct, "schema", ref(x->schema)));
        else if (x->content_type != NULL)
            json_object_set_new(resp, "content", json_pack(
                "{s:{s:{s:s}}}", ct, "schema", "type", "string"));
        if (x->status == 401)
            json_object_set_new(resp, "headers", challenge_header());
        snprintf(code, sizeof(code), "%d", x->status);
        json_object_set_new(out, code, resp);
    }
    if (json_object_size(out) == 0)
        json_object_set_new(out, "200",
                            json_pack("{s:s}", "description", "OK"));
    return out;
}

/* One operation object. None of the built-in routes takes path or
 * query parameters (the bearer token is the security requirement, the
 * form is the request body), so parameters is an explicit empty list. */
static json_t *operation(const struct route_slot *s)
{
    const struct lk_route *r = s->route;
    json_t *op = json_pack("{s:s,s:s,s:[],s:o}",
                           "summary", r->summary ? r->summary : r->path,
                           "operationId", r->operation_id ? r->operation_id
                                                          : r->path,
                           "parameters",
                           "responses", responses(r));

    if (r->description != NULL)
        json_object_set_new(op, "description",
                            json_string(r->description));
    if (r->tag != NULL)
        json_object_set_new(op, "tags", json_pack("[s]", r->tag));
    if (r->request_schema != NULL)
        json_object_set_new(op, "requestBody", json_pack(
            "{s:b,s:{s:{s:o}}}", "required", 1, "content",
            "application/x-www-form-urlencoded", "schema",
            ref(r->request_schema)));
    if (r->flags & LK_ROUTE_BEARER)
        json_object_set_new(op, "security", json_pack(
            "[{s:o}]", SCHEME, scope_list(lk_slot_scopes(s))));
    return op;
}

/* The paths object: every route not marked hidden, by path and
 * method, in registration order. */
static json_t *paths(const struct lk_app *app)
{
    json_t *out = json_object();
    char method[16];
    size_t i;

    for (i = 0; i < app->nroutes; i++) {
        const struct route_slot *s = &app->routes[i];
        json_t *item;
        if (s->route->flags & LK_ROUTE_HIDDEN)
            continue;
        item = json_object_get(out, s->route->path);
        if (item == NULL) {
            item = json_object();
            json_object_set_new(out, s->route->path, item);
        }
        lower(method, sizeof(method), s->route->method);
        json_object_set_new(item, method, operation(s));
    }
    return out;
}

/* components.securitySchemes: the OAuth2 password flow with every
 * scope the app defines. */
static json_t *security_schemes(const struct lk_app *app)
{
    json_t *scopes = json_object();
    size_t i;

    for (i = 0; i < app->nscopes; i++)
        json_object_set_new(scopes, app->scopes[i].name,
                            json_string(app->scopes[i].description ?
                                        app->scopes[i].description : ""));
    return json_pack("{s:{s:s,s:{s:{s:s,s:o}}}}", SCHEME,
                     "type", "oauth2", "flows", "password",
                     "tokenUrl", "/token", "scopes", scopes);
}

char *lk_app_openapi_json(struct lk_app *app)
{
    json_t *doc = json_pack(
        "{s:s,s:{s:s,s:s,s:s},s:o,s:{s:o,s:o}}",
        "openapi", "3.1.0",
        "info", "title", app->title, "version", app->version,
        "description", "OAuth2 password flow with JWT bearer tokens.",
        "paths", paths(app),
        "components", "schemas", lk_openapi_schemas(),
        "securitySchemes", security_schemes(app));
    char *out;

    if (doc == NULL)
        return NULL;
    out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    return out;
}
