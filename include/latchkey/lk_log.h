/*
 * lk_log.h: leveled, structured log lines (key=value). The sink is the
 * one piece of process-wide state: set it once at start-up. Values that
 * come from outside go through lk_log_escape so that they cannot forge
 * lines. Nothing secret is ever passed here: no password, token, hash
 * or key.
 */
#ifndef LATCHKEY_LK_LOG_H
#define LATCHKEY_LK_LOG_H

#include <stddef.h>

enum lk_log_level { LK_LOG_DEBUG, LK_LOG_INFO, LK_LOG_WARN, LK_LOG_ERR };

typedef void (*lk_log_sink_fn)(void *arg, enum lk_log_level lvl,
                               const char *line, size_t len);

/* Install a sink (NULL restores stderr) and the lowest level shown. */
void lk_log_configure(lk_log_sink_fn fn, void *arg,
                      enum lk_log_level min_level);

/* Log one line: "ts=... level=... " + the formatted text. */
void lk_log(enum lk_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Copy src (len bytes) into dst as a double-quoted value with
 * non-printable bytes, quotes and backslashes escaped; truncates to
 * fit cap (always NUL-terminated). Returns dst. */
char *lk_log_escape(char *dst, size_t cap, const char *src, size_t len);

#endif
