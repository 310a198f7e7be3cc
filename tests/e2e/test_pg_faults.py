"""PostgreSQL goes away under load and comes back: requests that need
the store get 503 with Retry-After and a JSON body, none waits past the
configured timeout, the process stays up and recovers by itself. The
test runs its own cluster (scripts/pg_cluster.sh), since it stops it.
Runs in `make e2e-pg` only."""
import pathlib
import shutil
import subprocess
import tempfile
import threading
import time

import pytest
import requests

from conftest import PG_ADMIN_URL, ROOT, url_with_db

pytestmark = pytest.mark.skipif(
    PG_ADMIN_URL is None, reason="needs PostgreSQL (make e2e-pg)")

SCRIPT = str(ROOT / "scripts" / "pg_cluster.sh")
DB_TIMEOUT_MS = 1000
# A request makes at most two store calls (login: read, then maybe a
# hash upgrade), each bounded by --db-timeout-ms; the rest is margin.
HTTP_TIMEOUT = 2 * DB_TIMEOUT_MS / 1000 + 3


def cluster_cmd(verb, path):
    p = subprocess.run([SCRIPT, verb, str(path)], capture_output=True,
                       timeout=90)
    assert p.returncode == 0, p.stderr
    return p.stdout.decode().strip()


@pytest.fixture
def private_pg():
    """A cluster of this test's own, stopped and removed at the end. Its
    directory sits right under /tmp: the cluster's unprivileged owner
    must reach it, and the socket path must stay short."""
    d = pathlib.Path(tempfile.mkdtemp(prefix="latchkey-pgf."))
    try:
        url = cluster_cmd("start", d)
        yield d, url
    finally:
        cluster_cmd("stop", d)
        shutil.rmtree(d, ignore_errors=True)


def check_answer(r):
    """200, or 503 with Retry-After and a JSON detail."""
    if r.status_code == 200:
        return "ok"
    assert r.status_code == 503, (r.status_code, r.text)
    assert r.headers.get("Retry-After", "").isdigit()
    assert r.headers["Content-Type"].startswith("application/json")
    assert isinstance(r.json()["detail"], str)
    return "unavailable"


class Load:
    """Threads that keep asking /users/me and /token, recording every
    outcome; a request past HTTP_TIMEOUT raises and is recorded too."""

    def __init__(self, base, tok, threads=6):
        self.base, self.tok = base, tok
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.seen, self.failures = [], []
        self.threads = [threading.Thread(target=self.run, args=(i,))
                        for i in range(threads)]

    def one(self, i):
        if i % 3 == 0:
            return requests.post(self.base + "/token", timeout=HTTP_TIMEOUT,
                                 data={"username": "janedoe",
                                       "password": "hashsecret"})
        return requests.get(self.base + "/users/me", timeout=HTTP_TIMEOUT,
                            headers={"Authorization": "Bearer " + self.tok})

    def run(self, i):
        while not self.stop_flag.is_set():
            started = time.monotonic()
            try:
                outcome = check_answer(self.one(i))
            except Exception as e:        # timeouts and wrong answers
                with self.lock:
                    self.failures.append(repr(e))
                continue
            with self.lock:
                self.seen.append((started, outcome, i % 3 == 0))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        for t in self.threads:
            t.join(HTTP_TIMEOUT + 5)

    def outcomes_since(self, t0):
        """Outcomes of the requests started at t0 or later."""
        with self.lock:
            return [o for t, o, _ in self.seen if t >= t0]


def test_store_outage_and_recovery(private_pg, make_server):
    d, admin = private_pg
    subprocess.run(["psql", "-X", "-q", "-d", admin, "-c",
                    "CREATE DATABASE faults"], check=True, timeout=60)
    url = url_with_db(admin, "faults")
    s = make_server(args=("--demo", "--database", url, "--db-pool", "4",
                          "--db-timeout-ms", str(DB_TIMEOUT_MS)),
                    name="faults", start=False)
    s.start()
    tok = s.token()
    with Load(s.url, tok) as load:
        time.sleep(1.0)
        assert "unavailable" not in load.outcomes_since(0)
        cluster_cmd("stop", d)
        down = time.monotonic()
        time.sleep(3.0)
        # bearer requests may use a user record cached up to 500 ms
        # (--user-cache-ms) before the outage; after that, every request
        # that needs the store must get 503
        during = load.outcomes_since(down + 0.6)
        assert during and set(during) == {"unavailable"}, set(during)
        assert s.proc.poll() is None
        cluster_cmd("restart", d)
        up = time.monotonic()
        while time.monotonic() - up < 20:
            recent = load.outcomes_since(time.monotonic() - 0.5)
            if recent and set(recent) == {"ok"}:
                break
            time.sleep(0.2)
        recovered = time.monotonic()
        time.sleep(1.0)
        after = load.outcomes_since(recovered)
    assert not load.failures, load.failures[:5]
    assert after and set(after) == {"ok"}, set(after)
    assert s.proc.poll() is None
    assert s.get("/users/me", tok).status_code == 200
    assert "password=" not in s.log_text()
