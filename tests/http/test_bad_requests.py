"""The bad-request battery: each malformed or oversized request gets the right 4xx with a page a
person can read, and no worker dies answering it (same worker pids, /healthz still 200)."""

import pytest

from helpers import healthz_status, lang_of, new_client, raw_request, wait_until, worker_pids


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
LEAKS = ("SQL", "Traceback", "core/", "Segmentation", "AddressSanitizer")


@pytest.fixture
def unharmed(workers):
    """Checks after the test that the same workers are alive and the service still answers."""
    yield
    assert healthz_status() == 200
    assert worker_pids() == workers, "a worker died (or was replaced) answering the request"


def assert_human_page(r, lang="ja"):
    assert r.headers.get("Content-Type", "").startswith("text/html"), r.headers.get("Content-Type")
    assert lang_of(r.text) == lang, r.text[:300]
    for word in LEAKS:
        assert word not in r.text, f"the page leaks {word!r}"


def assert_app_page(r, lang="ja"):
    """An answer written by the application (not nginx): its page and its headers."""
    assert_human_page(r, lang)
    assert "default-src 'self'" in r.headers.get("Content-Security-Policy", "")


# ---- query strings ------------------------------------------------------------------------------

BAD_ESCAPES = {
    "not-hex": "?a=%zz",
    "truncated": "?a=%4",
    "nul": "?a=%00",
    "overlong-utf8": "?a=%C0%AF",
    "surrogate-utf8": "?a=%ED%A0%80",
    "invalid-byte": "?a=%FF",
    "nul-in-key": "?a%00b=1",
    "truncated-utf8": "?a=%E7%AA",
}


@pytest.mark.parametrize("query", BAD_ESCAPES.values(), ids=BAD_ESCAPES.keys())
def test_bad_escape_in_query_is_400_in_japanese(unharmed, query):
    r = raw_request("GET", "/" + query)
    assert r.status_code == 400
    assert_app_page(r, "ja")


@pytest.mark.parametrize("query", ["?a=%zz", "?a=%C0%AF"])
def test_bad_escape_in_query_is_400_in_english(unharmed, query):
    r = raw_request("GET", "/" + query, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert r.status_code == 400
    assert_app_page(r, "en")


def test_good_utf8_in_query_is_accepted(unharmed):
    r = raw_request("GET", "/?q=%E7%AA%93%E5%8F%A3")  # 窓口
    assert r.status_code == 200


def test_too_many_query_fields_is_413(unharmed):
    query = "&".join(f"f{i}=1" for i in range(300))
    r = raw_request("GET", "/?" + query)
    assert r.status_code == 413
    assert_app_page(r)


def test_too_long_query_key_is_413(unharmed):
    r = raw_request("GET", "/?" + "k" * 200 + "=1")
    assert r.status_code == 413
    assert_app_page(r)


# ---- form bodies ------------------------------------------------------------------------------

def post_lang(body, headers=None, lang=None):
    hdrs = dict(FORM)
    if lang:
        hdrs["Accept-Language"] = lang
    hdrs.update(headers or {})
    with new_client() as c:
        # a real form carries the visitor's CSRF token; the checks below are about the body
        c.get("/")
        token = c.cookies.get("__Host-mg_csrf")
        return c.post("/lang", data=body + b"&csrf=" + token.encode(), headers=hdrs)


def test_body_over_max_body_is_413_from_the_application(unharmed):
    body = b"to=ja&next=%2F&pad=" + b"x" * (1536 * 1024)
    r = post_lang(body)
    assert r.status_code == 413
    assert_app_page(r)


def test_body_over_nginx_limit_is_413(unharmed):
    body = b"to=ja&next=%2F&pad=" + b"x" * (3 * 1024 * 1024)
    r = post_lang(body)
    assert r.status_code == 413


def test_field_value_over_max_value_is_413(unharmed):
    body = b"to=ja&next=%2F" + b"a" * 70000
    r = post_lang(body)
    assert r.status_code == 413
    assert_app_page(r)


@pytest.mark.parametrize("body", [b"to=ja&next=%2F%FF", b"to=ja&next=/\xff\xfe", b"to=j%00a&next=%2F"],
                         ids=["escaped-ff", "raw-ff", "nul"])
def test_invalid_utf8_or_nul_in_form_is_400(unharmed, body):
    r = post_lang(body)
    assert r.status_code == 400
    assert_app_page(r)


def test_field_failing_its_pattern_is_400_naming_the_field(unharmed):
    r = post_lang(b"to=xx&next=%2F", lang="en")
    assert r.status_code == 400
    assert_app_page(r, "en")
    # The /lang route labels its field "to" as "Language".
    assert "language" in r.text.lower()


def test_missing_required_field_is_400(unharmed):
    r = post_lang(b"next=%2F", lang="en")
    assert r.status_code == 400
    assert_app_page(r, "en")
    assert "required" in r.text.lower()


def test_missing_required_field_in_japanese(unharmed):
    r = post_lang(b"next=%2F")
    assert r.status_code == 400
    assert_app_page(r, "ja")


def test_multipart_where_a_form_is_expected_is_refused(unharmed):
    boundary = "mgboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\nja\r\n"
            f"--{boundary}--\r\n").encode()
    r = post_lang(body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code in (415, 400)
    assert_app_page(r)


# ---- headers and paths ----------------------------------------------------------------------

@pytest.mark.parametrize("cookie", [b"lang=e\x01n", b"lang=\xff\xfe", b"lang=en; x=\x7f"],
                         ids=["control-char", "invalid-utf8", "del"])
def test_bad_cookie_header_is_400(unharmed, cookie):
    r = raw_request("GET", "/", headers={"Cookie": cookie})
    assert r.status_code == 400
    assert_app_page(r)


def test_very_long_path_is_404_or_414(unharmed):
    r = raw_request("GET", "/" + "a" * 10000)
    assert r.status_code in (404, 414)


def test_long_path_the_application_sees_is_404(unharmed):
    r = raw_request("GET", "/" + "a" * 3000)
    assert r.status_code == 404
    assert_app_page(r)


def test_unknown_method_with_body_is_405(unharmed):
    r = raw_request("FOO", "/lang", headers=FORM, body=b"to=ja")
    assert r.status_code == 405


def test_service_is_still_whole_after_the_battery():
    wait_until(lambda: healthz_status() == 200, what="/healthz 200")
