-- wrk script for bench/http_bench.py. BENCH_MODE=me sends
-- GET /users/me with the bearer token in BENCH_TOKEN; BENCH_MODE=login
-- sends POST /token with the demo user's form. At the end it prints one
-- machine-readable line that the driver parses.
local mode = os.getenv("BENCH_MODE") or "me"

if mode == "login" then
    wrk.method = "POST"
    wrk.path = "/token"
    wrk.body = "grant_type=password&username=janedoe&password=hashsecret"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
else
    wrk.method = "GET"
    wrk.path = "/users/me"
    wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN")
                                                 or "")
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d " ..
        "max_us=%d non2xx=%d sockerr=%d\n",
        summary.requests, summary.duration, latency:percentile(50),
        latency:percentile(99), latency.max, e.status,
        e.connect + e.read + e.write + e.timeout))
end
