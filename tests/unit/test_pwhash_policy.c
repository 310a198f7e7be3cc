/*
 * test_pwhash_policy.c: the password policy itself: hash -> verify round
 * trips for every scheme that makes new hashes, NUL and length refusal,
 * the 72-byte bcrypt rule, upgrade decisions, option parsing and its
 * errors, lk_pw_info output, and fast failure on hostile costs.
 */
#include <string.h>
#include <time.h>

#include "latchkey/lk_pwhash.h"
#include "tap.h"

#define PW (const uint8_t *)"correct horse"
#define PWN 13

static const char *const djpb =
    "pbkdf2_sha256$260000$CaseSalt260000$"
    "hwfrg+cjPQrf7cLLXxzXIopXnBY3T91WdKcQGOMX9fQ=";
static const char *const bc4 =
    "$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm";
static const char *const a2i16 =
    "$argon2i$m=1024,t=2,p=1$Y2FzZS1zYWx0LTI0LWkxNg$"
    "fSVj39bnHism/HflljvlQ4KsCQZ9rF3NFIQAU/cRKhA";
static const char *const bcs1 =
    "$bcrypt-sha256$2b,4$LatchkeyVectorSaltXy0e$"
    "6FXnpbBm0mucmmZ5jiPUOv11SeXMtH.";

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A policy built from name=value pairs (NULL-terminated), finished. */
static struct lk_pwpolicy *policy(const char *const *kv)
{
    struct lk_pwpolicy *p = NULL;
    char err[LK_ERRBUF_SIZE] = "";
    size_t i;

    if (lk_pwpolicy_new_default(&p) != LK_OK)
        return NULL;
    for (i = 0; kv[i] != NULL; i += 2)
        if (!ok(lk_pwpolicy_set(p, kv[i], kv[i + 1], err, sizeof(err))
                == LK_OK, "set %s=%s %s", kv[i], kv[i + 1], err))
            break;
    if (!ok(lk_pwpolicy_finish(p, err, sizeof(err)) == LK_OK,
            "finish %s", err)) {
        lk_pwpolicy_free(p);
        return NULL;
    }
    return p;
}

/* Hash twice with scheme, check prefix, verify, mismatch, info. */
static void round_trip(const char *scheme, const char *prefix)
{
    const char *kv[] = {"default", scheme, "bcrypt-cost", "4",
                        "argon2-memory", "64", "argon2-time", "1",
                        "argon2-parallelism", "1", "pbkdf2-iterations",
                        "1000", NULL};
    struct lk_pwpolicy *p = policy(kv);
    char h1[LK_HASH_MAX + 1], h2[LK_HASH_MAX + 1], info[256];
    char err[LK_ERRBUF_SIZE] = "", want[64];
    int up = -1;

    if (!ok(p != NULL, "%s: policy", scheme))
        return;
    ok(lk_pw_hash(p, PW, PWN, h1, sizeof(h1), err, sizeof(err)) == LK_OK &&
       lk_pw_hash(p, PW, PWN, h2, sizeof(h2), err, sizeof(err)) == LK_OK,
       "%s: hashes %s", scheme, err);
    ok(strncmp(h1, prefix, strlen(prefix)) == 0, "%s: prefix of %s",
       scheme, h1);
    ok(strcmp(h1, h2) != 0, "%s: two hashes differ (salted)", scheme);
    ok(lk_pw_verify(p, PW, PWN, h1, &up, err, sizeof(err)) == LK_OK &&
       up == 0, "%s: verifies, no upgrade (%d) %s", scheme, up, err);
    ok(lk_pw_verify(p, PW, PWN - 1, h1, &up, NULL, 0) == LK_ERR_MISMATCH,
       "%s: wrong password mismatches", scheme);
    snprintf(want, sizeof(want), "scheme=%s ",
             strcmp(scheme, "argon2id") == 0 ? "argon2" : scheme);
    ok(lk_pw_info(p, h1, info, sizeof(info), &up, err, sizeof(err))
       == LK_OK && strncmp(info, want, strlen(want)) == 0 && up == 0,
       "%s: info '%s'", scheme, info);
    ok(lk_pw_hash(p, PW, PWN, h1, 20, err, sizeof(err)) != LK_OK,
       "%s: small output buffer refused", scheme);
    lk_pwpolicy_free(p);
}

static void round_trips(void)
{
    round_trip("bcrypt", "$2b$04$");
    round_trip("bcrypt_sha256", "$bcrypt-sha256$v=2,t=2b,r=4$");
    round_trip("argon2id", "$argon2id$v=19$m=64,t=1,p=1$");
    round_trip("pbkdf2_sha1", "$pbkdf2$1000$");
    round_trip("pbkdf2_sha256", "$pbkdf2-sha256$1000$");
    round_trip("pbkdf2_sha512", "$pbkdf2-sha512$1000$");
    round_trip("django_pbkdf2_sha256", "pbkdf2_sha256$1000$");
    round_trip("django_pbkdf2_sha1", "pbkdf2_sha1$1000$");
}

/* NUL, LK_PW_MAX and the 72-byte rule. */
static void password_rules(void)
{
    const char *kv[] = {"bcrypt-cost", "4", NULL};
    const char *kv2[] = {"default", "bcrypt_sha256", "bcrypt-cost", "4",
                         NULL};
    struct lk_pwpolicy *p = policy(kv), *q = policy(kv2);
    static uint8_t big[LK_PW_MAX + 1];
    char h[LK_HASH_MAX + 1], err[LK_ERRBUF_SIZE] = "";

    if (p == NULL || q == NULL)
        goto out;
    memset(big, 'a', sizeof(big));
    ok(lk_pw_hash(p, (const uint8_t *)"case-nul\0tail", 13, h, sizeof(h),
                  err, sizeof(err)) == LK_ERR_INVALID &&
       strstr(err, "NUL") != NULL, "NUL refused at hashing: %s", err);
    ok(lk_pw_hash(q, (const uint8_t *)"a\0b", 3, h, sizeof(h), NULL, 0)
       == LK_ERR_INVALID, "NUL refused for bcrypt_sha256 too");
    ok(lk_pw_verify(p, (const uint8_t *)"password\0x", 10, bc4, NULL, err,
                    sizeof(err)) == LK_ERR_MISMATCH,
       "NUL password does not verify against bcrypt(\"password\")");
    ok(lk_pw_hash(p, big, 73, h, sizeof(h), err, sizeof(err))
       == LK_ERR_TOO_LARGE && strstr(err, "bcrypt_sha256 or argon2id"),
       "bcrypt refuses 73 bytes: %s", err);
    ok(lk_pw_hash(p, big, 72, h, sizeof(h), err, sizeof(err)) == LK_OK &&
       lk_pw_verify(p, big, 72, h, NULL, NULL, 0) == LK_OK,
       "bcrypt takes exactly 72 bytes");
    ok(lk_pw_hash(q, big, 100, h, sizeof(h), err, sizeof(err)) == LK_OK &&
       lk_pw_verify(q, big, 100, h, NULL, NULL, 0) == LK_OK,
       "bcrypt_sha256 hashes 100 bytes");
    big[99] = 'b';
    ok(lk_pw_verify(q, big, 100, h, NULL, NULL, 0) == LK_ERR_MISMATCH,
       "bcrypt_sha256: byte 100 counts (no truncation)");
    ok(lk_pw_hash(q, big, LK_PW_MAX + 1, h, sizeof(h), NULL, 0)
       == LK_ERR_TOO_LARGE, "over LK_PW_MAX refused at hashing");
    ok(lk_pw_verify(q, big, LK_PW_MAX + 1, h, NULL, NULL, 0) != LK_OK,
       "over LK_PW_MAX refused at verify");
    ok(lk_pw_verify(q, big, LK_PW_MAX, h, NULL, NULL, 0) == LK_ERR_MISMATCH,
       "LK_PW_MAX bytes accepted at verify");
out:
    lk_pwpolicy_free(p);
    lk_pwpolicy_free(q);
}

/* needs_upgrade: deprecated scheme, old format, low cost. */
static void upgrades(void)
{
    const char *kv[] = {"deprecated", "none", "bcrypt-cost", "5", NULL};
    const char *kv2[] = {"deprecated", "none", "bcrypt-cost", "4",
                         "bcrypt-min-cost", "4", "pbkdf2-min-iterations",
                         "1000", NULL};
    struct lk_pwpolicy *d = NULL, *p = policy(kv), *q = policy(kv2);
    const uint8_t *pw = (const uint8_t *)"password";
    const char *pb = "$pbkdf2-sha256$1000$bGF0Y2hrZXktc2FsdC0xNg$"
                     "3.logDE4wYqxMxBzv/cPHyalTlzaEvqBqbYd2nD0lBA";
    int up = -1;

    if (lk_pwpolicy_new_default(&d) != LK_OK || p == NULL || q == NULL)
        goto out;
    ok(lk_pw_verify(d, pw, 8, bc4, &up, NULL, 0) == LK_OK && up == 1,
       "default policy: bcrypt cost 4 < 12 upgrades");
    ok(lk_pw_verify(d, pw, 8, pb, &up, NULL, 0) == LK_OK && up == 1,
       "default policy: pbkdf2 (deprecated, auto) upgrades");
    ok(lk_pw_verify(p, pw, 8, bc4, &up, NULL, 0) == LK_OK && up == 1,
       "bcrypt default cost 5: a cost-4 hash upgrades");
    ok(lk_pw_verify(q, pw, 8, bc4, &up, NULL, 0) == LK_OK && up == 0,
       "bcrypt default cost 4: a cost-4 hash stays");
    ok(lk_pw_verify(p, pw, 8, pb, &up, NULL, 0) == LK_OK && up == 1,
       "not deprecated, 1000 < pbkdf2-min-iterations 100000: upgrades");
    ok(lk_pw_verify(q, pw, 8, pb, &up, NULL, 0) == LK_OK && up == 0,
       "not deprecated, min 1000: stays");
    ok(lk_pw_verify(q, pw, 8, bcs1, &up, NULL, 0) == LK_OK && up == 1,
       "bcrypt_sha256 v1 format upgrades even when not deprecated");
    ok(lk_pw_verify(q, (const uint8_t *)"case-pass-24", 12, a2i16, &up,
                    NULL, 0) == LK_OK && up == 1,
       "argon2i v=16 upgrades even when not deprecated");
    ok(lk_pw_verify(d, pw, 7, bc4, &up, NULL, 0) == LK_ERR_MISMATCH &&
       up == 0, "no upgrade flag on mismatch");
out:
    lk_pwpolicy_free(d);
    lk_pwpolicy_free(p);
    lk_pwpolicy_free(q);
}

/* set() must refuse each of these values. */
static void bad_sets(struct lk_pwpolicy *p)
{
    static const char *const bad[][2] = {
        {"no-such-option", "1"}, {"bcrypt-cost", "12x"},
        {"bcrypt-cost", "-1"}, {"bcrypt-cost", ""}, {"bcrypt-cost", "3"},
        {"bcrypt-cost", "15"}, {"bcrypt-cost", "012"},
        {"pbkdf2-iterations", "0"}, {"pbkdf2-iterations", "10000001"},
        {"pbkdf2-iterations", "99999999999999999999"},
        {"argon2-memory", "262145"}, {"argon2-parallelism", "65"},
        {"schemes", "bcrypt,nope"}, {"schemes", "bcrypt,"},
        {"schemes", ""}, {"default", "sha1"}, {"deprecated", "x"},
        {"allow-nul-verify", "maybe"},
    };
    char err[LK_ERRBUF_SIZE];
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        ok(lk_pwpolicy_set(p, bad[i][0], bad[i][1], err, sizeof(err))
           == LK_ERR_INVALID && err[0] != '\0', "set %s='%s' refused: %s",
           bad[i][0], bad[i][1], err);
    }
}

/* Cross-option rules, checked by finish(). */
static void bad_finish(void)
{
    static const char *const bad[][4] = {
        {"schemes", "argon2", "default", "bcrypt"},
        {"deprecated", "bcrypt", "default", "bcrypt"},
        {"default", "md5_crypt", "deprecated", "auto"},
        {"argon2-memory", "16", "argon2-parallelism", "4"},
    };
    struct lk_pwpolicy *p;
    char err[LK_ERRBUF_SIZE], h[LK_HASH_MAX + 1];
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (lk_pwpolicy_new_default(&p) != LK_OK)
            continue;
        err[0] = '\0';
        ok(lk_pwpolicy_set(p, bad[i][0], bad[i][1], NULL, 0) == LK_OK &&
           lk_pwpolicy_set(p, bad[i][2], bad[i][3], NULL, 0) == LK_OK &&
           lk_pwpolicy_finish(p, err, sizeof(err)) == LK_ERR_INVALID,
           "finish refuses %s=%s %s=%s: %s", bad[i][0], bad[i][1],
           bad[i][2], bad[i][3], err);
        ok(lk_pw_hash(p, PW, PWN, h, sizeof(h), NULL, 0) == LK_ERR_INVALID,
           "unfinished policy refuses to hash");
        ok(lk_pw_verify(p, PW, PWN, bc4, NULL, NULL, 0) == LK_ERR_INVALID,
           "unfinished policy refuses to verify");
        lk_pwpolicy_free(p);
    }
}

static void options(void)
{
    struct lk_pwpolicy *p = NULL;
    size_t i, j, n = 0;
    int dup = 0;

    for (i = 0; lk_pwpolicy_options[i].name != NULL; i++, n++)
        for (j = 0; j < i; j++)
            dup |= strcmp(lk_pwpolicy_options[i].name,
                          lk_pwpolicy_options[j].name) == 0;
    ok(n == 13 && !dup, "13 options, names unique");
    ok(lk_pw_cost_option("bcrypt") &&
       strcmp(lk_pw_cost_option("bcrypt"), "bcrypt-cost") == 0 &&
       strcmp(lk_pw_cost_option("argon2id"), "argon2-time") == 0 &&
       strcmp(lk_pw_cost_option("django_pbkdf2_sha1"),
              "pbkdf2-iterations") == 0 &&
       lk_pw_cost_option("md5_crypt") == NULL &&
       lk_pw_cost_option("nope") == NULL, "cost option per scheme");
    if (lk_pwpolicy_new_default(&p) != LK_OK)
        return;
    bad_sets(p);
    lk_pwpolicy_free(p);
    bad_finish();
}

/* lk_pw_info on known strings. */
static void infos(void)
{
    static const char *const cases[][2] = {
        {NULL, "scheme=django_pbkdf2_sha256 iterations=260000"},
        {"$2a$12$KplebFTPwFcgGQosJgI4De0PyB2AoRCSxasxHpFoYZPp6uQV/xLzm",
         "scheme=bcrypt variant=2a cost=12"},
        {NULL, "scheme=argon2 type=argon2i version=16 memory=1024 time=2 "
         "parallelism=1"},
        {NULL, "scheme=bcrypt_sha256 version=1 variant=2b cost=4"},
        {"$5$rounds=1200$abc$dycER2j92Cgj55cGxg3kT.O7SpdFtFVCmlEKiTObNT5",
         "scheme=sha256_crypt rounds=1200"},
        {"$1$8Xr2pQ7z$ufNYJaOEGlqGBTbNstbfm1", "scheme=md5_crypt"},
    };
    struct lk_pwpolicy *p = NULL;
    char out[256], err[LK_ERRBUF_SIZE];
    size_t i;
    int up;

    if (lk_pwpolicy_new_default(&p) != LK_OK)
        return;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *h = cases[i][0] ? cases[i][0]
                        : i == 0 ? djpb : i == 2 ? a2i16 : bcs1;

        enum lk_err rc;

        up = -1;
        rc = lk_pw_info(p, h, out, sizeof(out), &up, err, sizeof(err));
        /* The tutorial hash is bcrypt at cost 12: the default policy. */
        ok(rc == LK_OK && strcmp(out, cases[i][1]) == 0 && up == (i != 1),
           "info '%s' upgrade=%d", out, up);
    }
    ok(lk_pw_info(p, "md5$abc$def", out, sizeof(out), &up, err,
                  sizeof(err)) == LK_ERR_UNSUPPORTED, "info: unknown: %s",
       err);
    lk_pwpolicy_free(p);
}

/* Hostile costs fail at once with the right code. */
static void hostile(void)
{
    static const struct {
        const char *h;
        enum lk_err rc;
    } cases[] = {
        {"$2b$31$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
         LK_ERR_UNSUPPORTED},
        {"$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAA",
         LK_ERR_UNSUPPORTED},
        {"$argon2id$v=19$m=65536,t=1000,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAA",
         LK_ERR_UNSUPPORTED},
        {"$argon2id$v=19$m=262144,t=64,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAA",
         LK_ERR_UNSUPPORTED},
        {"$argon2id$v=19$m=65536,t=1,p=255$c2FsdHNhbHQ$AAAAAAAAAAAAAAAA",
         LK_ERR_UNSUPPORTED},
        {"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAA",
         LK_ERR_UNSUPPORTED},
        {"$argon2d$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAA",
         LK_ERR_UNSUPPORTED},
        {"pbkdf2_sha256$10000001$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
         "AAAAAAA=", LK_ERR_UNSUPPORTED},
        {"$pbkdf2-sha512$4294967295$c2FsdA$AAAA", LK_ERR_UNSUPPORTED},
        {"$pbkdf2-sha256$4294967296$c2FsdA$AAAA", LK_ERR_INVALID},
        {"$pbkdf2-sha256$0$c2FsdA$AAAA", LK_ERR_INVALID},
        {"$6$rounds=999999999$salt$x", LK_ERR_UNSUPPORTED},
        {"$bcrypt-sha256$v=3,t=2b,r=4$LatchkeyVectorSaltXy0e$"
         "6FXnpbBm0mucmmZ5jiPUOv11SeXMtH.", LK_ERR_UNSUPPORTED},
        {"!", LK_ERR_UNSUPPORTED},
    };
    struct lk_pwpolicy *p = NULL;
    char err[LK_ERRBUF_SIZE], longh[LK_HASH_MAX + 2];
    double t0;
    size_t i;

    if (lk_pwpolicy_new_default(&p) != LK_OK)
        return;
    t0 = now_s();
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum lk_err rc = lk_pw_verify(p, PW, PWN, cases[i].h, NULL, err,
                                      sizeof(err));

        ok(rc == cases[i].rc, "hostile %zu: rc %d want %d: %s", i, rc,
           cases[i].rc, err);
    }
    memset(longh, 'a', sizeof(longh) - 1);
    longh[sizeof(longh) - 1] = '\0';
    memcpy(longh, "$pbkdf2-sha256$", 15);
    ok(lk_pw_verify(p, PW, PWN, longh, NULL, err, sizeof(err))
       == LK_ERR_INVALID, "over-long stored string refused: %s", err);
    ok(lk_pw_verify(p, PW, PWN, NULL, NULL, NULL, 0) == LK_ERR_INVALID,
       "NULL stored string refused");
    ok(now_s() - t0 < 1.0, "all hostile strings refused in %.3f s",
       now_s() - t0);
    lk_pwpolicy_free(p);
}

/* Dummy verify costs about one real verify, even for odd passwords. */
static void dummy_timing(void)
{
    static uint8_t big[LK_PW_MAX + 10];
    const char *kv[] = {"bcrypt-cost", "10", NULL};
    struct lk_pwpolicy *p = policy(kv);
    char h[LK_HASH_MAX + 1];
    double t0, real, dummy, nul, refuse;

    if (p == NULL || lk_pw_hash(p, PW, PWN, h, sizeof(h), NULL, 0) != LK_OK)
        goto out;
    t0 = now_s();
    (void)lk_pw_verify(p, PW, PWN, h, NULL, NULL, 0);
    real = now_s() - t0;
    t0 = now_s();
    lk_pw_dummy_verify(p, PW, PWN);
    dummy = now_s() - t0;
    t0 = now_s();
    lk_pw_dummy_verify(p, (const uint8_t *)"a\0b", 3);
    lk_pw_dummy_verify(p, big, sizeof(big));
    nul = (now_s() - t0) / 2;
    t0 = now_s();
    (void)lk_pw_verify(p, (const uint8_t *)"a\0b", 3, h, NULL, NULL, 0);
    refuse = now_s() - t0;
    ok(dummy > real / 2 && nul > real / 2 && refuse > real / 2,
       "dummy %.3f s, odd passwords %.3f s, NUL refusal %.3f s vs "
       "verify %.3f s", dummy, nul, refuse, real);
out:
    lk_pwpolicy_free(p);
}

/* A runner that counts the hash computations it is handed. */
static void counting_runner(void *ctx, lk_pw_task_fn fn, void *arg)
{
    (*(int *)ctx)++;
    fn(arg);
}

/* Every hash computation goes through the policy's runner, and its
 * result comes back through it; without one they run inline. */
static void runner(void)
{
    struct lk_pwpolicy *p;
    char h[LK_HASH_MAX + 1];
    int calls = 0, up = 0;
    const uint8_t pw[] = "runner-pass";

    if (!ok(lk_pwpolicy_new_default(&p) == LK_OK, "policy"))
        return;
    lk_pwpolicy_set(p, "bcrypt-cost", "4", NULL, 0);
    lk_pwpolicy_set(p, "bcrypt-min-cost", "4", NULL, 0);
    lk_pwpolicy_finish(p, NULL, 0);
    lk_pwpolicy_set_runner(p, counting_runner, &calls);
    lk_pw_dummy_verify(p, pw, sizeof(pw) - 1);  /* makes the dummy too */
    ok(calls == 2, "the first dummy verify: making the dummy hash, then "
       "the verify, both on the runner");
    calls = 0;
    ok(lk_pw_hash(p, pw, sizeof(pw) - 1, h, sizeof(h), NULL, 0) == LK_OK &&
       calls == 1, "a new hash runs on the runner");
    ok(lk_pw_verify(p, pw, sizeof(pw) - 1, h, &up, NULL, 0) == LK_OK &&
       calls == 2, "a verify runs on it and matches");
    ok(lk_pw_verify(p, (const uint8_t *)"x", 1, h, &up, NULL, 0) ==
       LK_ERR_MISMATCH && calls == 3, "a wrong password is a mismatch");
    lk_pw_dummy_verify(p, pw, sizeof(pw) - 1);
    ok(calls == 4, "a dummy verify runs on it too");
    lk_pwpolicy_set_runner(p, NULL, NULL);
    ok(lk_pw_verify(p, pw, sizeof(pw) - 1, h, &up, NULL, 0) == LK_OK &&
       calls == 4, "without a runner, inline");
    lk_pwpolicy_free(p);
}

int main(void)
{
    runner();
    round_trips();
    password_rules();
    upgrades();
    options();
    infos();
    hostile();
    dummy_timing();
    return tap_done();
}
