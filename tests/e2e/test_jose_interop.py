"""Interoperability of `latchkey token` with PyJWT for every JWS
algorithm: tokens signed by latchkey verify in PyJWT, and tokens signed
by PyJWT verify with `latchkey token verify`, with the same key files.

Runs the binary named by LATCHKEY_BIN (default build/latchkey).
"""
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from conftest import run_latchkey

ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
        "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]


def run(*args, stdin=""):
    return run_latchkey(args, input=stdin.encode(), capture_output=True)


def claims():
    now = int(time.time())
    return {"sub": "janedoe", "iat": now, "exp": now + 600,
            "scope": "items:read me"}


@pytest.fixture(scope="module")
def keydir(tmp_path_factory):
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(scope="module", params=ALGS)
def key(request, keydir):
    """(alg, key file, PyJWT signing key, PyJWT verifying key,
    public key file or None)."""
    alg = request.param
    path = keydir / f"{alg}.key"
    res = run("keys", "generate", "--alg", alg, "--out", str(path))
    assert res.returncode == 0, res.stderr
    assert path.stat().st_mode & 0o777 == 0o600
    data = path.read_bytes()
    if alg.startswith("HS"):
        secret = data[:-1] if data.endswith(b"\n") else data
        assert len(secret) >= 32
        return alg, path, secret, secret, None
    priv = serialization.load_pem_private_key(data, password=None)
    pub = priv.public_key()
    pub_path = keydir / f"{alg}.pub"
    pub_path.write_bytes(pub.public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo))
    return alg, path, priv, pub, pub_path


def test_latchkey_signs_pyjwt_verifies(key):
    alg, path, _, verify_key, _ = key
    want = claims()
    res = run("token", "sign", "--key", str(path), "--alg", alg,
              stdin=json.dumps(want))
    assert res.returncode == 0, res.stderr
    token = res.stdout.decode().strip()
    header = jwt.get_unverified_header(token)
    assert header["alg"] == alg
    got = jwt.decode(token, verify_key, algorithms=[alg])
    assert got == want


def test_pyjwt_signs_latchkey_verifies(key):
    alg, path, sign_key, _, pub_path = key
    want = claims()
    token = jwt.encode(want, sign_key, algorithm=alg)
    for kf in [path] + ([pub_path] if pub_path else []):
        res = run("token", "verify", "--key", str(kf), "--alg", alg,
                  "--scope", "me", stdin=token + "\n")
        assert res.returncode == 0, res.stderr
        assert json.loads(res.stdout) == want


def test_pyjwt_token_tampered_is_refused(key):
    alg, path, sign_key, _, _ = key
    token = jwt.encode(claims(), sign_key, algorithm=alg)
    head, body, sig = token.split(".")
    forged = dict(claims(), sub="admin")
    body = jwt.utils.base64url_encode(
        json.dumps(forged).encode()).decode()
    res = run("token", "verify", "--key", str(path), "--alg", alg,
              stdin=f"{head}.{body}.{sig}")
    assert res.returncode == 1
    assert res.stdout == b""
    assert len(res.stderr.decode().strip().splitlines()) == 1


def test_pyjwt_expired_token_is_refused(key):
    alg, path, sign_key, _, _ = key
    token = jwt.encode({"sub": "janedoe", "exp": 1000}, sign_key,
                       algorithm=alg)
    res = run("token", "verify", "--key", str(path), "--alg", alg,
              stdin=token)
    assert res.returncode == 1
    assert b"expired" in res.stderr


def test_hs256_token_with_public_key_as_secret_is_refused(keydir):
    """Algorithm confusion: an HS256 token keyed with the PEM text of an
    RS256 public key must not verify against that public key."""
    path = keydir / "confusion.key"
    assert run("keys", "generate", "--alg", "RS256",
               "--out", str(path)).returncode == 0
    priv = serialization.load_pem_private_key(path.read_bytes(), None)
    pem = priv.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    pub_path = keydir / "confusion.pub"
    pub_path.write_bytes(pem)
    head = jwt.utils.base64url_encode(
        b'{"alg":"HS256","typ":"JWT"}').decode()
    body = jwt.utils.base64url_encode(
        json.dumps(claims()).encode()).decode()
    sig = jwt.utils.base64url_encode(hmac.new(
        pem, f"{head}.{body}".encode(), hashlib.sha256).digest()).decode()
    res = run("token", "verify", "--key", str(pub_path),
              stdin=f"{head}.{body}.{sig}")
    assert res.returncode == 1
    res = run("token", "verify", "--key", str(pub_path), "--alg", "HS256",
              stdin=f"{head}.{body}.{sig}")
    assert res.returncode == 2


def test_jws_only_accepts_any_payload(keydir):
    secret = b"interop-secret-0123456789abcdef0123456789"
    path = keydir / "jws.secret"
    path.write_bytes(secret + b"\n")
    token = jwt.api_jws.encode(b"not json at all", secret,
                               algorithm="HS256")
    res = run("token", "verify", "--key", str(path), "--jws-only",
              stdin=token)
    assert res.returncode == 0, res.stderr
    assert res.stdout == b"not json at all\n"
    res = run("token", "verify", "--key", str(path), stdin=token)
    assert res.returncode == 1


def test_help_explains_key_formats():
    res = run("token", "verify", "--help")
    assert res.returncode == 0
    out = res.stdout.decode()
    for word in ("-----BEGIN", "JWKS", "JWK", "raw HMAC secret"):
        assert word in out
