/*
 * store.c: opening a store by URL.
 */
#include <string.h>

#include "latchkey/lk_store.h"

enum lk_err lk_store_open(const char *url, struct lk_store **out,
                          char *err, size_t errlen)
{
    *out = NULL;
    if (strncmp(url, "postgresql://", 13) == 0 ||
        strncmp(url, "postgres://", 11) == 0)
        return lk_seterr(err, errlen, LK_ERR_UNSUPPORTED,
                         "PostgreSQL support is not built yet");
    if (strncmp(url, "sqlite:", 7) == 0)
        url += 7;
    return lk_store_open_sqlite(url, out, err, errlen);
}
