#!/bin/sh
# run.sh: run every tests/browser/*.spec.mjs in Debian's Chromium via
# playwright-core (never downloads a browser), each bounded in time, and
# print a pytest-like closing line. Exit status is non-zero if any
# test failed. LATCHKEY_BIN picks the binary (default build/latchkey).
set -u
cd "$(dirname "$0")/../.."
LIMIT=${BROWSER_TEST_TIMEOUT:-180}
if [ ! -d node_modules/playwright-core ]; then
    echo "run.sh: node_modules/playwright-core is missing: run npm ci" >&2
    exit 2
fi
export LATCHKEY_BIN="${LATCHKEY_BIN:-$PWD/build/latchkey}"
if [ ! -x "$LATCHKEY_BIN" ]; then
    echo "run.sh: $LATCHKEY_BIN is missing: build first" >&2
    exit 2
fi
passed=0
failed=0
for spec in tests/browser/*.spec.mjs; do
    echo "== $spec"
    if timeout -k 10 "$LIMIT" node "$spec"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
