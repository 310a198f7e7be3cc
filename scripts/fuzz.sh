#!/bin/sh
# fuzz.sh: build the libFuzzer targets (clang, ASan+UBSan) and run each
# for a bounded time on a scratch copy of its committed seed corpus.
# Exits non-zero if any target crashed, leaked or timed out; the input
# that did it is left in $FUZZ_DIR/artifacts/.
#
#   FUZZ_SECONDS   run time per target (default 10)
#   FUZZ_TIMEOUT   seconds one input may take (default 5; pwhash: 2,
#                  since one slow stored hash is itself a bug)
#   FUZZ_TARGETS   space-separated subset (default: every fuzz_*.c)
#   FUZZ_DIR       build directory (default build-fuzz)
set -u
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-10}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-5}
FUZZ_DIR=${FUZZ_DIR:-build-fuzz}
JOBS=${JOBS:-$(nproc)}
if [ -z "${FUZZ_TARGETS:-}" ]; then
    FUZZ_TARGETS=$(ls tests/fuzz/fuzz_*.c | sed 's|.*/||; s|\.c$||')
fi

CC=clang cmake -S . -B "$FUZZ_DIR" -DLATCHKEY_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
# shellcheck disable=SC2086
cmake --build "$FUZZ_DIR" -j "$JOBS" --target $FUZZ_TARGETS >/dev/null \
    || { echo "fuzz.sh: build failed" >&2; exit 1; }

mkdir -p "$FUZZ_DIR/artifacts"
failed=""
for t in $FUZZ_TARGETS; do
    work="$FUZZ_DIR/corpus/$t"
    mkdir -p "$work"
    timeout=$FUZZ_TIMEOUT
    [ "$t" = fuzz_pwhash ] && timeout=${FUZZ_PW_TIMEOUT:-10}
    dict=""
    [ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
    echo "fuzz.sh: $t for ${FUZZ_SECONDS}s (timeout ${timeout}s per input)"
    # shellcheck disable=SC2086
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    "./$FUZZ_DIR/$t" -max_total_time="$FUZZ_SECONDS" \
        -timeout="$timeout" -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 \
        -artifact_prefix="$FUZZ_DIR/artifacts/$t-" $dict \
        "$work" "tests/fuzz/corpus/$t" >"$FUZZ_DIR/$t.log" 2>&1
    rc=$?
    grep -E "^stat::number_of_executed_units|^Done" "$FUZZ_DIR/$t.log"
    if [ $rc -ne 0 ]; then
        echo "fuzz.sh: $t FAILED (exit $rc); log $FUZZ_DIR/$t.log:" >&2
        grep -E "ERROR|SUMMARY|Test unit written|ALARM" \
            "$FUZZ_DIR/$t.log" | head -5 >&2
        failed="$failed $t"
    fi
done
if [ -n "$failed" ]; then
    echo "fuzz.sh: failures:$failed" >&2
    exit 1
fi
echo "fuzz.sh: all targets ran clean"
