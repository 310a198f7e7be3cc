#!/usr/bin/python3
"""Run examples/jose_bench (the C figures), then time PyJWT 2.6 on the
very same tokens and keys in the same run, and print a Markdown table.

usage: bench/jose_bench.py [path to jose_bench binary]
(default: build/jose_bench, or env JOSE_BENCH_BIN)
"""
import datetime
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import jwt
from cryptography.hazmat.primitives import serialization

ROOT = pathlib.Path(__file__).resolve().parent.parent
ALGS = ["HS256", "RS256", "ES256", "EdDSA"]


def pyjwt_rate(alg, token, key, seconds=1.0):
    """PyJWT verifications per second of token (claims checked too)."""
    leeway = datetime.timedelta(days=36500)   # tokens carry a fixed exp
    n, t0 = 0, time.perf_counter()
    while True:
        for _ in range(200):
            jwt.decode(token, key, algorithms=[alg], leeway=leeway)
        n += 200
        dt = time.perf_counter() - t0
        if dt >= seconds:
            return n / dt


def main():
    binary = (sys.argv[1] if len(sys.argv) > 1 else
              os.environ.get("JOSE_BENCH_BIN",
                             str(ROOT / "build" / "jose_bench")))
    with tempfile.TemporaryDirectory() as d:
        out = subprocess.run([binary, d], capture_output=True, text=True,
                             check=True, timeout=300).stdout
        res = {}
        for line in out.splitlines():
            f = line.split()
            if f[0] == "RESULT":
                res[f[1]] = float(f[2])
        for alg in ALGS:
            data = pathlib.Path(d, alg + ".key").read_bytes()
            token = pathlib.Path(d, alg + ".token").read_text().strip()
            if alg.startswith("HS"):
                key = data.rstrip(b"\n")
            else:
                key = serialization.load_pem_private_key(
                    data, None).public_key()
            res[alg + "_pyjwt"] = pyjwt_rate(alg, token, key)
    print("| alg | latchkey verify/s | bare primitive/s | latchkey / bare"
          " | PyJWT verify/s | latchkey / PyJWT |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for alg in ALGS:
        lk = res[alg + "_lk_jwt_verify"]
        py = res[alg + "_pyjwt"]
        bares = ([("one-shot HMAC()", res["HS256_bare_hmac_oneshot"]),
                  ("reused EVP_MAC_CTX",
                   res["HS256_bare_hmac_reused_ctx"])]
                 if alg == "HS256" else
                 [("EVP_DigestVerify", res[alg + "_bare_evp_verify"])])
        for what, bare in bares:
            print(f"| {alg} | {lk:,.0f} | {bare:,.0f} ({what}) | "
                  f"{lk / bare:.2f} | {py:,.0f} | {lk / py:.1f}x |")


if __name__ == "__main__":
    main()
