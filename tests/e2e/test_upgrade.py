"""Hash upgrade on login, unusable stored hashes over HTTP (case C21),
and the password policy flags of `serve`."""
import json
import threading

import requests

from conftest import SHARED, SLOW, store_query

DJANGO = ("pbkdf2_sha256$260000$CaseSalt260000$"
          "hwfrg+cjPQrf7cLLXxzXIopXnBY3T91WdKcQGOMX9fQ=")
DJANGO_PW = "case-pass-22"


def stored_hash(server, user):
    return store_query(server.data_dir, "SELECT password_hash FROM users "
                       "WHERE username = ?", (user,))[0][0]


def test_django_hash_upgraded_on_login(demo):
    demo.cli("user", "add", "dj", "--password-hash", DJANGO)
    assert stored_hash(demo, "dj") == DJANGO
    assert demo.login("dj", "wrong").status_code == 401
    assert stored_hash(demo, "dj") == DJANGO
    assert demo.login("dj", DJANGO_PW).status_code == 200
    new = stored_hash(demo, "dj")
    assert new.startswith("$2b$12$") and len(new) == 60
    assert demo.login("dj", DJANGO_PW).status_code == 200
    assert stored_hash(demo, "dj") == new
    assert "event=hash_upgraded" in demo.log_text()


def test_concurrent_upgrades_leave_one_hash(demo):
    demo.cli("user", "add", "dj2", "--password-hash", DJANGO)
    results = []

    def one():
        results.append(demo.login("dj2", DJANGO_PW).status_code)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 4
    final = stored_hash(demo, "dj2")
    assert final.startswith("$2b$")
    assert demo.login("dj2", DJANGO_PW).status_code == 200
    assert stored_hash(demo, "dj2") == final


def test_policy_flags_choose_new_scheme(make_server):
    s = make_server(args=("--demo", "--password-default", "argon2id",
                          "--password-argon2-memory", "19456",
                          "--password-argon2-time", "2",
                          "--password-argon2-parallelism", "1"))
    assert s.login().status_code == 200        # bcrypt janedoe upgraded
    assert stored_hash(s, "janedoe").startswith("$argon2id$v=19$m=19456")
    assert s.login().status_code == 200


def c21_hashes():
    cases = json.loads((SHARED / "cases" / "cases.json").read_text())
    c21 = next(c for c in cases if c["id"] == "C21")
    return [(i["password"], i["hash"], i["max_seconds"])
            for i in c21["pairs"]]


def test_unusable_hashes_over_http(make_server):
    """C21: seed users straight into the store (as an imported table
    would be) and log in: 401, quickly, never 5xx. Throttling is off:
    sixteen failures from one address would otherwise get 429."""
    demo = make_server(args=("--demo", "--throttle-threshold", "0"))
    items = c21_hashes()
    assert len(items) == 16
    for n, (_, h, _) in enumerate(items):
        store_query(demo.data_dir, "INSERT INTO users (username, "
                    "password_hash, created_at, updated_at) "
                    "VALUES (?, ?, 0, 0)", (f"c21u{n}", h))
    for n, (pw, _, limit) in enumerate(items):
        # the case's max_seconds bounds a hang, not a benchmark (times
        # SLOW under valgrind)
        r = requests.post(demo.url + "/token", timeout=limit * SLOW,
                          data={"username": f"c21u{n}", "password": pw})
        assert r.status_code == 401, (n, r.text)
        assert r.json() == {"detail": "Incorrect username or password"}
    text = demo.log_text()
    assert "reason=unusable_stored_hash" in text
    for _, h, _ in items:
        if len(h) > 3:
            assert h not in text
