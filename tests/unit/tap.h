/*
 * tap.h: a tiny TAP producer for the unit tests. Each test program
 * prints "ok N - name" / "not ok N - name" lines and a plan, and exits
 * non-zero if anything failed, which is what CTest reads.
 */
#ifndef LATCHKEY_TAP_H
#define LATCHKEY_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_run, tap_failed;

/* Record one check; prints the TAP line and returns cond. */
static int tap_ok(int cond, const char *file, int line,
                  const char *fmt, ...)
    __attribute__((format(printf, 4, 5), unused));
static int tap_ok(int cond, const char *file, int line,
                  const char *fmt, ...)
{
    va_list ap;

    tap_run++;
    if (!cond)
        tap_failed++;
    printf("%sok %d - ", cond ? "" : "not ", tap_run);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (!cond)
        printf("  # at %s:%d", file, line);
    putchar('\n');
    return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* Print the plan and return the exit status for main(). */
static int tap_done(void) __attribute__((unused));
static int tap_done(void)
{
    printf("1..%d\n", tap_run);
    if (tap_failed)
        printf("# %d of %d checks failed\n", tap_failed, tap_run);
    return tap_failed == 0 && tap_run > 0 ? 0 : 1;
}

/* Path of a file under ../shared (LATCHKEY_SHARED overrides). */
static const char *tap_shared(const char *rel, char *buf, size_t cap)
    __attribute__((unused));
static const char *tap_shared(const char *rel, char *buf, size_t cap)
{
    const char *base = getenv("LATCHKEY_SHARED");

    snprintf(buf, cap, "%s/%s", base ? base : "../shared", rel);
    return buf;
}

#endif
