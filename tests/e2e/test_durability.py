"""Durability: user changes and login-triggered hash upgrades that were
acknowledged survive `kill -9` of the server at any moment, and the
store stays intact."""
import signal
import sqlite3
import threading
import time

import pytest
import requests

from conftest import (HTTP_TIMEOUT, SLOW, database_for, run_latchkey,
                      store_args, store_query)

OLD = ("pbkdf2_sha256$1$CaseSalt000001$"
       "8yWbWMEwEoTVQRcrngTSL9iQU6V6+ONZRjxCXwfh4vo=")
PW = "case-pass-22"


def stream_user_changes(server, stop, acked, failed):
    """Add and disable users through the CLI until told to stop;
    record each change whose command exited 0 (and, under valgrind,
    each memcheck finding in failed)."""
    n = 0
    try:
        while not stop.is_set() and n < 400:
            name = f"new{n}"
            p = run_latchkey(["user", "add", name, "--data-dir",
                              str(server.data_dir),
                              "--password-bcrypt-cost", "4"] +
                             store_args(["user"], server.data_dir),
                             input=b"pw-" + name.encode() + b"\n",
                             capture_output=True)
            if p.returncode == 0:
                acked.append(("add", name))
            if n % 3 == 0:
                p = run_latchkey(["user", "disable", name, "--data-dir",
                                  str(server.data_dir)] +
                                 store_args(["user"], server.data_dir),
                                 capture_output=True)
                if p.returncode == 0:
                    acked.append(("disable", name))
            n += 1
    except AssertionError as e:
        failed.append(str(e))


def stream_logins(server, users, stop, upgraded):
    for u in users:
        if stop.is_set():
            return
        try:
            r = requests.post(server.url + "/token", timeout=HTTP_TIMEOUT,
                              data={"username": u, "password": PW})
        except requests.RequestException:
            return          # the server was killed mid-request
        if r.status_code == 200:
            upgraded.append(u)


@pytest.mark.parametrize("kill_after", [0.7, 1.9])
def test_kill_9_during_changes(make_server, kill_after):
    s = make_server(args=("--demo", "--throttle-threshold", "0",
                          "--password-bcrypt-cost", "4"), start=False)
    users = [f"old{i}" for i in range(60)]
    for u in users:
        s.cli("user", "add", u, "--password-hash", OLD)
    s.start()
    stop = threading.Event()
    acked, upgraded, failed = [], [], []
    threads = [threading.Thread(target=stream_user_changes,
                                args=(s, stop, acked, failed)),
               threading.Thread(target=stream_logins,
                                args=(s, users[:30], stop, upgraded)),
               threading.Thread(target=stream_logins,
                                args=(s, users[30:], stop, upgraded))]
    for t in threads:
        t.start()
    time.sleep(kill_after * SLOW)     # valgrind: each command takes 1-2 s
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait()
    stop.set()
    for t in threads:
        t.join()
    s.proc = None
    s.log.close()
    assert not failed, failed
    assert acked and upgraded, (len(acked), len(upgraded))

    if database_for(s.data_dir) is None:
        db = sqlite3.connect(s.data_dir / "latchkey.db")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
    rows = dict(store_query(s.data_dir,
                            "SELECT username, password_hash FROM users"))
    disabled = {u for (u,) in store_query(
        s.data_dir, "SELECT username FROM users WHERE disabled")}
    for what, name in acked:
        assert name in rows, (what, name)
        if what == "disable":
            assert name in disabled
    for u in upgraded:
        assert rows[u].startswith("$2b$04$"), u
    for u in users:
        assert rows[u] == OLD or rows[u].startswith("$2b$04$")

    s.start()             # restarts cleanly on the same store
    for u in upgraded[:3]:
        assert s.login(u, PW).status_code == 200
    assert s.login().status_code == 200
