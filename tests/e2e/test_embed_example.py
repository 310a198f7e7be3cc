"""examples/embed_app.c, a program that embeds liblatchkey with a route
of its own (GET /reports, scope "reports"): its OpenAPI document shows
the route and the scope, and the route answers 403 insufficient_scope
to a token without the scope and 200 to one with it. Users are made
with `latchkey user` on the same data directory."""
import os
import pathlib
import subprocess

import pytest
import requests

from conftest import run_latchkey
from proc_helpers import ROOT, Server, latchkey_bin

SECRET = "embed-example-secret-0123456789abcdef0123456789"
PASSWORD = "report-pass-1"


def example_bin():
    exe = os.environ.get("LATCHKEY_EMBED_BIN")
    if exe:
        return exe
    return str(pathlib.Path(latchkey_bin()).parent / "embed_app")


def cli(data_dir, *args, stdin=None):
    p = run_latchkey(["user", *args, "--data-dir", str(data_dir)],
                     input=stdin, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("embed")
    data = tmp / "data"
    data.mkdir(mode=0o700)
    cli(data, "add", "reporter", "--scope", "me", stdin=PASSWORD + "\n")
    env = dict(os.environ, LATCHKEY_SECRET_KEY=SECRET)
    srv = Server([example_bin(), str(data), "127.0.0.1:0"],
                 tmp / "example.log", env=env)
    srv.data = data
    yield srv
    srv.stop()


def token(app, scope=""):
    r = requests.post(app.base + "/token",
                      data={"username": "reporter", "password": PASSWORD,
                            "scope": scope}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def test_openapi_lists_route_and_scope(app):
    doc = requests.get(app.base + "/openapi.json", timeout=10).json()
    assert doc["info"]["title"] == "embed_app"
    op = doc["paths"]["/reports"]["get"]
    assert op["summary"] == "Read Reports"
    assert op["security"] == [{"OAuth2PasswordBearer": ["reports"]}]
    assert set(op["responses"]) == {"200", "401", "403"}
    flow = doc["components"]["securitySchemes"]["OAuth2PasswordBearer"][
        "flows"]["password"]
    assert flow["tokenUrl"] == "/token"
    assert flow["scopes"]["reports"] == "Read your reports."
    assert {"/token", "/users/me", "/users/me/items"} <= set(doc["paths"])


def test_validator_accepts_example_document(app, tmp_path):
    f = tmp_path / "openapi.json"
    f.write_text(requests.get(app.base + "/openapi.json", timeout=10).text)
    p = subprocess.run(["node", str(ROOT / "tests/e2e/validate_openapi.mjs"),
                        str(f)], cwd=ROOT, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr


def test_reports_needs_a_token(app):
    r = requests.get(app.base + "/reports", timeout=10)
    assert r.status_code == 401
    assert r.json() == {"detail": "Not authenticated"}


def test_reports_without_scope_is_403(app):
    tok = token(app)
    r = requests.get(app.base + "/reports", timeout=10,
                     headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 403
    assert "detail" in r.json()
    challenge = r.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert "reports" in challenge


def test_reports_with_scope_is_200(app):
    cli(app.data, "scopes", "reporter", "me", "reports")
    tok = token(app, "me reports")
    r = requests.get(app.base + "/reports", timeout=10,
                     headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 200
    assert r.json()["reports"][0]["id"] == "q1"
    me = requests.get(app.base + "/users/me", timeout=10,
                      headers={"Authorization": f"Bearer {tok}"})
    assert me.status_code == 200
    assert me.json()["username"] == "reporter"
