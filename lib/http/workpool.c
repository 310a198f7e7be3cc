/*
 * workpool.c: the worker pool: a ring buffer of jobs under one mutex,
 * with a condition variable for idle workers.
 */
#include <pthread.h>
#include <stdlib.h>

#include "http/workpool.h"

struct job {
    lk_job_fn fn;
    void *arg;
};

struct lk_workpool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *ring;
    unsigned cap, head, count;
    unsigned nthreads;
    int stopping;
    pthread_t *threads;
};

static void *worker_main(void *arg)
{
    struct lk_workpool *p = arg;
    struct job j;

    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->count == 0 && !p->stopping)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->count == 0) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        j = p->ring[p->head];
        p->head = (p->head + 1) % p->cap;
        p->count--;
        pthread_mutex_unlock(&p->mu);
        j.fn(j.arg);
    }
}

enum lk_err lk_workpool_new(unsigned threads, unsigned queue_max,
                            struct lk_workpool **out)
{
    struct lk_workpool *p = calloc(1, sizeof(*p));
    unsigned i;

    *out = NULL;
    if (p == NULL || threads == 0 || queue_max == 0) {
        free(p);
        return p ? LK_ERR_INVALID : LK_ERR_NOMEM;
    }
    p->cap = queue_max;
    p->ring = calloc(queue_max, sizeof(*p->ring));
    p->threads = calloc(threads, sizeof(*p->threads));
    if (p->ring == NULL || p->threads == NULL) {
        free(p->ring);
        free(p->threads);
        free(p);
        return LK_ERR_NOMEM;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
            break;
        p->nthreads++;
    }
    *out = p;
    if (p->nthreads == 0) {
        lk_workpool_free(p);
        *out = NULL;
        return LK_ERR_NOMEM;
    }
    return LK_OK;
}

enum lk_err lk_workpool_submit(struct lk_workpool *p, lk_job_fn fn,
                               void *arg)
{
    enum lk_err rc = LK_OK;

    pthread_mutex_lock(&p->mu);
    if (p->count == p->cap || p->stopping) {
        rc = LK_ERR_BUSY;
    } else {
        p->ring[(p->head + p->count) % p->cap] = (struct job){fn, arg};
        p->count++;
        pthread_cond_signal(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

/* A job whose caller waits for it (lk_workpool_call). */
struct call {
    lk_job_fn fn;
    void *arg;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
};

static void call_job(void *arg)
{
    struct call *c = arg;

    c->fn(c->arg);
    pthread_mutex_lock(&c->mu);
    c->done = 1;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

enum lk_err lk_workpool_call(struct lk_workpool *p, lk_job_fn fn,
                             void *arg)
{
    struct call c;
    enum lk_err rc;

    c.fn = fn;
    c.arg = arg;
    c.done = 0;
    pthread_mutex_init(&c.mu, NULL);
    pthread_cond_init(&c.cv, NULL);
    rc = lk_workpool_submit(p, call_job, &c);
    pthread_mutex_lock(&c.mu);
    while (rc == LK_OK && !c.done)
        pthread_cond_wait(&c.cv, &c.mu);
    pthread_mutex_unlock(&c.mu);
    pthread_cond_destroy(&c.cv);
    pthread_mutex_destroy(&c.mu);
    return rc;
}

void lk_workpool_free(struct lk_workpool *p)
{
    unsigned i;

    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->ring);
    free(p->threads);
    free(p);
}
