/*
 * log.c: the log sink. Lines are assembled in a stack buffer and handed
 * to the sink with one call, so concurrent lines never interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "latchkey/lk_log.h"

/* Process-wide sink: set once at start-up, before threads start. */
static struct {
    lk_log_sink_fn fn;
    void *arg;
    enum lk_log_level min;
} sink = {NULL, NULL, LK_LOG_INFO};

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void lk_log_configure(lk_log_sink_fn fn, void *arg,
                      enum lk_log_level min_level)
{
    sink.fn = fn;
    sink.arg = arg;
    sink.min = min_level;
}

/* Write v as exactly width decimal digits (zero-padded) at out. */
static char *put_digits(char *out, long v, int width)
{
    int i;

    for (i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return out + width;
}

/* Format the time as RFC 3339 UTC with milliseconds, without strftime
 * and snprintf (one log line per request makes this a hot path). */
static size_t put_time(char *buf, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    char *p = buf;

    if (cap < 25)
        return 0;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    p = put_digits(p, (long)tm.tm_year + 1900, 4);
    *p++ = '-';
    p = put_digits(p, tm.tm_mon + 1, 2);
    *p++ = '-';
    p = put_digits(p, tm.tm_mday, 2);
    *p++ = 'T';
    p = put_digits(p, tm.tm_hour, 2);
    *p++ = ':';
    p = put_digits(p, tm.tm_min, 2);
    *p++ = ':';
    p = put_digits(p, tm.tm_sec, 2);
    *p++ = '.';
    p = put_digits(p, ts.tv_nsec / 1000000L, 3);
    *p++ = 'Z';
    *p = '\0';
    return (size_t)(p - buf);
}

void lk_log(enum lk_log_level lvl, const char *fmt, ...)
{
    char line[2048];
    size_t n;
    int m;
    va_list ap;

    if (lvl < sink.min)
        return;
    n = put_time(line, sizeof(line) - 64);
    n += (size_t)snprintf(line + n, sizeof(line) - n, " level=%s ",
                          level_names[lvl]);
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    n += (size_t)m;
    if (n > sizeof(line) - 2)
        n = sizeof(line) - 2;
    line[n++] = '\n';
    line[n] = '\0';
    if (sink.fn != NULL)
        sink.fn(sink.arg, lvl, line, n);
    else if (write(STDERR_FILENO, line, n) < 0)
        return;
}

char *lk_log_escape(char *dst, size_t cap, const char *src, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, i;

    if (cap < 3) {
        if (cap > 0)
            dst[0] = '\0';
        return dst;
    }
    dst[o++] = '"';
    for (i = 0; i < len && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c == '"' || c == '\\') {
            dst[o++] = '\\';
            dst[o++] = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        } else {
            dst[o++] = (char)c;
        }
    }
    dst[o++] = '"';
    dst[o] = '\0';
    return dst;
}
