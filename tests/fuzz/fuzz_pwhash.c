/*
 * fuzz_pwhash.c: libFuzzer target for verifying a small fixed password
 * against fuzzed stored hash strings. The library must bound the cost
 * of any stored string itself, so nothing is filtered here: an input
 * that makes one verify slow is reported by libFuzzer's -timeout as a
 * bug in lib/pwhash. A match is only possible for a real hash of the
 * fixed password, so LK_OK is checked against a second verify.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "latchkey/lk_pwhash.h"

#define FUZZ_PW "fuzz-pw"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The default policy, made once. */
static struct lk_pwpolicy *policy(void)
{
    static struct lk_pwpolicy *p;

    if (p == NULL && lk_pwpolicy_new_default(&p) != LK_OK)
        abort();
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *stored;
    char err[LK_ERRBUF_SIZE];
    int up = -1;
    enum lk_err rc;

    if (size > LK_HASH_MAX + 16)
        return 0;
    if ((stored = malloc(size + 1)) == NULL)
        return 0;
    memcpy(stored, data, size);
    stored[size] = '\0';
    rc = lk_pw_verify(policy(), (const uint8_t *)FUZZ_PW,
                      sizeof(FUZZ_PW) - 1, stored, &up, err, sizeof(err));
    if (rc == LK_OK && (up != 0 && up != 1))
        abort();
    if (rc == LK_OK &&
        lk_pw_verify(policy(), (const uint8_t *)"fuzz-px", 7, stored, NULL,
                     NULL, 0) == LK_OK)
        abort();   /* one hash matching two passwords */
    if (rc != LK_OK && rc != LK_ERR_MISMATCH && rc != LK_ERR_INVALID &&
        rc != LK_ERR_UNSUPPORTED && rc != LK_ERR_TOO_LARGE)
        abort();
    free(stored);
    return 0;
}
