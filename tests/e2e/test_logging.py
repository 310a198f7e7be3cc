"""The operator's log: the client address of each request line, and the
buffered writer (--log-flush-ms): info lines arrive within the flush
interval, warnings at once, and 0 writes every line at once."""
import socket
import time

from conftest import SLOW


def raw_get(server, source, path="/users/me"):
    """One GET from a given loopback source address; the status line."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10,
                                  source_address=(source, 0)) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n"
                  "Connection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    return data.split(b"\r\n", 1)[0]


def wait_for(server, text, timeout):
    """Seconds until text appears in the log file (read directly, without
    the fixture's flush wait), or None."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if text in server.log_path.read_text(errors="replace"):
            return time.monotonic() - start
        time.sleep(0.005)
    return None


def test_client_address_in_request_line(demo):
    for source in ("127.45.6.189", "127.0.10.2", "127.200.99.9"):
        assert raw_get(demo, source) == b"HTTP/1.1 401 Unauthorized"
    assert wait_for(demo, "client=127.200.99.9\n", 5 * SLOW) is not None
    text = demo.log_text()
    for source in ("127.45.6.189", "127.0.10.2", "127.200.99.9"):
        assert (f'path="/users/me" status=401 us=' in text and
                f"client={source}\n" in text), text[-2000:]


def test_info_lines_batched_within_flush_interval(make_server):
    s = make_server(args=("--demo", "--log-flush-ms", "400"))
    assert raw_get(s, "127.0.0.1", "/flush-probe") == \
        b"HTTP/1.1 404 Not Found"
    late = wait_for(s, 'path="/flush-probe"', 3.0)
    assert late is not None
    assert 0.2 < late < 1.0, late     # held back, then written by 400 ms


def test_flush_zero_writes_each_line_at_once(make_server):
    s = make_server(args=("--demo", "--log-flush-ms", "0"))
    assert raw_get(s, "127.0.0.1", "/at-once") == b"HTTP/1.1 404 Not Found"
    late = wait_for(s, 'path="/at-once"', 3.0)
    assert late is not None and late < 0.2, late


def test_bad_flush_value_refused(make_server):
    s = make_server(start=False)
    p = s.cli("serve", "--log-flush-ms", "5000", check=False)
    assert p.returncode == 2
    assert b"--log-flush-ms must be a number in 0..1000" in p.stderr


def test_odd_method_logged_escaped(demo):
    """A method that is not an HTTP token cannot forge log text."""
    with socket.create_connection(("127.0.0.1", demo.port), timeout=10) as s:
        s.sendall(b'G"\x01T /users/me HTTP/1.1\r\nHost: x\r\n'
                  b"Connection: close\r\n\r\n")
        while s.recv(4096):
            pass
    line = 'method="G\\"\\x01T" path="/users/me"'
    assert wait_for(demo, line, 5 * SLOW) is not None, demo.log_text()
    text = demo.log_text()
    assert "\x01" not in text
