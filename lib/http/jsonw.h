/*
 * jsonw.h: a small JSON writer into a growable buffer with a hard cap,
 * for answers on the hot path (no tree, one allocation).
 */
#ifndef LATCHKEY_HTTP_JSONW_H
#define LATCHKEY_HTTP_JSONW_H

#include <stddef.h>

struct jsonw {
    char *buf;
    size_t len, cap, max;
    int failed;           /* set once an append did not fit */
};

void jsonw_init(struct jsonw *w, size_t max);
void jsonw_raw(struct jsonw *w, const char *s, size_t n);
void jsonw_lit(struct jsonw *w, const char *s);      /* raw C string */
void jsonw_str(struct jsonw *w, const char *s, size_t n); /* quoted */
void jsonw_cstr(struct jsonw *w, const char *s);     /* quoted, or null */
void jsonw_int(struct jsonw *w, long long v);
/* Take the buffer (NUL-terminated; free() it); NULL if it failed. */
char *jsonw_take(struct jsonw *w, size_t *len);

#endif
