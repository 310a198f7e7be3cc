"""Replays ../shared/cases/cases.json as it is: every `http` case step by
step, and every `jwt_verify` block over HTTP (a token is accepted when
GET /users/me answers 200, rejected when it answers 401)."""
import json
import re
import urllib.parse

import pytest
import requests

from conftest import SHARED

CASES = json.loads((SHARED / "cases" / "cases.json").read_text())


def cases_of(kind):
    return [c for c in CASES if c["kind"] == kind]


def server_for(make_server, setup, name="data"):
    """Start a server configured as a case's setup says."""
    conf = setup["server"]
    args, env = [], {}
    if conf.get("jwt_alg", "HS256") != "HS256":
        args += asymmetric_keys(make_server, conf, name)
    else:
        env["LATCHKEY_SECRET_KEY"] = conf["jwt_secret"]
    if conf.get("audience"):
        args += ["--audience", conf["audience"]]
    if conf.get("issuer"):
        args += ["--issuer", conf["issuer"]]
    s = make_server(args=args, env=env, name=name, start=False)
    for u in setup.get("users", []):
        add = ["user", "add", u["username"], "--password-hash",
               u["password_hash"]]
        if u.get("email"):
            add += ["--email", u["email"]]
        if u.get("full_name"):
            add += ["--full-name", u["full_name"]]
        if u.get("disabled"):
            add.append("--disabled")
        for sc in u.get("scopes", []):
            add += ["--scope", sc]
        s.cli(*add)
    return s.start()


def asymmetric_keys(make_server, conf, name):
    """Key files for an RS/ES server: the harness private key signs,
    the public key PEM verifies."""
    base = make_server.tmp / (name + "-keys")
    base.mkdir(exist_ok=True)
    priv, pub = base / "signing.pem", base / "public.pem"
    priv.write_text(conf["private_key_pem_for_harness"])
    priv.chmod(0o600)
    pub.write_text(conf["public_key_pem"])
    return ["--key-file", str(priv), "--key-file", str(pub),
            "--alg", conf["jwt_alg"]]


def substitute(text, saved):
    for k, v in saved.items():
        text = text.replace("{{" + k + "}}", v)
    return text


def check_headers(resp, rules, negate=False):
    for name, pattern in (rules or {}).items():
        value = resp.headers.get(name)
        found = value is not None and re.search(pattern, value)
        if negate:
            assert not found, f"{name}: {value!r} matches {pattern!r}"
        else:
            assert found, f"{name}: {value!r} !~ {pattern!r}"


def resolve_token_url(doc, fetched_from):
    scheme = next(iter(doc["components"]["securitySchemes"].values()))
    url = scheme["flows"]["password"]["tokenUrl"]
    base = fetched_from
    if doc.get("servers"):
        base = urllib.parse.urljoin(fetched_from, doc["servers"][0]["url"])
    return urllib.parse.urlparse(urllib.parse.urljoin(base, url)).path


def check_expect(resp, exp, url):
    status = exp["status"]
    allowed = status if isinstance(status, list) else [status]
    assert resp.status_code in allowed, (resp.status_code, resp.text)
    check_headers(resp, exp.get("header_regex"))
    check_headers(resp, exp.get("header_regex_should"))
    check_headers(resp, exp.get("header_not_regex_should"), negate=True)
    if "body_regex" in exp:
        assert re.search(exp["body_regex"], resp.text)
    body = None
    if any(k.startswith("json") for k in exp) or \
            "openapi_password_flow" in exp:
        body = resp.json()
    if "json_equals" in exp:
        assert body == exp["json_equals"]
    for k, v in exp.get("json_subset", {}).items():
        assert body[k] == v
    for k in exp.get("json_has_key", []):
        assert k in body
    for k, pattern in exp.get("json_regex", {}).items():
        assert re.search(pattern, body[k])
    if "openapi_password_flow" in exp:
        want = exp["openapi_password_flow"]["tokenUrl_resolves_to"]
        assert resolve_token_url(body, url) == want


def run_step(s, step, saved):
    req = step["request"]
    headers = {k: substitute(v, saved)
               for k, v in req.get("headers", {}).items()}
    body = req.get("body")
    url = s.url + req["path"]
    resp = requests.request(req["method"], url, headers=headers,
                            data=body.encode() if body is not None
                            else None, timeout=30)
    check_expect(resp, step["expect"], url)
    for name, where in step.get("save", {}).items():
        assert where.startswith("json.")
        saved[name] = resp.json()[where[5:]]


@pytest.mark.parametrize("case", cases_of("http"), ids=lambda c: c["id"])
def test_http_case(make_server, case):
    s = server_for(make_server, case["setup"])
    saved = {}
    for i, step in enumerate(case["steps"]):
        try:
            run_step(s, step, saved)
        except AssertionError as e:
            raise AssertionError(f"{case['id']} step {i}: {e}") from e
    assert s.get("/users/me", None).status_code == 401  # still serving


JANE_SETUP_USER = {
    "username": "janedoe", "password_hash":
    "$2a$12$KplebFTPwFcgGQosJgI4De0PyB2AoRCSxasxHpFoYZPp6uQV/xLzm",
    "email": "janedoe@example.com", "full_name": "Jane Doe",
    "scopes": ["me", "items"]}


def jwt_blocks():
    for c in cases_of("jwt_verify"):
        for i, b in enumerate(c["blocks"]):
            yield pytest.param(c, b, id=f"{c['id']}-{i}")


@pytest.mark.parametrize("case,block", jwt_blocks())
def test_jwt_case_over_http(make_server, case, block):
    setup = {"server": block["server"], "users": [JANE_SETUP_USER]}
    s = server_for(make_server, setup)
    for t in block["tokens"]:
        r = s.get("/users/me", t["token"])
        want = 200 if t["expect"] == "accept" else 401
        assert r.status_code == want, (case["id"], t.get("note"), r.text)
