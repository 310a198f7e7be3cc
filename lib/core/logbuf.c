/*
 * logbuf.c: a buffered log sink. With one line per request, a write(2)
 * per line was the largest single cost of a GET /users/me after the
 * network itself, so info and debug lines gather in a buffer that a
 * flusher thread writes at most flush_ms after its first line arrives
 * (or at once when the buffer is full). Warnings and errors are written
 * at once, behind whatever is pending, so the order of lines is kept.
 *
 * Two buffers: lines go into one while the flusher writes the other
 * without holding the lock, so a thread that logs never waits for a
 * write(2) unless both buffers are full (the log stream is slower than
 * the lines come). Warnings wait for the write in progress, then write
 * themselves.
 *
 * Shortcoming: lines still in the buffers when the process is killed
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
    pthread_cond_t wake;       /* to the flusher: lines came, or stop */
    pthread_cond_t swapped;    /* to loggers: a buffer was swapped or a
                                  write ended */
    pthread_t flusher;
    int fd;
    unsigned flush_ms;
    int stop;
    int urgent;                /* in is full: swap without waiting */
    int writing;               /* the flusher writes out, unlocked */
    char *in, *out;            /* lines arrive in in; out is written */
    size_t len;                /* bytes in in */
    char bufs[2][LOGBUF_CAP];
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

/* Write what is pending, in order; the caller holds mu. */
static void flush_locked(struct lk_logbuf *lb)
{
    while (lb->writing)
        pthread_cond_wait(&lb->swapped, &lb->mu);
    write_all(lb->fd, lb->in, lb->len);
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

/* Take the pending lines (swap the buffers) and write them unlocked;
 * the caller holds mu. */
static void swap_and_write(struct lk_logbuf *lb)
{
    char *full = lb->in;
    size_t n = lb->len;

    lb->in = lb->out;
    lb->out = full;
    lb->len = 0;
    lb->urgent = 0;
    lb->writing = 1;
    pthread_cond_broadcast(&lb->swapped);
    pthread_mutex_unlock(&lb->mu);
    write_all(lb->fd, full, n);
    pthread_mutex_lock(&lb->mu);
    lb->writing = 0;
    pthread_cond_broadcast(&lb->swapped);
}

/* Flusher: sleep while empty; once a line arrives, give it flush_ms
 * (less if the buffer fills), then write the batch. */
static void *flusher(void *arg)
{
    struct lk_logbuf *lb = arg;
    struct timespec at;

    pthread_mutex_lock(&lb->mu);
    for (;;) {
        while (!lb->stop && lb->len == 0)
            pthread_cond_wait(&lb->wake, &lb->mu);
        if (lb->stop && lb->len == 0)
            break;
        at = deadline(lb->flush_ms);
        while (!lb->stop && !lb->urgent &&
               pthread_cond_timedwait(&lb->wake, &lb->mu, &at) != ETIMEDOUT)
            ;
        swap_and_write(lb);
    }
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
    lb->stop = lb->urgent = lb->writing = 0;
    lb->len = 0;
    lb->in = lb->bufs[0];
    lb->out = lb->bufs[1];
    pthread_mutex_init(&lb->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&lb->wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&lb->swapped, NULL);
    if (flush_ms > 0 &&
        pthread_create(&lb->flusher, NULL, flusher, lb) != 0) {
        pthread_cond_destroy(&lb->swapped);
        pthread_cond_destroy(&lb->wake);
        pthread_mutex_destroy(&lb->mu);
        free(lb);
        return LK_ERR_NOMEM;
    }
    *out = lb;
    return LK_OK;
}

/* Append an info line; the caller holds mu. When in is full, the
 * flusher is asked to swap at once, and the caller waits for that. */
static void append_locked(struct lk_logbuf *lb, const char *line,
                          size_t len)
{
    while (lb->len + len > LOGBUF_CAP) {
        lb->urgent = 1;
        pthread_cond_signal(&lb->wake);
        pthread_cond_wait(&lb->swapped, &lb->mu);
    }
    if (lb->len == 0)
        pthread_cond_signal(&lb->wake);
    memcpy(lb->in + lb->len, line, len);
    lb->len += len;
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
        append_locked(lb, line, len);
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
    pthread_cond_signal(&lb->wake);
    pthread_mutex_unlock(&lb->mu);
    if (lb->flush_ms > 0)
        pthread_join(lb->flusher, NULL);
    flush_locked(lb);
    pthread_cond_destroy(&lb->swapped);
    pthread_cond_destroy(&lb->wake);
    pthread_mutex_destroy(&lb->mu);
    free(lb);
}
