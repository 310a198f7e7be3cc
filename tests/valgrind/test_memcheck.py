"""The server under valgrind memcheck: every request path the
end-to-end suites use, once, then a clean shutdown with no memory
errors and no definite leaks. Costs are lowered (bcrypt 4) because
valgrind runs bcrypt about fifty times slower."""
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import jwt
import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "e2e"))
from conftest import BIN, Server  # noqa: E402

VALGRIND = ["valgrind", "--quiet", "--error-exitcode=99",
            "--leak-check=full", "--errors-for-leak-kinds=definite",
            "--show-leak-kinds=definite", "--track-origins=yes"]


class ValgrindServer(Server):
    def start(self, timeout=120):
        return super().start(timeout=timeout)


def start(tmp_path):
    s = ValgrindServer(tmp_path / "data",
                       args=["--password-bcrypt-cost", "4",
                             "--throttle-threshold", "3"])
    s.data_dir.mkdir()
    s.cli("user", "add", "vera", "--email", "v@example.com",
          "--scope", "me", "--password-bcrypt-cost", "4",
          stdin=b"vera-pass-1\n")
    global BIN_CMD
    orig = subprocess.Popen

    def popen(cmd, *a, **kw):
        return orig(VALGRIND + cmd, *a, **kw)
    subprocess.Popen = popen
    try:
        s.start()
    finally:
        subprocess.Popen = orig
    return s


def drive(s):
    tok = s.token("vera", "vera-pass-1")
    assert s.get("/users/me", tok).json()["username"] == "vera"
    assert s.get("/users/me/items", tok).json() == []
    assert s.login("vera", "wrong").status_code == 401
    assert s.login("nobody", "x").status_code == 401
    for body in ("username=vera", "username=a&username=b&password=x",
                 "password=%zz&username=v", "grant_type=x&username=v"
                 "&password=p", "username=vera&password=x&scope=nope"):
        r = requests.post(s.url + "/token", data=body, timeout=60,
                          headers={"Content-Type":
                                   "application/x-www-form-urlencoded"})
        assert 400 <= r.status_code < 500
    assert requests.post(s.url + "/token", json={}, timeout=60) \
        .status_code == 415
    exp = int(time.time()) + 600
    for bad in ("x.y.z", "e" * 9000, jwt.encode({"sub": "vera", "exp": 1},
                                                s.secret())):
        assert s.get("/users/me", bad).status_code == 401
    assert s.get("/users/me", headers={"Authorization": "Basic x"}) \
        .status_code == 401
    other = jwt.encode({"sub": "vera", "exp": exp, "scopes": ["me"]},
                       s.secret())
    assert s.get("/users/me", other).status_code == 200
    assert s.get("/nope").status_code == 404
    assert requests.delete(s.url + "/token", timeout=60).status_code == 405
    assert s.get("/openapi.json").json()["openapi"].startswith("3.1")
    assert s.get("/docs/swagger").status_code == 200
    assert s.get("/.well-known/jwks.json").json() == {"keys": []}
    assert s.get("/users/me", tok, headers={"X": "y" * 40000}) \
        .status_code in (431, 400)
    for _ in range(4):
        s.login("vera", "wrong-again")
    assert s.login("vera", "wrong-again").status_code == 429


def test_server_memcheck(tmp_path):
    s = start(tmp_path)
    try:
        drive(s)
    finally:
        rc = s.stop()
    log = s.log_text()
    assert rc == 0, log[-6000:]
    assert "Invalid read" not in log and "definitely lost" not in log


def test_cli_memcheck(tmp_path):
    data = tmp_path / "cli"
    for args, stdin in ((["user", "add", "cli1", "--password-bcrypt-cost",
                          "4"], b"pw-cli-1\n"),
                        (["user", "disable", "cli1"], b""),
                        (["user", "show", "cli1"], b""),
                        (["user", "scopes", "cli1", "me"], b"")):
        p = subprocess.run(VALGRIND + [BIN] + args +
                           ["--data-dir", str(data)], input=stdin,
                           capture_output=True, timeout=300)
        assert p.returncode == 0, p.stderr.decode()[-4000:]
    for args, stdin, want in (
            (["hash", "new", "--scheme", "pbkdf2_sha256", "--cost",
              "1000"], b"pw", 0),
            (["hash", "verify", "$2b$04$incorrect"], b"pw", 2),
            (["hash", "info",
              "$argon2id$v=19$m=16,t=1,p=1$c2FsdHNhbHQ$"
              "AAAAAAAAAAAAAAAAAAAAAA"], b"", 0)):
        p = subprocess.run(VALGRIND + [BIN] + args, input=stdin,
                           capture_output=True, timeout=300)
        assert p.returncode == want, (args, p.stderr.decode()[-4000:])
