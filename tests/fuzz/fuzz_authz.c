/*
 * fuzz_authz.c: libFuzzer target for finding a bearer token in an
 * Authorization header value. Invariants checked: on success the token
 * lies inside the header and is non-empty; on failure nothing points
 * anywhere.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/authz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *hdr = malloc(size + 1);
    const char *tok = (const char *)1;
    size_t len = 1;
    enum lk_err rc;

    if (hdr == NULL)
        return 0;
    memcpy(hdr, data, size);
    hdr[size] = '\0';
    rc = lk_bearer_parse(hdr, &tok, &len);
    if (rc == LK_OK) {
        if (tok < hdr || len == 0 || tok + len > hdr + strlen(hdr))
            abort();
    } else if (tok != NULL || len != 0) {
        abort();
    } else if (rc != LK_ERR_NOT_FOUND && rc != LK_ERR_INVALID) {
        abort();
    }
    free(hdr);
    return 0;
}
