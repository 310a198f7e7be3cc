"""Fixtures for the end-to-end tests: a real latchkey process on a free
loopback port with a temporary data directory, stopped by its PID.

With LATCHKEY_TEST_DATABASE_URL set (an admin URL of a throw-away
PostgreSQL cluster, see scripts/pg_cluster.sh and `make e2e-pg`), every
data directory gets its own fresh PostgreSQL database, and the servers
and `latchkey user`/`db` commands of the tests use it through
--database; otherwise they use the SQLite file in the data directory.

With LATCHKEY_VALGRIND=1 (`make test-valgrind`), every latchkey process
started here (servers, and the commands run through run_latchkey and
run_cli) runs under valgrind memcheck, with a log file of its own; a
memory error or definite leak fails the test, log included. Waits for
the server grow by SLOW there, since valgrind starts in seconds and
runs the code several times slower."""
import os
import pathlib
import re
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.parse
import uuid

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("LATCHKEY_BIN", str(ROOT / "build" / "latchkey"))
SHARED = pathlib.Path(os.environ.get("LATCHKEY_SHARED",
                                     str(ROOT.parent / "shared")))
SANITIZED = os.environ.get("LATCHKEY_SANITIZED") == "1"
VALGRIND = os.environ.get("LATCHKEY_VALGRIND") == "1"
SLOW = 10 if VALGRIND else 1     # time bounds are multiplied by this
HTTP_TIMEOUT = 30 * SLOW
MEMCHECK = ["valgrind", "--quiet", "--error-exitcode=99",
            "--leak-check=full", "--errors-for-leak-kinds=definite",
            "--show-leak-kinds=definite"]
LOG_FLUSH_WAIT = 0.3   # > the server's default --log-flush-ms of 100


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memcheck(cmd, log_file):
    """cmd under valgrind memcheck writing to log_file (%p: the pid)
    when LATCHKEY_VALGRIND=1, else cmd."""
    if not VALGRIND:
        return list(cmd)
    return MEMCHECK + [f"--log-file={log_file}"] + list(cmd)


# With --quiet, valgrind writes only errors, leaks and warnings; an
# error or leak starts with an unindented line that is not a warning.
_VG_LINE = re.compile(r"^==\d+== (\S.*)$", re.M)


def memcheck_findings(log_files):
    """The text of the valgrind logs that report an error or a
    definite leak, or "" when there is none."""
    bad = []
    for f in log_files:
        try:
            text = pathlib.Path(f).read_text(errors="replace")
        except OSError:
            continue
        heads = [h for h in _VG_LINE.findall(text)
                 if not h.lower().startswith("warning")]
        if heads or "definitely lost" in text or \
                re.search(r"ERROR SUMMARY: [1-9]", text):
            bad.append(f"--- {f}\n{text}")
    return "\n".join(bad)


def run_latchkey(args, timeout=60, **kw):
    """subprocess.run([BIN] + args), under memcheck when
    LATCHKEY_VALGRIND=1 (failing on any finding); the timeout grows
    by SLOW."""
    if not VALGRIND:
        return subprocess.run([BIN] + list(args), timeout=timeout, **kw)
    with tempfile.NamedTemporaryFile(prefix="latchkey-memcheck-",
                                     suffix=".log") as log:
        p = subprocess.run(memcheck([BIN] + list(args), log.name),
                           timeout=timeout * SLOW, **kw)
        found = memcheck_findings([log.name])
    assert not found, f"memcheck: latchkey {args}:\n{found}"
    return p


PG_ADMIN_URL = os.environ.get("LATCHKEY_TEST_DATABASE_URL") or None
_databases = {}


def psql(url, sql, variables=None):
    """Run SQL (psql :'name' variables allowed) on url; returns the
    rows as lists of strings."""
    cmd = ["psql", "-X", "-q", "-A", "-t", "-F", "\x1f",
           "-v", "ON_ERROR_STOP=1", "-d", url, "-f", "-"]
    for k, v in (variables or {}).items():
        cmd[1:1] = ["-v", f"{k}={v}"]
    p = subprocess.run(cmd, input=sql.encode(), capture_output=True,
                       timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"psql failed: {p.stderr!r}")
    return [line.split("\x1f") for line in
            p.stdout.decode().splitlines() if line != ""]


def url_with_db(url, name):
    """The admin URL with its database name replaced."""
    u = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(u._replace(path="/" + name))


def database_for(data_dir):
    """URL of the fresh PostgreSQL database that belongs to data_dir
    (created on first use), or None when the tests run on SQLite."""
    if PG_ADMIN_URL is None:
        return None
    key = str(pathlib.Path(data_dir).resolve())
    if key not in _databases:
        name = "t_" + uuid.uuid4().hex[:20]
        psql(PG_ADMIN_URL, f'CREATE DATABASE "{name}"')
        _databases[key] = url_with_db(PG_ADMIN_URL, name)
    return _databases[key]


def share_database(data_dir, other_dir):
    """Make other_dir use the same PostgreSQL database as data_dir."""
    _databases[str(pathlib.Path(other_dir).resolve())] = \
        database_for(data_dir)


def drop_databases():
    """Drop every database the tests created so far."""
    while _databases:
        _, url = _databases.popitem()
        name = urllib.parse.urlsplit(url).path.lstrip("/")
        psql(PG_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def store_query(data_dir, sql, params=()):
    """Run SQL with ? placeholders on the store of data_dir, SQLite or
    PostgreSQL; returns the rows (PostgreSQL values come back as text).
    For tests that look at or seed the tables directly."""
    url = database_for(data_dir)
    if url is None:
        db = sqlite3.connect(pathlib.Path(data_dir) / "latchkey.db")
        try:
            rows = db.execute(sql, params).fetchall()
            db.commit()
            return rows
        finally:
            db.close()
    parts = sql.split("?")
    assert len(parts) == len(params) + 1, "one parameter per ?"
    text = parts[0]
    for i, part in enumerate(parts[1:]):
        text += f":'p{i}'" + part
    rows = psql(url, text + ";\n",
                {f"p{i}": v for i, v in enumerate(params)})
    return [tuple(r) for r in rows]


def store_args(args, data_dir):
    """--database for the commands that open the store, when on PG."""
    url = database_for(data_dir)
    if url is None or not args or args[0] not in ("user", "db"):
        return []
    return ["--database", url]


def run_cli(args, data_dir, stdin=b"", env=None, check=True):
    """Run `latchkey ARGS --data-dir DIR` (and --database URL on
    PostgreSQL); returns CompletedProcess."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    args = list(args)
    p = run_latchkey(args + ["--data-dir", str(data_dir)] +
                     store_args(args, data_dir),
                     input=stdin, capture_output=True, env=full_env)
    if check and p.returncode != 0:
        raise AssertionError(f"latchkey {args} failed: {p.stderr!r}")
    return p


class Server:
    """One latchkey serve process."""

    def __init__(self, data_dir, args=(), env=None):
        self.data_dir = pathlib.Path(data_dir)
        self.args = list(args)
        self.env = dict(os.environ)
        self.env.pop("LATCHKEY_SECRET_KEY", None)
        self.env.update(env or {})
        self.port = None
        self.proc = None
        self.log_path = self.data_dir.parent / (self.data_dir.name + ".log")
        # one memcheck log per process (%p), beside the server's log
        self.memcheck_pattern = self.data_dir.name + ".memcheck.*.log"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=20):
        """Start and wait until the port accepts connections (timeout
        seconds, times SLOW)."""
        self.port = free_port()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "ab")
        cmd = [BIN, "serve", "--data-dir", str(self.data_dir),
               "--listen", f"127.0.0.1:{self.port}"] + self.args
        if "--database" not in self.args and \
                database_for(self.data_dir) is not None:
            cmd += ["--database", database_for(self.data_dir)]
        cmd = memcheck(cmd, self.data_dir.parent /
                       self.memcheck_pattern.replace("*", "%p"))
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log,
                                     env=self.env)
        deadline = time.monotonic() + timeout * SLOW
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"server exited: {self.log_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port),
                                              timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("server did not start listening")

    def stop(self, sig=signal.SIGTERM):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20 * SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
        return rc

    def log_text(self):
        """The log so far. A running server writes info lines in
        batches (--log-flush-ms, 100 ms by default): wait them out."""
        if self.proc is not None and self.proc.poll() is None:
            time.sleep(LOG_FLUSH_WAIT)
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def memcheck_text(self):
        """What memcheck found in this server's processes ("" when
        nothing, or when not under valgrind)."""
        return memcheck_findings(sorted(
            self.data_dir.parent.glob(self.memcheck_pattern)))

    def cli(self, *args, stdin=b"", check=True):
        return run_cli(args, self.data_dir, stdin=stdin, env=self.env,
                       check=check)

    def secret(self):
        return (self.data_dir / "secret.key").read_text().strip()

    def login(self, username="janedoe", password="hashsecret", **extra):
        data = {"username": username, "password": password}
        data.update(extra)
        return requests.post(self.url + "/token", data=data,
                             timeout=HTTP_TIMEOUT)

    def token(self, username="janedoe", password="hashsecret", **extra):
        r = self.login(username, password, **extra)
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    def get(self, path, token=None, headers=None):
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        return requests.get(self.url + path, headers=h,
                            timeout=HTTP_TIMEOUT)


@pytest.fixture
def tmpdir_path():
    with tempfile.TemporaryDirectory(prefix="latchkey-test-") as d:
        yield pathlib.Path(d)


@pytest.fixture
def make_server(tmpdir_path):
    """Factory: make_server(args=..., env=..., name=...) -> started
    Server; every server is stopped (and checked for a clean exit) at
    the end of the test."""
    servers = []

    def factory(args=("--demo",), env=None, name="data", start=True):
        s = Server(tmpdir_path / name, args=args, env=env)
        servers.append(s)
        return s.start() if start else s

    factory.tmp = tmpdir_path
    yield factory
    try:
        _teardown_servers(servers)
    finally:
        if PG_ADMIN_URL is not None:
            drop_databases()


def _teardown_servers(servers):
    """Stop every server and check it exited cleanly (and, under
    valgrind, that memcheck found nothing in any of its processes)."""
    for s in servers:
        if s.proc is not None:
            rc = s.stop()
            assert rc == 0, f"server exit status {rc}: " + \
                s.log_text()[-3000:] + s.memcheck_text()[-20000:]
        found = s.memcheck_text()
        assert not found, "memcheck:\n" + found[-20000:]
        text = s.log_text()
        assert "ERROR: AddressSanitizer" not in text, text[-5000:]
        assert "runtime error:" not in text, text[-5000:]


@pytest.fixture
def demo(make_server):
    return make_server()
