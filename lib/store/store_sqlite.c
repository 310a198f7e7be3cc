/*
 * store_sqlite.c: the embedded store. One SQLite file in WAL mode, a
 * schema versioned by PRAGMA user_version and migrated forward at open,
 * and a small pool of connections, each with its prepared statements,
 * so that request threads never share a connection.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "latchkey/lk_store.h"

#define POOL_MAX 64

enum stmt_id {
    ST_GET_USER, ST_ADD_USER, ST_SET_DISABLED, ST_SET_SCOPES,
    ST_REPLACE_HASH, ST_ADD_ITEM, ST_LIST_ITEMS, ST_THROTTLE_HIT,
    ST_THROTTLE_GET, ST_THROTTLE_CLEAR, ST_THROTTLE_PRUNE, ST__COUNT
};

static const char *const stmt_sql[ST__COUNT] = {
    [ST_GET_USER] =
        "SELECT id, username, email, full_name, disabled, password_hash,"
        " scopes, created_at, updated_at FROM users WHERE username = ?1",
    [ST_ADD_USER] =
        "INSERT INTO users (username, email, full_name, disabled,"
        " password_hash, scopes, created_at, updated_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    [ST_SET_DISABLED] =
        "UPDATE users SET disabled = ?2, updated_at = ?3"
        " WHERE username = ?1",
    [ST_SET_SCOPES] =
        "UPDATE users SET scopes = ?2, updated_at = ?3 WHERE username = ?1",
    [ST_REPLACE_HASH] =
        "UPDATE users SET password_hash = ?3, updated_at = ?4"
        " WHERE username = ?1 AND password_hash = ?2",
    [ST_ADD_ITEM] =
        "INSERT INTO items (owner_id, item_id) SELECT id, ?2 FROM users"
        " WHERE username = ?1",
    [ST_LIST_ITEMS] =
        "SELECT i.item_id FROM items i JOIN users u ON u.id = i.owner_id"
        " WHERE u.username = ?1 ORDER BY i.id",
    [ST_THROTTLE_HIT] =
        "INSERT INTO throttle (key, failures, last) VALUES (?1, 1, ?2)"
        " ON CONFLICT (key) DO UPDATE SET"
        " failures = CASE WHEN last < ?2 - ?3 THEN 1 ELSE failures + 1 END,"
        " last = MAX(last, ?2) RETURNING failures, last",
    [ST_THROTTLE_GET] =
        "SELECT failures, last FROM throttle WHERE key = ?1"
        " AND last >= ?2 - ?3",
    [ST_THROTTLE_CLEAR] = "DELETE FROM throttle WHERE key = ?1",
    [ST_THROTTLE_PRUNE] = "DELETE FROM throttle WHERE last < ?1",
};

/* Forward-only migrations; migration i brings user_version to i + 1. */
static const char *const migrations[] = {
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY,"
    " username TEXT NOT NULL UNIQUE,"
    " email TEXT,"
    " full_name TEXT,"
    " disabled INTEGER NOT NULL DEFAULT 0,"
    " password_hash TEXT NOT NULL,"
    " scopes TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL);"
    "CREATE TABLE items ("
    " id INTEGER PRIMARY KEY,"
    " owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " item_id TEXT NOT NULL,"
    " UNIQUE (owner_id, item_id));",
    /* 2: failed-login counters for throttling. */
    "CREATE TABLE throttle ("
    " key TEXT PRIMARY KEY,"
    " failures INTEGER NOT NULL,"
    " last INTEGER NOT NULL);"
    "CREATE INDEX throttle_last ON throttle (last);",
};

struct conn {
    sqlite3 *db;
    sqlite3_stmt *st[ST__COUNT];
};

struct sqlite_store {
    struct lk_store base;
    char *path;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct conn *idle[POOL_MAX];
    int nidle, total;
};

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static void conn_close(struct conn *c)
{
    int i;

    if (c == NULL)
        return;
    for (i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(c->st[i]);
    sqlite3_close(c->db);
    free(c);
}

/* Open one connection with our pragmas and prepared statements. */
static enum lk_err conn_open(const char *path, struct conn **out,
                             char *err, size_t errlen)
{
    struct conn *c = calloc(1, sizeof(*c));
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                   SQLITE_OPEN_NOMUTEX;

    *out = NULL;
    if (c == NULL)
        return LK_ERR_NOMEM;
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_busy_timeout(c->db, 5000);
    if (sqlite3_exec(c->db, "PRAGMA journal_mode=WAL;"
                     "PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;",
                     NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    *out = c;
    return LK_OK;
fail:
    lk_seterr(err, errlen, LK_ERR_STORE, "cannot open %s: %s", path,
              c->db ? sqlite3_errmsg(c->db) : "out of memory");
    conn_close(c);
    return LK_ERR_STORE;
}

static enum lk_err conn_prepare(struct conn *c, char *err, size_t errlen)
{
    int i;

    for (i = 0; i < ST__COUNT; i++)
        if (sqlite3_prepare_v3(c->db, stmt_sql[i], -1,
                               SQLITE_PREPARE_PERSISTENT, &c->st[i],
                               NULL) != SQLITE_OK)
            return lk_seterr(err, errlen, LK_ERR_STORE,
                             "prepare failed: %s", sqlite3_errmsg(c->db));
    return LK_OK;
}

/* Bring the schema up to date inside one immediate transaction. */
static enum lk_err migrate(sqlite3 *db, char *err, size_t errlen)
{
    const int latest = (int)(sizeof(migrations) / sizeof(migrations[0]));
    sqlite3_stmt *st = NULL;
    int version = -1, v;

    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
            SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version < 0 || version > latest) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return lk_seterr(err, errlen, LK_ERR_STORE,
                         "store schema version %d is newer than this "
                         "latchkey (%d); upgrade latchkey", version, latest);
    }
    for (v = version; v < latest; v++) {
        char pragma[64];
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d", v + 1);
        if (sqlite3_exec(db, migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(db, pragma, NULL, NULL, NULL) != SQLITE_OK)
            goto fail;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return LK_OK;
fail:
    lk_seterr(err, errlen, LK_ERR_STORE, "schema migration failed: %s",
              sqlite3_errmsg(db));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return LK_ERR_STORE;
}

/* Take a connection from the pool, opening one if needed. */
static struct conn *acquire(struct sqlite_store *s)
{
    struct conn *c = NULL;

    pthread_mutex_lock(&s->mu);
    while (s->nidle == 0 && s->total >= POOL_MAX)
        pthread_cond_wait(&s->cv, &s->mu);
    if (s->nidle > 0) {
        c = s->idle[--s->nidle];
    } else {
        s->total++;
        pthread_mutex_unlock(&s->mu);
        if (conn_open(s->path, &c, NULL, 0) != LK_OK ||
            conn_prepare(c, NULL, 0) != LK_OK) {
            conn_close(c);
            c = NULL;
            pthread_mutex_lock(&s->mu);
            s->total--;
            pthread_cond_signal(&s->cv);
        } else {
            return c;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return c;
}

static void release(struct sqlite_store *s, struct conn *c)
{
    pthread_mutex_lock(&s->mu);
    s->idle[s->nidle++] = c;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* Get a reset statement on a pooled connection. */
static sqlite3_stmt *stmt(struct sqlite_store *s, enum stmt_id id,
                          struct conn **c)
{
    *c = acquire(s);
    if (*c == NULL)
        return NULL;
    sqlite3_reset((*c)->st[id]);
    sqlite3_clear_bindings((*c)->st[id]);
    return (*c)->st[id];
}

static void stmt_done(struct sqlite_store *s, struct conn *c,
                      sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    release(s, c);
}

/* Copy a text column into a fixed buffer; returns 1 if not NULL. */
static int col_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n;

    dst[0] = '\0';
    if (t == NULL)
        return 0;
    n = (size_t)sqlite3_column_bytes(st, col);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, t, n);
    dst[n] = '\0';
    return 1;
}

static enum lk_err sq_get_user(struct lk_store *base, const char *username,
                               struct lk_user *u, char *err, size_t errlen)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    struct conn *c;
    sqlite3_stmt *st = stmt(s, ST_GET_USER, &c);
    enum lk_err rc = LK_ERR_NOT_FOUND;
    int r;

    if (st == NULL)
        return lk_seterr(err, errlen, LK_ERR_UNAVAILABLE, "no connection");
    sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        u->id = sqlite3_column_int64(st, 0);
        col_text(st, 1, u->username, sizeof(u->username));
        u->has_email = col_text(st, 2, u->email, sizeof(u->email));
        u->has_full_name = col_text(st, 3, u->full_name,
                                    sizeof(u->full_name));
        u->disabled = sqlite3_column_int(st, 4) != 0;
        col_text(st, 5, u->password_hash, sizeof(u->password_hash));
        col_text(st, 6, u->scopes, sizeof(u->scopes));
        u->created_at = sqlite3_column_int64(st, 7);
        u->updated_at = sqlite3_column_int64(st, 8);
        rc = LK_OK;
    } else if (r != SQLITE_DONE) {
        rc = lk_seterr(err, errlen, LK_ERR_STORE, "user lookup: %s",
                       sqlite3_errmsg(c->db));
    }
    stmt_done(s, c, st);
    return rc;
}

static void bind_opt(sqlite3_stmt *st, int i, int has, const char *v)
{
    if (has)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static enum lk_err sq_add_user(struct lk_store *base, const struct lk_user *u,
                               char *err, size_t errlen)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    struct conn *c;
    sqlite3_stmt *st = stmt(s, ST_ADD_USER, &c);
    enum lk_err rc = LK_OK;
    int r;

    if (st == NULL)
        return lk_seterr(err, errlen, LK_ERR_UNAVAILABLE, "no connection");
    sqlite3_bind_text(st, 1, u->username, -1, SQLITE_STATIC);
    bind_opt(st, 2, u->has_email, u->email);
    bind_opt(st, 3, u->has_full_name, u->full_name);
    sqlite3_bind_int(st, 4, u->disabled ? 1 : 0);
    sqlite3_bind_text(st, 5, u->password_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, u->scopes, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, now_s());
    r = sqlite3_step(st);
    if (r == SQLITE_CONSTRAINT)
        rc = lk_seterr(err, errlen, LK_ERR_EXISTS,
                       "user '%s' already exists", u->username);
    else if (r != SQLITE_DONE)
        rc = lk_seterr(err, errlen, LK_ERR_STORE, "add user: %s",
                       sqlite3_errmsg(c->db));
    stmt_done(s, c, st);
    return rc;
}

/* Run a single-row UPDATE; LK_ERR_NOT_FOUND when no row changed. */
static enum lk_err run_update(struct sqlite_store *s, struct conn *c,
                              sqlite3_stmt *st, enum lk_err none,
                              char *err, size_t errlen)
{
    enum lk_err rc = LK_OK;

    if (sqlite3_step(st) != SQLITE_DONE)
        rc = lk_seterr(err, errlen, LK_ERR_STORE, "update: %s",
                       sqlite3_errmsg(c->db));
    else if (sqlite3_changes(c->db) == 0)
        rc = none;
    stmt_done(s, c, st);
    return rc;
}

static enum lk_err sq_set_disabled(struct lk_store *base, const char *name,
                                   int disabled, char *err, size_t errlen)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    struct conn *c;
    sqlite3_stmt *st = stmt(s, ST_SET_DISABLED, &c);

    if (st == NULL)
        return lk_seterr(err, errlen, LK_ERR_UNAVAILABLE, "no connection");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, disabled ? 1 : 0);
    sqlite3_bind_int64(st, 3, now_s());
    return run_update(s, c, st, LK_ERR_NOT_FOUND, err, errlen);
}

static enum lk_err sq_set_scopes(struct lk_store *base, const char *name,
                                 const char *scopes, char *err, size_t errlen)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    struct conn *c;
    sqlite3_stmt *st = stmt(s, ST_SET_SCOPES, &c);

    if (st == NULL)
        return lk_seterr(err, errlen, LK_ERR_UNAVAILABLE, "no connection");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, scopes, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now_s());
    return run_update(s, c, st, LK_ERR_NOT_FOUND, err, errlen);
}

static enum lk_err sq_replace_hash(struct lk_store *base, const char *name,
                                   const char *old_hash, const char *new_hash,
                                   char *err, size_t errlen)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    struct conn *c;
    sqlite3_stmt *st = stmt(s, ST_REPLACE_HASH, &c);

    if (st == NULL)
        return lk_seterr(err, errlen, LK_ERR_UNAVAILABLE, "no connection");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, old_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, new_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now_s());
    return run_update(s, c, st, LK_ERR_MISMATCH, err, errlen);
}

static enum lk_err sq_add_item(struct lk_store *base, const char *name,
                               const char *item_id, char *err, size_t errlen)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    struct conn *c;
    sqlite3_stmt *st = stmt(s, ST_ADD_ITEM, &c);
    enum lk_err rc;

    if (st == NULL)
        return lk_seterr(err, errlen, LK_ERR_UNAVAILABLE, "no connection");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, item_id, -1, SQLITE_STATIC);
    rc = run_update(s, c, st, LK_ERR_NOT_FOUND, err, errlen);
    if (rc == LK_ERR_STORE)
        rc = LK_ERR_EXISTS;
    return rc;
}

static enum lk_err sq_list_items(struct lk_store *base, const char *name,
                                 lk_item_fn fn, void *arg,
                                 char *err, size_t errlen)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    struct conn *c;
    sqlite3_stmt *st = stmt(s, ST_LIST_ITEMS, &c);
    enum lk_err rc = LK_OK;
    int r;

    if (st == NULL)
        return lk_seterr(err, errlen, LK_ERR_UNAVAILABLE, "no connection");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t != NULL && fn(arg, t) != 0)
            break;
    }
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        rc = lk_seterr(err, errlen, LK_ERR_STORE, "list items: %s",
                       sqlite3_errmsg(c->db));
    stmt_done(s, c, st);
    return rc;
}

/* Read failures and last from the current row of st. */
static void throttle_row(sqlite3_stmt *st, struct lk_throttle *out)
{
    out->failures = sqlite3_column_int64(st, 0);
    out->last = sqlite3_column_int64(st, 1);
}

/* Forget counters older than the window (on a key's first failure). */
static void throttle_prune(struct sqlite_store *s, int64_t before)
{
    struct conn *c;
    sqlite3_stmt *st = stmt(s, ST_THROTTLE_PRUNE, &c);

    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, before);
    (void)sqlite3_step(st);
    stmt_done(s, c, st);
}

static enum lk_err sq_throttle_hit(struct lk_store *base, const char *key,
                                   int64_t now, int64_t window,
                                   struct lk_throttle *out,
                                   char *err, size_t errlen)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    struct conn *c;
    sqlite3_stmt *st = stmt(s, ST_THROTTLE_HIT, &c);
    enum lk_err rc = LK_OK;

    memset(out, 0, sizeof(*out));
    if (st == NULL)
        return lk_seterr(err, errlen, LK_ERR_UNAVAILABLE, "no connection");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, window);
    if (sqlite3_step(st) == SQLITE_ROW)
        throttle_row(st, out);
    else
        rc = lk_seterr(err, errlen, LK_ERR_STORE, "throttle: %s",
                       sqlite3_errmsg(c->db));
    stmt_done(s, c, st);
    if (rc == LK_OK && out->failures == 1)
        throttle_prune(s, now - window);
    return rc;
}

static enum lk_err sq_throttle_check(struct lk_store *base, const char *key,
                                     int64_t now, int64_t window,
                                     struct lk_throttle *out,
                                     char *err, size_t errlen)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    struct conn *c;
    sqlite3_stmt *st = stmt(s, ST_THROTTLE_GET, &c);
    enum lk_err rc = LK_OK;
    int r;

    memset(out, 0, sizeof(*out));
    if (st == NULL)
        return lk_seterr(err, errlen, LK_ERR_UNAVAILABLE, "no connection");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, window);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        throttle_row(st, out);
    else if (r != SQLITE_DONE)
        rc = lk_seterr(err, errlen, LK_ERR_STORE, "throttle: %s",
                       sqlite3_errmsg(c->db));
    stmt_done(s, c, st);
    return rc;
}

static enum lk_err sq_throttle_clear(struct lk_store *base, const char *key,
                                     char *err, size_t errlen)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    struct conn *c;
    sqlite3_stmt *st = stmt(s, ST_THROTTLE_CLEAR, &c);

    if (st == NULL)
        return lk_seterr(err, errlen, LK_ERR_UNAVAILABLE, "no connection");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    return run_update(s, c, st, LK_OK, err, errlen);
}

static void sq_close(struct lk_store *base)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    int i;

    for (i = 0; i < s->nidle; i++)
        conn_close(s->idle[i]);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s->path);
    free(s);
}

static const struct lk_store_ops sqlite_ops = {
    .name = "sqlite",
    .get_user = sq_get_user,
    .add_user = sq_add_user,
    .set_disabled = sq_set_disabled,
    .set_scopes = sq_set_scopes,
    .replace_hash = sq_replace_hash,
    .add_item = sq_add_item,
    .list_items = sq_list_items,
    .throttle_hit = sq_throttle_hit,
    .throttle_check = sq_throttle_check,
    .throttle_clear = sq_throttle_clear,
    .close = sq_close,
};

enum lk_err lk_store_open_sqlite(const char *path, struct lk_store **out,
                                 char *err, size_t errlen)
{
    struct sqlite_store *s = calloc(1, sizeof(*s));
    struct conn *c = NULL;
    enum lk_err rc;

    *out = NULL;
    if (s == NULL || (s->path = strdup(path)) == NULL) {
        free(s);
        return LK_ERR_NOMEM;
    }
    s->base.ops = &sqlite_ops;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    rc = conn_open(path, &c, err, errlen);
    if (rc == LK_OK)
        rc = migrate(c->db, err, errlen);
    if (rc == LK_OK)
        rc = conn_prepare(c, err, errlen);
    if (rc != LK_OK) {
        conn_close(c);
        sq_close(&s->base);
        return rc;
    }
    s->idle[s->nidle++] = c;
    s->total = 1;
    *out = &s->base;
    return LK_OK;
}
