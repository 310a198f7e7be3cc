"""The generated OpenAPI document: valid OpenAPI 3.1 by an independent
validator (@apidevtools/swagger-parser, pinned in package.json, run
with node), and complete: every operation, its security scopes, the
token form, the password flow whose tokenUrl resolves to /token, and
every $ref resolving. Also the Swagger UI page and its files."""
import json
import shutil
import subprocess
import urllib.parse

import pytest
import requests

from proc_helpers import ROOT, serve_demo

VALIDATOR = ROOT / "tests" / "e2e" / "validate_openapi.mjs"
SCHEME = "OAuth2PasswordBearer"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch",
           "trace"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("openapi")
    srv = serve_demo(tmp / "data", tmp / "server.log")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def doc(server):
    r = requests.get(server.base + "/openapi.json", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json()


def resolve(doc, ref):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"dangling {ref}"
        node = node[part]
    return node


def refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


def operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, op


def test_validator_accepts_document(server, doc, tmp_path):
    node = shutil.which("node")
    assert node, "node is needed to run the validator"
    parser = ROOT / "node_modules" / "@apidevtools" / "swagger-parser"
    assert parser.is_dir(), "run npm ci"
    f = tmp_path / "openapi.json"
    f.write_text(json.dumps(doc))
    p = subprocess.run([node, str(VALIDATOR), str(f)], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.startswith("valid:")


def test_header_and_info(doc):
    assert doc["openapi"].startswith("3.1.")
    assert doc["info"]["title"]
    assert doc["info"]["version"]


def test_paths_are_the_routes(doc):
    ops = {(p, m) for p, m, _ in operations(doc)}
    assert ops == {("/token", "post"), ("/users/me", "get"),
                   ("/users/me/items", "get"),
                   ("/.well-known/jwks.json", "get")}
    for path, method, op in operations(doc):
        assert op["summary"], (path, method)
        assert op["operationId"], (path, method)
        assert isinstance(op["parameters"], list)
        assert op["responses"], (path, method)
        for code, resp in op["responses"].items():
            assert resp["description"], (path, method, code)
            content = resp.get("content", {})
            assert "application/json" in content, (path, code)
            assert "$ref" in content["application/json"]["schema"]


def test_operation_ids_unique(doc):
    ids = [op["operationId"] for _, _, op in operations(doc)]
    assert len(ids) == len(set(ids))


def test_token_form(doc):
    op = doc["paths"]["/token"]["post"]
    assert "security" not in op
    body = op["requestBody"]
    assert body["required"] is True
    schema = body["content"]["application/x-www-form-urlencoded"]["schema"]
    schema = resolve(doc, schema["$ref"])
    assert set(schema["required"]) == {"username", "password"}
    assert {"grant_type", "username", "password", "scope", "client_id",
            "client_secret"} <= set(schema["properties"])
    ok = resolve(doc, op["responses"]["200"]["content"]
                 ["application/json"]["schema"]["$ref"])
    assert {"access_token", "token_type"} <= set(ok["required"])
    assert "WWW-Authenticate" in op["responses"]["401"]["headers"]


def test_protected_routes_have_security(doc):
    scopes = doc["components"]["securitySchemes"][SCHEME]["flows"][
        "password"]["scopes"]
    for path in ("/users/me", "/users/me/items"):
        op = doc["paths"][path]["get"]
        assert len(op["security"]) == 1
        needed = op["security"][0][SCHEME]
        assert isinstance(needed, list)
        assert set(needed) <= set(scopes), (path, needed)
        assert "401" in op["responses"]
        assert "WWW-Authenticate" in op["responses"]["401"]["headers"]


def test_password_flow(doc, server):
    schemes = doc["components"]["securitySchemes"]
    assert set(schemes) == {SCHEME}
    s = schemes[SCHEME]
    assert s["type"] == "oauth2"
    assert list(s["flows"]) == ["password"]
    flow = s["flows"]["password"]
    assert flow["scopes"] == {
        "me": "Read information about the current user.",
        "items": "Read items."}
    # C17: tokenUrl resolves to /token against the document's URL and
    # against servers[0].url when there is one.
    bases = [server.base + "/openapi.json"]
    if doc.get("servers"):
        bases.append(urllib.parse.urljoin(server.base + "/",
                                          doc["servers"][0]["url"]))
    for base in bases:
        url = urllib.parse.urljoin(base, flow["tokenUrl"])
        assert urllib.parse.urlsplit(url).path == "/token", base
    # and the endpoint it names really is the password grant
    r = requests.post(urllib.parse.urljoin(bases[0], flow["tokenUrl"]),
                      data={"grant_type": "password", "username": "janedoe",
                            "password": "hashsecret", "scope": ""},
                      timeout=30)
    assert r.status_code == 200
    assert r.json()["token_type"] == "bearer"


def test_every_ref_resolves(doc):
    found = list(refs(doc))
    assert found, "the document uses $ref"
    for ref in found:
        resolve(doc, ref)


def test_docs_routes_hidden(doc):
    assert "/openapi.json" not in doc["paths"]
    assert not any(p.startswith("/docs") for p in doc["paths"])


def test_swagger_page(server):
    r = requests.get(server.base + "/docs/swagger", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "swagger-ui" in r.text.lower()
    assert "<script>" not in r.text          # no inline script
    for src in ("swagger/swagger-ui-bundle.js", "swagger/swagger-init.js",
                "swagger/swagger-ui.css"):
        assert src + "?v=" in r.text


@pytest.mark.parametrize("name,ctype", [
    ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    ("swagger-init.js", "text/javascript; charset=utf-8"),
    ("swagger-ui.css", "text/css; charset=utf-8"),
    ("favicon-32x32.png", "image/png"),
    ("oauth2-redirect.html", "text/html; charset=utf-8"),
])
def test_swagger_files(server, name, ctype):
    r = requests.get(f"{server.base}/docs/swagger/{name}", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == ctype
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in r.headers["Cache-Control"]
    assert r.headers["ETag"].startswith('"')
    assert len(r.content) == int(r.headers["Content-Length"]) > 0


@pytest.mark.parametrize("path", [
    "/docs/swagger/nope.js", "/docs/swagger/../openapi.json",
    "/docs/swagger/swagger-ui.css.map", "/docs/swagger/%2e%2e/x",
])
def test_swagger_unknown_files(server, path):
    r = requests.get(server.base + path, timeout=10)
    assert r.status_code == 404
    assert "detail" in r.json()
