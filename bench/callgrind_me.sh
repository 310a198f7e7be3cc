#!/bin/sh
# Instructions per GET /users/me, free of the noise of a shared machine:
# runs latchkey under callgrind on a free loopback port, sends N
# keep-alive requests with a bearer token (one client, so the run is
# bounded), stops the server by PID and prints the inclusive counts of
# the request path divided by N. A measurement, not a test.
#
# usage: bench/callgrind_me.sh [LATCHKEY_BIN] [N]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/latchkey}
n=${2:-3000}
py=/usr/bin/python3
dir=$(mktemp -d)
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LATCHKEY_SECRET_KEY=$($py -c 'import secrets; print(secrets.token_hex(32))') \
    valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" \
    "$bin" serve --demo --data-dir "$dir/data" \
    --listen "127.0.0.1:$port" 2>"$dir/server.log" &
pid=$!
$py - "$port" "$n" <<'PY'
import http.client, json, sys, time, urllib.parse
port, n = int(sys.argv[1]), int(sys.argv[2])
for _ in range(600):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        c.request("POST", "/token", urllib.parse.urlencode(
            {"username": "janedoe", "password": "hashsecret"}),
            {"Content-Type": "application/x-www-form-urlencoded"})
        tok = json.loads(c.getresponse().read())["access_token"]
        break
    except OSError:
        time.sleep(0.2)
for _ in range(n):
    c.request("GET", "/users/me", headers={"Authorization": "Bearer " + tok})
    r = c.getresponse()
    r.read()
    assert r.status == 200
PY
kill "$pid"
wait "$pid" || true
callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$dir/cg.out" 2>/dev/null | $py -c '
import re, sys
n = int(sys.argv[1])
want = [("HTTP thread (evloop http_main)", r"evloop.c:http_main \["),
        ("on_request (latchkey)", r"server.c:on_request \["),
        ("lk_jwt_verify_cached", r"jwt_cache.c:lk_jwt_verify_cached \["),
        ("  full verification (misses)", r"jwt.c:lk_jwt_verify_times \["),
        ("get_user (SQLite)", r"store_sqlite.c:sq_get_user \["),
        ("on_completed (log line)", r"server.c:on_completed \["),
        ("lk_log_text", r"log.c:lk_log_text \["),
        ("memset (libmicrohttpd pool)", r"__memset_avx2_unaligned_erms \[")]
rows = {}
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(.*)", line)
    if not m:
        continue
    for label, pat in want:
        if label not in rows and re.search(pat, m.group(2)):
            rows[label] = int(m.group(1).replace(",", ""))
for label, _ in want:
    v = rows.get(label)
    print(f"{label:36s} {v / n if v else 0:10.0f} instructions/request")
' "$n"
rm -rf "$dir"
