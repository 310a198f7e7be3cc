/*
 * lk_logbuf.h: a buffered log sink for lk_log_configure. Info and debug
 * lines are written in batches, each line at most flush_ms after it was
 * logged; warnings and errors are written at once (after the pending
 * lines, so the order holds). flush_ms 0 writes every line at once.
 */
#ifndef LATCHKEY_LK_LOGBUF_H
#define LATCHKEY_LK_LOGBUF_H

#include <stddef.h>

#include "latchkey/lk_common.h"
#include "latchkey/lk_log.h"

struct lk_logbuf;

/* A sink writing to fd (not closed by lk_logbuf_free). */
enum lk_err lk_logbuf_new(int fd, unsigned flush_ms,
                          struct lk_logbuf **out);

/* The lk_log_sink_fn; arg is the struct lk_logbuf. */
void lk_logbuf_sink(void *arg, enum lk_log_level lvl, const char *line,
                    size_t len);

/* Write whatever is pending now. */
void lk_logbuf_flush(struct lk_logbuf *lb);

/* Write what is pending, stop the flusher, free. Uninstall the sink
 * (lk_log_configure(NULL, ...)) first. NULL is allowed. */
void lk_logbuf_free(struct lk_logbuf *lb);

#endif
