/*
 * test_clock.c: lk_now never shows a second that CLOCK_REALTIME has
 * already left behind. glibc's time() does, for up to a tick after each
 * second begins, which made a PyJWT token with iat = now look issued in
 * the future to `latchkey token verify` (seen once in a full test run).
 */
#include <stdint.h>
#include <time.h>

#include "latchkey/lk_common.h"
#include "tap.h"

int main(void)
{
    struct timespec before;
    time_t start = 0;
    long checks = 0, behind = 0, boundaries = 0;
    int64_t last = 0, n;

    /* across two second boundaries (about 1 to 2 s) */
    while (boundaries < 2) {
        clock_gettime(CLOCK_REALTIME, &before);
        if (start == 0)
            start = before.tv_sec;
        n = lk_now();
        behind += n < (int64_t)before.tv_sec;
        boundaries += last != 0 && n != last;
        last = n;
        checks++;
    }
    ok(behind == 0, "lk_now was behind CLOCK_REALTIME %ld times in %ld "
       "checks across 2 second boundaries", behind, checks);
    ok(last - (int64_t)start >= 2 && last - (int64_t)start <= 3,
       "and it advanced with it (%lld s)", (long long)(last - start));
    return tap_done();
}
