/*
 * test_store_pg.c: the PostgreSQL store without a server: URLs are
 * described without their password, an unreachable server is reported
 * as unavailable within the configured time, and bad pool sizes are
 * refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "latchkey/lk_store.h"
#include "tap.h"

static void describe(void)
{
    char d[256];

    lk_store_describe("postgresql://app:s3cr3t@db.example:6432/auth", d,
                      sizeof(d));
    ok(strcmp(d, "postgresql://app@db.example:6432/auth") == 0,
       "described as '%s'", d);
    ok(strstr(d, "s3cr3t") == NULL, "password left out");
    lk_store_describe("postgres://u:pw%40x@h/db?sslmode=require", d,
                      sizeof(d));
    ok(strstr(d, "pw") == NULL && strstr(d, "u@h:5432/db") != NULL,
       "short scheme, query ignored: '%s'", d);
    lk_store_describe("sqlite:/var/lib/latchkey.db", d, sizeof(d));
    ok(strcmp(d, "sqlite:/var/lib/latchkey.db") == 0, "sqlite kept");
    lk_store_describe("postgresql://[broken", d, sizeof(d));
    ok(strstr(d, "broken") == NULL, "unparsable URL not echoed: '%s'", d);
}

/* A socket in a fresh empty directory of ours, where nothing listens:
 * the connection is refused at once. */
static void unreachable(void)
{
    struct lk_store_config cfg = {.pool_size = 2, .timeout_ms = 500};
    struct lk_store *s = NULL;
    char err[256] = "", dir[] = "/tmp/latchkey-unit.XXXXXX", url[128];
    struct timespec a, b;
    enum lk_err rc;
    double secs;

    if (mkdtemp(dir) == NULL) {
        ok(0, "mkdtemp");
        return;
    }
    snprintf(url, sizeof(url), "postgresql://nobody:Pa55w0rd-x@/db"
             "?host=%s", dir);
    clock_gettime(CLOCK_MONOTONIC, &a);
    rc = lk_store_open_config(url, &cfg, &s, err, sizeof(err));
    clock_gettime(CLOCK_MONOTONIC, &b);
    rmdir(dir);
    secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    ok(rc == LK_ERR_UNAVAILABLE && s == NULL, "no server: unavailable "
       "(%s)", err);
    ok(strstr(err, "Pa55w0rd") == NULL, "no password in the error");
    ok(secs < 5.0, "gave up quickly (%.3f s)", secs);
    cfg.pool_size = LK_STORE_POOL_MAX + 1;
    rc = lk_store_open_config("postgresql:///db", &cfg, &s, err,
                              sizeof(err));
    ok(rc == LK_ERR_INVALID, "pool size over the maximum refused");
}

int main(void)
{
    describe();
    unreachable();
    return tap_done();
}
