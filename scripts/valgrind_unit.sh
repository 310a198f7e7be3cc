#!/bin/sh
# Run every unit test binary of a build under valgrind memcheck; fails on
# any memory error or definite leak. LATCHKEY_QUICK=1 skips the one
# 2^24-iteration PBKDF2 vector, which valgrind would take many minutes on.
set -u
build=${1:-build}
failed=""
for t in "$build"/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    if LATCHKEY_QUICK=1 LATCHKEY_TIME_SCALE=100 valgrind --quiet --error-exitcode=99 \
        --leak-check=full --errors-for-leak-kinds=definite \
        "$t" > "$build/$name.valgrind.log" 2>&1; then
        echo "valgrind: $name ok"
    else
        echo "valgrind: $name FAILED (see $build/$name.valgrind.log)"
        tail -30 "$build/$name.valgrind.log"
        failed="$failed $name"
    fi
done
[ -z "$failed" ] || { echo "valgrind failures:$failed"; exit 1; }
