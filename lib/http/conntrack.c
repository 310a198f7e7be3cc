/*
 * conntrack.c: a mutex-guarded list of open connections and the reaper
 * thread. Safety of shutdown() on a tracked fd: libmicrohttpd tells us
 * a connection closed (lk_conntrack_close, under the same mutex) before
 * it closes the socket, so an fd in the list is never a reused one.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "http/conntrack.h"
#include "latchkey/lk_log.h"

struct lk_conn {
    struct lk_conn *prev, *next;
    int fd;
    int cut;                  /* already shut down by the reaper */
    int answered;             /* the current request has its answer */
    time_t start;             /* monotonic seconds: request start */
};

struct lk_conntrack {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t reaper;
    int has_reaper, stopping;
    unsigned limit_s;
    atomic_uint count;        /* changed under mu, read without it */
    unsigned long reaped;
    struct lk_conn head;      /* sentinel of a circular list */
};

static time_t mono_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

/* The 408 a cut request gets; no other thread writes to its socket
 * (lk_conntrack_answer), and a client that does not read loses it. */
static void send_timeout(int fd)
{
    static const char body[] = "{\"detail\":\"Request timeout\"}";
    char msg[256];
    int n = snprintf(msg, sizeof(msg),
                     "HTTP/1.1 408 Request Timeout\r\n"
                     "Content-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     sizeof(body) - 1, body);

    if (n > 0 && (size_t)n < sizeof(msg) &&
        send(fd, msg, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
        return;                  /* the connection is cut all the same */
}

/* Shut down every connection over the limit; called with mu held. */
static void reap(struct lk_conntrack *t, time_t now)
{
    struct lk_conn *c;

    for (c = t->head.next; c != &t->head; c = c->next) {
        if (c->cut || now - c->start < (time_t)t->limit_s)
            continue;
        if (!c->answered)
            send_timeout(c->fd);
        shutdown(c->fd, SHUT_RDWR);
        c->cut = 1;
        t->reaped++;
        lk_log(LK_LOG_WARN, "event=request_timeout limit_s=%u status=%s",
               t->limit_s, c->answered ? "cut" : "408");
    }
}

/* The reaper: wake once a second until stopped. */
static void *reaper_main(void *arg)
{
    struct lk_conntrack *t = arg;
    struct timespec until;

    pthread_mutex_lock(&t->mu);
    while (!t->stopping) {
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&t->cv, &t->mu, &until);
        if (!t->stopping)
            reap(t, mono_now());
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

enum lk_err lk_conntrack_new(unsigned limit_s, struct lk_conntrack **out)
{
    struct lk_conntrack *t = calloc(1, sizeof(*t));

    *out = NULL;
    if (t == NULL)
        return LK_ERR_NOMEM;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    t->head.next = t->head.prev = &t->head;
    t->limit_s = limit_s;
    if (limit_s > 0) {
        if (pthread_create(&t->reaper, NULL, reaper_main, t) != 0) {
            lk_conntrack_free(t);
            return LK_ERR_NOMEM;
        }
        t->has_reaper = 1;
    }
    *out = t;
    return LK_OK;
}

void lk_conntrack_free(struct lk_conntrack *t)
{
    struct lk_conn *c, *n;

    if (t == NULL)
        return;
    if (t->has_reaper) {
        pthread_mutex_lock(&t->mu);
        t->stopping = 1;
        pthread_cond_signal(&t->cv);
        pthread_mutex_unlock(&t->mu);
        pthread_join(t->reaper, NULL);
    }
    for (c = t->head.next; c != &t->head; c = n) {
        n = c->next;
        free(c);
    }
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

struct lk_conn *lk_conntrack_open(struct lk_conntrack *t, int fd)
{
    struct lk_conn *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    c->fd = fd;
    c->start = mono_now();
    pthread_mutex_lock(&t->mu);
    c->next = t->head.next;
    c->prev = &t->head;
    t->head.next->prev = c;
    t->head.next = c;
    t->count++;
    pthread_mutex_unlock(&t->mu);
    return c;
}

void lk_conntrack_close(struct lk_conntrack *t, struct lk_conn *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&t->mu);
    c->prev->next = c->next;
    c->next->prev = c->prev;
    t->count--;
    pthread_mutex_unlock(&t->mu);
    free(c);
}

void lk_conntrack_park(struct lk_conntrack *t, struct lk_conn *c,
                       unsigned grace_s)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&t->mu);
    c->start = mono_now() + (time_t)grace_s;
    c->answered = 0;
    pthread_mutex_unlock(&t->mu);
}

int lk_conntrack_answer(struct lk_conntrack *t, struct lk_conn *c)
{
    int ok;

    if (c == NULL)
        return 1;
    pthread_mutex_lock(&t->mu);
    ok = !c->cut;
    c->answered = 1;
    pthread_mutex_unlock(&t->mu);
    return ok;
}

unsigned lk_conntrack_count(struct lk_conntrack *t)
{
    return atomic_load_explicit(&t->count, memory_order_relaxed);
}

unsigned long lk_conntrack_reaped(struct lk_conntrack *t)
{
    unsigned long n;

    pthread_mutex_lock(&t->mu);
    n = t->reaped;
    pthread_mutex_unlock(&t->mu);
    return n;
}
