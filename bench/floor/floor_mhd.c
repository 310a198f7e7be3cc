/*
 * floor_mhd.c: a measuring stick for bench/http_bench.py, not part of
 * latchkey. libmicrohttpd answering every request with the fixed
 * /users/me body, run exactly as latchkey runs it (lib/http/evloop.c:
 * one daemon per HTTP thread in external epoll mode, the answer queued
 * in the second call of the handler so that keep-alive happens), with
 * latchkey's per-connection memory pool unless told otherwise. The
 * difference between this and latchkey is what latchkey itself costs;
 * the difference between this and floor_epoll is libmicrohttpd's.
 *
 * usage: floor_mhd PORT [THREADS [POOL_BYTES]]   (127.0.0.1:PORT)
 */
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "floor_args.h"
#include "http/evloop.h"

/* latchkey's pool with the default limits (mhd_pool_size in
 * lib/http/server.c) */
#define DEFAULT_POOL 24576L

struct floor {
    struct MHD_Response *answer;
    size_t pool;
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    const struct floor *f = cls;

    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    if (*con_cls == NULL) {
        *con_cls = conn;         /* any non-NULL: the first call is done */
        return MHD_YES;
    }
    *upload_data_size = 0;
    return MHD_queue_response(conn, MHD_HTTP_OK, f->answer);
}

static struct MHD_Daemon *make_daemon(void *ctx, unsigned index,
                                      int listen_fd, unsigned share)
{
    struct floor *f = ctx;

    (void)index;
    return MHD_start_daemon(
        MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL,
        on_request, f,
        MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_CONNECTION_LIMIT, share,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, f->pool,
        MHD_OPTION_END);
}

int main(int argc, char **argv)
{
    long port = arg_num(argc, argv, 1, 1, 65535, -1);
    long threads = arg_num(argc, argv, 2, 1, 64,
                           sysconf(_SC_NPROCESSORS_ONLN));
    long pool = arg_num(argc, argv, 3, 1024, 1L << 20, DEFAULT_POOL);
    struct floor f = {NULL, (size_t)pool};
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct lk_evloop *loop;
    char err[160];
    sigset_t stop;
    int sig;

    if (port < 0 || threads < 0 || pool < 0) {
        fprintf(stderr, "usage: floor_mhd PORT [THREADS [POOL_BYTES]]\n");
        return 2;
    }
    f.answer = MHD_create_response_from_buffer(
        sizeof(FLOOR_BODY) - 1, FLOOR_BODY, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(f.answer, "Content-Type", "application/json");
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    if (lk_evloop_start((struct sockaddr *)&sa, sizeof(sa),
                        (unsigned)threads, 4096, make_daemon, &f, &loop,
                        err, sizeof(err)) != LK_OK) {
        fprintf(stderr, "floor_mhd: %s\n", err);
        return 1;
    }
    fprintf(stderr, "floor_mhd: 127.0.0.1:%ld, %ld threads, pool %zu\n",
            port, threads, f.pool);
    sigwait(&stop, &sig);
    lk_evloop_free(loop);
    MHD_destroy_response(f.answer);
    return 0;
}
