#!/usr/bin/python3
"""Password-hash throughput: latchkey (examples/pwhash_bench.c, built as
build/pwhash_bench) beside passlib in the same run, at latchkey's default
policy costs, with the ratio latchkey / passlib. Verifies per second, one
thread. Prints figures only; it asserts nothing.

Usage: /usr/bin/python3 bench/pwhash_bench.py [BENCH_BINARY]
"""
import pathlib
import re
import subprocess
import sys
import time
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
from passlib import hash as ph  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCH = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build" /
                                                   "pwhash_bench")
PW = b"bench-password-0123"

# latchkey defaults (lk_pwpolicy_options[]): bcrypt cost 12, argon2id
# m=65536 KiB t=3 p=4, PBKDF2 600000 iterations.
PASSLIB = {
    "bcrypt": ph.bcrypt.using(rounds=12, ident="2b"),
    "bcrypt_sha256": ph.bcrypt_sha256.using(rounds=12),
    "argon2id": ph.argon2.using(type="ID", memory_cost=65536, rounds=3,
                                parallelism=4),
    "pbkdf2_sha1": ph.pbkdf2_sha1.using(rounds=600000),
    "pbkdf2_sha256": ph.pbkdf2_sha256.using(rounds=600000),
    "pbkdf2_sha512": ph.pbkdf2_sha512.using(rounds=600000),
    "django_pbkdf2_sha256": ph.django_pbkdf2_sha256.using(rounds=600000),
}


def passlib_rate(handler, min_s=1.0):
    h = handler.hash(PW)
    n, t0 = 0, time.perf_counter()
    while n < 3 or time.perf_counter() - t0 < min_s:
        handler.verify(PW, h)
        n += 1
    return n / (time.perf_counter() - t0)


def main():
    out = subprocess.run([BENCH], capture_output=True, text=True,
                         check=True, timeout=600).stdout
    ours = dict(re.findall(r"scheme=(\S+) verifies_per_sec=(\S+)", out))
    print(f"{'scheme':22} {'latchkey/s':>11} {'passlib/s':>10} "
          f"{'ratio':>6}")
    for scheme, handler in PASSLIB.items():
        mine = float(ours.get(scheme, "nan"))
        theirs = passlib_rate(handler)
        print(f"{scheme:22} {mine:11.2f} {theirs:10.2f} "
              f"{mine / theirs:6.2f}")
    print(f"passlib backends: bcrypt={ph.bcrypt.get_backend()} "
          f"argon2={ph.argon2.get_backend()}")


if __name__ == "__main__":
    main()
