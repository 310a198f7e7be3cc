/*
 * usercache.h: a small cache of user records for bearer requests, so
 * that a token check does not read the store every time. An entry lives
 * at most ttl milliseconds: a user disabled in the store (by any
 * process) is refused within that time. Logins never use it.
 */
#ifndef LATCHKEY_API_USERCACHE_H
#define LATCHKEY_API_USERCACHE_H

#include <stdint.h>

#include "latchkey/lk_store.h"

struct lk_usercache;

/* A cache of slots entries (rounded up to a power of two); ttl_ms 0
 * makes a cache that never hits. NULL when out of memory. */
struct lk_usercache *lk_usercache_new(unsigned slots, int64_t ttl_ms);
void lk_usercache_free(struct lk_usercache *c);

/* Copy a fresh entry for username into out: 1 on a hit, 0 on a miss. */
int lk_usercache_get(struct lk_usercache *c, const char *username,
                     struct lk_user *out);

/* Remember u as read from the store now. */
void lk_usercache_put(struct lk_usercache *c, const struct lk_user *u);

#endif
