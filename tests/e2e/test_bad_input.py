"""Hostile and malformed requests get a clear 4xx JSON answer and the
server keeps serving."""
import socket

import requests

JSON = "application/json"


def check_json_4xx(r, status):
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith(JSON)
    assert "detail" in r.json()


def post_form(s, body, ctype="application/x-www-form-urlencoded"):
    return requests.post(s.url + "/token", data=body,
                         headers={"Content-Type": ctype}, timeout=30)


def test_missing_fields_422(demo):
    r = post_form(demo, "username=janedoe")
    check_json_4xx(r, 422)
    assert r.json()["detail"][0]["loc"] == ["body", "password"]
    r = post_form(demo, "")
    check_json_4xx(r, 422)
    assert [d["loc"][1] for d in r.json()["detail"]] == ["username",
                                                         "password"]


def test_wrong_content_type(demo):
    for ct in ("application/json", "text/plain", "multipart/form-data",
               "application/x-www-form-urlencoded; charset=latin1"):
        check_json_4xx(post_form(demo, "username=janedoe&password=x", ct),
                       415)


def test_charset_parameter_accepted(demo):
    r = post_form(demo, "username=janedoe&password=hashsecret",
                  "application/x-www-form-urlencoded; charset=UTF-8")
    assert r.status_code == 200


def test_repeated_and_invalid_fields(demo):
    for body in ("username=janedoe&username=x&password=hashsecret",
                 "username=janedoe&password=hashsecret&password=x",
                 "username=janedoe&password=%zz",
                 "username=janedoe&password=abc%",
                 "username=janedoe&password=hashsecret&grant_type=x"):
        check_json_4xx(post_form(demo, body), 400)


def test_body_too_large(demo):
    r = post_form(demo, "username=janedoe&password=" + "a" * 100000)
    check_json_4xx(r, 413)
    assert demo.login().status_code == 200


def test_overlong_fields_refused(demo):
    r = post_form(demo, "username=" + "u" * 400 + "&password=x")
    check_json_4xx(r, 400)
    r = post_form(demo, "username=janedoe&password=" + "p" * 5000)
    check_json_4xx(r, 400)


def test_nul_in_credentials_is_a_plain_failure(demo):
    for body in ("username=janedoe&password=hashsecret%00x",
                 "username=jane%00doe&password=hashsecret"):
        r = post_form(demo, body)
        assert r.status_code == 401
        assert r.json() == {"detail": "Incorrect username or password"}


def test_unknown_path_and_method(demo):
    r = requests.get(demo.url + "/nope", timeout=10)
    check_json_4xx(r, 404)
    r = requests.delete(demo.url + "/users/me", timeout=10)
    check_json_4xx(r, 405)
    assert r.headers["Allow"] == "GET"
    r = requests.get(demo.url + "/token", timeout=10)
    check_json_4xx(r, 405)
    assert r.headers["Allow"] == "POST"


def test_garbage_bytes_keep_server_alive(demo):
    for payload in (b"\x00\xff\xfe garbage\r\n\r\n",
                    b"GET /users/me HTTP/1.1\r\nHost: x\r\n" +
                    b"Authorization: Bearer " + b"A" * 70000 + b"\r\n\r\n",
                    b"GET / HTTP/9.9\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", demo.port),
                                      timeout=5) as c:
            c.sendall(payload)
            try:
                c.recv(4096)
            except OSError:
                pass
    tok = demo.token()
    assert demo.get("/users/me", tok).status_code == 200


def test_oversized_token_is_401(demo):
    r = demo.get("/users/me", "e" * 9000 + ".e.e")
    assert r.status_code == 401
    assert r.json() == {"detail": "Could not validate credentials"}
