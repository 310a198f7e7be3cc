/*
 * test_log.c: the log timestamp against gmtime_r, and the buffered
 * sink (batching, order, warnings at once, flush on free).
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "latchkey/lk_log.h"
#include "latchkey/lk_logbuf.h"
#include "tap.h"

/* The timestamp of sec as strftime with gmtime_r writes it. */
static void reference(int64_t sec, long ms, char *out, size_t cap)
{
    time_t t = (time_t)sec;
    struct tm tm;
    char date[24];

    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, cap, "%s.%03ldZ", date, ms);
}

static void timestamps(void)
{
    static const int64_t fixed[] = {
        0, 59, 86399, 86400, 951782400 /* 2000-02-29 */,
        951868799, 4107542400LL /* 2100-03-01 */, 1796398926,
        253402300799LL /* 9999-12-31T23:59:59 */,
    };
    char got[32], want[64];
    int64_t s;
    size_t i, bad = 0, n = 0;

    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        lk_log_rfc3339(got, sizeof(got), fixed[i], 7);
        reference(fixed[i], 7, want, sizeof(want));
        ok(strcmp(got, want) == 0, "%lld: %s (gmtime_r %s)",
           (long long)fixed[i], got, want);
    }
    /* A day and an hour apart from 1970 to 2500, so the time of day
     * moves through every hour. */
    for (s = 0; s < 16725225600LL; s += 86400 + 3607) {
        n++;
        if (lk_log_rfc3339(got, sizeof(got), s, 999) != 24)
            bad++;
        reference(s, 999, want, sizeof(want));
        bad += strcmp(got, want) != 0;
    }
    ok(bad == 0 && n > 185000, "%zu dates 1970-2500 match gmtime_r (%zu "
       "differ)", n, bad);
    ok(lk_log_rfc3339(got, sizeof(got), -1, 0) == 0 &&
       lk_log_rfc3339(got, sizeof(got), 253402300800LL, 0) == 0 &&
       lk_log_rfc3339(got, 24, 0, 0) == 0 &&
       lk_log_rfc3339(got, sizeof(got), 0, 1000) == 0,
       "out of range refused");
}

/* What the read end of the pipe holds now (non-blocking). */
static size_t drain(int fd, char *out, size_t cap)
{
    ssize_t r = read(fd, out, cap - 1);

    out[r > 0 ? r : 0] = '\0';
    return r > 0 ? (size_t)r : 0;
}

static void buffered(void)
{
    struct lk_logbuf *lb;
    struct timespec pause = {0, 300 * 1000000L};
    char buf[256];
    int p[2];

    if (!ok(pipe(p) == 0 && fcntl(p[0], F_SETFL, O_NONBLOCK) == 0,
            "pipe"))
        return;
    ok(lk_logbuf_new(p[1], 200, &lb) == LK_OK, "new, flush 200 ms");
    lk_logbuf_sink(lb, LK_LOG_INFO, "a\n", 2);
    lk_logbuf_sink(lb, LK_LOG_INFO, "b\n", 2);
    ok(drain(p[0], buf, sizeof(buf)) == 0, "info lines wait");
    lk_logbuf_sink(lb, LK_LOG_WARN, "w\n", 2);
    ok(drain(p[0], buf, sizeof(buf)) == 6 && strcmp(buf, "a\nb\nw\n") == 0,
       "a warning writes the pending lines, then itself, at once");
    lk_logbuf_sink(lb, LK_LOG_INFO, "c\n", 2);
    nanosleep(&pause, NULL);
    ok(drain(p[0], buf, sizeof(buf)) == 2 && strcmp(buf, "c\n") == 0,
       "the flusher writes an info line within flush_ms");
    lk_logbuf_sink(lb, LK_LOG_INFO, "d\n", 2);
    lk_logbuf_free(lb);
    ok(drain(p[0], buf, sizeof(buf)) == 2 && strcmp(buf, "d\n") == 0,
       "free writes what is pending");
    ok(lk_logbuf_new(p[1], 0, &lb) == LK_OK, "new, flush 0");
    lk_logbuf_sink(lb, LK_LOG_INFO, "e\n", 2);
    ok(drain(p[0], buf, sizeof(buf)) == 2, "flush 0 writes at once");
    lk_logbuf_free(lb);
    close(p[0]);
    close(p[1]);
}

/* Many lines through a small pipe reader: every line once, in order. */
static void many(void)
{
    struct lk_logbuf *lb;
    char line[64], got[64];
    FILE *in;
    int p[2], i, bad = 0;

    if (!ok(pipe(p) == 0, "pipe") ||
        !ok(lk_logbuf_new(p[1], 50, &lb) == LK_OK, "new"))
        return;
    if (fork() == 0) {       /* a reader, so that the pipe never fills */
        close(p[1]);
        in = fdopen(p[0], "r");
        for (i = 0; i < 20000; i++) {
            snprintf(line, sizeof(line), "line %d\n", i);
            if (fgets(got, sizeof(got), in) == NULL ||
                strcmp(got, line) != 0)
                _exit(1);
        }
        _exit(fgets(got, sizeof(got), in) == NULL ? 0 : 2);
    }
    close(p[0]);
    for (i = 0; i < 20000; i++) {
        int n = snprintf(line, sizeof(line), "line %d\n", i);
        lk_logbuf_sink(lb, LK_LOG_INFO, line, (size_t)n);
    }
    lk_logbuf_free(lb);
    close(p[1]);
    {
        int status = -1;
        wait(&status);
        bad = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    ok(!bad, "20000 lines (past several full buffers) arrive once, in "
       "order");
}

int main(void)
{
    timestamps();
    buffered();
    many();
    return tap_done();
}
