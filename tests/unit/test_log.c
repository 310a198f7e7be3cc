/*
 * test_log.c: the log timestamp against gmtime_r, lk_log_text, and the
 * buffered sink (batching, order, warnings at once, flush on free,
 * lines logged while a write is stuck).
 */
#define _GNU_SOURCE 1     /* F_SETPIPE_SZ */
#include <fcntl.h>
#include <pthread.h>
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

struct captured {
    char line[4096];
    size_t len;
    int calls;
};

static void capture(void *arg, enum lk_log_level lvl, const char *line,
                    size_t len)
{
    struct captured *c = arg;

    (void)lvl;
    c->calls++;
    c->len = len < sizeof(c->line) ? len : sizeof(c->line) - 1;
    memcpy(c->line, line, c->len);
    c->line[c->len] = '\0';
}

/* lk_log_text: the same line as lk_log("%s"), bounded, level-gated. */
static void text_lines(void)
{
    struct captured a = {.calls = 0}, b = {.calls = 0};
    const char *req = "method=GET path=\"/x\" status=200", *tail;
    char big[3000];

    lk_log_configure(capture, &a, LK_LOG_INFO);
    lk_log_text(LK_LOG_INFO, req, strlen(req));
    lk_log_configure(capture, &b, LK_LOG_INFO);
    lk_log(LK_LOG_INFO, "%s", req);
    tail = strstr(a.line, " level=info ");
    ok(a.calls == 1 && tail != NULL && b.len == a.len &&
       strcmp(tail, strstr(b.line, " level=info ")) == 0 &&
       strcmp(tail, " level=info method=GET path=\"/x\" status=200\n")
       == 0, "lk_log_text writes what lk_log(\"%%s\") does");
    memset(big, 'x', sizeof(big));
    lk_log_text(LK_LOG_WARN, big, sizeof(big));
    ok(b.calls == 2 && b.len == 2047 && b.line[2046] == '\n' &&
       b.line[2045] == 'x', "a long text is cut to a 2047-byte line");
    lk_log_text(LK_LOG_DEBUG, "hidden", 6);
    ok(b.calls == 2, "below the level nothing is written");
    lk_log_configure(NULL, NULL, LK_LOG_INFO);
}

struct stuck {
    struct lk_logbuf *lb;
    int first, count;
    volatile int done;
};

static void *log_lines(void *arg)
{
    struct stuck *s = arg;
    char line[64];
    int i;

    for (i = s->first; i < s->first + s->count; i++) {
        int n = snprintf(line, sizeof(line), "line %05d\n", i);
        lk_logbuf_sink(s->lb, LK_LOG_INFO, line, (size_t)n);
    }
    s->done = 1;
    return NULL;
}

/* While the flusher is stuck writing a full buffer into a pipe nobody
 * reads, lines still go into the other buffer without waiting; once
 * the pipe is read, every line arrives once, in order. */
static void stuck_stream(void)
{
    struct stuck s = {NULL, 0, 5000, 0};
    pthread_t t;
    char got[32], want[32];
    FILE *in;
    int p[2], i, waited = 0, bad = 0;

    if (!ok(pipe(p) == 0 && fcntl(p[1], F_SETPIPE_SZ, 4096) > 0,
            "a pipe of 4 KiB") ||
        !ok(lk_logbuf_new(p[1], 5, &s.lb) == LK_OK, "new"))
        return;
    log_lines(&s);                 /* 5000 x 11 bytes: most of a buffer */
    usleep(200000);                /* the flusher takes it, and blocks */
    s.first = 5000;
    s.done = 0;
    pthread_create(&t, NULL, log_lines, &s);
    while (!s.done && waited++ < 200)
        usleep(10000);
    ok(s.done, "5000 more lines logged while the write is stuck");
    in = fdopen(p[0], "r");
    for (i = 0; i < 10000 && !bad; i++) {
        snprintf(want, sizeof(want), "line %05d\n", i);
        bad = fgets(got, sizeof(got), in) == NULL || strcmp(got, want);
    }
    pthread_join(t, NULL);
    lk_logbuf_free(s.lb);
    close(p[1]);
    ok(!bad && fgets(got, sizeof(got), in) == NULL,
       "then all 10000 arrive once, in order (stopped at %d)", i);
    fclose(in);
}

int main(void)
{
    text_lines();
    stuck_stream();
    timestamps();
    buffered();
    many();
    return tap_done();
}
