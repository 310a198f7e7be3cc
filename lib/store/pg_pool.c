/*
 * pg_pool.c: libpq connections with deadlines, and the bounded pool of
 * them that a PostgreSQL store shares between request threads.
 *
 * libpq's blocking calls can wait for as long as the kernel lets a TCP
 * connection hang, so everything here uses the asynchronous API and
 * poll() with the time left before a deadline. A connection whose call
 * timed out or whose socket broke is closed; the slot reconnects on its
 * next acquire, which is how the store recovers when PostgreSQL returns.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_pool.h"

int64_t pg_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is readable (or writable); -1 on timeout or error. */
static int wait_sock(int fd, int for_read, int64_t deadline)
{
    struct pollfd pfd;
    int64_t left;
    int r;

    if (fd < 0)
        return -1;
    pfd.fd = fd;
    pfd.events = for_read ? POLLIN : POLLOUT;
    for (;;) {
        left = deadline - pg_now_ms();
        if (left <= 0)
            return -1;
        pfd.revents = 0;
        r = poll(&pfd, 1, (int)(left > 60000 ? 60000 : left));
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

/* Copy libpq's message without its trailing newline. */
static enum lk_err pq_err(char *err, size_t errlen, enum lk_err code,
                          const char *what, const char *msg)
{
    size_t n = msg ? strcspn(msg, "\n") : 0;

    return lk_seterr(err, errlen, code, "%s: %.*s", what, (int)n,
                     msg ? msg : "");
}

/* Drop server notices ("relation already exists, skipping"): libpq
 * would print them on stderr, outside our log format. */
static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

enum lk_err pg_connect(const char *url, int64_t deadline, PGconn **out,
                       char *err, size_t errlen)
{
    static const char *const kw[] = {"dbname", "application_name", NULL};
    const char *const val[] = {url, "latchkey", NULL};
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    PGconn *pg = PQconnectStartParams(kw, val, 1);
    enum lk_err rc = LK_ERR_UNAVAILABLE;

    *out = NULL;
    if (pg == NULL)
        return lk_seterr(err, errlen, LK_ERR_NOMEM, "out of memory");
    if (PQstatus(pg) == CONNECTION_BAD)
        goto fail;
    while (st != PGRES_POLLING_OK) {
        if (st == PGRES_POLLING_FAILED)
            goto fail;
        if (wait_sock(PQsocket(pg), st == PGRES_POLLING_READING,
                      deadline) != 0) {
            lk_seterr(err, errlen, rc, "database connect timed out");
            PQfinish(pg);
            return rc;
        }
        st = PQconnectPoll(pg);
    }
    PQsetNoticeProcessor(pg, quiet_notice, NULL);
    *out = pg;
    return LK_OK;
fail:
    pq_err(err, errlen, rc, "database connect", PQerrorMessage(pg));
    PQfinish(pg);
    return rc;
}

/* Map a failed result to an error code: connection trouble, timeouts
 * and server shutdown are "unavailable", a unique key is "exists". */
static enum lk_err classify(PGconn *pg, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
                            : NULL;

    if (PQstatus(pg) != CONNECTION_OK || state == NULL)
        return LK_ERR_UNAVAILABLE;
    if (strcmp(state, "23505") == 0)
        return LK_ERR_EXISTS;
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
        strncmp(state, "57", 2) == 0)
        return LK_ERR_UNAVAILABLE;
    return LK_ERR_STORE;
}

/* Collect the results of the query just sent, before deadline. */
static enum lk_err collect(PGconn *pg, int64_t deadline, PGresult **out,
                           char *err, size_t errlen)
{
    PGresult *keep = NULL, *r;
    enum lk_err rc = LK_OK;

    for (;;) {
        while (!PQisBusy(pg)) {
            if ((r = PQgetResult(pg)) == NULL)
                goto done;
            if (keep == NULL || PQresultStatus(keep) != PGRES_FATAL_ERROR) {
                PQclear(keep);
                keep = r;
            } else {
                PQclear(r);
            }
        }
        if (wait_sock(PQsocket(pg), 1, deadline) != 0) {
            PQclear(keep);
            return lk_seterr(err, errlen, LK_ERR_UNAVAILABLE,
                             "database query timed out");
        }
        if (!PQconsumeInput(pg))
            break;
    }
    PQclear(keep);
    return pq_err(err, errlen, LK_ERR_UNAVAILABLE, "database",
                  PQerrorMessage(pg));
done:
    if (keep != NULL && PQresultStatus(keep) != PGRES_COMMAND_OK &&
        PQresultStatus(keep) != PGRES_TUPLES_OK) {
        rc = pq_err(err, errlen, classify(pg, keep), "database",
                    PQresultErrorMessage(keep));
        PQclear(keep);
        keep = NULL;
    }
    if (out != NULL)
        *out = keep;
    else
        PQclear(keep);
    return rc;
}

enum lk_err pg_exec(PGconn *pg, const char *sql, int64_t deadline,
                    PGresult **out, char *err, size_t errlen)
{
    if (out != NULL)
        *out = NULL;
    if (!PQsendQuery(pg, sql))
        return pq_err(err, errlen, LK_ERR_UNAVAILABLE, "database",
                      PQerrorMessage(pg));
    return collect(pg, deadline, out, err, errlen);
}

enum lk_err pg_exec_prepared(PGconn *pg, int stmt, int n,
                             const char *const *v, int64_t deadline,
                             PGresult **out, char *err, size_t errlen)
{
    char name[16];

    if (out != NULL)
        *out = NULL;
    snprintf(name, sizeof(name), "s%d", stmt);
    if (!PQsendQueryPrepared(pg, name, n, v, NULL, NULL, 0))
        return pq_err(err, errlen, LK_ERR_UNAVAILABLE, "database",
                      PQerrorMessage(pg));
    return collect(pg, deadline, out, err, errlen);
}

/* Connect one pool slot: session settings, then every statement. */
static enum lk_err conn_setup(struct pg_pool *p, struct pg_conn *c,
                              int64_t deadline, char *err, size_t errlen)
{
    char sql[96], name[16];
    enum lk_err rc;
    int i;

    rc = pg_connect(p->url, deadline, &c->pg, err, errlen);
    snprintf(sql, sizeof(sql), "SET statement_timeout = %u",
             p->timeout_ms);
    if (rc == LK_OK)
        rc = pg_exec(c->pg, sql, deadline, NULL, err, errlen);
    for (i = 0; rc == LK_OK && i < p->nstmts; i++) {
        snprintf(name, sizeof(name), "s%d", i);
        if (!PQsendPrepare(c->pg, name, p->stmts[i], 0, NULL))
            rc = pq_err(err, errlen, LK_ERR_UNAVAILABLE, "prepare",
                        PQerrorMessage(c->pg));
        else
            rc = collect(c->pg, deadline, NULL, err, errlen);
    }
    if (rc != LK_OK) {
        PQfinish(c->pg);
        c->pg = NULL;
    }
    c->reused = 0;
    return rc;
}

enum lk_err pg_pool_init(struct pg_pool *p, const char *url,
                         const char *const *stmts, int nstmts,
                         const struct lk_store_config *cfg,
                         char *err, size_t errlen)
{
    pthread_condattr_t ca;

    memset(p, 0, sizeof(*p));
    p->size = cfg && cfg->pool_size ? cfg->pool_size
                                    : LK_STORE_POOL_DEFAULT;
    p->timeout_ms = cfg && cfg->timeout_ms ? cfg->timeout_ms
                                           : LK_STORE_TIMEOUT_DEFAULT_MS;
    if (p->size > LK_STORE_POOL_MAX)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "pool size %u is over %d", p->size,
                         LK_STORE_POOL_MAX);
    if ((p->url = strdup(url)) == NULL)
        return LK_ERR_NOMEM;
    p->stmts = stmts;
    p->nstmts = nstmts;
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    return LK_OK;
}

void pg_pool_destroy(struct pg_pool *p)
{
    unsigned i;

    for (i = 0; i < p->nidle; i++) {
        PQfinish(p->idle[i]->pg);
        free(p->idle[i]);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    lk_secure_free(p->url, strlen(p->url) + 1);
    memset(p, 0, sizeof(*p));
}

/* Wait for an idle slot or room for a new one; NULL on timeout. A new
 * slot comes back unconnected. Called with p->mu held. */
static struct pg_conn *take_slot(struct pg_pool *p, int64_t deadline)
{
    struct timespec ts;
    struct pg_conn *c;

    while (p->nidle == 0 && p->total >= p->size) {
        ts.tv_sec = (time_t)(deadline / 1000);
        ts.tv_nsec = (long)(deadline % 1000) * 1000000L;
        if (pg_now_ms() >= deadline ||
            (pthread_cond_timedwait(&p->cv, &p->mu, &ts) != 0 &&
             p->nidle == 0 && p->total >= p->size))
            return NULL;
    }
    if (p->nidle > 0)
        return p->idle[--p->nidle];
    if ((c = calloc(1, sizeof(*c))) != NULL)
        p->total++;
    return c;
}

enum lk_err pg_pool_acquire(struct pg_pool *p, int64_t deadline,
                            struct pg_conn **out, char *err,
                            size_t errlen)
{
    struct pg_conn *c;
    enum lk_err rc = LK_OK;

    pthread_mutex_lock(&p->mu);
    c = take_slot(p, deadline);
    pthread_mutex_unlock(&p->mu);
    *out = NULL;
    if (c == NULL)
        return lk_seterr(err, errlen, LK_ERR_UNAVAILABLE,
                         "no database connection free within %u ms",
                         p->timeout_ms);
    if (c->pg != NULL && PQstatus(c->pg) != CONNECTION_OK) {
        PQfinish(c->pg);
        c->pg = NULL;
    }
    if (c->pg == NULL)
        rc = conn_setup(p, c, deadline, err, errlen);
    if (rc != LK_OK) {
        pg_pool_release(p, c);
        return rc;
    }
    *out = c;
    return LK_OK;
}

void pg_pool_release(struct pg_pool *p, struct pg_conn *c)
{
    if (c->pg != NULL && (PQstatus(c->pg) != CONNECTION_OK ||
                          PQtransactionStatus(c->pg) != PQTRANS_IDLE)) {
        PQfinish(c->pg);
        c->pg = NULL;
    }
    if (c->pg != NULL)
        c->reused = 1;
    pthread_mutex_lock(&p->mu);
    p->idle[p->nidle++] = c;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}
