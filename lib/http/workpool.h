/*
 * workpool.h: a fixed pool of threads with a bounded job queue, for
 * work too slow for the HTTP threads (password hashing). A full queue
 * refuses new jobs instead of growing latency for everyone.
 */
#ifndef LATCHKEY_HTTP_WORKPOOL_H
#define LATCHKEY_HTTP_WORKPOOL_H

#include <stddef.h>

#include "latchkey/lk_common.h"

struct lk_workpool;
typedef void (*lk_job_fn)(void *arg);

enum lk_err lk_workpool_new(unsigned threads, unsigned queue_max,
                            struct lk_workpool **out);

/* Queue a job; LK_ERR_BUSY when the queue is full. */
enum lk_err lk_workpool_submit(struct lk_workpool *p, lk_job_fn fn,
                               void *arg);

/* Run fn(arg) on the pool and return when it has returned;
 * LK_ERR_BUSY (fn not run) when the queue is full or stopping. */
enum lk_err lk_workpool_call(struct lk_workpool *p, lk_job_fn fn,
                             void *arg);

/* Run the queued jobs to the end, then stop the threads and free. */
void lk_workpool_free(struct lk_workpool *p);

#endif
