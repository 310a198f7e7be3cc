/*
 * response.c: building answers. Every error answer is JSON with a
 * "detail" member, as the tutorial's clients expect.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/jsonw.h"
#include "latchkey/lk_app.h"

void lk_resp_json(struct lk_response *r, int status, char *body,
                  size_t len)
{
    if (r->body != NULL && !r->body_static)
        free(r->body);
    r->status = status;
    r->content_type = "application/json";
    r->body = body;
    r->body_len = len;
    r->body_static = 0;
    if (body == NULL) {     /* out of memory while building it */
        r->status = 500;
        r->body = (char *)"{\"detail\":\"Internal Server Error\"}";
        r->body_len = strlen(r->body);
        r->body_static = 1;
    }
}

void lk_resp_detail(struct lk_response *r, int status, const char *detail)
{
    struct jsonw w;
    size_t len = 0;
    char *b;

    jsonw_init(&w, 4096);
    jsonw_lit(&w, "{\"detail\":");
    jsonw_cstr(&w, detail);
    jsonw_lit(&w, "}");
    b = jsonw_take(&w, &len);
    lk_resp_json(r, status, b, len);
}

enum lk_err lk_resp_header(struct lk_response *r, const char *name,
                           const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n, i;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buf))
        return LK_ERR_TOO_LARGE;
    for (i = 0; i < r->nheaders; i++) {
        if (strcmp(r->headers[i].name, name) == 0) {
            free(r->headers[i].value);
            r->headers[i].value = strdup(buf);
            return r->headers[i].value ? LK_OK : LK_ERR_NOMEM;
        }
    }
    if (r->nheaders == LK_RESP_HEADERS_MAX)
        return LK_ERR_TOO_LARGE;
    if ((r->headers[r->nheaders].value = strdup(buf)) == NULL)
        return LK_ERR_NOMEM;
    r->headers[r->nheaders++].name = name;
    return LK_OK;
}

void lk_resp_clear(struct lk_response *r)
{
    int i;

    if (r->body != NULL && !r->body_static) {
        if (r->secret)
            lk_secure_zero(r->body, r->body_len);
        free(r->body);
    }
    for (i = 0; i < r->nheaders; i++)
        free(r->headers[i].value);
    memset(r, 0, sizeof(*r));
}
