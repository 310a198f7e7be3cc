"""Fixtures for the end-to-end tests: a real latchkey process on a free
loopback port with a temporary data directory, stopped by its PID."""
import os
import pathlib
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("LATCHKEY_BIN", str(ROOT / "build" / "latchkey"))
SHARED = pathlib.Path(os.environ.get("LATCHKEY_SHARED",
                                     str(ROOT.parent / "shared")))
SANITIZED = os.environ.get("LATCHKEY_SANITIZED") == "1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(args, data_dir, stdin=b"", env=None, check=True):
    """Run `latchkey ARGS --data-dir DIR`; returns CompletedProcess."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    p = subprocess.run([BIN] + list(args) + ["--data-dir", str(data_dir)],
                       input=stdin, capture_output=True, env=full_env,
                       timeout=60)
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

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=20):
        self.port = free_port()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "ab")
        cmd = [BIN, "serve", "--data-dir", str(self.data_dir),
               "--listen", f"127.0.0.1:{self.port}"] + self.args
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log,
                                     env=self.env)
        deadline = time.monotonic() + timeout
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
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
        return rc

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def cli(self, *args, stdin=b"", check=True):
        return run_cli(args, self.data_dir, stdin=stdin, env=self.env,
                       check=check)

    def secret(self):
        return (self.data_dir / "secret.key").read_text().strip()

    def login(self, username="janedoe", password="hashsecret", **extra):
        data = {"username": username, "password": password}
        data.update(extra)
        return requests.post(self.url + "/token", data=data, timeout=30)

    def token(self, username="janedoe", password="hashsecret", **extra):
        r = self.login(username, password, **extra)
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    def get(self, path, token=None, headers=None):
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        return requests.get(self.url + path, headers=h, timeout=30)


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
    for s in servers:
        if s.proc is not None:
            rc = s.stop()
            assert rc == 0, f"server exit status {rc}: " + \
                s.log_text()[-3000:]
        text = s.log_text()
        assert "ERROR: AddressSanitizer" not in text, text[-5000:]
        assert "runtime error:" not in text, text[-5000:]


@pytest.fixture
def demo(make_server):
    return make_server()
