/*
 * usercache.c: a direct-mapped table of user records, one mutex per
 * stripe of slots. A colliding user simply replaces the slot. The
 * password hash is not kept: bearer requests never need it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/usercache.h"

#define STRIPES 16

struct slot {
    int64_t born_ms;     /* 0: empty */
    struct lk_user user;
};

struct lk_usercache {
    int64_t ttl_ms;
    unsigned mask;
    pthread_mutex_t mu[STRIPES];
    struct slot *slots;
};

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* FNV-1a of the username. */
static unsigned hash_name(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s != '\0')
        h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

struct lk_usercache *lk_usercache_new(unsigned slots, int64_t ttl_ms)
{
    struct lk_usercache *c = calloc(1, sizeof(*c));
    unsigned n = 1, i;

    if (c == NULL)
        return NULL;
    while (n < slots && n < (1u << 20))
        n <<= 1;
    c->slots = calloc(n, sizeof(*c->slots));
    if (c->slots == NULL) {
        free(c);
        return NULL;
    }
    c->mask = n - 1;
    c->ttl_ms = ttl_ms;
    for (i = 0; i < STRIPES; i++)
        pthread_mutex_init(&c->mu[i], NULL);
    return c;
}

void lk_usercache_free(struct lk_usercache *c)
{
    unsigned i;

    if (c == NULL)
        return;
    for (i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&c->mu[i]);
    free(c->slots);
    free(c);
}

int lk_usercache_get(struct lk_usercache *c, const char *username,
                     struct lk_user *out)
{
    unsigned i = hash_name(username) & c->mask;
    pthread_mutex_t *mu = &c->mu[i % STRIPES];
    struct slot *s = &c->slots[i];
    int hit;

    if (c->ttl_ms <= 0)
        return 0;
    pthread_mutex_lock(mu);
    hit = s->born_ms != 0 && now_ms() - s->born_ms < c->ttl_ms &&
          strcmp(s->user.username, username) == 0;
    if (hit)
        *out = s->user;
    pthread_mutex_unlock(mu);
    return hit;
}

void lk_usercache_put(struct lk_usercache *c, const struct lk_user *u)
{
    unsigned i = hash_name(u->username) & c->mask;
    pthread_mutex_t *mu = &c->mu[i % STRIPES];
    struct slot *s = &c->slots[i];

    if (c->ttl_ms <= 0)
        return;
    pthread_mutex_lock(mu);
    s->user = *u;
    s->user.password_hash[0] = '\0';
    s->born_ms = now_ms();
    pthread_mutex_unlock(mu);
}
