/*
 * evloop.c: HTTP threads that drive libmicrohttpd daemons from outside
 * (see evloop.h for why). Each thread waits in poll(2) on its daemon's
 * epoll descriptor and on its own wake descriptor, with the timeout the
 * daemon asks for, then runs the daemon without blocking. A daemon run
 * from outside has no wake-up channel of its own, so whoever resumes a
 * suspended connection wakes its thread (lk_evloop_wake).
 *
 * Stopping goes in phases, each announced on every thread's wake
 * descriptor: quiesce (each thread takes its daemon off the listening
 * socket, itself, so libmicrohttpd never sees two threads at once),
 * then stop (the threads return); the daemons are stopped after the
 * threads are joined.
 */
#define _GNU_SOURCE 1     /* pthread_setname_np */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http/evloop.h"
#include "latchkey/lk_log.h"

enum phase { PHASE_RUN, PHASE_QUIESCE, PHASE_STOP };

/* The longest a thread sleeps without being asked to (a safety net:
 * every event that needs it wakes it sooner). */
#define MAX_WAIT_MS 1000

struct http_thread {
    struct lk_evloop *loop;
    struct MHD_Daemon *d;
    int wake_fd;
    int running;
    pthread_t tid;
};

struct lk_evloop {
    int listen_fd;
    unsigned port;
    unsigned n;
    atomic_int phase;
    struct http_thread *t;
};

/* How long the daemon may wait, in milliseconds (0: work is ready). */
static int wait_ms(struct MHD_Daemon *d)
{
    MHD_UNSIGNED_LONG_LONG ms;

    if (MHD_get_timeout(d, &ms) != MHD_YES || ms > MAX_WAIT_MS)
        return MAX_WAIT_MS;
    return (int)ms;
}

static void *http_main(void *arg)
{
    struct http_thread *t = arg;
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(t->d, MHD_DAEMON_INFO_EPOLL_FD);
    struct pollfd p[2];
    int quiesced = 0, ph;
    uint64_t v;

    pthread_setname_np(pthread_self(), "lk-http");
    p[0].fd = di != NULL ? di->epoll_fd : -1;
    p[0].events = POLLIN;
    p[1].fd = t->wake_fd;
    p[1].events = POLLIN;
    for (;;) {
        p[0].revents = p[1].revents = 0;
        if (poll(p, 2, wait_ms(t->d)) < 0 && errno != EINTR)
            break;
        if (p[1].revents & POLLIN) {
            if (read(t->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
                break;
            ph = atomic_load(&t->loop->phase);
            if (ph == PHASE_STOP)
                break;
            if (ph == PHASE_QUIESCE && !quiesced) {
                MHD_quiesce_daemon(t->d);   /* the socket stays ours */
                quiesced = 1;
            }
        }
        MHD_run(t->d);
    }
    if (atomic_load(&t->loop->phase) != PHASE_STOP) {   /* poll or read */
        char buf[128];
        lk_log(LK_LOG_ERR, "event=http_thread_stopped reason=\"%s\"",
               strerror_r(errno, buf, sizeof(buf)));
    }
    return NULL;
}

/* Make thread t run its daemon soon (from any thread). */
static void wake(const struct http_thread *t)
{
    const uint64_t one = 1;

    if (t->wake_fd >= 0 && write(t->wake_fd, &one, sizeof(one)) < 0)
        return;                  /* an eventfd write only fails if full */
}

void lk_evloop_wake(struct lk_evloop *l, const struct MHD_Daemon *d)
{
    unsigned i;

    for (i = 0; i < l->n; i++)
        if (l->t[i].d == d || d == NULL)
            wake(&l->t[i]);
}

/* Announce a phase to every running thread. */
static void announce(struct lk_evloop *l, enum phase ph)
{
    unsigned i;

    atomic_store(&l->phase, (int)ph);
    for (i = 0; i < l->n; i++)
        wake(&l->t[i]);
}

/* The listening socket: non-blocking, close-on-exec, address reuse as
 * libmicrohttpd sets it, IPv6 sockets for IPv6 only. */
static int open_listener(const struct sockaddr *sa, socklen_t salen)
{
    int one = 1;
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
                    SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        (sa->sa_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))
         != 0) ||
        bind(fd, sa, salen) != 0 || listen(fd, SOMAXCONN) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static unsigned bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* Make the daemons and their wake descriptors, then the threads. */
static enum lk_err start_threads(struct lk_evloop *l, unsigned conn_limit,
                                 lk_evloop_make_fn make, void *ctx,
                                 char *err, size_t errlen)
{
    unsigned share = (conn_limit + l->n - 1) / l->n, i;

    for (i = 0; i < l->n; i++) {
        struct http_thread *t = &l->t[i];
        t->loop = l;
        t->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        t->d = make(ctx, i, l->listen_fd, share);
        if (t->wake_fd < 0 || t->d == NULL)
            return lk_seterr(err, errlen, LK_ERR_IO,
                             "cannot start HTTP thread %u of %u (out of "
                             "memory or file descriptors?)", i + 1, l->n);
    }
    for (i = 0; i < l->n; i++) {
        if (pthread_create(&l->t[i].tid, NULL, http_main, &l->t[i]) != 0)
            return lk_seterr(err, errlen, LK_ERR_IO,
                             "cannot start HTTP thread %u of %u", i + 1,
                             l->n);
        l->t[i].running = 1;
    }
    return LK_OK;
}

enum lk_err lk_evloop_start(const struct sockaddr *sa, socklen_t salen,
                            unsigned threads, unsigned conn_limit,
                            lk_evloop_make_fn make, void *ctx,
                            struct lk_evloop **out,
                            char *err, size_t errlen)
{
    struct lk_evloop *l = calloc(1, sizeof(*l));
    enum lk_err rc;
    unsigned i;

    *out = NULL;
    if (l == NULL || threads == 0 ||
        (l->t = calloc(threads, sizeof(*l->t))) == NULL) {
        free(l);
        return LK_ERR_NOMEM;
    }
    l->n = threads;
    for (i = 0; i < threads; i++)
        l->t[i].wake_fd = -1;
    if ((l->listen_fd = open_listener(sa, salen)) < 0) {
        rc = lk_seterr(err, errlen, LK_ERR_IO, "%s", strerror(errno));
        l->n = 0;
        lk_evloop_free(l);
        return rc;
    }
    l->port = bound_port(l->listen_fd);
    if ((rc = start_threads(l, conn_limit, make, ctx, err, errlen))
        != LK_OK) {
        lk_evloop_free(l);
        return rc;
    }
    *out = l;
    return LK_OK;
}

unsigned lk_evloop_port(const struct lk_evloop *l)
{
    return l->port;
}

void lk_evloop_quiesce(struct lk_evloop *l)
{
    if (l != NULL)
        announce(l, PHASE_QUIESCE);
}

void lk_evloop_free(struct lk_evloop *l)
{
    unsigned i;

    if (l == NULL)
        return;
    announce(l, PHASE_STOP);
    for (i = 0; i < l->n; i++)
        if (l->t[i].running)
            pthread_join(l->t[i].tid, NULL);
    for (i = 0; i < l->n; i++) {
        if (l->t[i].d != NULL) {
            /* quiesced first, so the daemon leaves the shared socket
             * open for the others (it would close it otherwise) */
            MHD_quiesce_daemon(l->t[i].d);
            MHD_stop_daemon(l->t[i].d);
        }
        if (l->t[i].wake_fd >= 0)
            close(l->t[i].wake_fd);
    }
    if (l->listen_fd >= 0)
        close(l->listen_fd);
    free(l->t);
    free(l);
}
