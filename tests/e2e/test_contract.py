"""The tutorial's contract (PRODUCT.md), row by row, against a real
`latchkey serve --demo`."""
import base64
import http.client
import json
import time

import jwt
import requests

from conftest import run_cli, store_query

JANE = {"username": "janedoe", "email": "janedoe@example.com",
        "full_name": "Jane Doe", "disabled": False}
DEMO_HASH = "$2a$12$KplebFTPwFcgGQosJgI4De0PyB2AoRCSxasxHpFoYZPp6uQV/xLzm"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_token_success_shape(demo):
    r = demo.login()
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 1800
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Pragma"] == "no-cache"
    assert r.headers["Content-Type"].startswith("application/json")
    claims = jwt.decode(body["access_token"], demo.secret(),
                        algorithms=["HS256"])
    assert claims["sub"] == "janedoe"
    assert abs(claims["exp"] - (time.time() + 1800)) < 60
    assert claims["exp"] - claims["iat"] == 1800
    assert len(claims["jti"]) >= 16


def test_token_with_grant_type_and_form_extras(demo):
    r = demo.login(grant_type="password", scope="", client_id="x",
                   client_secret="")
    assert r.status_code == 200


def test_wrong_password_and_unknown_user_are_identical(demo):
    bad = demo.login(password="wrong")
    unknown = demo.login(username="nobody", password="wrong")
    for r in (bad, unknown):
        assert r.status_code == 401
        assert r.json() == {"detail": "Incorrect username or password"}
        assert r.headers["WWW-Authenticate"] == "Bearer"
    assert bad.content == unknown.content


def test_users_me(demo):
    tok = demo.token()
    r = demo.get("/users/me", tok)
    assert r.status_code == 200
    assert r.json() == JANE
    assert r.headers["Content-Type"].startswith("application/json")


def test_users_me_items(demo):
    r = demo.get("/users/me/items", demo.token())
    assert r.status_code == 200
    assert r.json() == [{"item_id": "Foo", "owner": "janedoe"}]


def test_not_authenticated(demo):
    for headers in ({}, {"Authorization": "Basic amFuZTpzZWNyZXQ="},
                    {"Authorization": "Bearer"}, {"Authorization": ""}):
        r = demo.get("/users/me", headers=headers)
        assert r.status_code == 401, headers
        assert r.json() == {"detail": "Not authenticated"}
        assert r.headers["WWW-Authenticate"] == "Bearer"


def assert_invalid(demo, token):
    r = demo.get("/users/me", token)
    assert r.status_code == 401, token
    assert r.json() == {"detail": "Could not validate credentials"}
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_bad_tokens(demo):
    secret = demo.secret()
    now = int(time.time())
    good = demo.token()
    h, p, s = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(p + "=="))
    claims["sub"] = "mallory"
    tampered = h + "." + b64url(json.dumps(claims).encode()) + "." + s
    expired = jwt.encode({"sub": "janedoe", "exp": now - 10}, secret,
                         algorithm="HS256")
    unknown = jwt.encode({"sub": "nobody", "exp": now + 600}, secret,
                         algorithm="HS256")
    none_alg = (b64url(b'{"alg":"none","typ":"JWT"}') + "." +
                b64url(json.dumps({"sub": "janedoe",
                                   "exp": now + 600}).encode()) + ".")
    other_key = jwt.encode({"sub": "janedoe", "exp": now + 600},
                           "x" * 40, algorithm="HS256")
    no_exp = jwt.encode({"sub": "janedoe"}, secret, algorithm="HS256")
    hs512 = jwt.encode({"sub": "janedoe", "exp": now + 600}, secret,
                       algorithm="HS512")
    for tok in (tampered, expired, unknown, none_alg, other_key, no_exp,
                hs512, "not-a-jwt", "a.b.c", good[:-2], good + "x",
                "x" * 10000, good.replace(".", "..", 1)):
        assert_invalid(demo, tok)


def test_accepted_token_is_checked_again(demo):
    """The HTTP threads keep the tokens they accepted: a token served
    from there still expires on time, and no byte of it may differ."""
    secret = demo.secret()
    exp = int(time.time()) + 3
    tok = jwt.encode({"sub": "janedoe", "exp": exp}, secret,
                     algorithm="HS256")
    for _ in range(20):          # new connections: every HTTP thread
        assert demo.get("/users/me", tok).status_code == 200
    h, p, s = tok.split(".")
    for bad in (f"{h}.{p}.{s[:-1]}{'A' if s[-1] != 'A' else 'B'}",
                f"{h}.{p[:-1]}{'A' if p[-1] != 'A' else 'B'}.{s}",
                tok + "A", tok[:-1]):
        assert_invalid(demo, bad)
    time.sleep(max(0.0, exp - time.time()) + 1.1)
    for _ in range(6):
        assert_invalid(demo, tok)


def test_pyjwt_token_accepted(demo):
    tok = jwt.encode({"sub": "janedoe", "exp": int(time.time()) + 600},
                     demo.secret(), algorithm="HS256")
    r = demo.get("/users/me", tok)
    assert r.status_code == 200
    assert r.json() == JANE


def test_tutorial_app_token_with_configured_secret(make_server):
    """A token signed by the tutorial's own app with the same secret."""
    secret = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7"
    s = make_server(env={"LATCHKEY_SECRET_KEY": secret})
    tok = jwt.encode({"sub": "janedoe", "exp": int(time.time()) + 600},
                     secret, algorithm="HS256")
    assert s.get("/users/me", tok).json() == JANE
    mine = s.token()
    assert jwt.decode(mine, secret, algorithms=["HS256"])["sub"] == "janedoe"
    assert "environment" in s.log_text()
    assert secret not in s.log_text()


def eventually(fn, limit=1.5):
    """fn() until it is true or limit seconds pass (bearer requests may
    reuse a user record for --user-cache-ms, 500 ms by default)."""
    deadline = time.monotonic() + limit
    while True:
        got = fn()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def test_disabled_user(demo):
    tok = demo.token()
    demo.cli("user", "disable", "janedoe")
    r = eventually(lambda: (lambda x: x if x.status_code == 400 else None)(
        demo.get("/users/me", tok)))
    assert r is not None and r.status_code == 400
    assert r.json() == {"detail": "Inactive user"}
    r = demo.login()
    assert r.status_code == 400
    assert r.json() == {"detail": "Inactive user"}
    assert demo.login(password="wrong").status_code == 401
    demo.cli("user", "enable", "janedoe")
    assert eventually(lambda: demo.get("/users/me", tok).status_code == 200)


def test_tokens_survive_restart(demo):
    tok = demo.token()
    secret = demo.secret()
    assert demo.stop() == 0
    demo.start()
    assert demo.secret() == secret
    assert demo.get("/users/me", tok).json() == JANE
    assert "already present" in demo.log_text()


def test_secret_file_is_private(demo):
    mode = (demo.data_dir / "secret.key").stat().st_mode & 0o777
    assert mode == 0o600
    assert len(demo.secret()) == 64
    int(demo.secret(), 16)


def test_demo_hash_stored_as_is(demo):
    (h,) = store_query(demo.data_dir, "SELECT password_hash FROM users "
                       "WHERE username = ?", ("janedoe",))[0]
    assert h == DEMO_HASH


def test_keep_alive_reuses_connection(demo):
    tok = demo.token()
    conn = http.client.HTTPConnection("127.0.0.1", demo.port, timeout=10)
    socks = []
    for _ in range(3):
        conn.request("GET", "/users/me",
                     headers={"Authorization": "Bearer " + tok})
        r = conn.getresponse()
        assert r.status == 200
        assert json.loads(r.read()) == JANE
        assert (r.getheader("Connection") or "").lower() != "close"
        socks.append(conn.sock)
    assert socks[0] is not None and socks[0] is socks[1] is socks[2]
    conn.close()


def test_openapi_and_docs(demo):
    r = demo.get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    assert {"/token", "/users/me", "/users/me/items"} <= set(doc["paths"])
    flow = doc["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert flow["flows"]["password"]["tokenUrl"] == "/token"
    r = demo.get("/docs/swagger")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")


def test_user_add_cli_and_login(demo):
    demo.cli("user", "add", "bob", "--email", "bob@example.com",
             "--full-name", "Bob B", stdin=b"bob-password-1\n")
    r = demo.login("bob", "bob-password-1")
    assert r.status_code == 200
    me = demo.get("/users/me", r.json()["access_token"]).json()
    assert me == {"username": "bob", "email": "bob@example.com",
                  "full_name": "Bob B", "disabled": False}
    assert demo.get("/users/me/items",
                    r.json()["access_token"]).json() == []
    dup = demo.cli("user", "add", "bob", stdin=b"x\n", check=False)
    assert dup.returncode == 1 and b"already exists" in dup.stderr


def test_logs_hold_no_secrets(demo):
    tok = demo.token()
    demo.get("/users/me", tok)
    demo.login(password="wrong-password-xyz")
    text = demo.log_text()
    assert "method=GET path=\"/users/me\" status=200" in text
    assert "us=" in text
    for secret in (tok, "hashsecret", "wrong-password-xyz", DEMO_HASH,
                   demo.secret()):
        assert secret not in text


def test_tutorial_trailing_slash_paths(demo):
    """The tutorial declares /users/me/ and /users/me/items/."""
    tok = demo.token()
    assert demo.get("/users/me/", tok).json() == JANE
    assert demo.get("/users/me/items/", tok).json() == \
        [{"item_id": "Foo", "owner": "janedoe"}]
    assert demo.get("/users/me/").status_code == 401
    assert demo.get("/users/me//").status_code == 404


def test_docs_redirects_to_swagger(demo):
    r = requests.get(demo.url + "/docs", allow_redirects=False, timeout=10)
    assert r.status_code == 307
    assert r.headers["Location"] == "/docs/swagger"


def test_disabled_login_is_logged(demo):
    demo.cli("user", "disable", "janedoe")
    assert demo.login().status_code == 400
    assert "event=login_refused user=\"janedoe\" reason=disabled" in \
        demo.log_text()
