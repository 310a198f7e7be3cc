/*
 * store.c: opening a store by URL, and describing a URL for logs
 * without the credentials it may carry.
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "latchkey/lk_store.h"

/* 1 if url names a PostgreSQL database. */
static int is_pg(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 ||
           strncmp(url, "postgres://", 11) == 0;
}

enum lk_err lk_store_open_config(const char *url,
                                 const struct lk_store_config *cfg,
                                 struct lk_store **out,
                                 char *err, size_t errlen)
{
    *out = NULL;
    if (is_pg(url))
        return lk_store_open_pg(url, cfg, out, err, errlen);
    if (strncmp(url, "sqlite:", 7) == 0)
        url += 7;
    return lk_store_open_sqlite(url, out, err, errlen);
}

enum lk_err lk_store_open(const char *url, struct lk_store **out,
                          char *err, size_t errlen)
{
    return lk_store_open_config(url, NULL, out, err, errlen);
}

/* Value of keyword kw in parsed libpq options, or dflt. */
static const char *pq_opt(const PQconninfoOption *o, const char *kw,
                          const char *dflt)
{
    for (; o != NULL && o->keyword != NULL; o++)
        if (strcmp(o->keyword, kw) == 0 && o->val != NULL &&
            o->val[0] != '\0')
            return o->val;
    return dflt;
}

void lk_store_describe(const char *url, char *out, size_t cap)
{
    PQconninfoOption *o;
    char *perr = NULL;

    if (!is_pg(url)) {
        snprintf(out, cap, "sqlite:%s",
                 strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url);
        return;
    }
    o = PQconninfoParse(url, &perr);
    if (o == NULL) {
        snprintf(out, cap, "postgresql://(unparsable URL)");
        PQfreemem(perr);
        return;
    }
    snprintf(out, cap, "postgresql://%s@%s:%s/%s",
             pq_opt(o, "user", "(default user)"),
             pq_opt(o, "host", "(default host)"),
             pq_opt(o, "port", "5432"),
             pq_opt(o, "dbname", "(default database)"));
    PQconninfoFree(o);
}
