/*
 * evloop.h: the HTTP threads. Each thread drives one libmicrohttpd
 * daemon in external epoll mode, and all daemons accept from one
 * listening socket that this module owns.
 *
 * Why not libmicrohttpd's own threads: its internal epoll loop (0.9.75
 * and later releases) takes ready connections 128 at a time and, after
 * a full batch, waits for more with its blocking timeout, so when a
 * multiple of 128 connections are ready at once and nothing else
 * happens, their requests wait for the idle timeout (30 s by default).
 * With one thread and 256 busy keep-alive connections, wrk got 421
 * answers a second instead of 100k. Run from outside, libmicrohttpd
 * never blocks: this loop waits on the daemon's epoll descriptor and
 * then lets it work.
 *
 * Cost: one poll(2) per wake-up besides libmicrohttpd's epoll_wait.
 * Under load one wake-up serves many requests; with 16 connections on
 * two threads it is about half a microsecond of a request's eleven.
 */
#ifndef LATCHKEY_HTTP_EVLOOP_H
#define LATCHKEY_HTTP_EVLOOP_H

#include <stddef.h>
#include <sys/socket.h>

#include "latchkey/lk_common.h"

struct MHD_Daemon;
struct lk_evloop;

/* Make the daemon of HTTP thread `index` (0 .. threads - 1) on
 * listen_fd, in external epoll mode (MHD_USE_EPOLL, no internal
 * thread); NULL on failure. share is the part of the connection limit
 * this daemon gets. */
typedef struct MHD_Daemon *(*lk_evloop_make_fn)(void *ctx, unsigned index,
                                                int listen_fd,
                                                unsigned share);

/* Listen on sa, make `threads` daemons with make(ctx, ...), and start
 * one thread ("lk-http") per daemon. conn_limit is divided among them. */
enum lk_err lk_evloop_start(const struct sockaddr *sa, socklen_t salen,
                            unsigned threads, unsigned conn_limit,
                            lk_evloop_make_fn make, void *ctx,
                            struct lk_evloop **out,
                            char *err, size_t errlen);

/* The port the socket is bound to (useful after port 0). */
unsigned lk_evloop_port(const struct lk_evloop *l);

/* Wake the thread of daemon d: call it after MHD_resume_connection on
 * one of its connections, from any thread (a daemon run from outside
 * has no wake-up channel of its own). d NULL wakes every thread. */
void lk_evloop_wake(struct lk_evloop *l, const struct MHD_Daemon *d);

/* Stop accepting; the threads go on serving open connections. */
void lk_evloop_quiesce(struct lk_evloop *l);

/* Stop the threads, then the daemons (closing their connections), and
 * close the socket. NULL is allowed. */
void lk_evloop_free(struct lk_evloop *l);

#endif
