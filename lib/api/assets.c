/*
 * assets.c: looking up the embedded front-end files by name. Names are
 * compared whole, so a request path can never reach anything but the
 * table.
 */
#include <string.h>

#include "api/assets.h"

const struct lk_asset *lk_asset_find(enum lk_asset_kind kind,
                                     const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < lk_assets_count; i++) {
        const struct lk_asset *a = &lk_assets[i];
        if (a->kind == kind && strlen(a->name) == len &&
            memcmp(a->name, name, len) == 0)
            return a;
    }
    return NULL;
}
