/*
 * floor_epoll.c: a measuring stick for bench/http_bench.py, not part of
 * latchkey. It answers every request head with the fixed /users/me body
 * from one epoll loop per thread, all threads accepting from one shared
 * listening socket (EPOLLEXCLUSIVE), one recv(2) and one send(2) per
 * request: about the least an HTTP/1.1 keep-alive server can do on
 * this machine, without libmicrohttpd. It reads no bodies and checks
 * nothing; never expose it.
 *
 * usage: floor_epoll PORT [THREADS]   (listens on 127.0.0.1:PORT)
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "floor_args.h"

#define HEAD_MAX 4096     /* one request head; larger ones are cut off */
#define OUT_MAX 8192      /* answers to the pipelined heads of one read */

struct conn {
    int fd;
    size_t len, out_len, out_off;
    char in[HEAD_MAX];
    char out[OUT_MAX];
};

struct worker {
    int listen_fd;
    time_t date_at;
    char answer[256];
    size_t answer_len;
};

/* The fixed answer, its Date line redone once a second. */
static void refresh_answer(struct worker *w)
{
    time_t now = time(NULL);
    struct tm tm;
    char date[40];

    if (now == w->date_at)
        return;
    w->date_at = now;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    w->answer_len = (size_t)snprintf(
        w->answer, sizeof(w->answer),
        "HTTP/1.1 200 OK\r\nDate: %s\r\nContent-Type: application/json"
        "\r\nContent-Length: %zu\r\n\r\n%s", date, sizeof(FLOOR_BODY) - 1,
        FLOOR_BODY);
}

static void drop(int ep, struct conn *c)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c);
}

/* Send what is pending; 0 when all is sent, 1 when the socket is
 * full, -1 on error. */
static int flush_out(struct conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off,
                         c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN ? 1 : -1;
        c->out_off += (size_t)n;
    }
    c->out_off = c->out_len = 0;
    return 0;
}

/* One answer per complete head in the input; the rest stays. */
static int answer_heads(struct worker *w, struct conn *c)
{
    char *end;

    refresh_answer(w);
    while ((end = memmem(c->in, c->len, "\r\n\r\n", 4)) != NULL) {
        size_t used = (size_t)(end + 4 - c->in);
        if (c->out_len + w->answer_len > OUT_MAX)
            return -1;
        memcpy(c->out + c->out_len, w->answer, w->answer_len);
        c->out_len += w->answer_len;
        memmove(c->in, c->in + used, c->len - used);
        c->len -= used;
    }
    return c->len == HEAD_MAX ? -1 : 0;
}

static void on_readable(struct worker *w, int ep, struct conn *c)
{
    ssize_t n = recv(c->fd, c->in + c->len, HEAD_MAX - c->len, 0);
    struct epoll_event ev = {EPOLLOUT, {.ptr = c}};
    int r;

    if (n == 0 || (n < 0 && errno != EAGAIN)) {
        drop(ep, c);
        return;
    }
    if (n > 0)
        c->len += (size_t)n;
    if (n > 0 && answer_heads(w, c) != 0) {
        drop(ep, c);
        return;
    }
    if ((r = flush_out(c)) < 0)
        drop(ep, c);
    else if (r == 1)
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void on_writable(int ep, struct conn *c)
{
    struct epoll_event ev = {EPOLLIN, {.ptr = c}};
    int r = flush_out(c);

    if (r < 0)
        drop(ep, c);
    else if (r == 0)
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* One connection per wake-up (as nginx without multi_accept), so that
 * a burst of connections spreads over the threads. */
static void accept_one(int ep, int listen_fd)
{
    int fd, one = 1;
    struct conn *c;
    struct epoll_event ev = {EPOLLIN, {.ptr = NULL}};

    if ((fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK)) < 0)
        return;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ev.data.ptr = c = calloc(1, sizeof(*c));
    if (c == NULL || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        free(c);
        close(fd);
        return;
    }
    c->fd = fd;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct epoll_event ev = {EPOLLIN | EPOLLEXCLUSIVE, {.ptr = NULL}};
    struct epoll_event evs[64];
    int ep = epoll_create1(EPOLL_CLOEXEC), i, n;

    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, w->listen_fd, &ev) != 0) {
        perror("floor_epoll: epoll");
        exit(1);
    }
    for (;;) {
        n = epoll_wait(ep, evs, 64, -1);
        for (i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c == NULL)
                accept_one(ep, w->listen_fd);
            else if (evs[i].events & EPOLLOUT)
                on_writable(ep, c);
            else
                on_readable(w, ep, c);
        }
    }
    return NULL;
}

static int listen_on(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(fd, 4096) != 0) {
        perror("floor_epoll: listen");
        exit(1);
    }
    return fd;
}

int main(int argc, char **argv)
{
    long port = arg_num(argc, argv, 1, 1, 65535, -1);
    long threads = arg_num(argc, argv, 2, 1, 64,
                           sysconf(_SC_NPROCESSORS_ONLN));
    struct worker *w;
    pthread_t tid;
    long i;

    if (port < 0 || threads < 0) {
        fprintf(stderr, "usage: floor_epoll PORT [THREADS]\n");
        return 2;
    }
    w = calloc((size_t)threads, sizeof(*w));
    if (w == NULL)
        return 1;
    w[0].listen_fd = listen_on((int)port);
    for (i = 0; i < threads; i++) {
        w[i].listen_fd = w[0].listen_fd;
        if (i > 0 && pthread_create(&tid, NULL, worker_main, &w[i]) != 0)
            return 1;
    }
    fprintf(stderr, "floor_epoll: 127.0.0.1:%ld, %ld threads\n", port,
            threads);
    worker_main(&w[0]);
    return 0;
}
