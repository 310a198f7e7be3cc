"""No user enumeration at /token: an unknown user, a wrong password and a
stored hash that cannot be used answer the same status and body after
about the same amount of work (a verify against a dummy hash of the
default scheme). The check compares medians with each other, with a
wide margin, rather than against a fixed time."""
import statistics
import time

import pytest

from conftest import VALGRIND, store_query


def median_login(server, user, password, n=5):
    times, bodies = [], set()
    for _ in range(n):
        t0 = time.perf_counter()
        r = server.login(user, password)
        times.append(time.perf_counter() - t0)
        bodies.add((r.status_code, r.content,
                    r.headers.get("WWW-Authenticate")))
    return statistics.median(times), bodies


def test_same_answer_and_similar_work(make_server):
    s = make_server(args=("--demo", "--throttle-threshold", "0"))
    store_query(s.data_dir, "INSERT INTO users (username, password_hash, "
                "created_at, updated_at) VALUES (?, ?, 0, 0)",
                ("broken", "$2b$12$incorrect"))
    # an imported legacy hash, far cheaper than bcrypt cost 12 (red team)
    s.cli("user", "add", "legacy", "--password-hash",
          "pbkdf2_sha256$36000$CaseSalt036000$"
          "qBqMHZy3flI9PiiEOysM8NlG62lhssIAPnmA0C1xp98=")
    wrong, b1 = median_login(s, "janedoe", "wrong-password")
    unknown, b2 = median_login(s, "no-such-user", "wrong-password")
    broken, b3 = median_login(s, "broken", "wrong-password")
    legacy, b4 = median_login(s, "legacy", "wrong-password")
    assert b1 == b2 == b3 == b4
    assert len(b1) == 1 and next(iter(b1))[0] == 401
    # A bcrypt cost-12 verify dominates each login; skipping it would make
    # a login tens of times faster than the others.
    for t in (unknown, broken):
        assert 0.5 * wrong < t < 2.0 * wrong, (wrong, unknown, broken,
                                               legacy)
    if VALGRIND:
        pytest.skip("legacy timing not comparable under valgrind, which "
                    "slows PBKDF2 far more than bcrypt: the hash's 36000 "
                    "iterations alone take about one bcrypt-12 verify "
                    "there (measured: legacy 1.9x a wrong password with "
                    "the padding verify, it would be ~0.9x without)")
    assert 0.5 * wrong < legacy < 2.0 * wrong, (wrong, unknown, broken,
                                                legacy)
