/*
 * server.c: running an app on libmicrohttpd (HTTP threads: evloop.c).
 *
 * Per request: the first call of the access handler only records the
 * state (queuing an answer there makes libmicrohttpd close the
 * connection, so keep-alive would never happen); body chunks are
 * collected up to a hard limit; the last call dispatches. Routes that
 * hash passwords run on the worker pool while the connection is
 * suspended, so a slow login never stalls the HTTP threads.
 *
 * Limits: libmicrohttpd answers a request that does not fit its
 * per-connection memory itself (with an HTML body that cannot be
 * changed in 0.9.75, see docs/KNOWN_BUGS.md), so our own, lower limits
 * on the request target, the header count and the header bytes are
 * checked first and answered in JSON, as are the connection limit and
 * a repeated Authorization header. Every refusal closes the connection.
 */
#define _GNU_SOURCE 1     /* SCHED_IDLE */
#include <arpa/inet.h>
#include <sched.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <time.h>

#include <microhttpd.h>

#include "api/app_internal.h"
#include "http/conntrack.h"
#include "http/evloop.h"
#include "http/form.h"
#include "http/workpool.h"
#include "latchkey/lk_log.h"

/* What one HTTP thread keeps for itself, used without a lock: the
 * tokens it has accepted (a repeated bearer token skips the signature
 * check and the claims parse). */
struct http_local {
    struct lk_server *srv;
    struct lk_jwt_cache *tokens;
};

/* Accepted tokens kept per HTTP thread (about 3.4 KiB each, reserved
 * up front, resident only once used). */
#define TOKEN_CACHE_SLOTS 256

struct lk_server {
    struct lk_app *app;
    struct lk_evloop *loop;            /* the HTTP threads */
    struct http_local *locals;         /* one per HTTP thread */
    unsigned nlocals;
    unsigned mhd_flags;
    unsigned timeout_s;
    struct lk_workpool *pool;          /* logins */
    struct lk_workpool *hashers;       /* their hashes, low priority */
    struct lk_conntrack *track;
    size_t body_max, url_max, header_bytes_max;
    unsigned headers_max, conn_max, idle_s;
    unsigned port;
};

/* libmicrohttpd's per-connection memory follows our limits: the
 * request target, the header bytes and a record per header field
 * (libmicrohttpd keeps a 56-byte one) must fit, plus room for the
 * answer's head and a margin, so that a request a little over a limit
 * still reaches our JSON refusal. libmicrohttpd clears the whole pool
 * one and a half times per request, so its size is a per-request cost:
 * with the default limits it is 24 KiB (36 KiB cleared a request);
 * smaller limits make every request cheaper. */
#define POOL_PER_FIELD 64
#define POOL_MARGIN 4096

static size_t mhd_pool_size(const struct lk_server *s)
{
    return s->url_max + s->header_bytes_max +
           (size_t)s->headers_max * POOL_PER_FIELD + POOL_MARGIN;
}

/* What the header fields of a request add up to, and the values the
 * server reads (the first of each name), found in that one pass. */
struct hdr_scan {
    unsigned fields, authz, clen, tenc, badname;
    size_t bytes;
    const char *authorization, *content_type, *content_length;
};

/* What the server keeps per connection: the tracker's entry and the
 * peer's address, formatted once rather than for every request. */
struct conn_ctx {
    struct lk_conn *tracked;
    char addr[INET6_ADDRSTRLEN];
};

/* Password hashing yields the CPU to the HTTP threads: bearer requests
 * keep their latency while logins run at full speed on idle cores.
 * Only the hash itself runs at low priority, on threads of its own
 * (the policy's runner): a login's store and log work stays at normal
 * priority, because a preempted low-priority thread holding a lock that
 * an HTTP thread needs stalls that thread for milliseconds. SCHED_IDLE
 * (Linux) makes a waking HTTP thread preempt a hashing one at once,
 * which nice 19, the fallback, does not. A thread cannot raise its
 * priority again without privilege, hence the separate threads. */
#define WORKER_NICE 19

static void yield_to_http(void)
{
#ifdef SCHED_IDLE
    struct sched_param sp = {0};

    if (sched_setscheduler(0, SCHED_IDLE, &sp) == 0)   /* this thread */
        return;
#endif
    setpriority(PRIO_PROCESS, 0, WORKER_NICE);
}

struct hash_job {
    lk_pw_task_fn fn;
    void *arg;
};

/* A hashing thread's job: low priority (idempotent), then the hash. */
static void hash_job_run(void *arg)
{
    struct hash_job *j = arg;

    pthread_setname_np(pthread_self(), "lk-hash");
    yield_to_http();
    j->fn(j->arg);
}

/* The policy's runner: the hash on a hashing thread, or right here if
 * their queue is full (it holds one job per login worker, so only if
 * something else hashes too). */
static void run_hash(void *ctx, lk_pw_task_fn fn, void *arg)
{
    struct hash_job j = {fn, arg};

    if (lk_workpool_call(ctx, hash_job_run, &j) != LK_OK)
        fn(arg);
}

enum phase { PH_RECEIVING, PH_WORKING, PH_ANSWERED };

struct req_state {
    struct lk_server *srv;
    struct lk_jwt_cache *tokens;       /* the HTTP thread's */
    struct MHD_Connection *conn;
    struct lk_conn *tracked;
    const struct route_slot *slot;
    int path_known;
    enum phase phase;
    atomic_int done;             /* the worker finished the answer */
    int too_large;
    struct timespec start;
    const char *authorization, *content_type;
    char *body;
    size_t len, cap;
    char addr[INET6_ADDRSTRLEN];
    struct lk_request req;
    struct lk_response resp;
};

/* Dotted-quad text of an IPv4 address (cap >= INET_ADDRSTRLEN); the
 * same as inet_ntop, at a tenth of its cost on every request. */
static void ipv4_text(const struct in_addr *a, char *out)
{
    const uint8_t *b = (const uint8_t *)&a->s_addr;
    int i;

    for (i = 0; i < 4; i++) {
        if (b[i] >= 100)
            *out++ = (char)('0' + b[i] / 100);
        if (b[i] >= 10)
            *out++ = (char)('0' + b[i] / 10 % 10);
        *out++ = (char)('0' + b[i] % 10);
        *out++ = i < 3 ? '.' : '\0';
    }
}

/* Textual peer address of a connection. */
static void peer_addr(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(out, cap, "-");
    if (sa != NULL && sa->sa_family == AF_INET && cap >= INET_ADDRSTRLEN)
        ipv4_text(&((const struct sockaddr_in *)sa)->sin_addr, out);
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
    if (!lk_conntrack_answer(st->srv->track, st->tracked)) {
        st->resp.status = 408;       /* what the reaper sent; log it */
        return MHD_NO;
    }
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

/* Resume a suspended connection and wake its HTTP thread. Once
 * resumed, the request may finish and st be freed at any moment, so
 * what the wake needs is read first. */
static void resume(struct req_state *st)
{
    struct lk_evloop *loop = st->srv->loop;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(st->conn, MHD_CONNECTION_INFO_DAEMON);
    const struct MHD_Daemon *d = ci != NULL ? ci->daemon : NULL;

    MHD_resume_connection(st->conn);
    lk_evloop_wake(loop, d);
}

/* Worker job: run the route, then wake the connection. */
static void run_job(void *arg)
{
    struct req_state *st = arg;

    pthread_setname_np(pthread_self(), "lk-login");
    lk_app_run(st->srv->app, st->slot, &st->req, NULL, &st->resp);
    atomic_store(&st->done, 1);
    resume(st);
}

/* The last call: build the request and answer or hand off. */
static enum MHD_Result dispatch(struct req_state *st, const char *method,
                                const char *url)
{
    struct lk_request *rq = &st->req;

    rq->method = method;
    rq->path = url;
    rq->authorization = st->authorization;
    rq->content_type = st->content_type;
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
        resume(st);
        return MHD_YES;
    } else {
        lk_app_run(st->srv->app, st->slot, rq, st->tokens, &st->resp);
    }
    return send_answer(st);
}

/* Percent-decode a path or query value in place, except %00: a NUL
 * would cut the C string short ("/users/me%00x" is not "/users/me"),
 * so it stays escaped and the path matches no route. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    size_t r = 0, w = 0;

    (void)cls;
    (void)c;
    while (s[r] != '\0') {
        int hi = -1, lo = -1;
        if (s[r] == '%' && s[r + 1] != '\0' && s[r + 2] != '\0') {
            hi = lk_hexval((unsigned char)s[r + 1]);
            lo = lk_hexval((unsigned char)s[r + 2]);
        }
        if (hi >= 0 && lo >= 0 && (hi | lo) != 0) {
            s[w++] = (char)(hi << 4 | lo);
            r += 3;
        } else {
            s[w++] = s[r++];
        }
    }
    s[w] = '\0';
    return w;
}

/* 1 if the header name key (n bytes) is name (len bytes), any case. */
static int name_is(const char *key, size_t n, const char *name, size_t len)
{
    return n == len && strncasecmp(key, name, len) == 0;
}

/* Count one header field and keep the values the server reads
 * (MHD_KeyValueIteratorN: the lengths come with the strings). */
static enum MHD_Result scan_hdr(void *cls, enum MHD_ValueKind kind,
                                const char *key, size_t klen,
                                const char *value, size_t vlen)
{
    struct hdr_scan *hs = cls;

    (void)kind;
    hs->fields++;
    hs->bytes += klen + vlen + 4;
    if (name_is(key, klen, "Authorization", 13) && hs->authz++ == 0)
        hs->authorization = value;
    else if (name_is(key, klen, "Content-Type", 12) &&
             hs->content_type == NULL)
        hs->content_type = value;
    else if (name_is(key, klen, "Content-Length", 14) && hs->clen++ == 0)
        hs->content_length = value;
    else if (name_is(key, klen, "Transfer-Encoding", 17))
        hs->tenc++;
    if (klen == 0 || memchr(key, ' ', klen) != NULL ||
        memchr(key, '\t', klen) != NULL)
        hs->badname++;
    return MHD_YES;
}

/* Count one query argument's bytes (MHD_KeyValueIteratorN). */
static enum MHD_Result count_arg(void *cls, enum MHD_ValueKind kind,
                                 const char *key, size_t klen,
                                 const char *value, size_t vlen)
{
    size_t *n = cls;

    (void)kind;
    (void)key;
    (void)value;
    *n += klen + vlen + 2;
    return MHD_YES;
}

/* The first limit a request breaks, as status and detail; 0 if none. */
static int over_limit(struct lk_server *srv, struct MHD_Connection *conn,
                      const char *url, const struct hdr_scan *hs,
                      const char **detail)
{
    size_t target = strlen(url);

    MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, count_arg,
                                &target);
    *detail = NULL;
    if (lk_conntrack_count(srv->track) > srv->conn_max) {
        *detail = "Too many connections, try again later";
        return 503;
    }
    if (target > srv->url_max) {
        *detail = "Request URI too long";
        return 414;
    }
    if (hs->fields > srv->headers_max) {
        *detail = "Too many header fields";
        return 431;
    }
    if (hs->bytes > srv->header_bytes_max) {
        *detail = "Request header fields too large";
        return 431;
    }
    if (hs->authz > 1) {
        *detail = "More than one Authorization header";
        return 400;
    }
    /* RFC 9112 sections 5.1, 6.1 and 6.3: ambiguous framing is an
     * error, never a guess (a guess is how requests get smuggled). */
    if (hs->clen > 1 || (hs->clen > 0 && hs->tenc > 0) || hs->tenc > 1 ||
        hs->badname > 0) {
        *detail = "Malformed request framing or header name";
        return 400;
    }
    return 0;
}

/* Answer a refused request at once and close the connection. */
static enum MHD_Result refuse(struct req_state *st, int status,
                              const char *detail, const char *method,
                              const char *url)
{
    st->req.method = method;
    st->req.path = url;
    lk_resp_detail(&st->resp, status, detail);
    lk_resp_header(&st->resp, "Connection", "close");
    if (status == 503)
        lk_resp_header(&st->resp, "Retry-After", "1");
    return send_answer(st);
}

/* First call: allocate the state, check the limits, find the route. */
static enum MHD_Result begin(struct http_local *local,
                             struct MHD_Connection *conn,
                             const char *method, const char *url,
                             void **con_cls)
{
    struct lk_server *srv = local->srv;
    struct req_state *st = calloc(1, sizeof(*st));
    const char *lookup = strcmp(method, "HEAD") == 0 ? "GET" : method;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    const struct conn_ctx *cc = ci ? ci->socket_context : NULL;
    struct hdr_scan hs;
    const char *detail;
    int status;

    if (st == NULL)
        return MHD_NO;
    st->srv = srv;
    st->tokens = local->tokens;
    st->conn = conn;
    clock_gettime(CLOCK_MONOTONIC, &st->start);
    if (cc != NULL) {
        st->tracked = cc->tracked;
        memcpy(st->addr, cc->addr, sizeof(st->addr));
    } else {
        peer_addr(conn, st->addr, sizeof(st->addr));
    }
    *con_cls = st;
    memset(&hs, 0, sizeof(hs));
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, scan_hdr, &hs);
    st->authorization = hs.authorization;
    st->content_type = hs.content_type;
    if ((status = over_limit(srv, conn, url, &hs, &detail)) != 0)
        return refuse(st, status, detail, method, url);
    st->slot = lk_app_find(srv->app, lookup, url, &st->path_known);
    if (hs.content_length != NULL &&
        strtoull(hs.content_length, NULL, 10) > srv->body_max)
        return refuse(st, 413, "Request body too large", method, url);
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

/* Append len bytes of s to the line at b (n used, cap in all). */
static size_t put(char *b, size_t n, size_t cap, const char *s, size_t len)
{
    if (len > cap - n - 1)
        len = cap - n - 1;
    memcpy(b + n, s, len);
    return n + len;
}

/* Append a non-negative number in decimal. */
static size_t put_num(char *b, size_t n, size_t cap, long long v)
{
    char d[24];
    size_t i = sizeof(d);

    if (v < 0)
        v = 0;
    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    return put(b, n, cap, d + i, sizeof(d) - i);
}

/* 1 if s is an HTTP token (RFC 9110 tchar), safe to log unquoted. */
static int is_token(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++)
        if (!(((unsigned)(*s | 0x20) - 'a' < 26) ||
              ((unsigned)*s - '0' < 10) || strchr("!#$%&'*+-.^_`|~", *s)))
            return 0;
    return 1;
}

/* The request's log line: method, path, status, microseconds, client.
 * Built with appends rather than vsnprintf: it is written for every
 * request. */
static void log_request(const struct req_state *st, long long us,
                        int aborted)
{
    char line[640], esc[300];
    const char *m = st->req.method;
    size_t n = 0, cap = sizeof(line);

    n = put(line, n, cap, "method=", 7);
    if (!is_token(m))
        m = lk_log_escape(esc, sizeof(esc), m, strlen(m));
    n = put(line, n, cap, m, strlen(m));
    n = put(line, n, cap, " path=", 6);
    lk_log_escape(esc, sizeof(esc), st->req.path, strlen(st->req.path));
    n = put(line, n, cap, esc, strlen(esc));
    n = put(line, n, cap, " status=", 8);
    n = put_num(line, n, cap, st->resp.status);
    n = put(line, n, cap, " us=", 4);
    n = put_num(line, n, cap, us);
    n = put(line, n, cap, " client=", 8);
    n = put(line, n, cap, st->addr, strlen(st->addr));
    if (aborted)
        n = put(line, n, cap, " aborted=1", 10);
    lk_log_text(LK_LOG_INFO, line, n);
}

/* Request finished (sent or aborted): log it and free the state. */
static void on_completed(void *cls, struct MHD_Connection *conn,
                         void **con_cls, enum MHD_RequestTerminationCode t)
{
    struct req_state *st = *con_cls;
    struct timespec end;
    long long us;

    (void)conn;
    if (st == NULL)
        return;
    if (t == MHD_REQUEST_TERMINATED_COMPLETED_OK)     /* keep-alive idle */
        lk_conntrack_park(((struct lk_server *)cls)->track, st->tracked,
                          ((struct lk_server *)cls)->idle_s);
    clock_gettime(CLOCK_MONOTONIC, &end);
    us = (long long)(end.tv_sec - st->start.tv_sec) * 1000000LL +
         (end.tv_nsec - st->start.tv_nsec) / 1000;
    if (st->req.path != NULL)
        log_request(st, us, t != MHD_REQUEST_TERMINATED_COMPLETED_OK);
    lk_resp_clear(&st->resp);
    if (st->body != NULL)
        lk_secure_free(st->body, st->cap);
    free(st);
    *con_cls = NULL;
}

/* A connection opened or closed: keep the tracker in step. */
static void on_connection(void *cls, struct MHD_Connection *conn,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct lk_server *srv = cls;
    const union MHD_ConnectionInfo *ci;
    struct conn_ctx *cc;

    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        ci = MHD_get_connection_info(conn,
                                     MHD_CONNECTION_INFO_CONNECTION_FD);
        if ((cc = calloc(1, sizeof(*cc))) != NULL) {
            cc->tracked = ci ? lk_conntrack_open(srv->track, ci->connect_fd)
                             : NULL;
            peer_addr(conn, cc->addr, sizeof(cc->addr));
        }
        *socket_context = cc;
    } else if ((cc = *socket_context) != NULL) {
        lk_conntrack_close(srv->track, cc->tracked);
        free(cc);
        *socket_context = NULL;
    }
}

/* libmicrohttpd's own diagnostics go to our log. */
static void mhd_logger(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
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

/* The cores this process may run on (its CPU affinity, which taskset,
 * cpusets and container limits narrow), else the cores online. */
static unsigned cores(void)
{
    cpu_set_t set;
    long n = 0;

    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        n = CPU_COUNT(&set);
    if (n <= 0)
        n = sysconf(_SC_NPROCESSORS_ONLN);
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

/* Copy the limits of cfg, with defaults for zeros. */
static void set_limits(struct lk_server *s,
                       const struct lk_server_config *cfg)
{
    s->body_max = cfg->body_max ? cfg->body_max : 8192;
    s->url_max = cfg->url_max ? cfg->url_max : 4096;
    s->headers_max = cfg->headers_max ? cfg->headers_max : 64;
    s->header_bytes_max = cfg->header_bytes_max ? cfg->header_bytes_max
                                                : 12288;
    s->conn_max = cfg->conn_max ? cfg->conn_max : 4096;
}

/* One libmicrohttpd daemon on the shared socket, run by HTTP thread
 * index (lk_evloop_make_fn). Its connection limit, share of one above
 * ours, lets the first connections past conn_max still get our 503. */
static struct MHD_Daemon *make_daemon(void *ctx, unsigned index,
                                      int listen_fd, unsigned share)
{
    struct lk_server *s = ctx;

    if (index >= s->nlocals)
        return NULL;
    return MHD_start_daemon(
        s->mhd_flags, 0, NULL, NULL, on_request, &s->locals[index],
        MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, s,
        MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_CONNECTION_LIMIT, share,
        MHD_OPTION_CONNECTION_TIMEOUT, s->timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, mhd_pool_size(s),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, s,
        MHD_OPTION_END);
}

/* The per-thread state of n HTTP threads. */
static enum lk_err make_locals(struct lk_server *s, unsigned n)
{
    unsigned i;

    if ((s->locals = calloc(n, sizeof(*s->locals))) == NULL)
        return LK_ERR_NOMEM;
    s->nlocals = n;
    for (i = 0; i < n; i++) {
        s->locals[i].srv = s;
        if (lk_jwt_cache_new(TOKEN_CACHE_SLOTS, &s->locals[i].tokens)
            != LK_OK)
            return LK_ERR_NOMEM;
    }
    return LK_OK;
}

/* The HTTP threads on host:port, each with its daemon. */
static enum lk_err start_http(struct lk_server *s,
                              const struct lk_server_config *cfg,
                              const struct sockaddr_storage *ss,
                              char *err, size_t errlen)
{
    unsigned threads = cfg->threads ? cfg->threads : cores();
    unsigned slack = s->conn_max / 8 > 16 ? s->conn_max / 8 : 16;
    socklen_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                              : sizeof(struct sockaddr_in);
    char why[160] = "";
    enum lk_err rc;

    if ((rc = make_locals(s, threads)) != LK_OK)
        return lk_seterr(err, errlen, rc, "out of memory");
    s->mhd_flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                   MHD_USE_ERROR_LOG |
                   (ss->ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    s->timeout_s = cfg->timeout_s ? cfg->timeout_s : 30;
    rc = lk_evloop_start((const struct sockaddr *)ss, len, threads,
                         s->conn_max + slack, make_daemon, s, &s->loop,
                         why, sizeof(why));
    if (rc != LK_OK)
        return lk_seterr(err, errlen, rc,
                         "cannot listen on %s:%u: %s (choose another "
                         "address with --listen or LATCHKEY_LISTEN)",
                         cfg->host ? cfg->host : "127.0.0.1", cfg->port,
                         why);
    return LK_OK;
}

/* Free a server that may be partly built. */
static void server_free(struct lk_server *s)
{
    unsigned i;

    lk_evloop_free(s->loop);
    for (i = 0; i < s->nlocals; i++)
        lk_jwt_cache_free(s->locals[i].tokens);
    free(s->locals);
    lk_workpool_free(s->pool);
    if (s->hashers != NULL && s->app->policy != NULL)
        lk_pwpolicy_set_runner(s->app->policy, NULL, NULL);
    lk_workpool_free(s->hashers);
    lk_conntrack_free(s->track);
    free(s);
}

/* The login workers, and as many hashing threads, which the app's
 * password policy then runs its hashes on. */
static enum lk_err start_pools(struct lk_server *s, unsigned workers,
                               unsigned queue_max)
{
    enum lk_err rc = lk_workpool_new(workers, queue_max, &s->pool);

    if (rc == LK_OK && s->app->policy != NULL) {
        rc = lk_workpool_new(workers, workers + 8, &s->hashers);
        if (rc == LK_OK)
            lk_pwpolicy_set_runner(s->app->policy, run_hash, s->hashers);
    }
    return rc;
}

enum lk_err lk_server_start(struct lk_app *app,
                            const struct lk_server_config *cfg,
                            struct lk_server **out,
                            char *err, size_t errlen)
{
    struct lk_server *s = calloc(1, sizeof(*s));
    struct sockaddr_storage ss;
    unsigned workers = cfg->workers ? cfg->workers : cores();
    enum lk_err rc;

    *out = NULL;
    if (s == NULL)
        return LK_ERR_NOMEM;
    s->app = app;
    set_limits(s, cfg);
    s->idle_s = cfg->timeout_s ? cfg->timeout_s : 30;
    rc = make_addr(cfg->host ? cfg->host : "127.0.0.1", cfg->port, &ss,
                   err, errlen);
    if (rc == LK_OK)
        rc = start_pools(s, workers, cfg->queue_max ? cfg->queue_max : 256);
    if (rc == LK_OK)
        rc = lk_conntrack_new(cfg->request_timeout_s ?
                              cfg->request_timeout_s : 30, &s->track);
    if (rc == LK_OK)
        rc = start_http(s, cfg, &ss, err, errlen);
    if (rc != LK_OK) {
        server_free(s);
        return rc;
    }
    s->port = lk_evloop_port(s->loop);
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
    lk_evloop_quiesce(s->loop);  /* no new connections */
    lk_workpool_free(s->pool);   /* finishes jobs, resumes connections */
    s->pool = NULL;
    server_free(s);
}
