/*
 * log.c: the log sink. Lines are assembled in a stack buffer and handed
 * to the sink with one call, so concurrent lines never interleave.
 */
#include <stdarg.h>
#include <stdint.h>
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

/* The proleptic Gregorian date of a day count since 1970-01-01, by
 * the era arithmetic (400-year cycles of 146097 days, years starting
 * on March 1 so that the leap day falls last). gmtime_r would do, but
 * it takes glibc's time-zone lock on every call, and two HTTP threads
 * logging a line per request then contend for it. */
static void civil(long days, long *y, int *m, int *d)
{
    long z = days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;                          /* [0, 146096] */
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);   /* [0, 365] */
    long mp = (5 * doy + 2) / 153;                        /* [0, 11] */

    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

size_t lk_log_rfc3339(char *buf, size_t cap, int64_t sec, long ms)
{
    long y, days = (long)(sec / 86400), secs = (long)(sec % 86400);
    int mo, d;
    char *p = buf;

    if (cap < 25 || sec < 0 || sec > 253402300799LL || ms < 0 || ms > 999)
        return 0;
    civil(days, &y, &mo, &d);
    p = put_digits(p, y, 4);
    *p++ = '-';
    p = put_digits(p, mo, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = 'T';
    p = put_digits(p, secs / 3600, 2);
    *p++ = ':';
    p = put_digits(p, secs / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, secs % 60, 2);
    *p++ = '.';
    p = put_digits(p, ms, 3);
    *p++ = 'Z';
    *p = '\0';
    return (size_t)(p - buf);
}

/* The current time for a log line (RFC 3339, milliseconds). */
static size_t put_time(char *buf, size_t cap)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return lk_log_rfc3339(buf, cap, (int64_t)ts.tv_sec,
                          ts.tv_nsec / 1000000L);
}

#define LINE_MAX_BYTES 2048

/* The start of a line: timestamp and level; returns its length. */
static size_t put_prefix(char *line, enum lk_log_level lvl)
{
    size_t n = put_time(line, LINE_MAX_BYTES - 64);
    size_t l = strlen(level_names[lvl]);

    memcpy(line + n, " level=", 7);
    n += 7;
    memcpy(line + n, level_names[lvl], l);
    n += l;
    line[n++] = ' ';
    return n;
}

/* End the line of n bytes (at most LINE_MAX_BYTES - 2) and send it. */
static void emit(enum lk_log_level lvl, char *line, size_t n)
{
    line[n++] = '\n';
    line[n] = '\0';
    if (sink.fn != NULL)
        sink.fn(sink.arg, lvl, line, n);
    else if (write(STDERR_FILENO, line, n) < 0)
        return;
}

void lk_log(enum lk_log_level lvl, const char *fmt, ...)
{
    char line[LINE_MAX_BYTES];
    size_t n;
    int m;
    va_list ap;

    if (lvl < sink.min)
        return;
    n = put_prefix(line, lvl);
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    n += (size_t)m;
    if (n > sizeof(line) - 2)
        n = sizeof(line) - 2;
    emit(lvl, line, n);
}

void lk_log_text(enum lk_log_level lvl, const char *text, size_t len)
{
    char line[LINE_MAX_BYTES];
    size_t n;

    if (lvl < sink.min)
        return;
    n = put_prefix(line, lvl);
    if (len > sizeof(line) - 2 - n)
        len = sizeof(line) - 2 - n;
    memcpy(line + n, text, len);
    emit(lvl, line, n + len);
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
