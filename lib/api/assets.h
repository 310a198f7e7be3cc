/*
 * assets.h: front-end files built into liblatchkey. The table is
 * generated at build time by scripts/embed_assets.py from the npm
 * packages pinned in package-lock.json (see cmake/assets.cmake), so the
 * documentation pages are served from memory, with no internet access.
 */
#ifndef LATCHKEY_API_ASSETS_H
#define LATCHKEY_API_ASSETS_H

#include <stddef.h>

enum lk_asset_kind {
    LK_ASSET_FILE,               /* /docs/NAME, immutable, versioned */
    LK_ASSET_PAGE                /* /docs/NAME, an HTML entry page */
};

struct lk_asset {
    const char *name;            /* e.g. "swagger/swagger-ui.css" */
    enum lk_asset_kind kind;
    const char *content_type;
    const unsigned char *data;   /* followed by a NUL not in len */
    size_t len;
    const char *etag;            /* quoted strong validator */
};

extern const struct lk_asset lk_assets[];
extern const size_t lk_assets_count;

/* The embedded file of that kind named by the len bytes at name, or
 * NULL. */
const struct lk_asset *lk_asset_find(enum lk_asset_kind kind,
                                     const char *name, size_t len);

#endif
