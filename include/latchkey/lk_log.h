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
#include <stdint.h>

enum lk_log_level { LK_LOG_DEBUG, LK_LOG_INFO, LK_LOG_WARN, LK_LOG_ERR };

typedef void (*lk_log_sink_fn)(void *arg, enum lk_log_level lvl,
                               const char *line, size_t len);

/* Install a sink (NULL restores stderr) and the lowest level shown. */
void lk_log_configure(lk_log_sink_fn fn, void *arg,
                      enum lk_log_level min_level);

/* Log one line: "ts=... level=... " + the formatted text. */
void lk_log(enum lk_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* lk_log of text (len bytes, already made safe with lk_log_escape
 * where it came from outside) without formatting: for lines that are
 * assembled by hand because they are written for every request. */
void lk_log_text(enum lk_log_level lvl, const char *text, size_t len);

/* Write sec (seconds since 1970, UTC; years 1970..9999) and ms as
 * "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (cap >= 25); returns the length,
 * 0 if out of range. This is the log lines' timestamp. */
size_t lk_log_rfc3339(char *buf, size_t cap, int64_t sec, long ms);

/* Copy src (len bytes) into dst as a double-quoted value with
 * non-printable bytes, quotes and backslashes escaped; truncates to
 * fit cap (always NUL-terminated). Returns dst. */
char *lk_log_escape(char *dst, size_t cap, const char *src, size_t len);

#endif
