"""The server signs with RS256, ES256 or EdDSA keys from key files,
publishes them at /.well-known/jwks.json, and rotates keys without
logging anyone out."""
import json

import jwt
import pytest

from conftest import run_latchkey

JANE = {"username": "janedoe", "email": "janedoe@example.com",
        "full_name": "Jane Doe", "disabled": False}


def keygen(path, alg):
    run_latchkey(["keys", "generate", "--alg", alg, "--out", str(path)],
                 check=True, capture_output=True)
    assert path.stat().st_mode & 0o777 == 0o600
    return path


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_asymmetric_server(make_server, alg):
    key = keygen(make_server.tmp / f"{alg}.pem", alg)
    s = make_server(args=("--demo", "--key-file", str(key)))
    tok = s.token()
    assert jwt.get_unverified_header(tok)["alg"] == alg
    assert s.get("/users/me", tok).json() == JANE
    jwks = s.get("/.well-known/jwks.json").json()
    assert len(jwks["keys"]) == 1
    assert "d" not in jwks["keys"][0]
    pub = jwt.PyJWK(jwks["keys"][0], algorithm=alg)
    claims = jwt.decode(tok, pub.key, algorithms=[alg])
    assert claims["sub"] == "janedoe"
    assert f"alg={alg}" in s.log_text()


def test_hs256_server_publishes_no_keys(demo):
    assert demo.get("/.well-known/jwks.json").json() == {"keys": []}


def test_rotation_keeps_old_tokens(make_server):
    old = keygen(make_server.tmp / "old.pem", "ES256")
    new = keygen(make_server.tmp / "new.pem", "ES256")
    s = make_server(args=("--demo", "--key-file", str(old)))
    old_tok = s.token()
    assert s.stop() == 0
    s.args = ["--demo", "--key-file", str(new), "--key-file", str(old)]
    s.start()
    new_tok = s.token()
    assert s.get("/users/me", old_tok).json() == JANE
    assert s.get("/users/me", new_tok).json() == JANE
    assert len(s.get("/.well-known/jwks.json").json()["keys"]) == 2
    assert s.stop() == 0
    s.args = ["--demo", "--key-file", str(new)]
    s.start()
    assert s.get("/users/me", old_tok).status_code == 401
    assert s.get("/users/me", new_tok).status_code == 200


def test_hmac_token_against_rsa_server_refused(make_server):
    """Algorithm confusion: HS256 keyed with the server's public key."""
    key = keygen(make_server.tmp / "rsa.pem", "RS256")
    s = make_server(args=("--demo", "--key-file", str(key)))
    jwks = s.get("/.well-known/jwks.json").json()
    pub = jwt.PyJWK(jwks["keys"][0], algorithm="RS256").key
    from cryptography.hazmat.primitives import serialization
    pem = pub.public_bytes(serialization.Encoding.PEM,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    forged = jwt.api_jws.PyJWS().encode(
        json.dumps({"sub": "janedoe", "exp": 4102444800}).encode(),
        key="x" * 32, algorithm="HS256")
    h, p, _ = forged.split(".")
    import base64
    import hashlib
    import hmac
    sig = hmac.new(pem, f"{h}.{p}".encode(), hashlib.sha256).digest()
    forged = f"{h}.{p}." + base64.urlsafe_b64encode(sig).rstrip(
        b"=").decode()
    assert s.get("/users/me", forged).status_code == 401


def test_world_readable_private_key_refused(make_server):
    key = keygen(make_server.tmp / "rsa.pem", "RS256")
    key.chmod(0o644)
    s = make_server(args=("--demo", "--key-file", str(key)), start=False)
    with pytest.raises(AssertionError):
        s.start(timeout=10)
    assert f"chmod 600 {key}" in s.log_text()
    s.proc = None
