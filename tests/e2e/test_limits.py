"""HTTP limits: every refusal is a JSON {"detail": ...} answer, the
server keeps serving after it, slow clients are cut off without
starving others, and many keep-alive connections are all answered."""
import json
import resource
import socket
import threading
import time

import requests


def raw(server, data, timeout=10):
    """Send raw bytes, read until the server closes; (status, headers,
    body bytes)."""
    s = socket.create_connection(("127.0.0.1", server.port),
                                 timeout=timeout)
    try:
        s.sendall(data)
        got = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            got += chunk
    finally:
        s.close()
    head, _, body = got.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in
               (ln.partition(":") for ln in lines[1:])}
    return status, headers, body


def check_refusal(server, data, status, detail):
    st, hdrs, body = raw(server, data)
    assert st == status, (st, body)
    assert hdrs["content-type"].startswith("application/json")
    assert json.loads(body) == {"detail": detail}
    assert server.get("/users/me").status_code == 401   # still serving


def test_long_request_target_414(demo):
    check_refusal(demo, b"GET /users/me?" + b"a" * 5000 +
                  b" HTTP/1.1\r\nHost: x\r\n\r\n", 414,
                  "Request URI too long")
    check_refusal(demo, b"GET /" + b"p" * 5000 +
                  b" HTTP/1.1\r\nHost: x\r\n\r\n", 414,
                  "Request URI too long")


def test_too_many_header_fields_431(demo):
    fields = b"".join(b"X-F%d: v\r\n" % i for i in range(80))
    check_refusal(demo, b"GET /users/me HTTP/1.1\r\nHost: x\r\n" + fields +
                  b"\r\n", 431, "Too many header fields")


def test_header_bytes_431(demo):
    check_refusal(demo, b"GET /users/me HTTP/1.1\r\nHost: x\r\nX-Big: " +
                  b"a" * 16000 + b"\r\n\r\n", 431,
                  "Request header fields too large")
    # a long token alone is a bad token (401), not a refused request
    r = demo.get("/users/me", token="x" * 10000)
    assert r.status_code == 401


def test_two_authorization_headers_400(demo):
    tok = demo.token()
    req = ("GET /users/me HTTP/1.1\r\nHost: x\r\n"
           f"Authorization: Bearer {tok}\r\n"
           "authorization: Bearer other\r\n\r\n").encode()
    check_refusal(demo, req, 400, "More than one Authorization header")
    assert demo.get("/users/me", token=tok).status_code == 200


def test_body_limit_413_json(demo):
    r = requests.post(demo.url + "/token",
                      data="username=janedoe&password=" + "a" * 9000,
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded"},
                      timeout=30)
    assert r.status_code == 413
    assert r.json() == {"detail": "Request body too large"}
    assert demo.login().status_code == 200


def test_limits_are_flags(make_server):
    s = make_server(args=("--demo", "--max-url", "100", "--max-headers",
                          "8", "--body-max", "100", "--max-header-bytes",
                          "1024"))
    check_refusal(s, b"GET /" + b"p" * 150 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                  414, "Request URI too long")
    fields = b"".join(b"X-F%d: v\r\n" % i for i in range(10))
    check_refusal(s, b"GET / HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n",
                  431, "Too many header fields")
    check_refusal(s, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 2000 +
                  b"\r\n\r\n", 431, "Request header fields too large")
    r = requests.post(s.url + "/token", data="username=janedoe&password="
                      + "a" * 200, headers={
                          "Content-Type":
                          "application/x-www-form-urlencoded"}, timeout=30)
    assert r.status_code == 413


def test_connection_memory_follows_the_limits(make_server):
    """libmicrohttpd's memory per connection (cleared on every request)
    is sized from the limits: with small limits a head a little over
    them still gets our JSON answer, and one far over them is refused
    by libmicrohttpd itself (docs/KNOWN_BUGS.md), where the default
    limits' larger memory would still have held it."""
    s = make_server(args=("--demo", "--max-url", "100", "--max-headers",
                          "8", "--max-header-bytes", "1024"))
    check_refusal(s, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 3000 +
                  b"\r\n\r\n", 431, "Request header fields too large")
    st, hdrs, _ = raw(s, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " +
                      b"b" * 9000 + b"\r\n\r\n")
    assert st == 431 and "json" not in hdrs.get("content-type", ""), hdrs
    assert s.get("/users/me").status_code == 401
    check_refusal(make_server(args=("--demo",)),
                  b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                  b"X-Big: " + b"b" * 9000 + b"\r\n\r\n", 404, "Not Found")


def test_connection_limit_503(make_server):
    s = make_server(args=("--demo", "--max-connections", "20",
                          "--threads", "1"))
    held = []
    try:
        for _ in range(20):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            held.append(c)
        time.sleep(0.3)
        st, hdrs, body = raw(s, b"GET /users/me HTTP/1.1\r\nHost: x\r\n\r\n")
        assert st == 503
        assert json.loads(body) == {
            "detail": "Too many connections, try again later"}
        assert hdrs["retry-after"] == "1"
    finally:
        for c in held:
            c.close()
    time.sleep(0.3)
    assert s.get("/users/me").status_code == 401


def test_slow_clients_cut_and_others_served(make_server):
    s = make_server(args=("--demo", "--request-timeout", "3"))
    tok = s.token()
    stop = time.monotonic() + 10
    cut = []
    lock = threading.Lock()

    def slow():
        try:
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        except OSError:
            return
        try:
            for b in b"GET /users/me HTTP/1.1\r\nHost: x\r\n":
                if time.monotonic() > stop:
                    return
                c.sendall(bytes([b]))
                time.sleep(1)
        except OSError:
            with lock:
                cut.append(1)
        finally:
            c.close()

    threads = [threading.Thread(target=slow) for _ in range(200)]
    for t in threads:
        t.start()
    try:
        time.sleep(1)
        for _ in range(5):
            r = s.get("/users/me", token=tok)
            assert r.status_code == 200
            time.sleep(0.5)
    finally:
        for t in threads:
            t.join(timeout=20)
    assert len(cut) > 100, len(cut)   # the request time limit cut them
    assert s.get("/users/me", token=tok).status_code == 200


def test_request_past_time_limit_gets_408_json(make_server):
    """A request whose head is still arriving at --request-timeout gets
    a JSON 408 before the connection is closed; the time counts from
    the end of the previous request on a keep-alive connection."""
    s = make_server(args=("--demo", "--request-timeout", "2"))
    start = time.monotonic()
    status, headers, body = raw(s, b"GET /users/me HTTP/1.1\r\nHost: x\r\n",
                                timeout=10)
    took = time.monotonic() - start
    assert status == 408, (status, body)
    assert headers.get("content-type") == "application/json"
    assert json.loads(body) == {"detail": "Request timeout"}
    assert 1.5 < took < 4.5, took
    assert s.get("/openapi.json").status_code == 200
    assert "event=request_timeout limit_s=2 status=408" in s.log_text()


def test_thousand_keepalive_connections(make_server):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    s = make_server(args=("--demo", "--request-timeout", "60"))
    tok = s.token()
    req = (f"GET /users/me HTTP/1.1\r\nHost: x\r\n"
           f"Authorization: Bearer {tok}\r\n\r\n").encode()
    conns = []
    try:
        for _ in range(1000):
            conns.append(socket.create_connection(("127.0.0.1", s.port),
                                                  timeout=30))
        for rnd in range(2):      # two requests on each kept-alive one
            for c in conns:
                c.sendall(req)
            for c in conns:
                got = b""
                while b"\r\n\r\n" not in got or not got.endswith(b"}"):
                    chunk = c.recv(4096)
                    assert chunk, ("connection closed in round %d; server "
                                   "log: %s" % (rnd, s.log_text()[-3000:]))
                    got += chunk
                assert got.startswith(b"HTTP/1.1 200"), got[:100]
    finally:
        for c in conns:
            c.close()
    assert s.get("/users/me", token=tok).status_code == 200
