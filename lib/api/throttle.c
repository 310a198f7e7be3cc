/*
 * throttle.c: brute-force throttling of logins, on counters kept in the
 * store. Two keys per attempt: the username and the client address.
 *
 * An address past the threshold is locked out for every username. A
 * username past the threshold is locked out only for addresses that
 * have failed themselves: an attacker cannot lock the real user out
 * from a clean address. Each failure past the threshold doubles the
 * lockout, from base up to max seconds.
 */
#include <stdio.h>
#include <string.h>

#include "api/app_internal.h"
#include "latchkey/lk_log.h"

/* The store key for a username ('u') or an address ('a'). */
static void make_key(char *key, char kind, const char *v)
{
    snprintf(key, LK_THROTTLE_KEY_MAX, "%c:%s", kind, v ? v : "-");
}

/* Seconds left in the lockout of a key with state t, or 0. */
static int64_t lockout_left(const struct lk_app *app,
                            const struct lk_throttle *t, int64_t now)
{
    int64_t over, delay = app->throttle_base, end;

    if (t->failures < (int64_t)app->throttle_threshold)
        return 0;
    for (over = t->failures - app->throttle_threshold;
         over > 0 && delay < app->throttle_max; over--)
        delay *= 2;
    if (delay > app->throttle_max)
        delay = app->throttle_max;
    end = t->last + delay;
    return end > now ? end - now : 0;
}

int64_t lk_throttle_wait(struct lk_app *app, const char *user,
                         const char *addr, int64_t now)
{
    struct lk_store *s = app->store;
    struct lk_throttle tu, ta;
    char ku[LK_THROTTLE_KEY_MAX], ka[LK_THROTTLE_KEY_MAX];
    int64_t wu, wa;

    if (app->throttle_off || s->ops->throttle_check == NULL)
        return 0;
    make_key(ku, 'u', user);
    make_key(ka, 'a', addr);
    if (s->ops->throttle_check(s, ka, now, app->throttle_window, &ta,
                               NULL, 0) != LK_OK ||
        s->ops->throttle_check(s, ku, now, app->throttle_window, &tu,
                               NULL, 0) != LK_OK)
        return -1;
    wa = lockout_left(app, &ta, now);
    wu = ta.failures > 0 ? lockout_left(app, &tu, now) : 0;
    return wa > wu ? wa : wu;
}

void lk_throttle_failed(struct lk_app *app, const char *user,
                        const char *addr, int64_t now)
{
    struct lk_store *s = app->store;
    struct lk_throttle t;
    char key[LK_THROTTLE_KEY_MAX], why[LK_ERRBUF_SIZE] = "";

    if (app->throttle_off || s->ops->throttle_hit == NULL)
        return;
    make_key(key, 'u', user);
    if (s->ops->throttle_hit(s, key, now, app->throttle_window, &t, why,
                             sizeof(why)) == LK_OK) {
        make_key(key, 'a', addr);
        if (s->ops->throttle_hit(s, key, now, app->throttle_window, &t,
                                 why, sizeof(why)) == LK_OK)
            return;
    }
    lk_log(LK_LOG_WARN, "event=throttle_failed reason=\"%s\"", why);
}

void lk_throttle_passed(struct lk_app *app, const char *user,
                        const char *addr)
{
    struct lk_store *s = app->store;
    char key[LK_THROTTLE_KEY_MAX];

    if (app->throttle_off || s->ops->throttle_clear == NULL)
        return;
    (void)addr;     /* the address's failures stay until they age out:
                       clearing them would let one good account reset
                       the lock on another */
    make_key(key, 'u', user);
    (void)s->ops->throttle_clear(s, key, NULL, 0);
}
