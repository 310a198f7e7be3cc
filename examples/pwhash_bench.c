/*
 * pwhash_bench.c: verifies per second of each scheme that makes new
 * hashes, at the default policy's costs, through the public API only.
 * Prints one "scheme=NAME verifies_per_sec=X" line per scheme; the
 * driver bench/pwhash_bench.py sets these beside passlib's figures.
 * A measurement tool, not a test: it never judges the numbers.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "latchkey/lk_pwhash.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Verify one fresh hash of scheme for at least min_s seconds. */
static int bench_one(const char *scheme, double min_s)
{
    static const uint8_t pw[] = "bench-password-0123";
    struct lk_pwpolicy *p = NULL;
    char h[LK_HASH_MAX + 1], err[LK_ERRBUF_SIZE] = "";
    double t0, dt = 0;
    unsigned n = 0;
    int rc = 1;

    if (lk_pwpolicy_new_default(&p) != LK_OK ||
        lk_pwpolicy_set(p, "default", scheme, err, sizeof(err)) != LK_OK ||
        lk_pwpolicy_finish(p, err, sizeof(err)) != LK_OK ||
        lk_pw_hash(p, pw, sizeof(pw) - 1, h, sizeof(h), err, sizeof(err))
        != LK_OK) {
        fprintf(stderr, "pwhash_bench: %s: %s\n", scheme, err);
        goto out;
    }
    t0 = now_s();
    while (n < 3 || dt < min_s) {
        if (lk_pw_verify(p, pw, sizeof(pw) - 1, h, NULL, NULL, 0) != LK_OK)
            goto out;
        n++;
        dt = now_s() - t0;
    }
    printf("scheme=%s verifies_per_sec=%.3f\n", scheme, n / dt);
    fflush(stdout);
    rc = 0;
out:
    lk_pwpolicy_free(p);
    return rc;
}

int main(int argc, char **argv)
{
    static const char *const all[] = {
        "bcrypt", "bcrypt_sha256", "argon2id", "pbkdf2_sha1",
        "pbkdf2_sha256", "pbkdf2_sha512", "django_pbkdf2_sha256", NULL};
    int i, rc = 0;

    if (argc > 1) {
        for (i = 1; i < argc; i++)
            rc |= bench_one(argv[i], 1.0);
        return rc;
    }
    for (i = 0; all[i] != NULL; i++)
        rc |= bench_one(all[i], 1.0);
    return rc;
}
