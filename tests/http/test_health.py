"""/healthz: what a load balancer and an operator ask first."""

import re

from helpers import CONFIG, run_bin


def test_healthz_reports_everything_ok(session):
    r = session.get("/healthz")
    assert r.status_code == 200, r.text[:500]
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["status"] == "ok"
    assert body["database"] is True
    assert body["migrations_current"] is True
    assert isinstance(body["version"], str) and re.match(r"^\d+\.\d+", body["version"])
    names = [m["name"] for m in body["modules"]]
    assert names == configured_modules()


def configured_modules():
    """The modules line of the stack's config, in order (the test stack adds the example)."""
    with open(CONFIG) as f:
        for line in f:
            key, _, value = line.partition("=")
            if key.strip() == "modules":
                return value.split()
    raise AssertionError("no modules line in the config")


def test_healthz_version_matches_the_binary(session):
    version = session.get("/healthz").json()["version"]
    out = run_bin("version")
    assert out.returncode == 0, out.stderr
    assert version in out.stdout


def test_head_healthz_has_no_body(session):
    r = session.head("/healthz")
    assert r.status_code == 200
    assert r.content == b""
    assert r.headers["Content-Type"].startswith("application/json")
