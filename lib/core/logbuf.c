/*
 * logbuf.c: a buffered log sink. With one line per request, a write(2)
 * per line was the largest single cost of a GET /users/me after the
 * network itself, so info and debug lines gather in a buffer that a
 * flusher thread writes at most flush_ms after its first line arrives
 * (or at once when the buffer is full). Warnings and errors are written
 * at once, behind whatever is pending, so the order of lines is kept.
 *
 * Shortcoming: lines still in the buffer when the process is killed
 * with SIGKILL (or crashes) are lost; at most flush_ms of them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "latchkey/lk_logbuf.h"

#define LOGBUF_CAP ((size_t)65536)

struct lk_logbuf {
    pthread_mutex_t mu;
    pthread_cond_t cv;         /* pending became non-empty, or stop */
    pthread_t flusher;
    int fd;
    unsigned flush_ms;
    int stop;
    size_t len;
    char buf[LOGBUF_CAP];
};

/* Write all of buf[0..n) to fd; a failing log stream is dropped. */
static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Write what is pending; the caller holds mu. */
static void flush_locked(struct lk_logbuf *lb)
{
    write_all(lb->fd, lb->buf, lb->len);
    lb->len = 0;
}

/* The deadline flush_ms from now, on the condition's clock. */
static struct timespec deadline(unsigned ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Flusher: sleep while empty; once a line arrives, give it flush_ms
 * for company, then write the batch. */
static void *flusher(void *arg)
{
    struct lk_logbuf *lb = arg;
    struct timespec at;

    pthread_mutex_lock(&lb->mu);
    while (!lb->stop) {
        if (lb->len == 0) {
            pthread_cond_wait(&lb->cv, &lb->mu);
            continue;
        }
        at = deadline(lb->flush_ms);
        while (!lb->stop && lb->len > 0 &&
               pthread_cond_timedwait(&lb->cv, &lb->mu, &at) != ETIMEDOUT)
            ;
        flush_locked(lb);
    }
    flush_locked(lb);
    pthread_mutex_unlock(&lb->mu);
    return NULL;
}

enum lk_err lk_logbuf_new(int fd, unsigned flush_ms, struct lk_logbuf **out)
{
    struct lk_logbuf *lb = malloc(sizeof(*lb));
    pthread_condattr_t ca;

    *out = NULL;
    if (lb == NULL)
        return LK_ERR_NOMEM;
    lb->fd = fd;
    lb->flush_ms = flush_ms;
    lb->stop = 0;
    lb->len = 0;
    pthread_mutex_init(&lb->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&lb->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (flush_ms > 0 &&
        pthread_create(&lb->flusher, NULL, flusher, lb) != 0) {
        pthread_cond_destroy(&lb->cv);
        pthread_mutex_destroy(&lb->mu);
        free(lb);
        return LK_ERR_NOMEM;
    }
    *out = lb;
    return LK_OK;
}

void lk_logbuf_sink(void *arg, enum lk_log_level lvl, const char *line,
                    size_t len)
{
    struct lk_logbuf *lb = arg;

    pthread_mutex_lock(&lb->mu);
    if (lb->flush_ms == 0 || lvl >= LK_LOG_WARN || len > LOGBUF_CAP) {
        flush_locked(lb);
        write_all(lb->fd, line, len);
    } else {
        if (lb->len + len > LOGBUF_CAP)
            flush_locked(lb);
        memcpy(lb->buf + lb->len, line, len);
        if (lb->len == 0)
            pthread_cond_signal(&lb->cv);
        lb->len += len;
    }
    pthread_mutex_unlock(&lb->mu);
}

void lk_logbuf_flush(struct lk_logbuf *lb)
{
    pthread_mutex_lock(&lb->mu);
    flush_locked(lb);
    pthread_mutex_unlock(&lb->mu);
}

void lk_logbuf_free(struct lk_logbuf *lb)
{
    if (lb == NULL)
        return;
    pthread_mutex_lock(&lb->mu);
    lb->stop = 1;
    pthread_cond_signal(&lb->cv);
    pthread_mutex_unlock(&lb->mu);
    if (lb->flush_ms > 0)
        pthread_join(lb->flusher, NULL);
    flush_locked(lb);
    pthread_cond_destroy(&lb->cv);
    pthread_mutex_destroy(&lb->mu);
    free(lb);
}
