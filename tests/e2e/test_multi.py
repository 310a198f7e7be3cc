"""Several latchkey processes on one PostgreSQL database with one shared
key file, behind nginx as a round-robin load balancer configured by
docs/nginx-upstream.conf. Runs in `make e2e-pg` only."""
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest
import requests

from conftest import (BIN, PG_ADMIN_URL, ROOT, database_for, free_port,
                      share_database, store_query)

pytestmark = pytest.mark.skipif(
    PG_ADMIN_URL is None or shutil.which("nginx") is None,
    reason="needs PostgreSQL (make e2e-pg) and nginx")

DJANGO = ("pbkdf2_sha256$260000$CaseSalt260000$"
          "hwfrg+cjPQrf7cLLXxzXIopXnBY3T91WdKcQGOMX9fQ=")
DJANGO_PW = "case-pass-22"


class Nginx:
    """nginx with its own prefix, config and logs in a temp dir; not a
    daemon, stopped by its PID."""

    def __init__(self, tmp, upstream_ports):
        self.dir = pathlib.Path(tmp) / "nginx"
        self.dir.mkdir()
        self.port = free_port()
        example = (ROOT / "docs" / "nginx-upstream.conf").read_text()
        ports = iter(str(p) for p in upstream_ports)
        site = re.sub(r"127\.0\.0\.1:800[12]",
                      lambda m: "127.0.0.1:" + next(ports), example)
        site = site.replace("listen 127.0.0.1:8000",
                            f"listen 127.0.0.1:{self.port}")
        # Every example address replaced (a random port such as 38001
        # may contain "8001", so look for the whole address).
        assert f"listen 127.0.0.1:{self.port};" in site
        assert not re.search(r"127\.0\.0\.1:800[012]\b", site), site
        d = self.dir
        conf = (f"daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\n"
                f"error_log {d}/error.log info;\n"
                "events { worker_connections 256; }\n"
                f"http {{\n  access_log {d}/access.log;\n"
                f"  client_body_temp_path {d}/body;\n"
                f"  proxy_temp_path {d}/proxy;\n"
                f"  fastcgi_temp_path {d}/fastcgi;\n"
                f"  uwsgi_temp_path {d}/uwsgi;\n"
                f"  scgi_temp_path {d}/scgi;\n"
                f"{site}\n}}\n")
        self.conf = d / "nginx.conf"
        self.conf.write_text(conf)
        self.log = open(d / "stderr.log", "wb")
        self.proc = subprocess.Popen(
            ["nginx", "-c", str(self.conf), "-p", str(d),
             "-e", str(d / "error.log")],
            stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (d / "stderr.log").read_text()
            try:
                with socket.create_connection(("127.0.0.1", self.port),
                                              timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError("nginx did not start")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def cluster(make_server):
    """Two latchkey processes, one database, one key file, and nginx."""
    tmp = make_server.tmp
    key = tmp / "shared.key"
    key.write_text(os.urandom(32).hex() + "\n")
    key.chmod(0o600)
    share_database(tmp / "a", tmp / "b")
    args = ("--demo", "--secret-key-file", str(key))
    a = make_server(args=args, name="a")
    b = make_server(args=args, name="b")
    lb = Nginx(tmp, [a.port, b.port])
    yield a, b, lb
    lb.stop()


def bearer(tok):
    return {"Authorization": "Bearer " + tok}


def test_both_processes_use_postgresql(cluster):
    a, b, _ = cluster
    url = database_for(a.data_dir)
    assert database_for(b.data_dir) == url
    for s in (a, b):
        assert 'store="postgresql://postgres@127.0.0.1:' in s.log_text()


def test_url_password_never_logged(make_server):
    """The test cluster trusts loopback, so the password is ignored by
    the server; latchkey must still not print it anywhere."""
    plain = database_for(make_server.tmp / "pw")
    url = plain.replace("postgres@", "postgres:Sekr1t-pw@", 1)
    assert url != plain
    s = make_server(args=("--demo", "--database", url), name="pw")
    assert s.token()
    text = s.log_text()
    assert "Sekr1t" not in text
    assert 'store="postgresql://postgres@127.0.0.1:' in text
    p = subprocess.run([BIN, "db", "status", "--database", url],
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert b"Sekr1t" not in p.stdout + p.stderr
    bad = url.rsplit("/", 1)[0] + "/no_such_db"
    p = subprocess.run([BIN, "db", "status", "--database", bad],
                       capture_output=True, timeout=60)
    assert p.returncode == 1
    assert b"no_such_db" in p.stderr and b"Sekr1t" not in p.stderr


def test_token_from_one_accepted_by_other(cluster):
    a, b, lb = cluster
    ta, tb = a.token(), b.token()
    assert b.get("/users/me", ta).status_code == 200
    assert a.get("/users/me", tb).json()["username"] == "janedoe"
    r = requests.post(lb.url + "/token", timeout=30,
                      data={"username": "janedoe", "password": "hashsecret"})
    assert r.status_code == 200, r.text
    tok = r.json()["access_token"]
    for _ in range(6):
        r = requests.get(lb.url + "/users/me", headers=bearer(tok),
                         timeout=30)
        assert r.status_code == 200, r.text
    # round robin: both processes answered through nginx
    for s in (a, b):
        assert s.log_text().count('path="/users/me" status=200') >= 3


def test_disable_reaches_every_process_within_a_second(cluster):
    a, b, lb = cluster
    tok = a.token()
    for s in (a, b):
        assert s.get("/users/me", tok).status_code == 200
    a.cli("user", "disable", "janedoe")
    t0 = time.monotonic()
    pending = {a.url, b.url}
    while pending and time.monotonic() - t0 < 1.0:
        for url in list(pending):
            r = requests.get(url + "/users/me", headers=bearer(tok),
                             timeout=5)
            if r.status_code == 400:
                assert r.json() == {"detail": "Inactive user"}
                pending.discard(url)
    assert not pending, f"still active after 1 s: {pending}"
    r = requests.get(lb.url + "/users/me", headers=bearer(tok), timeout=5)
    assert r.status_code == 400
    b.cli("user", "enable", "janedoe")
    t0 = time.monotonic()        # users are cached for up to 500 ms
    while a.get("/users/me", tok).status_code != 200:
        assert time.monotonic() - t0 < 1.0, "still refused after 1 s"
        time.sleep(0.05)


def test_throttling_counts_across_processes(cluster):
    """Failures through either process add up in the shared store:
    five wrong passwords, split over the two, lock the address on both
    (default threshold 5)."""
    a, b, _ = cluster
    for s in (a, b, a, b, a):
        assert s.login(password="wrong").status_code == 401
    for s in (a, b):
        r = s.login()
        assert r.status_code == 429, r.text
        assert int(r.headers["Retry-After"]) >= 1


def test_concurrent_upgrades_through_two_processes(cluster):
    a, b, _ = cluster
    a.cli("user", "add", "dj", "--password-hash", DJANGO)
    start = threading.Barrier(2)
    results = {}

    def login(s):
        start.wait()
        results[s.port] = s.login("dj", DJANGO_PW).status_code

    threads = [threading.Thread(target=login, args=(s,)) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == {a.port: 200, b.port: 200}
    rows = store_query(a.data_dir, "SELECT password_hash FROM users "
                       "WHERE username = ?", ("dj",))
    assert len(rows) == 1
    final = rows[0][0]
    assert final.startswith("$2b$12$") and len(final) == 60
    upgrades = sum(s.log_text().count("event=hash_upgraded user=\"dj\"")
                   for s in (a, b))
    assert upgrades == 1       # the loser's compare-and-swap changed nothing
    for s in (a, b):
        assert s.login("dj", DJANGO_PW).status_code == 200
    assert store_query(a.data_dir, "SELECT password_hash FROM users "
                       "WHERE username = ?", ("dj",))[0][0] == final
