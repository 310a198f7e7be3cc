/*
 * server.c: running an app on libmicrohttpd (epoll, thread pool).
 *
 * Per request: the first call of the access handler only records the
 * state (queuing an answer there makes libmicrohttpd close the
 * connection, so keep-alive would never happen); body chunks are
 * collected up to a hard limit; the last call dispatches. Routes that
 * hash passwords run on the worker pool while the connection is
 * suspended, so a slow login never stalls the HTTP threads.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <time.h>

#include <microhttpd.h>

#include "api/app_internal.h"
#include "http/workpool.h"
#include "latchkey/lk_log.h"

struct lk_server {
    struct lk_app *app;
    struct MHD_Daemon *d;
    struct lk_workpool *pool;
    size_t body_max;
    unsigned port;
};

/* Password hashing yields the CPU to the HTTP threads: bearer requests
 * keep their latency while logins run at full speed on idle cores. */
#define WORKER_NICE 19

enum phase { PH_RECEIVING, PH_WORKING, PH_ANSWERED };

struct req_state {
    struct lk_server *srv;
    struct MHD_Connection *conn;
    const struct route_slot *slot;
    int path_known;
    enum phase phase;
    atomic_int done;             /* the worker finished the answer */
    int too_large;
    struct timespec start;
    char *body;
    size_t len, cap;
    char addr[INET6_ADDRSTRLEN];
    struct lk_request req;
    struct lk_response resp;
};

/* Textual peer address of a connection. */
static void peer_addr(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(out, cap, "-");
    if (sa != NULL && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
                  out, (socklen_t)cap);
    else if (sa != NULL && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
                  out, (socklen_t)cap);
}

/* Append a body chunk, remembering (not storing) any excess. */
static void collect(struct req_state *st, const char *data, size_t n)
{
    size_t max = st->srv->body_max, cap;
    char *nb;

    if (st->too_large || st->len + n > max) {
        st->too_large = 1;
        return;
    }
    if (st->len + n + 1 > st->cap) {
        cap = st->cap ? st->cap * 2 : 1024;
        while (cap < st->len + n + 1)
            cap *= 2;
        if (cap > max + 1)
            cap = max + 1;
        if ((nb = realloc(st->body, cap)) == NULL) {
            st->too_large = 1;
            return;
        }
        st->body = nb;
        st->cap = cap;
    }
    memcpy(st->body + st->len, data, n);
    st->len += n;
}

/* Hand the finished answer to libmicrohttpd. */
static enum MHD_Result send_answer(struct req_state *st)
{
    struct lk_response *r = &st->resp;
    struct MHD_Response *mr;
    enum MHD_Result ret;
    int i;

    st->phase = PH_ANSWERED;
    mr = MHD_create_response_from_buffer(r->body_len, r->body,
                                         MHD_RESPMEM_PERSISTENT);
    if (mr == NULL)
        return MHD_NO;
    if (r->content_type != NULL)
        MHD_add_response_header(mr, "Content-Type", r->content_type);
    for (i = 0; i < r->nheaders; i++)
        MHD_add_response_header(mr, r->headers[i].name,
                                r->headers[i].value);
    ret = MHD_queue_response(st->conn, (unsigned)r->status, mr);
    MHD_destroy_response(mr);
    return ret;
}

/* Worker job: run the route, then wake the connection. */
static void run_job(void *arg)
{
    struct req_state *st = arg;

    setpriority(PRIO_PROCESS, 0, WORKER_NICE);   /* this thread only */
    lk_app_run(st->srv->app, st->slot, &st->req, &st->resp);
    atomic_store(&st->done, 1);
    MHD_resume_connection(st->conn);
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* The last call: build the request and answer or hand off. */
static enum MHD_Result dispatch(struct req_state *st, const char *method,
                                const char *url)
{
    struct lk_request *rq = &st->req;

    rq->method = method;
    rq->path = url;
    rq->authorization = header(st->conn, MHD_HTTP_HEADER_AUTHORIZATION);
    rq->content_type = header(st->conn, MHD_HTTP_HEADER_CONTENT_TYPE);
    rq->client_addr = st->addr;
    rq->body = (const uint8_t *)(st->body ? st->body : "");
    rq->body_len = st->len;
    if (st->slot == NULL) {
        lk_app_no_route(st->srv->app, rq, st->path_known, &st->resp);
    } else if (st->too_large) {
        lk_resp_detail(&st->resp, 413, "Request body too large");
    } else if (st->slot->route->flags & LK_ROUTE_WORKER) {
        st->phase = PH_WORKING;
        MHD_suspend_connection(st->conn);
        if (lk_workpool_submit(st->srv->pool, run_job, st) == LK_OK)
            return MHD_YES;
        lk_resp_detail(&st->resp, 503, "Server busy, try again");
        lk_resp_header(&st->resp, "Retry-After", "1");
        atomic_store(&st->done, 1);
        MHD_resume_connection(st->conn);
        return MHD_YES;
    } else {
        lk_app_run(st->srv->app, st->slot, rq, &st->resp);
    }
    return send_answer(st);
}

/* First call: allocate the state and find the route. */
static enum MHD_Result begin(struct lk_server *srv,
                             struct MHD_Connection *conn,
                             const char *method, const char *url,
                             void **con_cls)
{
    struct req_state *st = calloc(1, sizeof(*st));
    const char *lookup = strcmp(method, "HEAD") == 0 ? "GET" : method;
    const char *cl;

    if (st == NULL)
        return MHD_NO;
    st->srv = srv;
    st->conn = conn;
    clock_gettime(CLOCK_MONOTONIC, &st->start);
    peer_addr(conn, st->addr, sizeof(st->addr));
    st->slot = lk_app_find(srv->app, lookup, url, &st->path_known);
    cl = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl != NULL && strtoull(cl, NULL, 10) > srv->body_max)
        st->too_large = 1;
    *con_cls = st;
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct req_state *st = *con_cls;

    (void)version;
    if (st == NULL)
        return begin(cls, conn, method, url, con_cls);
    if (*upload_data_size > 0) {
        collect(st, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->phase == PH_WORKING)
        return atomic_load(&st->done) ? send_answer(st) : MHD_YES;
    if (st->phase == PH_ANSWERED)
        return MHD_YES;
    return dispatch(st, method, url);
}

/* Request finished (sent or aborted): log it and free the state. */
static void on_completed(void *cls, struct MHD_Connection *conn,
                         void **con_cls, enum MHD_RequestTerminationCode t)
{
    struct req_state *st = *con_cls;
    struct timespec end;
    char path[256];
    long long us;

    (void)cls;
    (void)conn;
    if (st == NULL)
        return;
    clock_gettime(CLOCK_MONOTONIC, &end);
    us = (long long)(end.tv_sec - st->start.tv_sec) * 1000000LL +
         (end.tv_nsec - st->start.tv_nsec) / 1000;
    if (st->req.path != NULL)
        lk_log(LK_LOG_INFO, "method=%s path=%s status=%d us=%lld "
               "client=%s%s", st->req.method,
               lk_log_escape(path, sizeof(path), st->req.path,
                             strlen(st->req.path)),
               st->resp.status, us, st->addr,
               t == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" :
               " aborted=1");
    lk_resp_clear(&st->resp);
    if (st->body != NULL)
        lk_secure_free(st->body, st->cap);
    free(st);
    *con_cls = NULL;
}

/* libmicrohttpd's own diagnostics go to our log. */
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    char esc[600];
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    lk_log(LK_LOG_WARN, "source=microhttpd msg=%s",
           lk_log_escape(esc, sizeof(esc), msg, n));
}

static unsigned cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 && n < 256 ? (unsigned)n : 2;
}

/* Resolve host:port into a sockaddr for libmicrohttpd. */
static enum lk_err make_addr(const char *host, unsigned port,
                             struct sockaddr_storage *ss,
                             char *err, size_t errlen)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

    memset(ss, 0, sizeof(*ss));
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        return LK_OK;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        return LK_OK;
    }
    return lk_seterr(err, errlen, LK_ERR_INVALID,
                     "listen address '%s' is not a numeric IPv4 or IPv6 "
                     "address", host);
}

enum lk_err lk_server_start(struct lk_app *app,
                            const struct lk_server_config *cfg,
                            struct lk_server **out,
                            char *err, size_t errlen)
{
    struct lk_server *s = calloc(1, sizeof(*s));
    struct sockaddr_storage ss;
    const union MHD_DaemonInfo *di;
    unsigned threads = cfg->threads ? cfg->threads : cores();
    unsigned workers = cfg->workers ? cfg->workers : cores();
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
                     MHD_USE_ITC;
    enum lk_err rc;

    *out = NULL;
    if (s == NULL)
        return LK_ERR_NOMEM;
    s->app = app;
    s->body_max = cfg->body_max ? cfg->body_max : 16384;
    rc = make_addr(cfg->host ? cfg->host : "127.0.0.1", cfg->port, &ss,
                   err, errlen);
    if (rc == LK_OK && (ss.ss_family == AF_INET6))
        flags |= MHD_USE_IPv6;
    if (rc == LK_OK)
        rc = lk_workpool_new(workers, cfg->queue_max ? cfg->queue_max : 256,
                             &s->pool);
    if (rc != LK_OK) {
        free(s);
        return rc;
    }
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, cfg->conn_max ? cfg->conn_max : 4096,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s ? cfg->timeout_s : 30,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_END);
    if (s->d == NULL) {
        lk_workpool_free(s->pool);
        free(s);
        return lk_seterr(err, errlen, LK_ERR_IO,
                         "cannot listen on %s:%u (address in use or not "
                         "permitted)", cfg->host ? cfg->host : "127.0.0.1",
                         cfg->port);
    }
    di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : cfg->port;
    *out = s;
    return LK_OK;
}

unsigned lk_server_port(const struct lk_server *s)
{
    return s->port;
}

void lk_server_stop(struct lk_server *s)
{
    if (s == NULL)
        return;
    MHD_quiesce_daemon(s->d);
    lk_workpool_free(s->pool);   /* finishes jobs, resumes connections */
    MHD_stop_daemon(s->d);
    free(s);
}
