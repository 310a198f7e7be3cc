/*
 * test_throttle_store.c: the SQLite store's throttling counters: hits
 * count up, expire after the window, clear, and survive a reopen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "latchkey/lk_store.h"
#include "tap.h"

/* Count, expire and clear on one open store. */
static void counts(struct lk_store *s)
{
    struct lk_throttle t;

    ok(s->ops->throttle_check(s, "u:x", 1000, 60, &t, NULL, 0) == LK_OK &&
       t.failures == 0 && t.last == 0, "no counter yet");
    s->ops->throttle_hit(s, "u:x", 1000, 60, &t, NULL, 0);
    s->ops->throttle_hit(s, "u:x", 1010, 60, &t, NULL, 0);
    ok(t.failures == 2 && t.last == 1010, "two hits: %lld at %lld",
       (long long)t.failures, (long long)t.last);
    ok(s->ops->throttle_check(s, "u:x", 1020, 60, &t, NULL, 0) == LK_OK &&
       t.failures == 2, "check reads the count");
    ok(s->ops->throttle_check(s, "u:x", 1100, 60, &t, NULL, 0) == LK_OK &&
       t.failures == 0, "expired after the window");
    s->ops->throttle_hit(s, "u:x", 1100, 60, &t, NULL, 0);
    ok(t.failures == 1, "a hit after the window starts again");
    s->ops->throttle_hit(s, "a:127.0.0.1", 1100, 60, &t, NULL, 0);
    ok(s->ops->throttle_clear(s, "u:x", NULL, 0) == LK_OK &&
       s->ops->throttle_check(s, "u:x", 1100, 60, &t, NULL, 0) == LK_OK &&
       t.failures == 0, "clear forgets the key");
    ok(s->ops->throttle_check(s, "a:127.0.0.1", 1100, 60, &t, NULL, 0) ==
       LK_OK && t.failures == 1, "other keys are kept");
}

int main(void)
{
    char dir[] = "/tmp/latchkey-unit-XXXXXX", db[64], p[80];
    struct lk_store *s = NULL;
    struct lk_throttle t;

    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(db, sizeof(db), "%s/t.db", dir);
    ok(lk_store_open_sqlite(db, &s, NULL, 0) == LK_OK, "open store");
    if (s != NULL) {
        counts(s);
        lk_store_close(s);
    }
    ok(lk_store_open_sqlite(db, &s, NULL, 0) == LK_OK, "reopen store");
    if (s != NULL) {
        ok(s->ops->throttle_check(s, "a:127.0.0.1", 1100, 60, &t, NULL,
                                  0) == LK_OK && t.failures == 1,
           "counters survive a reopen");
        lk_store_close(s);
    }
    snprintf(p, sizeof(p), "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", db);
    unlink(p);
    unlink(db);
    rmdir(dir);
    return tap_done();
}
