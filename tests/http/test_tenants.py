"""Tenants: the operator's `madoguchi tenant` commands and what the public then sees at
/<slug>/ — unknown slugs and uncontracted modules are 404, suspended and ended contracts say
so politely."""

import subprocess
import uuid

import pytest

from helpers import BIN, CONFIG


def madoguchi(*args):
    return subprocess.run([BIN, "-c", CONFIG, *args], capture_output=True, text=True, timeout=60)


def new_slug(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def tenant():
    slug = new_slug()
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "中野区民ホール", "--modules", "tickets rentals")
    assert done.returncode == 0, done.stderr
    assert f"tenant {slug} created" in done.stdout
    return slug


def test_front_page_shows_the_tenant_and_its_services(session, tenant):
    r = session.get(f"/{tenant}/")
    assert r.status_code == 200
    assert "中野区民ホール" in r.text
    assert "チケット" in r.text and "施設予約" in r.text
    assert "講座" not in r.text.split("<main", 1)[1]  # lessons not contracted


def test_unknown_slug_is_404(session):
    r = session.get(f"/{new_slug('nobody')}/")
    assert r.status_code == 404


def test_module_route_only_for_tenants_that_contracted_it(session, tenant):
    ok = session.get(f"/{tenant}/tickets/_about")
    assert ok.status_code == 200
    assert ok.json()["module"] == "tickets" and ok.json()["tenant"] == tenant
    refused = session.get(f"/{tenant}/lessons/_about")
    assert refused.status_code == 404


def test_suspended_tenant_says_so_and_resumes(session, tenant):
    assert madoguchi("tenant", "suspend", tenant).returncode == 0
    r = session.get(f"/{tenant}/")
    assert r.status_code == 503
    assert "一時停止" in r.text
    assert r.headers.get("Retry-After")
    assert madoguchi("tenant", "resume", tenant).returncode == 0
    assert session.get(f"/{tenant}/").status_code == 200


def test_terminated_tenant_is_gone_and_not_reopened(session, tenant):
    done = madoguchi("tenant", "terminate", tenant, "--on", "2026-11-01")
    assert done.returncode == 0, done.stderr
    r = session.get(f"/{tenant}/", headers={"Accept-Language": "en"})
    assert r.status_code == 410
    assert "has ended" in r.text
    again = madoguchi("tenant", "resume", tenant)
    assert again.returncode != 0
    assert "not reopened" in again.stderr
    shown = madoguchi("tenant", "show", tenant)
    assert "state:          terminated" in shown.stdout
    assert "2026-11-01" in shown.stdout


def test_slugs_are_checked_and_never_reused(tenant):
    taken = madoguchi("tenant", "create", "--slug", tenant, "--name", "Other")
    assert taken.returncode != 0 and "taken" in taken.stderr
    reserved = madoguchi("tenant", "create", "--slug", "admin", "--name", "X")
    assert reserved.returncode != 0 and "reserved" in reserved.stderr
    bad = madoguchi("tenant", "create", "--slug", "Bad_Slug", "--name", "X")
    assert bad.returncode != 0 and "lower-case" in bad.stderr
    unknown = madoguchi("tenant", "create", "--slug", new_slug(), "--name", "X", "--modules", "nosuch")
    assert unknown.returncode != 0 and "nosuch" in unknown.stderr


def test_list_and_show(tenant):
    listed = madoguchi("tenant", "list")
    assert listed.returncode == 0
    assert tenant in listed.stdout
    shown = madoguchi("tenant", "show", tenant)
    assert "modules:        rentals tickets" in shown.stdout
    assert "present (wrapped by the master key)" in shown.stdout
    missing = madoguchi("tenant", "show", new_slug())
    assert missing.returncode != 0 and "no tenant" in missing.stderr


def test_data_key_is_stored_wrapped_not_plain(tenant):
    """The wrapped key is version byte + 12-byte nonce + 32-byte key + 16-byte tag."""
    import os
    sock = os.path.join(os.environ["MG_VAR_DIR"], "run", "mysqld.sock")
    out = subprocess.run(["mariadb", f"--socket={sock}", "-u", "root", "-N", "-B", "madoguchi", "-e",
                          f"SELECT LENGTH(data_key_wrapped), HEX(LEFT(data_key_wrapped, 1)) FROM tenant "
                          f"WHERE slug = '{tenant}'"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    length, version = out.stdout.split()
    assert int(length) == 1 + 12 + 32 + 16
    assert version == "01"
