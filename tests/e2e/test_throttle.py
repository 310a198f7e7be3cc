"""Brute-force throttling of POST /token: per username and per client
address, 429 with Retry-After past the threshold, lockouts that grow,
kept in the store across restarts, and no lock-out of the real user
from an address that has not failed. Other addresses are 127.0.0.x
loopback source addresses; every request goes to 127.0.0.1."""
import http.client
import json
import time
import urllib.parse

FAST = ("--demo", "--throttle-threshold", "3", "--throttle-base", "30",
        "--throttle-max", "120")


def login(server, username="janedoe", password="hashsecret",
          source="127.0.0.1"):
    """POST /token from the given loopback source address."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30,
                                      source_address=(source, 0))
    body = urllib.parse.urlencode({"username": username,
                                   "password": password})
    try:
        conn.request("POST", "/token", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), json.loads(r.read())
    finally:
        conn.close()


def fail_times(server, n, username="janedoe", source="127.0.0.1"):
    for _ in range(n):
        st, _, body = login(server, username, "wrong", source)
        assert st == 401, (st, body)


def assert_throttled(result):
    st, hdrs, body = result
    assert st == 429, (st, body)
    assert body == {"detail":
                    "Too many failed login attempts, try again later"}
    assert 1 <= int(hdrs["Retry-After"]) <= 120


def test_username_throttled_after_threshold(make_server):
    s = make_server(args=FAST)
    fail_times(s, 3)
    assert_throttled(login(s, password="wrong"))
    # even the right password is refused from the failing address
    assert_throttled(login(s))


def test_real_user_from_clean_address_still_logs_in(make_server):
    s = make_server(args=FAST)
    fail_times(s, 3, source="127.0.0.1")
    assert_throttled(login(s, source="127.0.0.1"))
    st, _, body = login(s, source="127.0.0.3")
    assert st == 200, body
    assert "access_token" in body


def test_address_throttled_across_usernames(make_server):
    s = make_server(args=FAST)
    for name in ("alice", "bob", "carol"):
        fail_times(s, 1, username=name, source="127.0.0.4")
    assert_throttled(login(s, username="dave", password="x",
                           source="127.0.0.4"))
    assert_throttled(login(s, source="127.0.0.4"))
    assert login(s, source="127.0.0.5")[0] == 200


def test_lockout_grows(make_server):
    s = make_server(args=("--demo", "--throttle-threshold", "2",
                          "--throttle-base", "1", "--throttle-max", "60"))
    fail_times(s, 2)
    st, hdrs, _ = login(s, password="wrong")
    assert st == 429 and int(hdrs["Retry-After"]) <= 1
    time.sleep(1.2)
    fail_times(s, 1)          # third failure: lockout doubles
    st, hdrs, _ = login(s, password="wrong")
    assert st == 429 and int(hdrs["Retry-After"]) >= 1
    time.sleep(2.2)
    fail_times(s, 1)          # fourth: four seconds
    st, hdrs, _ = login(s, password="wrong")
    assert st == 429 and int(hdrs["Retry-After"]) >= 3


def test_success_clears_only_the_username(make_server):
    s = make_server(args=FAST)
    fail_times(s, 2)
    assert login(s)[0] == 200        # clears janedoe's count, not the
    fail_times(s, 1)                 # address's: 3 failures from here
    assert_throttled(login(s))
    assert login(s, source="127.0.0.7")[0] == 200


def test_own_account_does_not_reset_a_lock(make_server):
    """An attacker who owns an account cannot clear the lock on
    another user by logging into their own (red-team finding)."""
    s = make_server(args=FAST)
    s.cli("user", "add", "mallory", stdin=b"mallory-pw-1\n")
    fail_times(s, 3)
    assert_throttled(login(s))
    assert_throttled(login(s, "mallory", "mallory-pw-1"))
    st, _, _ = login(s, "janedoe", "guess", source="127.0.0.8")
    assert st in (401, 429)
    assert_throttled(login(s, "janedoe", "guess-again"))


def test_throttle_survives_restart(make_server):
    s = make_server(args=FAST)
    fail_times(s, 3)
    assert_throttled(login(s))
    assert s.stop() == 0
    s.start()
    assert_throttled(login(s))
    assert login(s, source="127.0.0.6")[0] == 200


def test_throttle_off_and_env(make_server):
    s = make_server(args=("--demo", "--throttle-threshold", "0"))
    fail_times(s, 8)
    assert login(s)[0] == 200
    e = make_server(args=("--demo",), name="env",
                    env={"LATCHKEY_THROTTLE_THRESHOLD": "2",
                         "LATCHKEY_THROTTLE_BASE": "30"})
    fail_times(e, 2)
    assert_throttled(login(e))


def test_bad_throttle_flag_refused(make_server):
    s = make_server(args=("--demo", "--throttle-base", "0"), start=False)
    p = s.cli("serve", "--throttle-base", "0", check=False)
    assert p.returncode != 0
    assert b"--throttle-base" in p.stderr + p.stdout
