"""Interoperability of `latchkey hash` with passlib, Django and
argon2-cffi, both ways: hashes latchkey makes must verify there, and
hashes they make must verify with `latchkey hash verify`.

Run with /usr/bin/python3 -m pytest tests/e2e/test_pwhash_interop.py.
The binary is $LATCHKEY_BIN (default build/latchkey). A binary without
the `hash` subcommand makes every test fail with that reason; nothing is
skipped silently.
"""
import os
import re

import pytest

from conftest import BIN, run_latchkey

PASSWORD = "pässwörd 🔐 long enough".encode("utf-8")

# Low costs keep the run short; each scheme's own default is tested by
# the unit tests.
FAST = ["--password-bcrypt-cost", "5", "--password-argon2-memory", "1024",
        "--password-argon2-time", "1", "--password-argon2-parallelism",
        "2", "--password-pbkdf2-iterations", "1000"]


def run(args, stdin=b""):
    return run_latchkey(["hash", *args], input=stdin, capture_output=True)


@pytest.fixture(scope="module")
def latchkey():
    if not os.access(BIN, os.X_OK):
        pytest.fail(f"{BIN} is not an executable (set LATCHKEY_BIN)")
    r = run(["--help"])
    if r.returncode != 0 or b"latchkey hash" not in r.stdout:
        pytest.fail(f"{BIN} has no working `hash` subcommand yet "
                    f"(exit {r.returncode}); wire cmd_hash into main.c")
    return BIN


@pytest.fixture(scope="module")
def django_hashers():
    import django
    from django.conf import settings
    if not settings.configured:
        settings.configure(PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
            "django.contrib.auth.hashers.Argon2PasswordHasher",
            "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
        ])
        django.setup()
    from django.contrib.auth import hashers
    return hashers


def new_hash(scheme, password=PASSWORD):
    r = run(["new", "--scheme", scheme, *FAST], password)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout.decode().strip()


def passlib_check(name, password, h):
    from passlib import hash as ph
    return getattr(ph, name).verify(password, h)


FORWARD = [
    ("bcrypt", r"^\$2b\$05\$[./A-Za-z0-9]{53}$", "bcrypt"),
    ("bcrypt_sha256", r"^\$bcrypt-sha256\$v=2,t=2b,r=5\$", "bcrypt_sha256"),
    ("argon2id", r"^\$argon2id\$v=19\$m=1024,t=1,p=2\$[A-Za-z0-9+/]+"
     r"\$[A-Za-z0-9+/]+$", "argon2"),
    ("pbkdf2_sha1", r"^\$pbkdf2\$1000\$", "pbkdf2_sha1"),
    ("pbkdf2_sha256", r"^\$pbkdf2-sha256\$1000\$", "pbkdf2_sha256"),
    ("pbkdf2_sha512", r"^\$pbkdf2-sha512\$1000\$", "pbkdf2_sha512"),
    ("django_pbkdf2_sha256", r"^pbkdf2_sha256\$1000\$[^$]+\$"
     r"[A-Za-z0-9+/]{43}=$", "django_pbkdf2_sha256"),
    ("django_pbkdf2_sha1", r"^pbkdf2_sha1\$1000\$[^$]+\$[A-Za-z0-9+/]{27}=$",
     "django_pbkdf2_sha1"),
]


@pytest.mark.parametrize("scheme,pattern,passlib_name", FORWARD)
def test_latchkey_hash_verifies_in_passlib(latchkey, scheme, pattern,
                                           passlib_name):
    h = new_hash(scheme)
    assert re.match(pattern, h), h
    assert passlib_check(passlib_name, PASSWORD, h) is True
    assert passlib_check(passlib_name, PASSWORD + b"x", h) is False
    assert new_hash(scheme) != h


@pytest.mark.parametrize("scheme", ["django_pbkdf2_sha256",
                                    "django_pbkdf2_sha1"])
def test_latchkey_hash_verifies_in_django(latchkey, django_hashers, scheme):
    h = new_hash(scheme)
    pw = PASSWORD.decode("utf-8")
    assert django_hashers.check_password(pw, h) is True
    assert django_hashers.check_password(pw + "x", h) is False


def test_latchkey_argon2_verifies_in_argon2_cffi(latchkey):
    import argon2
    h = new_hash("argon2id")
    assert argon2.PasswordHasher().verify(h, PASSWORD) is True
    with pytest.raises(argon2.exceptions.VerifyMismatchError):
        argon2.PasswordHasher().verify(h, PASSWORD + b"x")


def test_bcrypt_new_refuses_long_and_nul(latchkey):
    r = run(["new", "--scheme", "bcrypt", *FAST], b"case-long-" * 8)
    assert r.returncode != 0 and b"bcrypt_sha256 or argon2id" in r.stderr
    r = run(["new", "--scheme", "bcrypt", *FAST], b"case-nul\x00tail")
    assert r.returncode != 0 and b"NUL" in r.stderr
    h = new_hash("bcrypt_sha256", b"case-long-" * 8)
    assert passlib_check("bcrypt_sha256", b"case-long-" * 8, h) is True


def passlib_made():
    from passlib import hash as ph
    fast = {
        "bcrypt": ph.bcrypt.using(rounds=5),
        "bcrypt_sha256": ph.bcrypt_sha256.using(rounds=5),
        "argon2": ph.argon2.using(memory_cost=1024, rounds=2),
        "pbkdf2_sha1": ph.pbkdf2_sha1.using(rounds=1000),
        "pbkdf2_sha256": ph.pbkdf2_sha256.using(rounds=1000),
        "pbkdf2_sha512": ph.pbkdf2_sha512.using(rounds=1000),
        "django_pbkdf2_sha256": ph.django_pbkdf2_sha256.using(rounds=1000),
        "django_pbkdf2_sha1": ph.django_pbkdf2_sha1.using(rounds=1000),
        "django_bcrypt_sha256": ph.django_bcrypt_sha256.using(rounds=5),
        "sha512_crypt": ph.sha512_crypt.using(rounds=5000),
        "sha256_crypt": ph.sha256_crypt.using(rounds=5000),
        "md5_crypt": ph.md5_crypt,
    }
    return sorted(fast.items())


@pytest.mark.parametrize("name,handler", passlib_made())
def test_passlib_hash_verifies_in_latchkey(latchkey, name, handler):
    h = handler.hash(PASSWORD)
    r = run(["verify", h], PASSWORD)
    assert r.returncode == 0, (h, r.stderr.decode())
    r = run(["verify", h], PASSWORD + b"x")
    assert r.returncode == 1, (h, r.stderr.decode())
    r = run(["info", h])
    assert r.returncode == 0 and r.stdout.startswith(b"scheme=")
    assert r.stdout.rstrip().endswith(b"upgrade=yes")


@pytest.mark.parametrize("algorithm", ["pbkdf2_sha256", "pbkdf2_sha1",
                                       "argon2", "bcrypt_sha256"])
def test_django_hash_verifies_in_latchkey(latchkey, django_hashers,
                                          algorithm):
    pw = PASSWORD.decode("utf-8")
    h = django_hashers.make_password(pw, hasher=algorithm)
    r = run(["verify", h], PASSWORD)
    assert r.returncode == 0, (h, r.stderr.decode())
    r = run(["verify", h], PASSWORD[:-1])
    assert r.returncode == 1


def test_verify_exit_codes_and_info(latchkey):
    tutorial = "$2a$12$KplebFTPwFcgGQosJgI4De0PyB2AoRCSxasxHpFoYZPp6uQV/xLzm"
    assert run(["verify", tutorial], b"hashsecret").returncode == 0
    assert run(["verify", tutorial], b"hashsecret\n").returncode == 1
    r = run(["verify", "md5$abc$def"], b"x")
    assert r.returncode == 2 and r.stderr.count(b"\n") == 1
    assert b"md5$abc$def" not in r.stderr
    r = run(["verify", "$2b$99$" + "a" * 53], b"x")
    assert r.returncode == 2
    r = run(["info", tutorial])
    assert r.stdout == b"scheme=bcrypt variant=2a cost=12 upgrade=no\n"
    r = run(["info", tutorial, "--password-bcrypt-cost", "13"])
    assert r.stdout == b"scheme=bcrypt variant=2a cost=12 upgrade=yes\n"
    env = dict(os.environ, LATCHKEY_PASSWORD_DEFAULT="argon2id")
    r = run_latchkey(["hash", "info", tutorial], env=env,
                     capture_output=True)
    assert r.stdout.endswith(b"upgrade=yes\n")
