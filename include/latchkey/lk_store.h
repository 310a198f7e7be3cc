/*
 * lk_store.h: the user store interface. An implementation (SQLite,
 * PostgreSQL) fills struct lk_store_ops; handlers only see this header.
 * Every call is safe from many threads at once.
 */
#ifndef LATCHKEY_LK_STORE_H
#define LATCHKEY_LK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "latchkey/lk_common.h"
#include "latchkey/lk_pwhash.h"

#define LK_USERNAME_MAX  150
#define LK_EMAIL_MAX     254
#define LK_FULLNAME_MAX  255
#define LK_SCOPES_MAX    1023
#define LK_ITEM_ID_MAX   255

struct lk_user {
    int64_t id;
    char username[LK_USERNAME_MAX + 1];
    char email[LK_EMAIL_MAX + 1];         /* "" when none */
    char full_name[LK_FULLNAME_MAX + 1];  /* "" when none */
    int has_email, has_full_name;
    int disabled;
    char password_hash[LK_HASH_MAX + 1];
    char scopes[LK_SCOPES_MAX + 1];       /* space-separated */
    int64_t created_at, updated_at;
};

/* Failed logins counted under one key ("u:NAME" for a username,
 * "a:ADDR" for a client address), for brute-force throttling. */
struct lk_throttle {
    int64_t failures;     /* failures in the current window */
    int64_t last;         /* Unix time of the last one; 0 if none */
};

#define LK_THROTTLE_KEY_MAX 200

struct lk_store;

/* Called once per item by list_items; return non-zero to stop. */
typedef int (*lk_item_fn)(void *arg, const char *item_id);

struct lk_store_ops {
    const char *name;   /* "sqlite", "postgresql" */
    enum lk_err (*get_user)(struct lk_store *s, const char *username,
                            struct lk_user *out, char *err, size_t errlen);
    enum lk_err (*add_user)(struct lk_store *s, const struct lk_user *u,
                            char *err, size_t errlen);
    enum lk_err (*set_disabled)(struct lk_store *s, const char *username,
                                int disabled, char *err, size_t errlen);
    enum lk_err (*set_scopes)(struct lk_store *s, const char *username,
                              const char *scopes, char *err, size_t errlen);
    /* Replace the hash only if it still equals old_hash (compare and
     * swap): a concurrent change is never lost. LK_ERR_MISMATCH when
     * the stored hash changed meanwhile. */
    enum lk_err (*replace_hash)(struct lk_store *s, const char *username,
                                const char *old_hash, const char *new_hash,
                                char *err, size_t errlen);
    enum lk_err (*add_item)(struct lk_store *s, const char *username,
                            const char *item_id, char *err, size_t errlen);
    enum lk_err (*list_items)(struct lk_store *s, const char *username,
                              lk_item_fn fn, void *arg,
                              char *err, size_t errlen);
    /* Throttling state, kept in the store so that it survives
     * restarts and is shared by every process on the store. Failures
     * older than window seconds are forgotten. throttle_hit counts one
     * failure at now and returns the new state; throttle_check reads
     * it (zero when none); throttle_clear forgets the key. */
    enum lk_err (*throttle_hit)(struct lk_store *s, const char *key,
                                int64_t now, int64_t window,
                                struct lk_throttle *out,
                                char *err, size_t errlen);
    enum lk_err (*throttle_check)(struct lk_store *s, const char *key,
                                  int64_t now, int64_t window,
                                  struct lk_throttle *out,
                                  char *err, size_t errlen);
    enum lk_err (*throttle_clear)(struct lk_store *s, const char *key,
                                  char *err, size_t errlen);
    void (*close)(struct lk_store *s);
};

struct lk_store {
    const struct lk_store_ops *ops;
};

/* How a store is opened; zero fields take the defaults. */
struct lk_store_config {
    unsigned pool_size;     /* connections per process (PostgreSQL);
                               0: LK_STORE_POOL_DEFAULT */
    unsigned timeout_ms;    /* bound of one store call, waiting for a
                               connection included; also the statement
                               timeout; 0: 2000 */
    int no_migrate;         /* refuse an out-of-date schema instead of
                               migrating it (PostgreSQL) */
};

#define LK_STORE_POOL_DEFAULT 8
#define LK_STORE_POOL_MAX     64
#define LK_STORE_TIMEOUT_DEFAULT_MS 2000

/* Open a SQLite store at path (created and migrated when needed). */
enum lk_err lk_store_open_sqlite(const char *path, struct lk_store **out,
                                 char *err, size_t errlen);

/* Open a PostgreSQL store (libpq URL or key=value string): migrates
 * the schema at open unless cfg->no_migrate. cfg may be NULL. */
enum lk_err lk_store_open_pg(const char *url,
                             const struct lk_store_config *cfg,
                             struct lk_store **out, char *err,
                             size_t errlen);

/* Open by URL: "sqlite:PATH", a plain path, or "postgresql://...". */
enum lk_err lk_store_open(const char *url, struct lk_store **out,
                          char *err, size_t errlen);

/* lk_store_open with a configuration (NULL: defaults). */
enum lk_err lk_store_open_config(const char *url,
                                 const struct lk_store_config *cfg,
                                 struct lk_store **out, char *err,
                                 size_t errlen);

/* Describe a store URL for logs without its password, e.g.
 * "postgresql://app@db.example:5432/latchkey" or "sqlite:PATH". */
void lk_store_describe(const char *url, char *out, size_t cap);

static inline void lk_store_close(struct lk_store *s)
{
    if (s != NULL)
        s->ops->close(s);
}

#endif
