/*
 * fuzz_form.c: libFuzzer target for the urlencoded form parser and the
 * Content-Type check. The whole input is a form body; its first line is
 * also tried as a Content-Type header value. Invariants checked: every
 * decoded value fits its buffer and is NUL-terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Check what the parser promised about one field. */
static void check_field(const struct lk_form_field *f)
{
    if (f->present && (f->len >= f->cap || f->buf[f->len] != '\0'))
        abort();
    if (!f->present && f->len != 0)
        abort();
}

/* Try the first line of the input as a Content-Type value. */
static void content_type(const uint8_t *data, size_t size)
{
    char ct[512];
    size_t n = 0;

    while (n < size && n + 1 < sizeof(ct) && data[n] != '\n')
        n++;
    memcpy(ct, data, n);
    ct[n] = '\0';
    (void)lk_form_content_type_ok(ct);
    (void)lk_form_content_type_ok(NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char user[16], pass[64], scope[8], grant[1];
    char err[LK_ERRBUF_SIZE];
    char *none = malloc(0);     /* a field that takes no value at all */
    struct lk_form_field f[5] = {
        {"username", user, sizeof(user), 0, 0},
        {"password", pass, sizeof(pass), 0, 0},
        {"scope", scope, sizeof(scope), 0, 0},
        {"grant_type", grant, sizeof(grant), 0, 0},
        {"client_id", none, 0, 0, 0},
    };
    char *copy = malloc(size ? size : 1);
    size_t i;

    if (copy == NULL || none == NULL) {
        free(copy);
        free(none);
        return 0;
    }
    memcpy(copy, data, size);   /* exact-size heap copy: ASan sees reads
                                   past the end */
    (void)lk_form_parse(copy, size, f, 5, err, sizeof(err));
    for (i = 0; i < 4; i++)
        check_field(&f[i]);
    (void)lk_form_parse(copy, size, f, 0, err, sizeof(err));
    (void)lk_form_parse(copy, size, f, 5, NULL, 0);
    free(copy);
    free(none);
    content_type(data, size);
    return 0;
}
