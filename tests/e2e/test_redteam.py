"""Regression tests for the red-team findings: request framing that
could smuggle a second request, early refusals, NUL bytes in paths and
form values, 405 Allow on slashed paths, a FIFO as a key file, and the
request time limit on idle keep-alive connections."""
import os
import socket
import time

import pytest
import requests

from conftest import database_for


def raw(port, data, timeout=5):
    """Send bytes, read until the server closes or goes quiet."""
    out = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                out += b
        except socket.timeout:
            out += b"<<TIMEOUT>>"
    return out


SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
FORM = b"Content-Type: application/x-www-form-urlencoded\r\n"


@pytest.mark.parametrize("framing", [
    b"Content-Length: 0\r\nContent-Length: %d\r\n" % len(SMUGGLED),
    b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
    b"Content-Length : %d\r\n" % len(SMUGGLED),
])
def test_ambiguous_framing_is_400_and_closes(demo, framing):
    out = raw(demo.port, b"POST /token HTTP/1.1\r\nHost: x\r\n" + FORM +
              framing + b"\r\n" + SMUGGLED)
    assert out.startswith(b"HTTP/1.1 400"), out[:200]
    assert out.count(b"HTTP/1.1 ") == 1, out
    assert b"/smuggled" not in demo.log_text().encode()


def test_large_body_refused_before_it_is_sent(demo):
    out = raw(demo.port, b"POST /token HTTP/1.1\r\nHost: x\r\n" + FORM +
              b"Content-Length: 100000\r\nExpect: 100-continue\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 413"), out[:200]
    assert b"100 Continue" not in out
    assert b'"detail"' in out


def test_nul_in_path_matches_nothing(demo):
    tok = demo.token()
    for path in ("/users/me%00", "/users/me%00x",
                 "/docs/swagger/swagger-ui.css%00.js"):
        r = requests.get(demo.url + path, timeout=10,
                         headers={"Authorization": "Bearer " + tok})
        assert r.status_code == 404, path


def test_nul_in_grant_type_and_scope(demo):
    for body, error in (
            ("grant_type=password%00blah&username=janedoe"
             "&password=hashsecret", "unsupported_grant_type"),
            ("username=janedoe&password=hashsecret&scope=me%00admin",
             "invalid_scope")):
        r = requests.post(demo.url + "/token", data=body, timeout=30,
                          headers={"Content-Type":
                                   "application/x-www-form-urlencoded"})
        assert r.status_code == 400
        assert r.json()["error"] == error


def test_405_allow_on_slashed_paths(demo):
    r = requests.post(demo.url + "/users/me/", timeout=10)
    assert r.status_code == 405 and r.headers["Allow"] == "GET"
    r = requests.get(demo.url + "/token/", timeout=10)
    assert r.status_code == 405 and r.headers["Allow"] == "POST"


def test_fifo_key_file_refused(make_server):
    fifo = make_server.tmp / "key.fifo"
    os.mkfifo(fifo, 0o600)
    s = make_server(args=("--demo", "--secret-key-file", str(fifo)),
                    start=False)
    with pytest.raises(AssertionError):
        s.start(timeout=10)
    s.proc = None
    assert "is not a regular file" in s.log_text()


def test_idle_keep_alive_does_not_count_against_request(make_server):
    s = make_server(args=("--demo", "--request-timeout", "2",
                          "--timeout", "5"))
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as c:
        c.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
        first = c.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        while b"\r\n\r\n" in first and len(first) < 2000:
            first += c.recv(65536)
        time.sleep(2.6)
        c.sendall(b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while b"HTTP/1.1 404" not in data:
            chunk = c.recv(65536)
            assert chunk, "connection cut while idle"
            data += chunk


def test_files_are_private(demo):
    files = [demo.data_dir / "secret.key"]
    if database_for(demo.data_dir) is None:
        files.append(demo.data_dir / "latchkey.db")
    for f in files:
        assert f.stat().st_mode & 0o777 == 0o600, f
