"""Pages: landing page, language choice, error pages, methods, security headers, nginx."""

import urllib.parse

import pytest
import requests

from helpers import BASE_URL, HTTP_URL, lang_of, raw_request, TIMEOUT


LEAKS = ("SQL", "Traceback", "core/", "mariadb", "MariaDB", ".c:", "Segmentation")


def assert_security_headers(r):
    h = r.headers
    csp = h.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, f"CSP: {csp!r}"
    assert h.get("X-Content-Type-Options", "").lower() == "nosniff"
    assert h.get("Referrer-Policy"), "Referrer-Policy missing"
    assert h.get("X-Frame-Options", "").upper() == "DENY"
    assert "max-age=" in h.get("Strict-Transport-Security", "")
    assert h.get("X-Request-Id"), "X-Request-Id missing"


def assert_no_leak(text):
    for word in LEAKS:
        assert word not in text, f"error page leaks {word!r}"


def test_landing_page_is_japanese_by_default(session):
    r = session.get("/")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert lang_of(r.text) == "ja"
    assert "窓口" in r.text
    assert_security_headers(r)


def test_landing_page_in_english_from_accept_language(session):
    r = session.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert r.status_code == 200
    assert lang_of(r.text) == "en"


def test_accept_language_prefers_by_quality(session):
    r = session.get("/", headers={"Accept-Language": "fr;q=1.0, en;q=0.5, ja;q=0.1"})
    assert lang_of(r.text) == "en"


def test_cookie_wins_over_accept_language(session):
    r = session.get("/", headers={"Accept-Language": "ja", "Cookie": "lang=en"})
    assert lang_of(r.text) == "en"
    r = session.get("/", headers={"Accept-Language": "en", "Cookie": "lang=ja"})
    assert lang_of(r.text) == "ja"


def assert_lang_cookie(r, value):
    cookies = r.headers.get("Set-Cookie", "")
    assert cookies.startswith(f"lang={value}"), cookies
    attrs = [a.strip().lower() for a in cookies.split(";")]
    assert "path=/" in attrs
    assert "secure" in attrs
    assert "httponly" in attrs
    assert "samesite=lax" in attrs


def test_lang_switch_by_get(session):
    r = session.get("/lang", params={"to": "en", "next": "/"})
    assert r.status_code == 303
    assert urllib.parse.urlsplit(r.headers["Location"]).path == "/"
    assert_lang_cookie(r, "en")
    # The cookie is honoured on the next page.
    r = session.get("/")
    assert lang_of(r.text) == "en"


def csrf_of(session):
    """The token a visitor's forms carry: set as a cookie by the first page it sees."""
    session.get("/")
    token = session.cookies.get("__Host-mg_csrf")
    assert token and len(token) == 43
    return token


def test_lang_switch_by_post(session):
    r = session.post("/lang", data={"to": "ja", "next": "/", "csrf": csrf_of(session)})
    assert r.status_code == 303
    assert urllib.parse.urlsplit(r.headers["Location"]).path == "/"
    assert_lang_cookie(r, "ja")


def test_post_without_the_csrf_token_is_refused(session):
    csrf_of(session)
    r = session.post("/lang", data={"to": "ja", "next": "/"})
    assert r.status_code == 403
    assert "このフォーム" in r.text
    wrong = session.post("/lang", data={"to": "ja", "next": "/", "csrf": "x" * 43})
    assert wrong.status_code == 403
    header = session.post("/lang", data={"to": "ja", "next": "/"},
                          headers={"X-CSRF-Token": session.cookies.get("__Host-mg_csrf")})
    assert header.status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_lang_switch_never_redirects_off_site(session, target):
    r = session.get("/lang", params={"to": "en", "next": target})
    assert r.status_code in (303, 400)
    if r.status_code == 303:
        loc = urllib.parse.urlsplit(r.headers["Location"])
        assert loc.netloc in ("", urllib.parse.urlsplit(BASE_URL).netloc), r.headers["Location"]
        assert not loc.path.startswith("//") and "\\" not in loc.path


def test_not_found_in_japanese(session):
    r = session.get("/no-such-page")
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    assert lang_of(r.text) == "ja"
    assert "見つかりません" in r.text
    assert_no_leak(r.text)
    assert_security_headers(r)


def test_not_found_in_english(session):
    r = session.get("/no-such-page", headers={"Accept-Language": "en"})
    assert r.status_code == 404
    assert lang_of(r.text) == "en"
    assert "Not found" in r.text or "Not Found" in r.text
    assert_no_leak(r.text)


def test_bad_request_has_security_headers():
    r = raw_request("GET", "/?a=%zz")
    assert r.status_code == 400
    assert_security_headers(r)
    assert_no_leak(r.text)


def test_request_ids_differ(session):
    a = session.get("/healthz").headers.get("X-Request-Id")
    b = session.get("/healthz").headers.get("X-Request-Id")
    assert a and b and a != b


def test_delete_is_not_allowed(session):
    r = session.delete("/healthz")
    assert r.status_code == 405
    allow = [m.strip() for m in r.headers.get("Allow", "").split(",")]
    assert "GET" in allow
    assert_security_headers(r)


def test_unknown_method_is_not_allowed(session):
    r = session.request("FOO", "/")
    assert r.status_code == 405
    assert_no_leak(r.text)


def test_plain_http_redirects_to_https():
    r = requests.get(HTTP_URL + "/healthz?x=1", allow_redirects=False, timeout=TIMEOUT)
    assert r.status_code == 301
    loc = urllib.parse.urlsplit(r.headers["Location"])
    base = urllib.parse.urlsplit(BASE_URL)
    assert loc.scheme == "https"
    assert loc.port == base.port
    assert loc.path == "/healthz" and loc.query == "x=1"


def test_static_css(session):
    r = session.get("/static/madoguchi.css")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/css")
    assert len(r.content) > 0


def test_static_file_outside_the_folder_is_not_served(session):
    r = raw_request("GET", "/static/../../conf/madoguchi.conf.in")
    assert r.status_code in (400, 403, 404)
    assert b"db_password" not in r.content
