/*
 * conntrack.h: the open connections of a server, for two limits that
 * libmicrohttpd does not have: a count of live connections (so the
 * server can answer 503 itself before libmicrohttpd's hard limit drops
 * them silently) and a total time per request (libmicrohttpd's timeout
 * is an idle timeout, which a client sending one byte a second never
 * reaches). A reaper thread shuts down the socket of a connection whose
 * current request has run longer than the limit, after sending a JSON
 * 408 if the request has no answer yet; libmicrohttpd then sees the
 * connection fail and closes it in its own thread.
 */
#ifndef LATCHKEY_HTTP_CONNTRACK_H
#define LATCHKEY_HTTP_CONNTRACK_H

#include "latchkey/lk_common.h"

struct lk_conntrack;
struct lk_conn;

/* Start tracking with a per-request limit of limit_s seconds (0: no
 * time limit, no reaper thread). */
enum lk_err lk_conntrack_new(unsigned limit_s, struct lk_conntrack **out);

/* Stop the reaper and free everything; connections must be gone. */
void lk_conntrack_free(struct lk_conntrack *t);

/* A connection on socket fd opened; NULL if out of memory. */
struct lk_conn *lk_conntrack_open(struct lk_conntrack *t, int fd);

/* The connection closed; its fd is still open during this call. */
void lk_conntrack_close(struct lk_conntrack *t, struct lk_conn *c);

/* A request finished: the connection may idle grace_s seconds (the
 * idle timeout) before the next request's time starts to count. */
void lk_conntrack_park(struct lk_conntrack *t, struct lk_conn *c,
                       unsigned grace_s);

/* The current request is about to be answered: 1 if it may be, 0 if
 * the reaper already cut the connection (and sent its 408). */
int lk_conntrack_answer(struct lk_conntrack *t, struct lk_conn *c);

/* Live connections now. */
unsigned lk_conntrack_count(struct lk_conntrack *t);

/* Connections cut so far for taking too long. */
unsigned long lk_conntrack_reaped(struct lk_conntrack *t);

#endif
