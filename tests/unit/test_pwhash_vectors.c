/*
 * test_pwhash_vectors.c: the shared password vectors against the policy:
 * every case of vectors/passwords.json, every raw PBKDF2 case of
 * vectors/pbkdf2.json (the 16M-iteration ones are skipped only when
 * LATCHKEY_QUICK=1) and every password_verify pair of cases/cases.json.
 *
 * Product rule over one vector: a password holding NUL is refused by the
 * default policy; the passlib NUL vector is checked to verify as the file
 * says under allow-nul-verify=yes, and to be refused by default.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "latchkey/lk_pwhash.h"
#include "pwhash/pwhash_internal.h"
#include "tap.h"

struct pols {
    struct lk_pwpolicy *def;   /* lk_pwpolicy_new_default() */
    struct lk_pwpolicy *nul;   /* the same with allow-nul-verify=yes */
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Decode hex text into a malloc'd buffer; NULL on bad input. */
static uint8_t *unhex(const char *h, size_t *n)
{
    size_t len = strlen(h), i;
    uint8_t *out;
    unsigned v;

    if (len % 2 != 0 || (out = malloc(len / 2 + 1)) == NULL)
        return NULL;
    for (i = 0; i < len / 2; i++) {
        char two[3] = {h[2 * i], h[2 * i + 1], '\0'};
        char *end;

        v = (unsigned)strtoul(two, &end, 16);
        if (*end != '\0') {
            free(out);
            return NULL;
        }
        out[i] = (uint8_t)v;
    }
    *n = len / 2;
    return out;
}

/* The password of a case: *_hex when present (authoritative). */
static uint8_t *case_password(json_t *c, const char *hexkey, size_t *n)
{
    const char *hex = json_string_value(json_object_get(c, hexkey));
    const char *txt = json_string_value(json_object_get(c, "password"));
    uint8_t *out;

    if (hex != NULL)
        return unhex(hex, n);
    if (txt == NULL)
        return NULL;
    *n = strlen(txt);
    if ((out = malloc(*n + 1)) != NULL)
        memcpy(out, txt, *n + 1);
    return out;
}

static json_t *load(const char *rel)
{
    char path[1024];
    json_error_t je;
    json_t *j;

    j = json_load_file(tap_shared(rel, path, sizeof(path)), JSON_ALLOW_NUL,
                       &je);
    ok(j != NULL, "load %s (%s)", path, j ? "ok" : je.text);
    return j;
}

/* One passwords.json case under one policy with its expectation. */
static void check_case(struct lk_pwpolicy *p, const char *id,
                       const uint8_t *pw, size_t n, const char *hash,
                       int want, int error_allowed, const char *tag)
{
    char err[LK_ERRBUF_SIZE] = "";
    enum lk_err rc = lk_pw_verify(p, pw, n, hash, NULL, err, sizeof(err));

    if (want)
        ok(rc == LK_OK, "%s%s: verifies (rc=%d %s)", id, tag, rc, err);
    else if (error_allowed)
        ok(rc != LK_OK, "%s%s: refused (rc=%d %s)", id, tag, rc, err);
    else
        ok(rc == LK_ERR_MISMATCH, "%s%s: mismatch (rc=%d %s)", id, tag,
           rc, err);
    if (hash[0] != '\0' && strlen(hash) > 8)
        ok(strstr(err, hash) == NULL, "%s%s: message hides the hash", id,
           tag);
}

static void passwords_json(struct pols *ps)
{
    json_t *j = load("vectors/passwords.json"), *c;
    size_t i, n = 0;
    uint8_t *pw;

    if (j == NULL)
        return;
    json_array_foreach(json_object_get(j, "cases"), i, c) {
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *hash = json_string_value(json_object_get(c, "hash"));
        int want = json_is_true(json_object_get(c, "verify"));
        int ea = json_is_true(json_object_get(c, "error_allowed"));

        if (!ok((pw = case_password(c, "password_utf8_hex", &n)) != NULL &&
                hash != NULL, "%s: readable", id))
            continue;
        if (memchr(pw, '\0', n) != NULL) {
            check_case(ps->def, id, pw, n, hash, 0, 0, " (NUL refused)");
            check_case(ps->nul, id, pw, n, hash, want, ea,
                       " (allow-nul-verify)");
        } else {
            check_case(ps->def, id, pw, n, hash, want, ea, "");
        }
        free(pw);
    }
    ok(i >= 50, "passwords.json: %zu cases run", i);
    json_decref(j);
}

static void pbkdf2_json(void)
{
    json_t *j = load("vectors/pbkdf2.json"), *c;
    const char *quick = getenv("LATCHKEY_QUICK");
    size_t i, pwn = 0, sn = 0, dn = 0;
    uint8_t out[256], *pw, *salt, *dk;

    if (j == NULL)
        return;
    json_array_foreach(json_object_get(j, "cases"), i, c) {
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *prf = json_string_value(json_object_get(c, "prf"));
        json_int_t it = json_integer_value(json_object_get(c, "iterations"));
        enum pw_prf f = strcmp(prf, "HMAC-SHA1") == 0 ? PW_PRF_SHA1
                        : strcmp(prf, "HMAC-SHA256") == 0 ? PW_PRF_SHA256
                        : PW_PRF_SHA512;

        if (json_is_true(json_object_get(c, "slow")) && quick != NULL &&
            strcmp(quick, "1") == 0) {
            ok(1, "%s: skipped (LATCHKEY_QUICK=1) # SKIP", id);
            continue;
        }
        pw = case_password(c, "password_hex", &pwn);
        salt = unhex(json_string_value(json_object_get(c, "salt_hex")), &sn);
        dk = unhex(json_string_value(json_object_get(c, "dk_hex")), &dn);
        ok(pw && salt && dk && dn <= sizeof(out) &&
           pw_pbkdf2(f, pw, pwn, salt, sn, (uint32_t)it, out, dn) == LK_OK &&
           memcmp(out, dk, dn) == 0, "%s: %s x%lld dk matches", id, prf,
           (long long)it);
        free(pw);
        free(salt);
        free(dk);
    }
    ok(i >= 9, "pbkdf2.json: %zu cases", i);
    json_decref(j);
}

/* One password_verify pair of cases.json. */
static void case_pair(struct lk_pwpolicy *p, const char *cid, size_t k,
                      json_t *pr)
{
    const char *hash = json_string_value(json_object_get(pr, "hash"));
    const char *note = json_string_value(json_object_get(pr, "note"));
    json_t *ms = json_object_get(pr, "max_seconds");
    double lim = ms != NULL ? json_number_value(ms) : 5.0, t0, dt;
    int want = json_is_true(json_object_get(pr, "expect"));
    char err[LK_ERRBUF_SIZE] = "";
    enum lk_err rc;
    uint8_t *pw;
    size_t n = 0;

    if (!ok((pw = case_password(pr, "password_hex", &n)) != NULL &&
            hash != NULL, "%s[%zu]: readable", cid, k))
        return;
    t0 = now_s();
    rc = lk_pw_verify(p, pw, n, hash, NULL, err, sizeof(err));
    dt = now_s() - t0;
    ok(want ? rc == LK_OK : rc != LK_OK, "%s[%zu] %s: expect %s, rc=%d %s",
       cid, k, note ? note : "", want ? "true" : "false", rc, err);
    /* The case's max_seconds bounds a hang; LATCHKEY_TIME_SCALE widens
     * it for slow runners such as valgrind. */
    if (getenv("LATCHKEY_TIME_SCALE") != NULL)
        lim *= strtod(getenv("LATCHKEY_TIME_SCALE"), NULL);
    ok(dt <= lim, "%s[%zu]: %.2f s within %.0f s", cid, k, dt, lim);
    free(pw);
}

static void cases_json(struct pols *ps)
{
    json_t *j = load("cases/cases.json"), *c, *pr;
    size_t i, k, pairs = 0;

    if (j == NULL)
        return;
    json_array_foreach(j, i, c) {
        const char *kind = json_string_value(json_object_get(c, "kind"));
        const char *cid = json_string_value(json_object_get(c, "id"));

        if (kind == NULL || strcmp(kind, "password_verify") != 0)
            continue;
        json_array_foreach(json_object_get(c, "pairs"), k, pr) {
            case_pair(ps->def, cid, k, pr);
            pairs++;
        }
    }
    ok(pairs >= 40, "cases.json: %zu password_verify pairs", pairs);
    json_decref(j);
}

int main(void)
{
    struct pols ps = {NULL, NULL};
    char err[LK_ERRBUF_SIZE] = "";

    ok(lk_pwpolicy_new_default(&ps.def) == LK_OK, "default policy");
    ok(lk_pwpolicy_new_default(&ps.nul) == LK_OK &&
       lk_pwpolicy_set(ps.nul, "allow-nul-verify", "yes", err,
                       sizeof(err)) == LK_OK &&
       lk_pwpolicy_finish(ps.nul, err, sizeof(err)) == LK_OK,
       "policy with allow-nul-verify %s", err);
    if (ps.def != NULL && ps.nul != NULL) {
        passwords_json(&ps);
        cases_json(&ps);
    }
    pbkdf2_json();
    lk_pwpolicy_free(ps.def);
    lk_pwpolicy_free(ps.nul);
    return tap_done();
}
