"""Scopes: requested, granted, refused, enforced per route (403 with an
RFC 6750 insufficient_scope challenge), and both claim spellings."""
import time

import jwt

SCOPED = ("--demo", "--route-scope", "/users/me=me",
          "--route-scope", "/users/me/items=items")


def claims_of(server, token):
    return jwt.decode(token, server.secret(), algorithms=["HS256"])


def test_default_grant_is_all_held_scopes(demo):
    r = demo.login()
    assert r.json()["scope"] == "me items"
    c = claims_of(demo, r.json()["access_token"])
    assert c["scope"] == "me items"
    assert c["scopes"] == ["me", "items"]


def test_requested_subset(demo):
    r = demo.login(scope="me")
    assert r.status_code == 200
    assert r.json()["scope"] == "me"
    assert claims_of(demo, r.json()["access_token"])["scopes"] == ["me"]


def test_unknown_scope_is_invalid_scope(demo):
    r = demo.login(scope="me admin")
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_scope"
    assert "detail" in r.json()


def test_defined_but_not_held_scope_is_left_out(make_server):
    s = make_server(args=("--demo", "--scopes", "me,items,admin"))
    r = s.login(scope="me admin")
    assert r.status_code == 200
    assert r.json()["scope"] == "me"


def test_route_scopes_enforced(make_server):
    s = make_server(args=SCOPED)
    tok = s.token(scope="me")
    assert s.get("/users/me", tok).status_code == 200
    r = s.get("/users/me/items", tok)
    assert r.status_code == 403
    assert r.json() == {"detail": "Not enough permissions"}
    assert r.headers["WWW-Authenticate"] == \
        'Bearer error="insufficient_scope", scope="items"'
    full = s.token()
    assert s.get("/users/me/items", full).status_code == 200


def test_both_claim_forms_accepted(make_server):
    s = make_server(args=SCOPED)
    exp = int(time.time()) + 600
    for extra in ({"scope": "me items"}, {"scopes": ["me", "items"]}):
        tok = jwt.encode(dict(sub="janedoe", exp=exp, **extra), s.secret(),
                         algorithm="HS256")
        assert s.get("/users/me/items", tok).status_code == 200, extra
    bare = jwt.encode({"sub": "janedoe", "exp": exp}, s.secret(),
                      algorithm="HS256")
    assert s.get("/users/me", bare).status_code == 403
    case = jwt.encode({"sub": "janedoe", "exp": exp, "scope": "ME Items"},
                      s.secret(), algorithm="HS256")
    assert s.get("/users/me", case).status_code == 403


def test_user_scopes_cli(make_server):
    s = make_server(args=SCOPED)
    s.cli("user", "scopes", "janedoe", "me")
    assert s.login().json()["scope"] == "me"
    s.cli("user", "add", "zed", "--scope", "items", stdin=b"zed-pass-123\n")
    r = s.login("zed", "zed-pass-123")
    assert r.json()["scope"] == "items"
    tok = r.json()["access_token"]
    assert s.get("/users/me", tok).status_code == 403
    assert s.get("/users/me/items", tok).json() == []


def test_openapi_lists_scopes(make_server):
    s = make_server(args=SCOPED)
    doc = s.get("/openapi.json").json()
    flow = doc["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert set(flow["flows"]["password"]["scopes"]) == {"me", "items"}
    sec = doc["paths"]["/users/me/items"]["get"]["security"]
    assert sec == [{"OAuth2PasswordBearer": ["items"]}]
