/*
 * pg_pool.h: a bounded pool of libpq connections where every wait has a
 * deadline: for a free connection, for connecting, and for a result.
 * Each connection has the store's statements prepared once, as "s0",
 * "s1", ... in the order of the table given to pg_pool_init.
 */
#ifndef LATCHKEY_PG_POOL_H
#define LATCHKEY_PG_POOL_H

#include <pthread.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "latchkey/lk_store.h"

struct pg_conn {
    PGconn *pg;      /* NULL: connect on the next acquire */
    int reused;      /* served a call before, so it may have gone stale */
};

struct pg_pool {
    char *url;
    const char *const *stmts;
    int nstmts;
    unsigned size, timeout_ms;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pg_conn *idle[LK_STORE_POOL_MAX];
    unsigned nidle, total;
};

/* Milliseconds on the monotonic clock. */
int64_t pg_now_ms(void);

/* Set up an empty pool; connections are opened on demand. */
enum lk_err pg_pool_init(struct pg_pool *p, const char *url,
                         const char *const *stmts, int nstmts,
                         const struct lk_store_config *cfg,
                         char *err, size_t errlen);

/* Close every idle connection and free the pool's memory. */
void pg_pool_destroy(struct pg_pool *p);

/* Take a ready connection, waiting for a free one (and connecting)
 * until deadline at most: LK_ERR_UNAVAILABLE when none comes. */
enum lk_err pg_pool_acquire(struct pg_pool *p, int64_t deadline,
                            struct pg_conn **out, char *err,
                            size_t errlen);

/* Give a connection back; a broken one is closed and reopened later. */
void pg_pool_release(struct pg_pool *p, struct pg_conn *c);

/* Connect to url before deadline (pg_now_ms time). */
enum lk_err pg_connect(const char *url, int64_t deadline, PGconn **out,
                       char *err, size_t errlen);

/* Run one simple query (may hold several statements) before deadline;
 * *out gets the last result on success (PQclear it; may be NULL). */
enum lk_err pg_exec(PGconn *pg, const char *sql, int64_t deadline,
                    PGresult **out, char *err, size_t errlen);

/* Run prepared statement number stmt with n text parameters. */
enum lk_err pg_exec_prepared(PGconn *pg, int stmt, int n,
                             const char *const *v, int64_t deadline,
                             PGresult **out, char *err, size_t errlen);

#endif
